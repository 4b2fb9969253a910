"""issuer revision and credential seals: one row whose revision (a random token) is replaced
at every revocation and key change (hosts cache the profile and status list by it), a seal
per signed credential (the verification page skips re-canonicalizing an untouched one), and
indexes for the replacement and revoked-row lookups (both read the whole certificate table
before)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 23:50:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "cert_issuer_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_issuer_state")),
    )
    op.bulk_insert(state, [{"id": 1, "revision": secrets.token_hex(16)}])
    with op.batch_alter_table("cert_certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_cert_certificate_replaces_id"), ["replaces_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cert_certificate_revoked_at"), ["revoked_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cert_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cert_certificate_revoked_at"))
        batch_op.drop_index(batch_op.f("ix_cert_certificate_replaces_id"))
        batch_op.drop_column("seal")
    op.drop_table("cert_issuer_state")
