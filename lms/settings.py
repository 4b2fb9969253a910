"""Every ``LMS_`` setting and its default, in one place.

``LMS.init_app`` applies these with ``app.config.setdefault``; a host overrides any of them in
its own config before calling it.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    #: URL prefix the LMS pages are mounted under ("" at the root, e.g. "/learn" in a host app).
    "LMS_URL_PREFIX": "",
    #: Database URL for the standalone app; falls back to DATABASE_URL, then to SQLite in the
    #: instance folder. A host app that passes its own ``db`` configures the database itself.
    "LMS_DATABASE_URL": None,
    #: Milliseconds SQLite waits for a lock before giving up.
    "LMS_SQLITE_BUSY_TIMEOUT_MS": 10_000,
    #: Absolute base URL printed in certificates and e-mails (e.g. "https://ce.example.org").
    #: None means: the URL of the current request, in testing and debug mode only; in
    #: production no certificate is issued and no reset e-mail is sent without it.
    "LMS_BASE_URL": None,
    #: Site name shown in page titles, e-mails and as the default certificate issuer.
    "LMS_SITE_NAME": "CEC Learning",
    #: How mail leaves: "file" (one .eml per message in LMS_MAIL_DIR), "console" (logged),
    #: or "smtp" (the LMS_SMTP_* settings). None means "file" on a single host (SQLite, or
    #: testing and debug); with a database server (many hosts) it must be chosen explicitly,
    #: as each host's file folder would hold only the mail that host happened to send.
    "LMS_MAIL_BACKEND": None,
    #: Folder for the file mail backend; None means "<instance folder>/mail".
    "LMS_MAIL_DIR": None,
    #: Sender address of every message.
    "LMS_MAIL_FROM": "no-reply@localhost",
    "LMS_SMTP_HOST": "localhost",
    "LMS_SMTP_PORT": 25,
    "LMS_SMTP_USERNAME": None,
    "LMS_SMTP_PASSWORD": None,
    #: Use STARTTLS on the SMTP connection.
    "LMS_SMTP_STARTTLS": False,
    #: Seconds a form's CSRF token stays valid. Long, because a learner may read a module or
    #: sit a quiz for hours before pressing the button; the token is bound to the session.
    "LMS_CSRF_TIME_LIMIT": 12 * 3600,
    #: Seconds after a quiz's deadline during which an answer is still taken (a slow network);
    #: later answers are refused and the attempt is graded with what was saved.
    "LMS_QUIZ_GRACE_SECONDS": 30,
    #: The certificate issuer's name in signed credentials (default: LMS_SITE_NAME), its web
    #: address (default: the LMS's own) and contact e-mail.
    "LMS_ISSUER_NAME": "",
    "LMS_ISSUER_URL": "",
    "LMS_ISSUER_EMAIL": "",
    #: The issuer's Ed25519 signing key as PEM text, for keys managed outside the LMS. When
    #: unset, keys live in the database, their private halves sealed with the key-encryption
    #: key below, and `lms keys rotate` (on any host) replaces them.
    "LMS_ISSUER_KEY": "",
    #: Where an install from before keys were shared kept its key files (default:
    #: <instance>/issuer-keys): they are imported into the database on first use.
    "LMS_ISSUER_KEY_DIR": "",
    #: The secret the issuer's private keys are sealed with in the database (AES-256-GCM under
    #: a key derived from it). Unset: derived from SECRET_KEY. Set it (the same on every host)
    #: so that changing SECRET_KEY and sealing keys are separate matters.
    "LMS_KEY_ENCRYPTION_KEY": "",
    #: Earlier values of LMS_KEY_ENCRYPTION_KEY (comma-separated) that still open older seals
    #: until `lms keys reseal` has sealed every key again under the current one.
    "LMS_KEY_ENCRYPTION_KEY_FALLBACKS": "",
    #: Days a certificate's credential stays valid (its validUntil); 0 for no end.
    "LMS_CERTIFICATE_VALID_DAYS": 0,
    #: Hours a signed revocation list stays valid (its validUntil). A verifier holding an
    #: older copy must fetch a new one, so a list saved before a revocation stops vouching
    #: for the revoked certificate after this long. Each host re-signs it when half is gone.
    "LMS_STATUS_LIST_VALID_HOURS": 24,
    #: Requests per client to the public verification pages (Flask-Limiter syntax).
    "LMS_VERIFY_RATE_LIMIT": "60 per minute",
    #: Where rate-limit counters live: memory:// (per process) or redis://host:6379 (shared
    #: by every host). When the store is unreachable, each process counts in its own memory
    #: meanwhile (a warning is logged) and goes back to the store once it answers again.
    "LMS_RATELIMIT_STORAGE_URI": "memory://",
    #: Seconds to wait for the rate-limit store before counting in memory instead.
    "LMS_RATELIMIT_STORAGE_TIMEOUT": 0.5,
    #: Seconds a deliverer holds the messages it claims from the outbox (longer than a slow
    #: SMTP send): no other host sends them meanwhile; a crashed deliverer's claim lapses.
    "LMS_OUTBOX_LEASE_SECONDS": 600,
    #: Largest module media upload in bytes (a larger one is refused with 413).
    "LMS_MEDIA_MAX_BYTES": 20 * 1024 * 1024,
    #: Largest evidence file (PDF or image) of an external credit claim, in bytes; a larger
    #: one is refused with 413 and nothing is saved.
    "LMS_EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
    #: IANA zone that times are shown in for a viewer who has not chosen one and whose browser
    #: has not reported its own yet (times are always stored in UTC).
    "LMS_DEFAULT_TIME_ZONE": "UTC",
    #: Minutes before an event's start when check-in opens (people arrive early).
    "LMS_CHECKIN_OPENS_MINUTES": 60,
    #: Minutes after an event's end during which check-in is still taken and its QR link still
    #: works (someone scanning on the way out); later the link has expired.
    "LMS_CHECKIN_GRACE_MINUTES": 60,
    #: Hours a sign-in lasts at most; then the person signs in again (sign-out ends it sooner).
    "LMS_SESSION_MAX_AGE_HOURS": 14 * 24,
    #: Failed sign-ins allowed per account, from any address (Flask-Limiter syntax). Counting per
    #: account stops guessing spread over many addresses; a locked-out person can still reset
    #: their password.
    "LMS_LOGIN_ACCOUNT_LIMIT": "10 per 15 minutes",
    #: Failed sign-ins allowed per client address, whichever accounts they name.
    "LMS_LOGIN_CLIENT_LIMIT": "30 per 15 minutes",
    #: Password-reset e-mails per address asked for, and sign-ups and reset requests per client.
    "LMS_RESET_EMAIL_LIMIT": "3 per hour",
    "LMS_ACCOUNT_FORMS_CLIENT_LIMIT": "20 per hour",
    #: Seconds a password-reset link stays valid.
    "LMS_RESET_TOKEN_MAX_AGE": 3600,
    #: Shortest password accepted at sign-up and reset.
    "LMS_PASSWORD_MIN_LENGTH": 10,
    #: Let anyone create a learner account from the sign-up page.
    "LMS_ALLOW_REGISTRATION": True,
    #: Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    #: (standalone app only). 0 trusts none: a client cannot spoof its address.
    "LMS_TRUSTED_PROXIES": 0,
}
