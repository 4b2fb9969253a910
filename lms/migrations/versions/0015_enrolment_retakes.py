"""enrolment retakes: a learner whose certificate was revoked with a retake may enrol in the
course again; each enrolment of a person in a course version has a number

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 02:12:00
"""

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
