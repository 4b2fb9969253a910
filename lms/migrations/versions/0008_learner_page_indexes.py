"""learner page indexes: the catalogue counts and pages published courses by title from an
index, a person's credit entries are read by date (the credit log, the transcript, the cycles
a standing counts) from an index that replaces the one on user id alone, and the courses that
count toward a certification are found by it (each read the whole table before)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 00:10:00
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_lms_course_status_title", "lms_course", ["status", "title", "id"], unique=False
    )
    op.create_index(
        "ix_lms_course_certification_certification_id",
        "lms_course_certification",
        ["certification_id"],
        unique=False,
    )
    op.create_index(
        "ix_lms_credit_entry_user_id_earned_on",
        "lms_credit_entry",
        ["user_id", "earned_on", "id"],
        unique=False,
    )
    # Its first column: the new index serves every lookup by user id.
    op.drop_index("ix_lms_credit_entry_user_id", table_name="lms_credit_entry")


def downgrade() -> None:
    op.create_index("ix_lms_credit_entry_user_id", "lms_credit_entry", ["user_id"], unique=False)
    op.drop_index("ix_lms_credit_entry_user_id_earned_on", table_name="lms_credit_entry")
    op.drop_index(
        "ix_lms_course_certification_certification_id", table_name="lms_course_certification"
    )
    op.drop_index("ix_lms_course_status_title", table_name="lms_course")
