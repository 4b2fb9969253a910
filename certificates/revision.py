"""The issuer's revision: a counter every host reads to know whether what it cached of the
issuer's public documents (the profile, the revocation list) is still current.

A write that changes either one calls :func:`bump_revision` inside its own transaction, so the
new revision becomes visible to every host at the moment the change commits, never before.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certificates.models import IssuerState

STATE_ID = 1


# Read on every public request: a prebuilt Core statement, a quarter of an ORM query's cost.
_REVISION = select(IssuerState.__table__.c.revision).where(IssuerState.__table__.c.id == STATE_ID)


def current_revision(session: Session) -> int:
    """The revision now (0 before anything was ever revoked or rotated)."""
    return session.connection().execute(_REVISION).scalar() or 0


def bump_revision(session: Session) -> None:
    """Move the revision on, in the caller's transaction (which commits). On PostgreSQL the
    row stays locked until then, so two revocations are counted in turn, never as one."""
    moved = session.execute(
        update(IssuerState)
        .where(IssuerState.id == STATE_ID)
        .values(revision=IssuerState.revision + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved == 0:  # a database made without the migration that adds the row
        session.add(IssuerState(id=STATE_ID, revision=1))
        session.flush()
