"""This site as an Open Badges issuer: its identity, its signing keys and the keys its
credentials are sealed with (its published documents: ``lms.awards.published``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from certificates.documents import (
    Issuer,
    SigningKey,
)
from certificates.keys import (
    IssuerKeyError,
    current_key,
    private_key_from_pem,
    read_key_file,
    register_key,
    rotate,
)
from certificates.models import IssuerKey
from certificates.sealing import seal_key
from certificates.signing import public_key_multibase
from lms.clock import now
from lms.db import session
from lms.urls import external_url

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
    configured = current_app.config["LMS_ISSUER_KEY_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "issuer-keys"


def ensure_signing_key() -> SigningKey:
    """The key to sign with now, creating (or registering) it on first use and committing.
    Looked up once per request: the check before a unit of work and the signing inside it
    use the same key.

    With ``LMS_ISSUER_KEY`` set (PEM text), that key is used, and registered as the key in use
    the first time it is seen (which retires the previous one): rotating by environment is
    changing the variable. Otherwise keys live in the key directory and `lms keys rotate`
    replaces them. Call this before a unit of work that may sign, not inside it: creating
    the first key commits.
    """
    if has_request_context() and "lms_signing_key" in g:
        return g.lms_signing_key
    key = _signing_key()
    if has_request_context():
        g.lms_signing_key = key
    return key


def _signing_key() -> SigningKey:
    db = session()
    pem = current_app.config["LMS_ISSUER_KEY"]
    if pem:
        try:
            private_key = private_key_from_pem(pem)
        except (ValueError, TypeError, IssuerKeyError) as exc:
            raise IssuerNotConfigured(f"LMS_ISSUER_KEY is not an Ed25519 PEM key: {exc}") from None
        record = current_key(db)
        if record is None or record.public_key_multibase != public_key_multibase(
            private_key.public_key()
        ):
            try:
                record = _committed(lambda: register_key(db, private_key, now()))
            except IssuerKeyError as exc:
                raise IssuerNotConfigured(f"LMS_ISSUER_KEY: {exc}") from None
        return SigningKey(record.key_id, private_key)
    record = current_key(db)
    if record is None:
        record = _committed(lambda: rotate(db, key_directory(), now()))
    directory = key_directory()
    cache_key = (str(directory), record.key_id)
    if cache_key not in _loaded_keys:
        _loaded_keys[cache_key] = read_key_file(directory, record.key_id)
    return SigningKey(record.key_id, _loaded_keys[cache_key])


#: Private keys read from files, by (directory, key id): read once per process.
_loaded_keys: dict[tuple[str, str], object] = {}


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
