"""The certificate engine: snapshots of what was true at issue, PDFs and verification.

It knows nothing of the LMS: the caller passes the facts to certify, an idempotency key and
the verification URL. Functions take a SQLAlchemy session as an argument.
"""

from certificates.issuing import get_certificate, issue_certificate, new_public_id
from certificates.models import Certificate, metadata
from certificates.pdf import render_pdf
from certificates.snapshot import CertificateFacts, digest_of
from certificates.verification import Check, Verdict, verify

__all__ = [
    "Certificate",
    "CertificateFacts",
    "Check",
    "Verdict",
    "digest_of",
    "get_certificate",
    "issue_certificate",
    "metadata",
    "new_public_id",
    "render_pdf",
    "verify",
]
