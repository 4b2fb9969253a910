"""(being written)"""

from lms.studio.blueprint import bp  # noqa: F401
