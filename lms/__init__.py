"""CEC LMS: a continuing-education learning-management plugin for Flask."""

from lms.app import create_app
from lms.auth import FlaskLoginHostAdapter, OwnAccounts, current_learner
from lms.extension import LMS

__all__ = ["LMS", "FlaskLoginHostAdapter", "OwnAccounts", "create_app", "current_learner"]
