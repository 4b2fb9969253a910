"""This site as an Open Badges issuer: its identity, its signing key and its published
documents (the issuer profile and the revocation status list)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, has_request_context
from sqlalchemy import select
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
from certificates.revision import current_revision
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


@dataclass(frozen=True)
class Published:
    """The issuer's public documents at one revision, as this process built them."""

    profile: dict
    status_list: dict
    #: When to sign the list again, before its validUntil (half its validity left).
    renew_at: datetime


# The newest documents this process built live in the app's LMSState, by (site, revision):
# a request reads the revision (one primary-key lookup) and rebuilds only when another host
# or this one revoked a certificate or changed keys since.
_published_lock = threading.Lock()


def published(revision: str | None = None) -> Published:
    """The issuer profile and the signed revocation list, current at this moment on every
    host as long as every change goes through ``bump_revision`` (revocations, reissues, key
    changes, signing an already revoked certificate do). A caller that read the issuer's
    ``revision`` in this request's transaction passes it."""
    db = session()
    site = issuer()
    if revision is None:
        revision = current_revision(db)
    memo = current_app.extensions["lms"].published
    moment = now()
    with _published_lock:
        cached = memo.get((site, revision))
    if cached is not None and moment < cached.renew_at:
        return cached
    key = ensure_signing_key()  # may register LMS_ISSUER_KEY, which moves the revision
    revision = current_revision(db)
    keys = [
        PublishedKey(k.key_id, k.public_key_multibase, k.created_at, k.retired_at)
        for k in published_keys(db)
    ]
    revoked = db.execute(
        select(Certificate.status_index).where(
            # A range the index on revoked_at serves (SQLite's planner reads the whole table
            # for IS NOT NULL): only the revoked rows are read.
            Certificate.revoked_at > EVER,
            Certificate.status_index.is_not(None),
        )
    ).all()
    # Never dated before the signing key existed: a verifier checks the key was in use then.
    issued_at = max(moment.replace(microsecond=0), key_created(key))
    valid_for = timedelta(hours=current_app.config["LMS_STATUS_LIST_VALID_HOURS"])
    documents = Published(
        profile=build_issuer_profile(issuer=site, keys=keys),
        status_list=build_status_list(
            issuer=site,
            key=key,
            revoked_indices=[index for (index,) in revoked],
            issued_at=issued_at,
            valid_until=issued_at + valid_for,
        ),
        renew_at=issued_at + valid_for / 2,
    )
    with _published_lock:
        memo.clear()  # only the newest revision is ever asked for again
        memo[(site, revision)] = documents
    return documents


def issuer_profile() -> dict:
    return published().profile


def status_list() -> dict:
    """The signed revocation list. Signed again when the issuer's revision moved (a
    revocation, a reissue or a key change, on any host) and when half of its validity
    (LMS_STATUS_LIST_VALID_HOURS) is gone, so a revocation shows at once and a quiet list
    costs one primary-key query."""
    return published().status_list


def key_created(key: SigningKey) -> datetime:
    return (
        session().scalars(select(IssuerKey.created_at).where(IssuerKey.key_id == key.key_id)).one()
    )
