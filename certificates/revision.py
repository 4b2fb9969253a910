"""The issuer's revision: a token every host reads to know whether what it cached of the
issuer's public documents (the profile, the revocation list) is still current.

A write that changes either one calls :func:`bump_revision` inside its own transaction, so the
new revision becomes visible to every host at the moment the change commits, never before.
A revision is a random token, not a counter: a database restored to an older copy and changed
again never shows a revision a process has already cached with other contents behind it.
A write that bypasses :func:`bump_revision` (raw SQL on ``revoked_at``) is seen by the hosts
only when they re-sign the list at half its validity.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certificates.models import IssuerState

STATE_ID = 1

# Read on every public request: a prebuilt Core statement, a quarter of an ORM query's cost.
_REVISION = select(IssuerState.__table__.c.revision).where(IssuerState.__table__.c.id == STATE_ID)


def new_revision() -> str:
    """A revision no database has held before (128 random bits)."""
    return secrets.token_hex(16)


def current_revision(session: Session) -> str:
    """The revision now ("" in a database made without the migration that adds the row)."""
    return session.connection().execute(_REVISION).scalar() or ""


def bump_revision(session: Session) -> None:
    """Give the issuer a new revision, in the caller's transaction (which commits). On
    PostgreSQL the row stays locked until then, so concurrent changes take their turns."""
    revision = new_revision()
    moved = session.execute(
        update(IssuerState)
        .where(IssuerState.id == STATE_ID)
        .values(revision=revision)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved == 0:  # a database made without the migration that adds the row
        session.add(IssuerState(id=STATE_ID, revision=revision))
        session.flush()
