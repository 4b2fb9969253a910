"""enrolment retakes and the credit reason: a learner whose certificate was revoked with a
retake may enrol in the course again (each enrolment of a person in a course version has a
number, unique with both); a course claiming more credit than its estimate carries the
trainer's reason

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 02:12:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lms_enrolment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("retake_allowed_at", sa.DateTime(), nullable=True))
        batch_op.drop_constraint("uq_lms_enrolment_user_id_course_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_lms_enrolment_user_id_course_id_number", ["user_id", "course_id", "number"]
        )
    with op.batch_alter_table("lms_course", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credit_reason", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("lms_course", schema=None) as batch_op:
        batch_op.drop_column("credit_reason")
    # Retakes cannot survive the old one-enrolment-per-course rule: keep each person's first.
    op.execute("DELETE FROM lms_enrolment WHERE number > 1")
    with op.batch_alter_table("lms_enrolment", schema=None) as batch_op:
        batch_op.drop_constraint("uq_lms_enrolment_user_id_course_id_number", type_="unique")
        batch_op.create_unique_constraint(
            "uq_lms_enrolment_user_id_course_id", ["user_id", "course_id"]
        )
        batch_op.drop_column("retake_allowed_at")
        batch_op.drop_column("number")
