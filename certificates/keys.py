"""Issuer signing keys: Ed25519, the private halves stored encrypted in the database.

Every host reads the same key set from the database (:class:`certificates.models.IssuerKey`):
the public halves with their dates, and each private half sealed with AES-256-GCM under a
key-encryption key the caller passes in (the plugin derives it from its settings; the engine
never reads configuration). So `rotate` on any host is seen by every host on its next
signature, and no key file is copied between hosts. The sealed text is bound to its key id and
public key, so a sealed private half moved to another row does not open.

Key files (``<directory>/<key_id>.pem``, mode 0600) remain for importing the keys of an older
install (:func:`import_key_file`) and for exporting them (:func:`write_key_file`).
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
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


#: How long a retired key stays valid for signatures after the next one takes over: a host
#: that read the key in use just before a rotation committed, or whose clock runs a little
#: ahead, may still sign with it for a moment, and what it signs must verify.
RETIREMENT_OVERLAP = timedelta(minutes=5)
#: A new key is dated this long before it is made: a host whose clock runs a little behind the
#: rotating host's signs with it at once, and its signatures must fall within the key's dates.
CLOCK_TOLERANCE = timedelta(minutes=1)


def register_key(
    session: Session,
    private_key: Ed25519PrivateKey,
    now: datetime,
    overlap: timedelta = RETIREMENT_OVERLAP,
    key_id: str | None = None,
) -> IssuerKey:
    """Record a key's public half as the key in use, retiring the previous one ``overlap``
    from now (none for a key believed stolen). The caller commits. Registering the key
    already in use changes nothing. ``key_id`` (default: the next number) lets two hosts
    making the first key at once collide on the unique id instead of making two."""
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
        old.retired_at = now + overlap
    key = IssuerKey(
        key_id=key_id or _next_key_id(session),
        public_key_multibase=multibase,
        created_at=now - CLOCK_TOLERANCE,
    )
    session.add(key)
    session.flush()
    bump_revision(session)  # the profile lists a new key: every host's copy is now stale
    return key


def rotate(
    session: Session,
    encryption_key: bytes,
    now: datetime,
    overlap: timedelta = RETIREMENT_OVERLAP,
    key_id: str | None = None,
) -> IssuerKey:
    """Generate a key, store it sealed under ``encryption_key`` and make it the key in use
    (the previous one is retired ``overlap`` from now). The caller commits; until then no
    host sees it."""
    private_key = Ed25519PrivateKey.generate()
    key = register_key(session, private_key, now, overlap, key_id)
    key.private_key_sealed = seal_private_key(private_key, key, encryption_key)
    return key


# --- Sealing private halves -------------------------------------------------------------------

#: The prefix of a sealed private half: the format's version, so a later one can be told apart.
SEALED_PREFIX = "aesgcm1:"
_NONCE_BYTES = 12


def encryption_key_from_secret(secret: str | bytes, purpose: bytes) -> bytes:
    """A 256-bit AES key derived from a secret setting (HKDF-SHA256): any long random string
    will do, and one secret gives unrelated keys for unrelated ``purpose`` labels."""
    material = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(material)


def _associated_data(record: IssuerKey) -> bytes:
    return f"{record.key_id}|{record.public_key_multibase}".encode()


def seal_private_key(
    private_key: Ed25519PrivateKey, record: IssuerKey, encryption_key: bytes
) -> str:
    """The private half encrypted for storage in ``record``'s row."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(encryption_key).encrypt(
        nonce, private_key.private_bytes_raw(), _associated_data(record)
    )
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_private_key(record: IssuerKey, encryption_keys: Sequence[bytes]) -> Ed25519PrivateKey:
    """The private half of ``record``, opened with the first of ``encryption_keys`` that fits
    (the current key-encryption key first, then the retired ones)."""
    which = _open(record, encryption_keys)
    return which[0]


def needs_resealing(record: IssuerKey, encryption_keys: Sequence[bytes]) -> bool:
    """True when ``record`` opens only with a retired key-encryption key (not the first)."""
    return _open(record, encryption_keys)[1] != 0


def _open(record: IssuerKey, encryption_keys: Sequence[bytes]) -> tuple[Ed25519PrivateKey, int]:
    sealed = record.private_key_sealed
    if not sealed:
        raise IssuerKeyError(
            f"the private half of {record.key_id} is not in the database: import it with "
            "`lms keys import <folder of .pem files>`, or run `lms keys rotate` to start "
            "signing with a new key"
        )
    if not sealed.startswith(SEALED_PREFIX):
        raise IssuerKeyError(f"the stored private half of {record.key_id} has an unknown format")
    raw = base64.urlsafe_b64decode(sealed[len(SEALED_PREFIX) :])
    nonce, ciphertext = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for position, encryption_key in enumerate(encryption_keys):
        try:
            opened = AESGCM(encryption_key).decrypt(nonce, ciphertext, _associated_data(record))
        except InvalidTag:
            continue
        private_key = Ed25519PrivateKey.from_private_bytes(opened)
        if public_key_multibase(private_key.public_key()) != record.public_key_multibase:
            raise IssuerKeyError(f"the stored private half of {record.key_id} does not match it")
        return private_key, position
    raise IssuerKeyError(
        f"the private half of {record.key_id} does not open with the key-encryption key: every "
        "host needs the same LMS_KEY_ENCRYPTION_KEY (or, without it, the same SECRET_KEY); a "
        "previous value goes in LMS_KEY_ENCRYPTION_KEY_FALLBACKS"
    )


def reseal_all(session: Session, encryption_keys: Sequence[bytes]) -> list[str]:
    """Seal again under the first key every stored private half that opens only with a later
    one (after a change of key-encryption key). The caller commits. Returns the key ids."""
    resealed = []
    for record in published_keys(session):
        if record.private_key_sealed and needs_resealing(record, encryption_keys):
            private_key = open_private_key(record, encryption_keys)
            record.private_key_sealed = seal_private_key(private_key, record, encryption_keys[0])
            resealed.append(record.key_id)
    return resealed


def import_key_file(
    session: Session, record: IssuerKey, directory: Path, encryption_key: bytes
) -> bool:
    """Store the private half of ``record`` from an older install's key file, sealed; False
    when the folder has no file for it. The caller commits."""
    try:
        private_key = read_key_file(directory, record.key_id)
    except IssuerKeyError:
        return False
    if public_key_multibase(private_key.public_key()) != record.public_key_multibase:
        raise IssuerKeyError(
            f"{directory / (record.key_id + '.pem')} is not the private half of {record.key_id}"
        )
    record.private_key_sealed = seal_private_key(private_key, record, encryption_key)
    return True
