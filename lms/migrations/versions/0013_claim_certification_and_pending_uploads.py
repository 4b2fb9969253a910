"""claim certification and pending uploads: a credit claim may name the certification it is
for, and a file sent with a claim form that failed validation is kept as pending evidence so
the learner does not have to choose it again

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lms_credit_claim") as batch:
        batch.add_column(sa.Column("certification_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_lms_credit_claim_certification_id_lms_certification"),
            "lms_certification",
            ["certification_id"],
            ["id"],
        )
    op.create_table(
        "lms_pending_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["lms_user.id"], name=op.f("fk_lms_pending_evidence_user_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_pending_evidence")),
        sa.UniqueConstraint("token", name=op.f("uq_lms_pending_evidence_token")),
    )
    op.create_index(
        op.f("ix_lms_pending_evidence_user_id"), "lms_pending_evidence", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_lms_pending_evidence_user_id"), table_name="lms_pending_evidence")
    op.drop_table("lms_pending_evidence")
    with op.batch_alter_table("lms_credit_claim") as batch:
        batch.drop_constraint(
            batch.f("fk_lms_credit_claim_certification_id_lms_certification"),
            type_="foreignkey",
        )
        batch.drop_column("certification_id")
