"""The audit packet: one ZIP for a certifying body or an auditor, with the transcript (CSV and
PDF), every certificate of the period as PDF and as its signed credential, the issuer profile
and revocation list needed to check those credentials offline, and a manifest with each
file's SHA-256.

Built in memory: a certificate PDF is some tens of kilobytes, so the cap of
``MAX_CERTIFICATES`` keeps a packet to a few megabytes; a longer history is asked for period
by period (a clear 413, never a half-written download).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from certificates import Certificate, CertificateFacts, render_pdf
from lms.accounts.models import User
from lms.awards.operations import credential_of, replacement_of
from lms.awards.published import published
from lms.awards.views import verify_url
from lms.credits.transcript import (
    Period,
    Transcript,
    amount,
    build_transcript,
    transcript_csv,
    transcript_pdf,
)
from lms.db import session
from lms.urls import external_url

MAX_CERTIFICATES = 200
MANIFEST = "manifest.json"


class PacketTooLarge(ValueError):
    """More certificates than one packet holds; the message says what to do."""


@dataclass(frozen=True)
class Packet:
    filename: str
    data: bytes


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def packet_certificates(transcript: Transcript) -> list[Certificate]:
    """The period's certificates, each followed by any that replaced it (a reissue keeps the
    credit entry on the original, and an auditor needs to see both)."""
    ids = transcript.certificate_ids
    if not ids:
        return []
    by_id = {c.id: c for c in session().scalars(select(Certificate).where(Certificate.id.in_(ids)))}
    found: list[Certificate] = []
    seen: set[int] = set()
    for certificate_id in ids:
        certificate = by_id.get(certificate_id)
        while certificate is not None and certificate.id not in seen:
            seen.add(certificate.id)
            found.append(certificate)
            certificate = replacement_of(certificate)
    return found


def _revoked(certificate: Certificate) -> str | None:
    if certificate.revoked_at is None:
        return None
    return f"{certificate.revoked_at:%Y-%m-%d}, {certificate.revocation_reason}"


def build_packet(user: User, period: Period, now: datetime) -> Packet:
    """The ZIP for this person and period (PacketTooLarge past MAX_CERTIFICATES)."""
    transcript = build_transcript(user, period, now)
    certificates = packet_certificates(transcript)
    if len(certificates) > MAX_CERTIFICATES:
        raise PacketTooLarge(
            f"This period has {len(certificates)} certificates; one audit packet holds at most "
            f"{MAX_CERTIFICATES}. Choose a shorter period (for example one certification "
            "cycle) and download a packet for each."
        )
    site_name = current_app.config["LMS_SITE_NAME"]
    files: list[tuple[str, bytes, str]] = [
        ("transcript.csv", transcript_csv(transcript, verify_url).encode("utf-8"), "Transcript"),
        ("transcript.pdf", transcript_pdf(transcript, site_name=site_name), "Transcript"),
    ]
    design = published().branding.design if certificates else None  # as on the pages
    for certificate in certificates:
        facts = CertificateFacts.from_json(certificate.facts)
        pdf = render_pdf(
            facts,
            public_id=certificate.public_id,
            verify_url=verify_url(certificate.public_id),
            revoked=_revoked(certificate),
            design=design,
        )
        title = f"Certificate: {facts.course_title}"
        files.append((f"certificates/{certificate.public_id}.pdf", pdf, title))
        credential = credential_of(certificate, now)
        files.append(
            (
                f"credentials/{certificate.public_id}.json",
                _json_bytes(credential),
                f"Signed Open Badges 3.0 credential: {facts.course_title}",
            )
        )
    if certificates:
        # What `python -m certificates.verify` needs to check the credentials offline.
        documents = published()
        files.append(("issuer-profile.json", _json_bytes(documents.profile), "Issuer profile"))
        files.append(("status-list.json", _json_bytes(documents.status_list), "Revocation list"))

    manifest = {
        "packet": "Audit packet of continuing-education credits",
        "site": site_name,
        "learner": {
            "name": transcript.learner_name,
            "certification_numbers": list(transcript.certification_numbers),
        },
        "period": {
            "label": period.label,
            "from": period.start.isoformat() if period.start else None,
            "to": period.end.isoformat() if period.end else None,
            "rule": period.rule_code,
        },
        "generated_at": transcript.generated_at.isoformat() + "Z",
        "entries": len(transcript.rows),
        "totals": {
            unit: {"credits": amount(credits), "hours": amount(hours)}
            for unit, (credits, hours) in sorted(transcript.totals.items())
        },
        "files": [
            {
                "name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
                "description": description,
            }
            for name, data, description in files
        ],
        "how_to_verify": (
            "Check a file's SHA-256 against this list. The issuer profile and revocation list "
            "in this packet are copies for reference: whoever hands you the packet could have "
            "changed them, and a revocation list is valid for a day only. Download both from "
            f"the issuer ({external_url('lms.awards.issuer_page')} and "
            f"{external_url('lms.awards.status_list_page')}), then check each credential offline "
            "with: python -m certificates.verify credentials/ID.json "
            "--issuer-profile issuer.json --status-list revocation.json"
        ),
    }
    files.append((MANIFEST, _json_bytes(manifest), "This list"))

    buffer = io.BytesIO()
    stamp = transcript.generated_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, _ in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return Packet(f"audit-packet-{user.id}-{period.slug}.zip", buffer.getvalue())
