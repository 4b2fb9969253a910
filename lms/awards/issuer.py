"""This site as an Open Badges issuer: its identity, its signing keys and the keys its
credentials are sealed with (its published documents: ``lms.awards.published``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from certificates.documents import (
    Issuer,
    PublishedKey,
    SigningKey,
    build_issuer_profile,
)
from certificates.keys import (
    IssuerKeyError,
    current_key,
    encryption_key_from_secret,
    import_key_file,
    open_private_key,
    private_key_from_pem,
    published_keys,
    register_key,
    rotate,
    seal_private_key,
)
from certificates.models import IssuerKey
from certificates.sealing import seal_key
from certificates.signing import public_key_multibase
from lms.clock import now
from lms.db import session
from lms.urls import external_url

#: The id of the first key a site makes.
FIRST_KEY_ID = "key-1"
#: Before any certificate was revoked.
EVER = datetime(1970, 1, 1)


class IssuerNotConfigured(RuntimeError):
    """Certificates cannot be signed here yet; the message says which setting is missing."""


def base_url() -> str:
    """The absolute root of the LMS's pages: every credential id starts with it, forever.

    It comes from ``LMS_BASE_URL``. Only in testing and debug mode may it follow the request,
    whose Host header a visitor chooses: a credential signed under an alias would not verify
    at the real address.
    """
    if not current_app.config["LMS_BASE_URL"]:
        if not (current_app.testing or current_app.debug):
            raise IssuerNotConfigured(
                "set LMS_BASE_URL to the site's public address; every signed certificate "
                "carries it for good, so it must not follow a request's Host header"
            )
        if not has_request_context():
            raise IssuerNotConfigured(
                "set LMS_BASE_URL: outside a web request it is the only source of the "
                "absolute links a signed certificate carries"
            )
    return external_url("lms.catalogue.index").rstrip("/")


def issuer() -> Issuer:
    config = current_app.config
    root = base_url()
    return Issuer(
        base_url=root,
        name=config["LMS_ISSUER_NAME"] or config["LMS_SITE_NAME"],
        url=config["LMS_ISSUER_URL"] or root + "/",
        email=config["LMS_ISSUER_EMAIL"] or None,
    )


def key_directory() -> Path:
    """Where an install from before keys were shared kept its private key files: read once,
    to import them into the database (``LMS_ISSUER_KEY_DIR``, else <instance>/issuer-keys)."""
    configured = current_app.config["LMS_ISSUER_KEY_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "issuer-keys"


#: The HKDF label of the keys that seal the issuer's private keys.
KEY_ENCRYPTION_PURPOSE = b"lms issuer private keys v1"


def encryption_keys() -> list[bytes]:
    """The keys that seal the issuer's private halves in the database: the one new seals use
    first (from LMS_KEY_ENCRYPTION_KEY, else from SECRET_KEY), then the ones older seals may
    need (LMS_KEY_ENCRYPTION_KEY_FALLBACKS, SECRET_KEY, SECRET_KEY_FALLBACKS). Every host has
    the same settings, so every host opens the same keys."""
    config = current_app.config
    fallbacks = config.get("LMS_KEY_ENCRYPTION_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str):
        fallbacks = [value.strip() for value in fallbacks.split(",") if value.strip()]
    secrets = [
        config.get("LMS_KEY_ENCRYPTION_KEY"),
        *fallbacks,
        config.get("SECRET_KEY"),
        *(config.get("SECRET_KEY_FALLBACKS") or []),
    ]
    keys: list[bytes] = []
    for secret in secrets:
        if secret and _encryption_key(secret) not in keys:
            keys.append(_encryption_key(secret))
    if not keys:
        raise IssuerNotConfigured("set LMS_KEY_ENCRYPTION_KEY (or SECRET_KEY)")
    return keys


@lru_cache(maxsize=16)
def _encryption_key(secret: str | bytes) -> bytes:
    return encryption_key_from_secret(secret, KEY_ENCRYPTION_PURPOSE)


def ensure_signing_key() -> SigningKey:
    """The key to sign with now, creating (or registering) it on first use and committing.
    Looked up once per request: the check before a unit of work and the signing inside it
    use the same key.

    The key in use is read from the database on every call, so a rotation on any host is
    seen here at the next request. With ``LMS_ISSUER_KEY`` set (PEM text), that key is used,
    and registered as the key in use the first time it is seen (which retires the previous
    one): rotating by environment is changing the variable, one host after another. Call this
    before a unit of work that may sign, not inside it: creating the first key commits.
    """
    if has_request_context() and "lms_signing_key" in g:
        return g.lms_signing_key
    try:
        key = _signing_key()
    except IssuerKeyError as exc:
        # Refused before anything is written (a 503 with the reason), never a 500.
        raise IssuerNotConfigured(str(exc)) from None
    if has_request_context():
        g.lms_signing_key = key
    return key


def _signing_key() -> SigningKey:
    db = session()
    pem = current_app.config["LMS_ISSUER_KEY"]
    if pem:
        return _environment_key(pem)
    record = current_key(db)
    if record is None:
        # Named key-1 outright: hosts making the first key at once collide on it, and every
        # one but the first takes the first one's (see _committed).
        first = None if published_keys(db) else FIRST_KEY_ID
        record = _committed(lambda: rotate(db, encryption_keys()[0], now(), key_id=first))
    return SigningKey(record.key_id, private_half(record, import_files=True))


def _environment_key(pem: str) -> SigningKey:
    db = session()
    try:
        private_key = private_key_from_pem(pem)
    except (ValueError, TypeError, IssuerKeyError) as exc:
        raise IssuerNotConfigured(f"LMS_ISSUER_KEY is not an Ed25519 PEM key: {exc}") from None
    multibase = public_key_multibase(private_key.public_key())
    record = current_key(db)
    if record is not None and record.public_key_multibase == multibase:
        return SigningKey(record.key_id, private_key)
    known = db.scalars(select(IssuerKey).where(IssuerKey.public_key_multibase == multibase)).first()
    if known is not None and known.retired_at is not None and record is not None:
        # Another host already has the next LMS_ISSUER_KEY and registered it: sign with that
        # one (stored sealed) until this host is given the new value too.
        try:
            return SigningKey(record.key_id, private_half(record))
        except IssuerKeyError:
            raise IssuerNotConfigured(
                f"LMS_ISSUER_KEY here is {known.key_id}, retired when {record.key_id} took "
                "over: set LMS_ISSUER_KEY to the new key on this host"
            ) from None
    try:
        record = _committed(lambda: _register_sealed(private_key))
    except IssuerKeyError as exc:
        raise IssuerNotConfigured(f"LMS_ISSUER_KEY: {exc}") from None
    return SigningKey(record.key_id, private_key)


def _register_sealed(private_key: Ed25519PrivateKey) -> IssuerKey:
    """An LMS_ISSUER_KEY seen for the first time becomes the key in use, its private half
    stored sealed, so the hosts still given the previous value sign with it meanwhile."""
    record = register_key(session(), private_key, now())
    record.private_key_sealed = seal_private_key(private_key, record, encryption_keys()[0])
    return record


def private_half(record: IssuerKey, *, import_files: bool = False) -> Ed25519PrivateKey:
    """The private half of a key from the database, opened once per process (a key id and
    public key name one private key for good, so the copy never goes stale). With
    ``import_files``, a key an older install kept only as a file in the key directory is
    imported first (sealed and committed), so that every host can use it."""
    cache_key = (record.key_id, record.public_key_multibase)
    opened = _opened_keys.get(cache_key)
    if opened is not None:
        return opened
    if record.private_key_sealed is None and import_files:
        _import_key_file(record)
    opened = open_private_key(record, encryption_keys())
    _opened_keys[cache_key] = opened
    return opened


#: Private keys this process opened, by (key id, public key).
_opened_keys: dict[tuple[str, str], Ed25519PrivateKey] = {}


def _import_key_file(record: IssuerKey) -> None:
    db = session()
    try:
        if import_key_file(db, record, key_directory(), encryption_keys()[0]):
            db.commit()
    except Exception:
        db.rollback()
        raise


def public_profile() -> dict:
    """The issuer profile from the public halves alone: what a verification needs when this
    host cannot open the signing key (the published documents, which also carry the signed
    revocation list, are built with it)."""
    keys = [
        PublishedKey(k.key_id, k.public_key_multibase, k.created_at, k.retired_at)
        for k in published_keys(session())
    ]
    return build_issuer_profile(issuer=issuer(), keys=keys)


def signing_key_problem() -> str | None:
    """Why this host could not sign now, or None; reads only (for ``/readyz``). No key yet is
    no problem: the first one is made on first use."""
    pem = current_app.config["LMS_ISSUER_KEY"]
    try:
        if pem:
            private_key_from_pem(pem)
            return None
        record = current_key(session())
        if record is None:
            return None
        if (
            record.private_key_sealed is None
            and (key_directory() / f"{record.key_id}.pem").exists()
        ):
            return None  # an older install's file, imported on first use
        private_half(record)
    except (IssuerKeyError, IssuerNotConfigured, ValueError, TypeError) as exc:
        return str(exc)
    return None


def _committed(make_key: Callable[[], IssuerKey]) -> IssuerKey:
    """Create a key and commit; when a concurrent request created one first (a unique
    constraint), take that one instead."""
    db = session()
    try:
        record = make_key()
        db.commit()
        return record
    except IntegrityError:
        db.rollback()
        record = current_key(db)
        if record is None:
            raise
        return record
    except Exception:
        db.rollback()
        raise


def prepare_signing() -> SigningKey:
    """Everything signing needs, checked before a unit of work that may sign begins: the
    site's address (else IssuerNotConfigured, a 503, nothing written) and the key."""
    base_url()
    return ensure_signing_key()


def seal_keys() -> list[bytes]:
    """The keys credentials are sealed with: the current SECRET_KEY's first, then those of
    SECRET_KEY_FALLBACKS, so a rotation keeps the seals taken before it."""
    config = current_app.config
    secrets = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return [_seal_key(secret) for secret in secrets if secret]


@lru_cache(maxsize=8)
def _seal_key(secret: str | bytes) -> bytes:
    return seal_key(secret)


def key_created(key: SigningKey) -> datetime:
    return (
        session().scalars(select(IssuerKey.created_at).where(IssuerKey.key_id == key.key_id)).one()
    )
