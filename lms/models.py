"""Imports every model so that SQLAlchemy and Alembic see all tables."""

import certificates.models as certificates_models
import quizzes.models as quizzes_models
from lms.accounts.models import LoginSession, User
from lms.awards.models import Branding
from lms.catalogue.models import Certification, Course, Holding, Media, Module, Provider
from lms.claims.models import CreditClaim
from lms.credits.models import CreditEntry, LedgerHead
from lms.db import metadata as lms_metadata
from lms.events.models import Attendance, Event
from lms.learning.models import Enrolment, ModuleCompletion
from lms.notifications.models import Notification, NotificationPreference
from lms.outbox.models import OutboxMessage
from lms.requirements.models import RequirementRule

#: All tables the LMS's migrations manage: the engines' first (the plugin's tables point at
#: theirs), then the plugin's.
ALL_METADATA = [quizzes_models.metadata, certificates_models.metadata, lms_metadata]

__all__ = [
    "ALL_METADATA",
    "Attendance",
    "Branding",
    "CreditClaim",
    "Event",
    "LedgerHead",
    "OutboxMessage",
    "RequirementRule",
    "Certification",
    "Course",
    "CreditEntry",
    "Enrolment",
    "Holding",
    "Media",
    "Module",
    "ModuleCompletion",
    "Notification",
    "NotificationPreference",
    "Provider",
    "LoginSession",
    "User",
]
