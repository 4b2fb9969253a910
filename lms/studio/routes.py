"""Every studio page, registered on the studio blueprint by importing its module."""

from lms.studio import courses, quiz_editor, reports, views  # noqa: F401  (each adds routes)
from lms.studio.blueprint import bp

__all__ = ["bp"]
