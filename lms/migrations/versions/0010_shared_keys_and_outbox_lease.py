"""shared keys and outbox lease: issuer private keys stored encrypted in the database (every
host signs with the same key), and outbox messages claimed with a lease (delivery from any
number of hosts at once)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 02:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cert_issuer_key") as batch_op:
        batch_op.add_column(sa.Column("private_key_sealed", sa.Text(), nullable=True))
    with op.batch_alter_table("lms_outbox") as batch_op:
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # The private halves stored here are lost on the way down: export them first with
    # `lms keys export` if the older version must keep signing with the same key.
    with op.batch_alter_table("lms_outbox") as batch_op:
        batch_op.drop_column("claimed_until")
    with op.batch_alter_table("cert_issuer_key") as batch_op:
        batch_op.drop_column("private_key_sealed")
