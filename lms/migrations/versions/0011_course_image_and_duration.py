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
    pass


def downgrade() -> None:
    pass
