"""certificate branding: the provider's logo, organisation name, signer and accent colour,
printed on certificate pages and PDFs (one row, set by an administrator)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 02:15:00
"""

from alembic import op  # noqa: F401

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
