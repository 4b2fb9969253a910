"""Imports every model so that SQLAlchemy and Alembic see all tables."""

import certificates.models as certificates_models
import quizzes.models as quizzes_models
from lms.accounts.models import User
from lms.catalogue.models import Certification, Course, Holding, Media, Module, Provider
from lms.credits.models import CreditEntry
from lms.db import metadata as lms_metadata
from lms.learning.models import Enrolment, ModuleCompletion

#: All tables the LMS's migrations manage: the engines' first (the plugin's tables point at
#: theirs), then the plugin's.
ALL_METADATA = [quizzes_models.metadata, certificates_models.metadata, lms_metadata]

__all__ = [
    "ALL_METADATA",
    "Certification",
    "Course",
    "CreditEntry",
    "Enrolment",
    "Holding",
    "Media",
    "Module",
    "ModuleCompletion",
    "Provider",
    "User",
]
