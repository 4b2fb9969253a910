"""event registrations and time zones: learners register for events (a seat or a place on the
waitlist), each person's time zone and calendar feed token, an event's own time zone

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_event_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("promoted_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["lms_event.id"],
            name=op.f("fk_lms_event_registration_event_id_lms_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name=op.f("fk_lms_event_registration_user_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_event_registration")),
        sa.UniqueConstraint(
            "event_id", "user_id", name=op.f("uq_lms_event_registration_event_id_user_id")
        ),
    )
    with op.batch_alter_table("lms_event_registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lms_event_registration_queue",
            ["event_id", "state", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_lms_event_registration_user_id"), ["user_id"], unique=False
        )
    with op.batch_alter_table("lms_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_lms_event_status_ends_at", ["status", "ends_at"], unique=False)
    with op.batch_alter_table("lms_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_lms_user_calendar_token"), ["calendar_token"]
        )


def downgrade() -> None:
    with op.batch_alter_table("lms_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_lms_user_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")
        batch_op.drop_column("time_zone")
    with op.batch_alter_table("lms_event", schema=None) as batch_op:
        batch_op.drop_index("ix_lms_event_status_ends_at")
        batch_op.drop_column("time_zone")
    with op.batch_alter_table("lms_event_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_event_registration_user_id"))
        batch_op.drop_index("ix_lms_event_registration_queue")
    op.drop_table("lms_event_registration")
