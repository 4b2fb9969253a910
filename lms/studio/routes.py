"""Every studio page, registered on the studio blueprint by importing its module."""

# Each module adds its routes to the blueprint when imported.
from lms.studio import course_card, courses, quiz_editor, reports, versions, views  # noqa: F401
from lms.studio.blueprint import bp

__all__ = ["bp"]
