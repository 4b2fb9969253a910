"""certificate branding: the provider's logo, organisation name, signer and accent colour,
printed on certificate pages and PDFs (one row, set by an administrator)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 02:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_branding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("signer_title", sa.String(length=120), nullable=False),
        sa.Column("accent_colour", sa.String(length=7), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("logo_media_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["logo_media_id"],
            ["lms_media.id"],
            name=op.f("fk_lms_branding_logo_media_id_lms_media"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["lms_user.id"], name=op.f("fk_lms_branding_updated_by_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_branding")),
    )


def downgrade() -> None:
    op.drop_table("lms_branding")
