"""Issuer keys shared through the database: sealed private halves, rotation seen by every app
on the same database without a restart, older key files imported, LMS_ISSUER_KEY rolled out
one host at a time without a 5xx."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy import select

from certificates.keys import (
    SEALED_PREFIX,
    IssuerKeyError,
    current_key,
    open_private_key,
    pem_of,
    register_key,
    write_key_file,
)
from certificates.models import IssuerKey
from certificates.signing import public_key_multibase
from tests.conftest import make_app


def _second_host(app: Flask, tmp_path: Path, **config: object) -> Flask:
    """Another app on the same database, with its own instance folder (another host)."""
    other = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path / "host-b",
        LMS_BASE_URL="https://ce.example.org",
        **config,
    )
    other.extensions["lms"].clock = app.extensions["lms"].clock
    return other


def _signing_key_id(app: Flask) -> str:
    from lms.awards.issuer import ensure_signing_key

    with app.app_context():
        return ensure_signing_key().key_id


def _rotate(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_key_made_on_one_host_signs_on_another_and_a_rotation_is_seen_at_once(app, tmp_path):
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    other = _second_host(app, tmp_path)
    assert _signing_key_id(app) == "key-1"
    assert _signing_key_id(other) == "key-1"  # no file copied: it came from the database
    assert not (Path(app.instance_path) / "issuer-keys").exists()
    assert "Now signing with key-2" in _rotate(app)
    assert _signing_key_id(other) == "key-2"  # the same process, no restart
    profile = other.test_client().get("/issuer").get_json()
    methods = {m["id"].rsplit("#", 1)[1]: m for m in profile["verificationMethod"]}
    assert set(methods) == {"key-1", "key-2"} and "expires" in methods["key-1"]


def test_a_sealed_private_half_opens_only_with_its_key_and_in_its_own_row(app):
    from lms.awards.issuer import encryption_keys

    with app.app_context():
        _signing_key_id(app)
        db = app.extensions["lms"].db.session
        record = current_key(db)
        assert record.private_key_sealed.startswith(SEALED_PREFIX)
        keys = encryption_keys()
        assert public_key_multibase(open_private_key(record, keys).public_key()) == (
            record.public_key_multibase
        )
        with pytest.raises(IssuerKeyError, match="LMS_KEY_ENCRYPTION_KEY"):
            open_private_key(record, [b"\x01" * 32])
        # Moved to another key's row, the same text does not open (bound to its key id).
        other = register_key(db, Ed25519PrivateKey.generate(), record.created_at)
        other.private_key_sealed = record.private_key_sealed
        with pytest.raises(IssuerKeyError, match="does not open"):
            open_private_key(other, keys)
        db.rollback()


def test_a_new_key_encryption_key_opens_old_seals_through_its_fallback_until_resealed(app):
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    _signing_key_id(app)  # sealed under a key derived from SECRET_KEY
    app.config["LMS_KEY_ENCRYPTION_KEY"] = "a-new-key-encryption-key-4f9c2e71b8d35a60"
    from lms.awards import issuer

    issuer._opened_keys.clear()  # as a restarted process
    assert _signing_key_id(app) == "key-1"  # SECRET_KEY is still among the candidates
    result = app.test_cli_runner().invoke(args=["keys", "reseal"])
    assert result.exit_code == 0 and "key-1" in result.output
    app.config["SECRET_KEY"] = "another-secret-entirely-0c8e5d1f3a7b9264"
    issuer._opened_keys.clear()
    assert _signing_key_id(app) == "key-1"  # opens with the new key alone now

    # Rotated again, the old key named among fallbacks written as a list with spaces.
    old_key = app.config["LMS_KEY_ENCRYPTION_KEY"]
    app.config["LMS_KEY_ENCRYPTION_KEY"] = "a-third-key-encryption-key-7d2a9c41e6b05f83"
    app.config["LMS_KEY_ENCRYPTION_KEY_FALLBACKS"] = (
        f"unrelated-old-value-1b2c3d4e5f60718293a4, {old_key}"
    )
    issuer._opened_keys.clear()
    assert _signing_key_id(app) == "key-1"


def test_an_older_install_s_key_file_is_imported_on_first_use(app, tmp_path):
    """An install from before keys were shared: the database holds the public half only,
    the private one is a file in its instance folder; it keeps its issuer identity."""
    from lms.clock import now

    private_key = Ed25519PrivateKey.generate()
    with app.app_context():
        db = app.extensions["lms"].db.session
        register_key(db, private_key, now())
        db.commit()
        write_key_file(Path(app.instance_path) / "issuer-keys", "key-1", private_key)
    other = _second_host(app, tmp_path)
    with other.app_context():
        from lms.awards.issuer import signing_key_problem

        assert "lms keys import" in signing_key_problem()  # the other host has no file
    assert _signing_key_id(app) == "key-1"  # imported here, sealed, committed
    from lms.awards import issuer

    issuer._opened_keys.clear()
    assert _signing_key_id(other) == "key-1"
    with app.app_context():
        stored = app.extensions["lms"].db.session.scalars(select(IssuerKey)).one()
        assert stored.public_key_multibase == public_key_multibase(private_key.public_key())
        assert stored.private_key_sealed.startswith(SEALED_PREFIX)


def test_lms_keys_import_reports_a_key_in_use_without_its_file(app, tmp_path):
    from lms.clock import now

    with app.app_context():
        db = app.extensions["lms"].db.session
        register_key(db, Ed25519PrivateKey.generate(), now())
        db.commit()
    (tmp_path / "empty").mkdir()
    result = app.test_cli_runner().invoke(args=["keys", "import", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "the key in use, key-1, has no file" in result.output


def test_lms_issuer_key_rolled_out_host_by_host_never_refuses_to_sign(app, tmp_path):
    """Host A gets the new LMS_ISSUER_KEY first; host B, still on the old value, signs with
    the new key (stored sealed when A registered it) instead of answering 503."""
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    app.config.update(LMS_BASE_URL="https://ce.example.org", LMS_ISSUER_KEY=pem_of(old).decode())
    other = _second_host(app, tmp_path, LMS_ISSUER_KEY=pem_of(old).decode())
    assert _signing_key_id(app) == _signing_key_id(other) == "key-1"
    app.config["LMS_ISSUER_KEY"] = pem_of(new).decode()  # host A restarted with the new key
    assert _signing_key_id(app) == "key-2"
    assert _signing_key_id(other) == "key-2"  # B, not restarted yet, follows
    from lms.awards.issuer import ensure_signing_key

    with other.app_context():
        signing = ensure_signing_key()
        assert public_key_multibase(signing.private_key.public_key()) == public_key_multibase(
            new.public_key()
        )
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 2 and "LMS_ISSUER_KEY is set" in result.output


def test_lms_keys_export_writes_files_an_older_version_can_read(app, tmp_path):
    from certificates.keys import read_key_file

    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    _signing_key_id(app)
    result = app.test_cli_runner().invoke(args=["keys", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    key = read_key_file(tmp_path / "out", "key-1")
    assert oct((tmp_path / "out" / "key-1.pem").stat().st_mode & 0o777) == "0o600"
    with app.app_context():
        assert current_key(app.extensions["lms"].db.session).public_key_multibase == (
            public_key_multibase(key.public_key())
        )
    again = app.test_cli_runner().invoke(args=["keys", "export", str(tmp_path / "out")])
    assert again.exit_code == 1 and "exists" in again.output


def test_a_rotated_key_stays_valid_for_a_short_overlap_unless_compromised(app, clock):
    """What a host that read the old key just before the rotation signs must still verify:
    the profile gives the retired key five more minutes; none for a key believed stolen."""
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    _signing_key_id(app)
    rotated_at = clock()
    _rotate(app)
    result = app.test_cli_runner().invoke(args=["keys", "rotate", "--compromised"])
    assert result.exit_code == 0, result.output
    profile = app.test_client().get("/issuer").get_json()
    expires = {m["id"].rsplit("#", 1)[1]: m.get("expires") for m in profile["verificationMethod"]}
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    assert expires == {
        "key-1": (rotated_at + timedelta(minutes=5)).strftime(stamp),
        "key-2": rotated_at.strftime(stamp),  # retired at once: --compromised
        "key-3": None,
    }


def test_verification_needs_no_private_key(app, demo, create_user):
    """A host that cannot open the signing key (another key-encryption key) still verifies:
    public keys from the database, the revocation from the record; it refuses only what
    needs a signature (the revocation list: 503, not 500)."""
    from tests.test_open_badges import passed_certificate, verdict

    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    _, public_id = passed_certificate(app, create_user)
    from lms.awards import issuer

    issuer._opened_keys.clear()  # as a host started with other secrets
    app.config.update(SECRET_KEY="another-hosts-secret-5e9a1c7b3d2f4a6e", SECRET_KEY_FALLBACKS=[])
    client = app.test_client()
    result = verdict(client, public_id)
    assert result["verdict"] == "valid"
    status = next(c for c in result["checks"] if c["name"] == "status")
    assert status["passed"] is True and "this site's record" in status["detail"]
    assert client.get(f"/verify/{public_id}").status_code == 200  # the page too
    assert client.get("/status/revocation").status_code == 503
    with app.app_context():
        from certificates import Certificate

        db = app.extensions["lms"].db.session
        certificate = db.scalars(
            select(Certificate).where(Certificate.public_id == public_id)
        ).one()
        certificate.revoked_at = certificate.issued_at
        db.commit()
        db.remove()
    assert verdict(client, public_id)["verdict"] == "revoked"
