"""login sessions: one row per sign-in of an own account, ended by sign-out or a password
change, so a session cookie replayed afterwards is refused (sessions made before this
revision end: everyone signs in again once)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 04:31:24.401912
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_login_session_user_id_lms_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_login_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lms_login_session_token_hash")),
    )
    with op.batch_alter_table("lms_login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_login_session_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lms_login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_login_session_user_id"))
    op.drop_table("lms_login_session")
