"""The certificate engine: snapshots of what was true at issue, PDFs and verification, and
Open Badges 3.0 credentials (``documents``: build and sign; ``checking``: verify step by step;
``python -m certificates.verify``: the same offline).

It knows nothing of the LMS: the caller passes the facts to certify, an idempotency key and
the verification URL. Functions take a SQLAlchemy session as an argument.
"""

from certificates.checking import STEPS, Report, Step, check_credential
from certificates.documents import (
    Issuer,
    PublishedKey,
    SigningKey,
    build_credential,
    build_issuer_profile,
    build_status_list,
    email_identity_hash,
)
from certificates.issuing import (
    get_certificate,
    issue_certificate,
    new_public_id,
    sign_certificate,
)
from certificates.models import Certificate, metadata
from certificates.pdf import render_pdf
from certificates.snapshot import CertificateFacts, digest_of

__all__ = [
    "STEPS",
    "Certificate",
    "CertificateFacts",
    "Issuer",
    "PublishedKey",
    "Report",
    "SigningKey",
    "Step",
    "build_credential",
    "build_issuer_profile",
    "build_status_list",
    "check_credential",
    "digest_of",
    "email_identity_hash",
    "get_certificate",
    "issue_certificate",
    "metadata",
    "new_public_id",
    "render_pdf",
    "sign_certificate",
]
