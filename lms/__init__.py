"""CEC LMS: a continuing-education learning-management plugin for Flask."""

from lms.auth import FlaskLoginHostAdapter, OwnAccounts, current_learner
from lms.extension import LMS

__all__ = ["LMS", "FlaskLoginHostAdapter", "OwnAccounts", "create_app", "current_learner"]


def create_app(test_config: dict | None = None):  # noqa: ANN201  (lazy import keeps `import lms` light)
    from lms.app import create_app as _create_app

    return _create_app(test_config)
