"""External credit claims: submitting one with its evidence, and a reviewer's decision.

A decision is taken once, by a conditional update (pending -> approved / rejected); an
approval writes the ledger entry in the same transaction, so the claim's status and the
credit land together or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.catalogue.models import Certification, Holding
from lms.claims import fields
from lms.claims.models import CreditClaim, PendingEvidence
from lms.credits.ledger import append_entry
from lms.db import session
from lms.notifications.messages import claim_decided
from lms.rendering import describe_size
from lms.requirements.operations import cycles_for
from lms.studio.media import ALLOWED_EXTENSIONS, safe_filename, sniff
from lms.validation import Checked, Refused

#: What a claim is for (value -> label).
KINDS = {"course": "In-person course", "event": "Event (workshop, seminar, trade show)"}
#: Evidence may be a PDF or a picture, recognised by its first bytes.
EVIDENCE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp")
EVIDENCE_DESCRIPTION = "PDF, PNG, JPEG or WebP"
EVIDENCE_ACCEPT = ",".join(e for e, t in ALLOWED_EXTENSIONS.items() if t in EVIDENCE_TYPES)
CLAIM_FIELDS = (
    "kind",
    "certification_id",
    "title",
    "provider",
    "completed_on",
    "hours",
    "credits",
    "credit_unit",
    "category",
)
MAX_REASON = 2000
STATUS_LABELS = {"pending": "Waiting for review", "approved": "Approved", "rejected": "Rejected"}
#: Evidence kept from a failed send is for finishing that claim, not for storage.
PENDING_EVIDENCE_HOURS = 24


class ClaimRefused(Refused):
    """Refused, nothing written. ``status``: 400 (a bad value), 413 (too large) or 409 (the
    claim was decided already)."""


def claimable_certifications(user_id: int) -> dict[str, str]:
    """The certifications a learner may claim for (those they hold): id (as the form sends
    it) -> "Name (CODE)"."""
    rows = session().execute(
        select(Certification.id, Certification.name, Certification.code)
        .join(Holding, Holding.certification_id == Certification.id)
        .where(Holding.user_id == user_id)
        .order_by(Certification.code)
    )
    return {str(id_): f"{name} ({code})" for id_, name, code in rows}


def _certification_choice(value: str, held: Mapping[str, str]) -> int | None:
    """One of the learner's certifications, or None ("not for one in particular")."""
    value = value.strip()
    if not value:
        return None
    if value not in held:
        raise fields.FieldError(
            "Choose one of your certifications from the list (add it under My certifications "
            "first).",
            "certification_id",
        )
    return int(value)


def check_claim_form(
    form: Mapping[str, str], today: Any, held: Mapping[str, str] | None = None
) -> Checked:
    """Every field of the claim form checked at once, so the page can mark them all.
    ``held``: the learner's certifications (``claimable_certifications``)."""
    units = fields.credit_units()
    held = held or {}
    checks = {
        "kind": lambda v: fields.choice(v, "kind", "kind of activity", KINDS),
        "certification_id": lambda v: _certification_choice(v, held),
        "title": lambda v: fields.text(v, "title", "title", 200),
        "provider": lambda v: fields.text(v, "provider", "provider", 200),
        "completed_on": lambda v: fields.past_date(v, "completed_on", "completion date", today),
        "hours": lambda v: fields.amount(v, "hours", "hours", fields.MAX_HOURS),
        "credits": lambda v: fields.amount(v, "credits", "credits", fields.MAX_CREDITS),
        "credit_unit": lambda v: fields.choice(v, "credit_unit", "credit unit", units),
        "category": lambda v: fields.choice(v, "category", "category", fields.CATEGORIES),
    }
    checked = Checked()
    for name, check in checks.items():
        raw = form.get(name, "")
        try:
            checked.values[name] = check(raw if isinstance(raw, str) else "")
        except fields.FieldError as exc:
            checked.errors[name] = str(exc)
    return checked


def max_evidence_bytes(config: Mapping[str, Any]) -> int:
    return int(config["LMS_EVIDENCE_MAX_BYTES"])


def check_evidence(filename: str, data: bytes, max_bytes: int) -> tuple[str, str]:
    """The stored name and content type of acceptable evidence; raises ClaimRefused. The
    type comes from the bytes (an HTML page named ".pdf" is refused) and the extension must
    agree with it, so the file opens the same way on the reviewer's computer."""
    if len(data) > max_bytes:
        raise ClaimRefused(
            f"The evidence file is larger than the limit of {describe_size(max_bytes)}; "
            "scan it at a lower resolution or send a smaller photo.",
            status=413,
        )
    if not data:
        raise ClaimRefused("Attach the certificate or attendance record as evidence.")
    found = sniff(data)
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if found not in EVIDENCE_TYPES or ALLOWED_EXTENSIONS.get(suffix) != found:
        raise ClaimRefused(
            f"The evidence must be a {EVIDENCE_DESCRIPTION} file whose contents match its "
            "extension."
        )
    return safe_filename(filename), found


def submit_claim(
    user_id: int,
    values: Mapping[str, Any],
    *,
    filename: str,
    content_type: str,
    data: bytes,
    now: datetime,
    pending: PendingEvidence | None = None,
) -> CreditClaim:
    """Store a checked claim with its checked evidence; commits. ``pending``: the kept
    evidence it was sent with, removed in the same transaction."""
    claim = CreditClaim(
        user_id=user_id,
        **{name: values[name] for name in CLAIM_FIELDS},
        evidence_filename=filename,
        evidence_type=content_type,
        evidence_size=len(data),
        evidence_sha256=hashlib.sha256(data).hexdigest(),
        evidence_data=data,
        status="pending",
        decision_reason="",
        created_at=now.replace(microsecond=0),
    )
    db = session()
    db.add(claim)
    if pending is not None:
        # Taken by a conditional delete: of two sends of one kept file (two tabs, a double
        # click) only one becomes a claim, so one activity is never credited twice.
        taken = db.execute(
            delete(PendingEvidence)
            .where(PendingEvidence.token == pending.token, PendingEvidence.user_id == user_id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            db.rollback()
            raise ClaimRefused("This claim was sent already; it is in your claims.", 409)
    db.commit()
    return claim


def keep_pending_evidence(
    user_id: int, filename: str, content_type: str, data: bytes, now: datetime
) -> str:
    """Keep checked evidence from a form that failed; commits. Returns the token the form
    carries. Anyone's pending evidence older than a day goes at the same time (the table
    holds only files of forms still being corrected, so this stays small)."""
    db = session()
    cutoff = now - timedelta(hours=PENDING_EVIDENCE_HOURS)
    db.execute(delete(PendingEvidence).where(PendingEvidence.created_at < cutoff))
    token = secrets.token_urlsafe(32)
    db.add(
        PendingEvidence(
            token=token,
            user_id=user_id,
            filename=filename,
            content_type=content_type,
            data=data,
            created_at=now.replace(microsecond=0),
        )
    )
    db.commit()
    return token


def pending_evidence(user_id: int, token: str, now: datetime) -> PendingEvidence | None:
    """The learner's kept evidence under ``token`` (None if unknown, another's or stale)."""
    if not token or len(token) > 64:
        return None
    found = (
        session()
        .scalars(
            select(PendingEvidence).where(
                PendingEvidence.token == token, PendingEvidence.user_id == user_id
            )
        )
        .first()
    )
    if found is None or found.created_at < now - timedelta(hours=PENDING_EVIDENCE_HOURS):
        return None
    return found


def claims_of(user_id: int) -> list[CreditClaim]:
    return list(
        session().scalars(
            select(CreditClaim)
            .where(CreditClaim.user_id == user_id)
            .options(selectinload(CreditClaim.certification))
            .order_by(CreditClaim.created_at.desc(), CreditClaim.id.desc())
        )
    )


def review_queue() -> list[CreditClaim]:
    """Claims for the reviewers: pending ones first (oldest first, as they were sent), then
    decided ones, newest first (the latest 500 claims in all)."""
    pending_first = case((CreditClaim.status == "pending", 0), else_=1)
    return list(
        session().scalars(
            select(CreditClaim)
            .options(selectinload(CreditClaim.certification))
            .order_by(
                pending_first,
                case((CreditClaim.status == "pending", CreditClaim.id), else_=-CreditClaim.id),
            )
            .limit(500)
        )
    )


def pending_claims_count() -> int:
    """For the admin landing page: claims waiting for a reviewer."""
    count = session().scalar(
        select(func.count()).select_from(CreditClaim).where(CreditClaim.status == "pending")
    )
    return count or 0


def get_claim(claim_id: int) -> CreditClaim | None:
    """The claim with that id (None for a missing or out-of-range id)."""
    return session().get(CreditClaim, claim_id) if 0 < claim_id < 2**31 else None


def _decide(claim: CreditClaim, status: str, reviewer_id: int, reason: str, now: datetime) -> None:
    """pending -> status, once: only the call whose update changes the row goes on."""
    result = session().execute(
        update(CreditClaim)
        .where(CreditClaim.id == claim.id, CreditClaim.status == "pending")
        .values(
            status=status,
            reviewer_id=reviewer_id,
            reviewed_at=now.replace(microsecond=0),
            decision_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session().rollback()
        session().refresh(claim)
        label = STATUS_LABELS.get(claim.status, claim.status).lower()
        raise ClaimRefused(
            f"This claim was already {label} (by another reviewer or an earlier click); "
            "nothing was changed.",
            status=409,
        )


def _certification_codes(claim: CreditClaim) -> list[str]:
    """The certification the claim names; a claim that names none counts toward those that
    count in its unit. The rules then decide the cycles (a pooled rule covering that
    certification counts it too)."""
    if claim.certification_id is not None:
        code = session().scalar(
            select(Certification.code).where(Certification.id == claim.certification_id)
        )
        return [code] if code else []
    unit = claim.credit_unit
    return list(
        session().scalars(
            select(Certification.code)
            .where(Certification.credit_unit == unit)
            .order_by(Certification.code)
        )
    )


def approve_claim(claim: CreditClaim, reviewer_id: int, now: datetime) -> None:
    """Approve and credit the claim in one transaction; commits. ClaimRefused (409) when it
    was decided already: then nothing is written."""
    if reviewer_id == claim.user_id:
        raise ClaimRefused("You cannot decide your own claim; another reviewer must.", 403)
    codes = _certification_codes(claim)
    cycles = cycles_for(claim.user_id, codes, claim.completed_on)
    # Which certifications the credit counts toward, even those not held (yet): a holding
    # recorded after the approval must still find it.
    recorded = {str(c.get("certification")) for c in cycles}
    cycles += [{"certification": code} for code in codes if code not in recorded]
    db = session()
    try:
        _decide(claim, "approved", reviewer_id, "", now)
        append_entry(
            db,
            user_id=claim.user_id,
            source="external_claim",
            source_ref=f"claim:{claim.id}",
            description=f"{claim.title} ({claim.provider})",
            credits=claim.credits,
            credit_unit=claim.credit_unit,
            hours=claim.hours,
            category=claim.category,
            earned_on=claim.completed_on,
            cycles=cycles,
            verification="reviewer",
            recorded_by_id=reviewer_id,
            now=now,
        )
        claim_decided(claim, "approved", "", now)
        db.commit()
    except IntegrityError:
        # The entry exists already (unique source and reference): credited once, keep it so.
        db.rollback()
        raise ClaimRefused("This claim was credited already; nothing was changed.", 409) from None
    db.refresh(claim)


def check_reason(reason: str) -> str:
    reason = reason.replace("\r\n", "\n").strip()
    if not reason:
        raise ClaimRefused("Say why the claim is rejected: the learner reads it.")
    if len(reason) > MAX_REASON:
        raise ClaimRefused(f"Keep the reason under {MAX_REASON} characters.")
    try:
        return fields.long_text(reason, "reason", "reason", MAX_REASON)
    except fields.FieldError as exc:
        raise ClaimRefused(str(exc)) from None


def reject_claim(claim: CreditClaim, reviewer_id: int, reason: str, now: datetime) -> None:
    """Reject with a reason the learner sees; commits. ClaimRefused: 400 without a reason,
    409 when the claim was decided already."""
    if reviewer_id == claim.user_id:
        raise ClaimRefused("You cannot decide your own claim; another reviewer must.", 403)
    note = check_reason(reason)
    _decide(claim, "rejected", reviewer_id, note, now)
    claim_decided(claim, "rejected", note, now)
    session().commit()
    session().refresh(claim)
