"""notifications: each notification recorded in-app (one per kind, subject and recipient), a
person's e-mail preferences per kind, and their count of unread ones (the header's badge)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lms_user") as batch:
        batch.add_column(
            sa.Column(
                "unread_notifications", sa.Integer(), nullable=False, server_default=sa.text("0")
            )
        )
    op.create_table(
        "lms_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_key", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_notification_user_id_lms_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_notification")),
        sa.UniqueConstraint(
            "kind",
            "subject_key",
            "user_id",
            name=op.f("uq_lms_notification_kind_subject_key_user_id"),
        ),
    )
    op.create_index("ix_lms_notification_user_id_id", "lms_notification", ["user_id", "id"])
    op.create_index(
        "ix_lms_notification_unread",
        "lms_notification",
        ["user_id"],
        sqlite_where=sa.text("read_at IS NULL"),
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_table(
        "lms_notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["lms_user.id"],
            name=op.f("fk_lms_notification_preference_user_id_lms_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_notification_preference")),
        sa.UniqueConstraint(
            "user_id", "kind", name=op.f("uq_lms_notification_preference_user_id_kind")
        ),
    )


def downgrade() -> None:
    op.drop_table("lms_notification_preference")
    op.drop_index("ix_lms_notification_unread", table_name="lms_notification")
    op.drop_index("ix_lms_notification_user_id_id", table_name="lms_notification")
    op.drop_table("lms_notification")
    with op.batch_alter_table("lms_user") as batch:
        batch.drop_column("unread_notifications")
