"""Tables of the certificate engine (all prefixed ``cert_``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


class Certificate(Base):
    __tablename__ = "cert_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, unguessable id used in public links (at least 128 bits).
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: The caller's idempotency key: one certificate per key, ever.
    award_key: Mapped[str] = mapped_column(String(100), unique=True)
    #: The snapshot of facts certified; written once, never edited.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the canonical JSON of ``facts``, to detect a changed record.
    digest: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
