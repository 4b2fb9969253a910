"""course image and duration: a course version may show an uploaded image (a Media row
shared by the slug's versions) on its catalogue card, and the trainer's expected duration

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 02:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lms_course") as batch:
        batch.add_column(sa.Column("image_media_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duration_minutes", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_lms_course_image_media_id_lms_media"),
            "lms_media",
            ["image_media_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("lms_course") as batch:
        batch.drop_constraint(batch.f("fk_lms_course_image_media_id_lms_media"), type_="foreignkey")
        batch.drop_column("duration_minutes")
        batch.drop_column("image_media_id")
