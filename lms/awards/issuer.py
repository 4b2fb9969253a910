"""This site as an Open Badges issuer: its identity, its signing key and its published
documents (the issuer profile and the revocation status list)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import current_app, has_request_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from certificates import Certificate
from certificates.documents import (
    Issuer,
    PublishedKey,
    SigningKey,
    build_issuer_profile,
    build_status_list,
)
from certificates.keys import (
    IssuerKeyError,
    current_key,
    private_key_from_pem,
    published_keys,
    read_key_file,
    register_key,
    rotate,
)
from certificates.models import IssuerKey
from certificates.signing import public_key_multibase
from lms.clock import now
from lms.db import session
from lms.urls import external_url


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

    With ``LMS_ISSUER_KEY`` set (PEM text), that key is used, and registered as the key in use
    the first time it is seen (which retires the previous one): rotating by environment is
    changing the variable. Otherwise keys live in the key directory and `lms keys rotate`
    replaces them. Call this before a unit of work that may sign, not inside it: creating
    the first key commits.
    """
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


def issuer_profile() -> dict:
    keys = [
        PublishedKey(k.key_id, k.public_key_multibase, k.created_at, k.retired_at)
        for k in published_keys(session())
    ]
    return build_issuer_profile(issuer=issuer(), keys=keys)


_status_cache: dict[tuple, dict] = {}
_status_lock = threading.Lock()


def status_list() -> dict:
    """The signed revocation list. Signed again only when a revocation (or the key, or the
    base URL) changed, so a revocation shows at once and a quiet list costs one query."""
    db = session()
    revoked_count, last_revoked = db.execute(
        select(func.count(Certificate.id), func.max(Certificate.revoked_at)).where(
            Certificate.revoked_at.is_not(None), Certificate.status_index.is_not(None)
        )
    ).one()
    key = ensure_signing_key()
    site = issuer()
    version = (
        site,
        public_key_multibase(key.private_key.public_key()),
        revoked_count,
        last_revoked,
    )
    with _status_lock:
        cached = _status_cache.get(version)
    if cached is not None:
        return cached
    revoked = db.scalars(
        select(Certificate.status_index).where(
            Certificate.revoked_at.is_not(None), Certificate.status_index.is_not(None)
        )
    ).all()
    # Never dated before the signing key existed: a verifier checks the key was in use then.
    created = key_created(key)
    issued_at = max(last_revoked, created) if last_revoked else created
    document = build_status_list(issuer=site, key=key, revoked_indices=revoked, issued_at=issued_at)
    with _status_lock:
        _status_cache.clear()  # only the newest version is ever asked for again
        _status_cache[version] = document
    return document


def key_created(key: SigningKey) -> datetime:
    return (
        session().scalars(select(IssuerKey.created_at).where(IssuerKey.key_id == key.key_id)).one()
    )
