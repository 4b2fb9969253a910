"""Tables of the certificate engine (all prefixed ``cert_``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, MetaData, String, Text
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
    #: Indexed: the status list is rebuilt from the revoked rows only.
    revoked_at: Mapped[datetime | None] = mapped_column(index=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    #: The signed OpenBadgeCredential, exactly as issued; never changed afterwards.
    credential: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: This certificate's bit in the revocation status list (random, unique).
    status_index: Mapped[int | None] = mapped_column(unique=True)
    #: The certificate this one replaces (a reissue), if any. Indexed: the verification page
    #: of a replaced certificate looks up its replacement.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("cert_certificate.id"), index=True)
    #: HMAC of ``credential`` under the site's secret, written when it was signed here: a
    #: stored credential that still matches it is the one this site signed, so the page need
    #: not canonicalize it again (see :mod:`certificates.sealing`).
    seal: Mapped[str | None] = mapped_column(String(64))


class IssuerKey(Base):
    """An issuer signing key: its public half, its private half encrypted, and when it was
    in use.

    The private half is stored encrypted (AES-256-GCM under a key-encryption key the caller
    holds, see :mod:`certificates.keys`), so every host signs with the same key and no file
    is copied between them. Retired keys stay here (and in the issuer profile) so that
    certificates signed with them keep verifying.
    """

    __tablename__ = "cert_issuer_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The fragment of the verification method id: ``<issuer id>#<key_id>``.
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    public_key_multibase: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]
    #: None for the key in use; at most one key is in use.
    retired_at: Mapped[datetime | None]
    #: The private half, encrypted (``certificates.keys.seal_private_key``); None for a key
    #: whose private half lives only outside (an old key file not imported yet, or an
    #: ``LMS_ISSUER_KEY`` registered without a key-encryption key).
    private_key_sealed: Mapped[str | None] = mapped_column(Text)


class IssuerState(Base):
    """One row whose ``revision`` (a random token) is replaced in the same transaction as
    every change a verifier can see: a revocation, a key added or retired. Every host reads
    it to know whether its copy of the issuer profile and status list is current."""

    __tablename__ = "cert_issuer_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[str] = mapped_column(String(32))
