"""The issuer's public documents, the profile and the signed revocation list, as every
host serves them: built once per issuer revision and application, and re-signed at half the
list's validity."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from certificates import Certificate
from certificates.documents import PublishedKey, build_issuer_profile, build_status_list
from certificates.keys import published_keys
from certificates.revision import current_revision
from lms.awards.branding import SiteBranding, load_branding
from lms.awards.issuer import EVER, ensure_signing_key, issuer, key_created
from lms.clock import now
from lms.db import session


@dataclass(frozen=True)
class Published:
    """The issuer's public documents at one revision, as this process built them."""

    profile: dict
    status_list: dict
    #: When to sign the list again, before its validUntil (half its validity left).
    renew_at: datetime
    #: How the certificates look (``lms.awards.branding``): saving it moves the revision.
    branding: SiteBranding


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
        branding=load_branding(db),
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


def branding() -> SiteBranding:
    """The certificates' branding, as cached with the documents (no statement of its own)."""
    return published().branding
