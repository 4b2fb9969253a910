"""Issuer signing keys: Ed25519, private halves outside the database.

A private key is read from a PEM file ``<directory>/<key_id>.pem`` (written with mode 0600) or
from an environment variable holding PEM text. The database holds only the public halves with
their dates (:class:`certificates.models.IssuerKey`); :func:`rotate` adds a key and retires the
previous one, which stays published so old certificates keep verifying.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from certificates.models import IssuerKey
from certificates.revision import bump_revision
from certificates.signing import public_key_multibase

KEY_ID_RE = re.compile(r"key-[0-9]{1,6}")


class IssuerKeyError(LookupError):
    """No usable signing key; the message says what to do."""


@dataclass(frozen=True)
class LoadedKey:
    key_id: str
    private_key: Ed25519PrivateKey


def private_key_from_pem(text: str | bytes) -> Ed25519PrivateKey:
    data = text.encode() if isinstance(text, str) else text
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise IssuerKeyError("the issuer key must be an Ed25519 private key")
    return key


def pem_of(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_key_file(directory: Path, key_id: str, key: Ed25519PrivateKey) -> Path:
    """Write a new private key file readable by its owner only; never overwrite one.

    Written to a temporary name and then linked into place, so another process never reads a
    half-written key; the link fails with FileExistsError if the name is taken.
    """
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{key_id}.pem"
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{key_id}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates it with mode 0600
            handle.write(pem_of(key))
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path


def read_key_file(directory: Path, key_id: str) -> Ed25519PrivateKey:
    if not KEY_ID_RE.fullmatch(key_id):
        raise IssuerKeyError(f"not a key id: {key_id!r}")
    path = directory / f"{key_id}.pem"
    try:
        return private_key_from_pem(path.read_bytes())
    except FileNotFoundError:
        raise IssuerKeyError(
            f"the private key {key_id} is not in {directory}: restore it from your backup, "
            "or run `lms keys rotate` to start signing with a new key"
        ) from None


def published_keys(session: Session) -> list[IssuerKey]:
    """Every key ever used, oldest first (the issuer profile lists them all)."""
    return list(session.scalars(select(IssuerKey).order_by(IssuerKey.id)))


def current_key(session: Session) -> IssuerKey | None:
    return session.scalars(
        select(IssuerKey).where(IssuerKey.retired_at.is_(None)).order_by(IssuerKey.id.desc())
    ).first()


def _next_key_id(session: Session) -> str:
    return f"key-{len(published_keys(session)) + 1}"


def register_key(session: Session, private_key: Ed25519PrivateKey, now: datetime) -> IssuerKey:
    """Record a key's public half as the key in use, retiring the previous one. The caller
    commits. Registering the key already in use changes nothing."""
    multibase = public_key_multibase(private_key.public_key())
    existing = session.scalars(
        select(IssuerKey).where(IssuerKey.public_key_multibase == multibase)
    ).first()
    if existing is not None:
        if existing.retired_at is not None:
            raise IssuerKeyError(
                f"{existing.key_id} was retired; a retired key is never used again"
            )
        return existing
    for old in session.scalars(select(IssuerKey).where(IssuerKey.retired_at.is_(None))):
        old.retired_at = now
    key = IssuerKey(key_id=_next_key_id(session), public_key_multibase=multibase, created_at=now)
    session.add(key)
    session.flush()
    bump_revision(session)  # the profile lists a new key: every host's copy is now stale
    return key


def rotate(session: Session, directory: Path, now: datetime) -> IssuerKey:
    """Generate a key, write its private half to ``directory`` and make it the key in use.
    The caller commits (after the file is written, so a crash leaves at worst an unused file)."""
    key_id = _next_key_id(session)
    try:
        private_key = Ed25519PrivateKey.generate()
        write_key_file(directory, key_id, private_key)
    except FileExistsError:
        # Written by a rotation whose transaction never committed: that key was never used
        # (nothing signed with it was kept), so it is safe to take it now.
        private_key = read_key_file(directory, key_id)
    key = register_key(session, private_key, now)
    assert key.key_id == key_id
    return key
