"""``lms keys ...`` (the issuer's signing keys) and ``lms certificates ...``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from certificates import Certificate
from certificates.keys import (
    RETIREMENT_OVERLAP,
    IssuerKeyError,
    current_key,
    import_key_file,
    open_private_key,
    published_keys,
    reseal_all,
    rotate,
    write_key_file,
)
from lms.awards.issuer import (
    IssuerNotConfigured,
    encryption_keys,
    ensure_signing_key,
    key_directory,
)
from lms.clock import now
from lms.db import session


@click.group("keys")
def keys_group() -> None:
    """The issuer's Ed25519 signing keys, shared by every host through the database (private
    halves sealed with LMS_KEY_ENCRYPTION_KEY)."""


@keys_group.command("list")
@with_appcontext
def list_command() -> None:
    """Every key ever used, with its dates; retired keys stay published."""
    keys = published_keys(session())
    if not keys:
        click.echo(
            "No issuer key yet: one is made on the first certificate, or by `lms keys rotate`."
        )
    for key in keys:
        state = f"retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "in use"
        created = f"created {key.created_at:%Y-%m-%d %H:%M}"
        private = "private half stored" if key.private_key_sealed else "private half not stored"
        click.echo(f"{key.key_id}  {key.public_key_multibase}  {created}  {state}  {private}")


@keys_group.command("rotate")
@click.option(
    "--compromised",
    is_flag=True,
    help="The old key may be stolen: retire it at once, with no overlap.",
)
@with_appcontext
def rotate_command(compromised: bool) -> None:
    """Start signing with a new key, on every host from its next request; the old one is
    retired (valid for what it signs during a short overlap, none with --compromised) but
    stays published."""
    from flask import current_app

    if current_app.config["LMS_ISSUER_KEY"]:
        raise click.UsageError(
            "LMS_ISSUER_KEY is set: rotate by putting a new PEM key in that variable "
            "(generate one with: openssl genpkey -algorithm ed25519)"
        )
    db = session()
    try:
        overlap = timedelta(0) if compromised else RETIREMENT_OVERLAP
        key = rotate(db, encryption_keys()[0], now(), overlap)
        db.commit()
    except IntegrityError:
        db.rollback()
        raise click.ClickException(
            "another host rotated the key at the same moment; run `lms keys list` to see it"
        ) from None
    click.echo(f"Now signing with {key.key_id} ({key.public_key_multibase}) on every host.")


@keys_group.command("import")
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@with_appcontext
def import_command(directory: Path | None) -> None:
    """Store in the database the private halves an older install kept as files
    (DIRECTORY, default LMS_ISSUER_KEY_DIR or <instance>/issuer-keys), so every host can sign
    with them. Run it on the host that has the files; the files may then be archived."""
    folder = directory or key_directory()
    db = session()
    imported, missing = [], []
    try:
        for record in published_keys(db):
            if record.private_key_sealed:
                continue
            if import_key_file(db, record, folder, encryption_keys()[0]):
                imported.append(record.key_id)
            else:
                missing.append(record.key_id)
        db.commit()
    except IssuerKeyError as exc:
        db.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Imported {len(imported)} key(s) from {folder}: {', '.join(imported) or 'none'}.")
    current = current_key(db)
    if current is not None and current.key_id in missing:
        raise click.ClickException(
            f"the key in use, {current.key_id}, has no file in {folder}: no host can sign "
            "until it is imported, or until `lms keys rotate` makes a new one"
        )


@keys_group.command("reseal")
@with_appcontext
def reseal_command() -> None:
    """Seal every stored private half again under the current LMS_KEY_ENCRYPTION_KEY (after
    changing it, with the old value in LMS_KEY_ENCRYPTION_KEY_FALLBACKS)."""
    db = session()
    try:
        resealed = reseal_all(db, encryption_keys())
        db.commit()
    except IssuerKeyError as exc:
        db.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Sealed again: {', '.join(resealed) or 'none (all current)'}.")


@keys_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path) -> None:
    """Write each stored private half to DIRECTORY/<key id>.pem (mode 0600; never over an
    existing file): for an offline backup, or before going back to a version that reads
    key files."""
    written = []
    for record in published_keys(session()):
        if not record.private_key_sealed:
            continue
        try:
            write_key_file(directory, record.key_id, open_private_key(record, encryption_keys()))
        except FileExistsError:
            raise click.ClickException(
                f"{directory / (record.key_id + '.pem')} exists; choose an empty folder"
            ) from None
        except IssuerKeyError as exc:
            raise click.ClickException(str(exc)) from None
        written.append(record.key_id)
    click.echo(f"Wrote {len(written)} key(s) to {directory}: keep it as safe as the database.")


@keys_group.command("ensure")
@with_appcontext
def ensure_command() -> None:
    """Make sure a signing key exists (run by `lms init`)."""
    try:
        key = ensure_signing_key()
    except IssuerNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Signing with {key.key_id}.")


@click.group("certificates")
def certificates_group() -> None:
    """Issued certificates."""


@certificates_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts and tests.")
@with_appcontext
def list_certificates_command(as_json: bool) -> None:
    """Every certificate with its status and public links (taken from the signed credential,
    so they are the links it was issued with)."""
    rows = [
        {
            "id": c.public_id,
            "status": certificate_status(c, now()),
            "verify_url": links[0],
            "credential_url": links[1],
        }
        for c in session().scalars(select(Certificate).order_by(Certificate.id))
        for links in [_links(c)]
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        link = row["verify_url"] or "(not signed yet: signed when its page is first opened)"
        click.echo(f"{row['id']}  {row['status']:<8}  {link}")


def certificate_status(certificate: Certificate, moment: datetime) -> str:
    """valid, revoked or expired, from the record (the page's checks say more)."""
    if certificate.revoked_at is not None:
        return "revoked"
    valid_until = (certificate.credential or {}).get("validUntil")
    if valid_until and valid_until < moment.strftime("%Y-%m-%dT%H:%M:%SZ"):
        return "expired"
    return "valid"


def _links(certificate: Certificate) -> tuple[str | None, str | None]:
    credential_url = (certificate.credential or {}).get("id")
    if not credential_url:
        return None, None  # signed on first view
    base = credential_url.rsplit("/credentials/", 1)[0]
    return f"{base}/verify/{certificate.public_id}", credential_url


@certificates_group.command("seal")
@with_appcontext
def seal_certificates_command() -> None:
    """Seal the signed credentials stored before seals existed (or under a SECRET_KEY no
    longer in SECRET_KEY_FALLBACKS): each is checked in full first, and only one whose
    format, issuer key and signature pass is sealed. Until then its verification page
    checks the signature on every visit (slower, never wrong). Safe to run again."""
    from certificates.checking import check_credential
    from certificates.sealing import seal_matches, seal_of
    from lms.awards.issuer import seal_keys
    from lms.awards.published import published

    try:
        profile = published().profile
    except IssuerNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    db = session()
    keys = seal_keys()
    sealed = refused = 0
    last_id = 0
    while True:
        batch = db.scalars(
            select(Certificate)
            .where(Certificate.id > last_id, Certificate.status_index.is_not(None))
            .order_by(Certificate.id)
            .limit(500)
        ).all()
        if not batch:
            break
        for certificate in batch:
            last_id = certificate.id
            if seal_matches(certificate.credential, certificate.seal, keys):
                continue
            report = check_credential(
                certificate.credential, issuer_profile=profile, status_list=None, now=now()
            )
            authentic = [s for s in report.steps if s.name in ("format", "issuer key", "signature")]
            if all(step.ok for step in authentic):
                certificate.seal = seal_of(certificate.credential, keys[0])
                sealed += 1
            else:
                refused += 1
                failed = next(step for step in authentic if not step.ok)
                click.echo(f"{certificate.public_id}: not sealed: {failed.name}: {failed.detail}")
        db.commit()
    click.echo(f"Sealed {sealed} credential(s); {refused} failed a check and were left unsealed.")
