"""Certificates as Open Badges 3.0 credentials, through the app: issued signed, published,
verified step by step (on the page, in JSON and offline), revoked, reissued, and still valid
after the issuer's key is rotated."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy import select

from certificates import Certificate, signing
from certificates.checking import schema_errors, signature_checks
from certificates.signing import decode_status_list, status_bit
from tests.conftest import Web, answer_key, complete_modules, start_quiz

SLUG = "hot-water-extraction-fundamentals"


def passed_certificate(app, create_user, user=None) -> tuple[Web, str]:
    """A learner who passed the course; returns their signed-in Web and the certificate id."""
    user = user or create_user()
    web = Web(app.test_client())
    web.login(user.email, user.plain_password)
    web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    complete_modules(web, SLUG)
    attempt = start_quiz(web, SLUG)
    web.submit(
        f"/courses/{SLUG}/quiz", answer_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt}"
    )
    with app.app_context():
        db = app.extensions["lms"].db.session
        public_id = db.scalars(
            select(Certificate.public_id).order_by(Certificate.id.desc())
        ).first()
        db.remove()
    return web, public_id


def admin(app) -> Web:
    web = Web(app.test_client())
    web.login("admin@example.com", "admin-demo-pass")
    return web


def stored(app, public_id: str) -> Certificate:
    with app.app_context():
        db = app.extensions["lms"].db.session
        certificate = db.scalars(
            select(Certificate).where(Certificate.public_id == public_id)
        ).one()
        db.expunge(certificate)
        db.remove()
        return certificate


def verdict(web_or_client, public_id: str) -> dict:
    client = getattr(web_or_client, "client", web_or_client)
    response = client.get(f"/verify/{public_id}", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.json


def test_a_passed_course_gives_a_signed_schema_valid_credential(app, demo, create_user):
    web, public_id = passed_certificate(app, create_user)
    response = web.client.get(f"/credentials/{public_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    credential = response.json
    assert credential == stored(app, public_id).credential  # served exactly as stored
    assert schema_errors(credential, "achievementcredential") == []
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"http://localhost/credentials/{public_id}"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"] == "http://localhost/issuer#key-1"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert (
        achievement["creditsAvailable"] == 1
        and credential["credentialSubject"]["creditsEarned"] == 1
    )
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    # The e-mail travels only salted and hashed.
    assert "@" not in json.dumps(credential["credentialSubject"]["identifier"])

    result = verdict(web, public_id)
    assert result["verdict"] == "valid"
    assert [c["name"] for c in result["checks"]] == [
        "record",
        "format",
        "issuer key",
        "signature",
        "status",
        "validity dates",
    ]
    assert all(c["passed"] for c in result["checks"])


def test_the_published_documents(app, demo, create_user):
    passed_certificate(app, create_user)
    client = app.test_client()
    profile = client.get("/issuer")
    assert (
        profile.mimetype == "application/ld+json" and "max-age" in profile.headers["Cache-Control"]
    )
    keys = profile.json["verificationMethod"]
    assert [k["type"] for k in keys] == ["Multikey"] and keys[0]["id"].endswith("#key-1")
    status = client.get("/status/revocation")
    assert (
        status.mimetype == "application/vc+ld+json" and "max-age" in status.headers["Cache-Control"]
    )
    bits = decode_status_list(status.json["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131072 and not any(bits)
    assert status.json["proof"]["type"] == "DataIntegrityProof"


def test_public_documents_revalidate_by_etag_and_change_at_a_revocation(app, demo, create_user):
    _, public_id = passed_certificate(app, create_user)
    client = app.test_client()
    for path in ("/issuer", "/status/revocation", f"/credentials/{public_id}"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    status = client.get("/status/revocation")
    page = f"/certificates/{public_id}"
    admin(app).submit(page, {"reason": "Course must be retaken"}, action=f"{page}/revoke")
    # the list a cache holds is stale at once: its ETag no longer matches, the new list comes
    after = client.get("/status/revocation", headers={"If-None-Match": status.headers["ETag"]})
    assert after.status_code == 200 and after.json != status.json
    assert verdict(client, public_id)["verdict"] == "revoked"


def _offline(tmp_path, app, public_id: str, **files) -> subprocess.CompletedProcess:
    client = app.test_client()
    paths = {}
    for name, url in {
        "credential": f"/credentials/{public_id}",
        "profile": "/issuer",
        "status": "/status/revocation",
    }.items():
        path = tmp_path / f"{name}.json"
        path.write_text(files.get(name) or client.get(url).get_data(as_text=True))
        paths[name] = str(path)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "certificates.verify",
            paths["credential"],
            "--issuer-profile",
            paths["profile"],
            "--status-list",
            paths["status"],
            # as of the app's (injected) time: the status list is valid for a day from then
            "--now",
            app.extensions["lms"].clock().isoformat() + "Z",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_offline_verifier_agrees_with_the_page(app, demo, create_user, tmp_path):
    _, public_id = passed_certificate(app, create_user)
    ok = _offline(tmp_path, app, public_id)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count("PASS") == 5
    tampered = stored(app, public_id).credential
    tampered["credentialSubject"]["creditsEarned"] = 10
    bad = _offline(tmp_path, app, public_id, credential=json.dumps(tampered))
    assert bad.returncode == 1 and "FAIL  signature" in bad.stdout


def test_revocation_shows_at_once_on_the_page_the_list_and_offline(
    app, demo, create_user, tmp_path
):
    _, public_id = passed_certificate(app, create_user)
    boss = admin(app)
    page = f"/certificates/{public_id}"
    assert (
        boss.submit(
            page, {"reason": "Completed by someone else"}, action=f"{page}/revoke"
        ).status_code
        == 302
    )
    result = verdict(app.test_client(), public_id)
    assert (
        result["verdict"] == "revoked"
        and result["revocation_reason"] == "Completed by someone else"
    )
    html = app.test_client().get(f"/verify/{public_id}").get_data(as_text=True)
    assert "Revoked certificate" in html and "Completed by someone else" in html
    index = stored(app, public_id).status_index
    bits = decode_status_list(
        app.test_client().get("/status/revocation").json["credentialSubject"]["encodedList"]
    )
    assert status_bit(bits, index) is True and sum(bin(b).count("1") for b in bits) == 1
    offline = _offline(tmp_path, app, public_id)
    assert offline.returncode == 1 and "FAIL  status" in offline.stdout


def test_only_an_admin_revokes_with_a_reason(app, demo, create_user):
    web, public_id = passed_certificate(app, create_user)
    page = f"/certificates/{public_id}"
    assert web.submit(page, {"reason": "mine"}, action=f"{page}/revoke").status_code == 403
    assert admin(app).submit(page, {"reason": " "}, action=f"{page}/revoke").status_code == 400
    assert verdict(web, public_id)["verdict"] == "valid"


def test_a_reissue_links_the_old_and_the_new(app, demo, create_user):
    learner = create_user(name="Jon Smiht")
    web, old_id = passed_certificate(app, create_user, learner)
    with app.app_context():
        from lms.accounts.models import User

        db = app.extensions["lms"].db.session
        db.get(User, learner.id).name = "Jon Smith"
        db.commit()
        db.remove()
    page = f"/certificates/{old_id}"
    response = admin(app).submit(page, action=f"{page}/reissue")
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    new = stored(app, new_id)
    assert new.facts["learner_name"] == "Jon Smith" and new.replaces_id == stored(app, old_id).id
    old = verdict(web, old_id)
    assert old["verdict"] == "revoked" and new_id in old["revocation_reason"]
    assert verdict(web, new_id)["verdict"] == "valid"
    # The holder sees both, each pointing at the other.
    assert new_id in web.get(page).get_data(as_text=True)
    assert old_id in web.get(f"/certificates/{new_id}").get_data(as_text=True)


def test_certificates_keep_verifying_after_a_key_rotation(app, demo, create_user, runner):
    _, before = passed_certificate(app, create_user)
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0 and "key-2" in rotated.output
    _, after = passed_certificate(app, create_user)
    assert stored(app, after).credential["proof"]["verificationMethod"].endswith("#key-2")
    assert stored(app, before).credential["proof"]["verificationMethod"].endswith("#key-1")
    client = app.test_client()
    assert verdict(client, before)["verdict"] == "valid"
    assert verdict(client, after)["verdict"] == "valid"
    keys = client.get("/issuer").json["verificationMethod"]
    assert [k["id"].rsplit("#", 1)[1] for k in keys] == ["key-1", "key-2"]
    assert "expires" in keys[0] and "expires" not in keys[1]
    listed = runner.invoke(args=["keys", "list"])
    assert "key-1" in listed.output and "retired" in listed.output and "in use" in listed.output


def test_the_private_key_is_stored_only_sealed_and_never_published(
    app, demo, create_user, tmp_path
):
    import base64

    from certificates.keys import current_key, pem_of
    from lms.awards.issuer import private_half

    _, public_id = passed_certificate(app, create_user)
    assert not (tmp_path / "instance" / "issuer-keys").exists()  # no file on this host
    with app.app_context():
        db = app.extensions["lms"].db.session
        from sqlalchemy import text

        private_key = private_half(current_key(db))
        raw = private_key.private_bytes_raw()
        pem_body = pem_of(private_key).decode().splitlines()[1]
        dump = json.dumps(
            [list(map(str, row)) for row in db.execute(text("SELECT * FROM cert_issuer_key")).all()]
        )
        db.remove()
    assert "aesgcm1:" in dump  # the private half is there, sealed
    for spelling in (pem_body, raw.hex(), base64.b64encode(raw).decode().rstrip("=")):
        assert spelling not in dump
        assert spelling not in app.test_client().get("/issuer").get_data(as_text=True)


def test_a_changed_credential_fails_its_signature_on_the_page(app, demo, create_user):
    _, public_id = passed_certificate(app, create_user)
    with app.app_context():
        db = app.extensions["lms"].db.session
        certificate = db.scalars(
            select(Certificate).where(Certificate.public_id == public_id)
        ).one()
        credential = json.loads(json.dumps(certificate.credential))
        credential["credentialSubject"]["creditsEarned"] = 5
        certificate.credential = credential
        db.commit()
        db.remove()
    result = verdict(app.test_client(), public_id)
    assert result["verdict"] == "invalid"
    failed = [c["name"] for c in result["checks"] if c["passed"] is False]
    assert failed == ["signature"]
    html = app.test_client().get(f"/verify/{public_id}").get_data(as_text=True)
    assert "Not valid" in html and "✗ Failed" in html


def test_an_expired_credential_says_so(app, demo, create_user, clock):
    app.config["LMS_CERTIFICATE_VALID_DAYS"] = 30
    _, public_id = passed_certificate(app, create_user)
    assert verdict(app.test_client(), public_id)["verdict"] == "valid"
    clock.advance(days=31)
    result = verdict(app.test_client(), public_id)
    assert result["verdict"] == "expired"
    assert [c["name"] for c in result["checks"] if c["passed"] is False] == ["validity dates"]


def test_a_certificate_from_before_signing_is_signed_once_on_first_view(
    app, demo, create_user, clock
):
    _, public_id = passed_certificate(app, create_user)
    with app.app_context():
        db = app.extensions["lms"].db.session
        certificate = db.scalars(
            select(Certificate).where(Certificate.public_id == public_id)
        ).one()
        certificate.credential = None
        certificate.status_index = None
        db.commit()
        db.remove()
    listed = app.test_cli_runner().invoke(args=["certificates", "list"])
    assert f"{public_id}  valid     (not signed yet: signed when its page is first opened)" in (
        listed.output
    )
    clock.advance(days=100)
    assert verdict(app.test_client(), public_id)["verdict"] == "valid"
    first = stored(app, public_id).credential
    assert first is not None
    assert verdict(app.test_client(), public_id)["verdict"] == "valid"
    assert stored(app, public_id).credential == first  # signed once, never again


def test_a_sealed_credential_is_not_canonicalized_again_but_a_changed_one_is(
    app, demo, create_user, monkeypatch
):
    _, public_id = passed_certificate(app, create_user)
    assert stored(app, public_id).seal  # sealed when it was signed
    client = app.test_client()
    verdict(client, public_id)  # the status list's own signature is checked once here
    canonicalized = []
    real_canonize = signing.canonize
    monkeypatch.setattr(
        signing, "canonize", lambda doc: canonicalized.append(1) or real_canonize(doc)
    )
    before = signature_checks.cache_info()
    for _ in range(3):
        result = verdict(client, public_id)
        assert result["verdict"] == "valid"
        signature = next(c for c in result["checks"] if c["name"] == "signature")
        assert signature["passed"] and "seal matches" in signature["detail"]
    assert canonicalized == [] and signature_checks.cache_info() == before

    # Changed behind the application's back: the seal no longer matches, the full check runs.
    with app.app_context():
        db = app.extensions["lms"].db.session
        certificate = db.scalars(
            select(Certificate).where(Certificate.public_id == public_id)
        ).one()
        changed = json.loads(json.dumps(certificate.credential))
        changed["credentialSubject"]["creditsEarned"] = 99
        certificate.credential = changed
        db.commit()
        db.remove()
    result = verdict(client, public_id)
    assert result["verdict"] == "invalid" and canonicalized
    signature = next(c for c in result["checks"] if c["name"] == "signature")
    assert signature["passed"] is False and "does not match" in signature["detail"]


def test_an_unknown_id_is_a_plain_404(app, demo):
    client = app.test_client()
    for path in (
        "/verify/AAAAAAAAAAAAAAAAAAAAAAAA",
        "/credentials/AAAAAAAAAAAAAAAAAAAAAAAA",
        "/verify/x",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert "No certificate has this id." in response.get_data(as_text=True)


def test_verification_is_rate_limited_even_with_a_forged_forwarded_for(app, demo, create_user):
    _, public_id = passed_certificate(app, create_user)
    app.config["LMS_VERIFY_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    codes = [
        client.get(f"/verify/{public_id}", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


def test_the_certificate_page_offers_linkedin_and_the_credential(app, demo, create_user):
    web, public_id = passed_certificate(app, create_user)
    page = web.get(f"/certificates/{public_id}").get_data(as_text=True)
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page
    assert f"certId={public_id}" in page and "Hot+Water+Extraction+Fundamentals" in page
    assert f"/credentials/{public_id}" in page


def test_the_pdf_links_to_its_verification_page_and_not_to_linkedin(app, demo, create_user):
    """Paper cannot be clicked: "Add to LinkedIn" stays on the web page (issue 14)."""
    import io

    from pypdf import PdfReader

    web, public_id = passed_certificate(app, create_user)
    reader = PdfReader(io.BytesIO(web.get(f"/certificates/{public_id}.pdf").data))
    page = reader.pages[0]
    assert "LinkedIn" not in page.extract_text()
    links = [a.get_object()["/A"]["/URI"] for a in page["/Annots"]]
    assert not any("linkedin" in link for link in links)
    assert f"http://localhost/verify/{public_id}" in links


def test_without_a_base_url_a_production_app_refuses_to_sign_and_writes_nothing(
    app, demo, create_user
):
    from lms.credits.models import CreditEntry

    learner = create_user()
    web = Web(app.test_client())
    web.login(learner.email, learner.plain_password)
    web.submit(f"/courses/{SLUG}", action=f"/courses/{SLUG}/enrol")
    complete_modules(web, SLUG)
    attempt = start_quiz(web, SLUG)
    app.testing = False  # as in production: the Host header must not decide the issuer
    response = web.submit(
        f"/courses/{SLUG}/quiz", answer_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt}"
    )
    assert response.status_code == 503
    assert "set LMS_BASE_URL" in response.get_data(as_text=True)
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert db.scalars(select(CreditEntry)).all() == []
        assert db.scalars(select(Certificate)).all() == []
        db.remove()
    app.config["LMS_BASE_URL"] = "https://ce.example.org"
    response = web.submit(
        f"/courses/{SLUG}/quiz", answer_key(app, SLUG), action=f"/courses/{SLUG}/quiz/{attempt}"
    )
    assert response.status_code == 302
    credential = stored(app, verdict(web, _only_certificate(app))["id"]).credential
    assert credential["issuer"]["id"] == "https://ce.example.org/issuer"


def _only_certificate(app) -> str:
    with app.app_context():
        db = app.extensions["lms"].db.session
        public_id = db.scalars(select(Certificate.public_id)).one()
        db.remove()
        return public_id


def test_a_second_reissue_is_refused_clearly(app, demo, create_user):
    _, public_id = passed_certificate(app, create_user)
    page = f"/certificates/{public_id}"
    boss = admin(app)
    assert boss.submit(page, action=f"{page}/reissue").status_code == 302
    again = boss.submit(page, action=f"{page}/reissue")
    assert again.status_code == 409 and "already reissued" in again.get_data(as_text=True)


def test_the_demo_has_valid_and_revoked_certificates_listed_by_the_cli(tmp_path):
    import os

    env = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path), "LMS_DATABASE_URL": ""}
    env.pop("LMS_DATABASE_URL")
    lms = [sys.executable, "-m", "lms"]
    demo = subprocess.run(
        [*lms, "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    listed = subprocess.run(
        [*lms, "certificates", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert sorted(r["status"] for r in rows) == ["revoked", "valid", "valid"]
    for row in rows:
        assert set(row) == {"id", "status", "verify_url", "credential_url"}
        assert row["verify_url"] == f"http://127.0.0.1:5000/verify/{row['id']}"
        assert row["credential_url"] == f"http://127.0.0.1:5000/credentials/{row['id']}"


def test_the_pdf_of_a_revoked_certificate_says_so(app, demo, create_user):
    import io

    from pypdf import PdfReader

    web, public_id = passed_certificate(app, create_user)
    page = f"/certificates/{public_id}"
    admin(app).submit(page, {"reason": "Completed by someone else"}, action=f"{page}/revoke")
    text = PdfReader(io.BytesIO(web.get(f"{page}.pdf").data)).pages[0].extract_text()
    assert "REVOKED: 2026-03-02, Completed by someone else" in text
    assert "Add to LinkedIn profile" not in text


def test_a_reissue_keeps_the_original_end_of_validity(app, demo, create_user, clock):
    app.config["LMS_CERTIFICATE_VALID_DAYS"] = 30
    _, old_id = passed_certificate(app, create_user)
    clock.advance(days=10)
    page = f"/certificates/{old_id}"
    response = admin(app).submit(page, action=f"{page}/reissue")
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    old_end = stored(app, old_id).credential["validUntil"]
    assert stored(app, new_id).credential["validUntil"] == old_end


def test_lms_certificates_seal_seals_only_what_checks_out(app, demo, create_user, runner):
    _, good = passed_certificate(app, create_user)
    _, forged = passed_certificate(app, create_user)
    with app.app_context():
        db = app.extensions["lms"].db.session
        for certificate in db.scalars(select(Certificate)):
            certificate.seal = None  # as stored before seals existed
            if certificate.public_id == forged:
                changed = json.loads(json.dumps(certificate.credential))
                changed["credentialSubject"]["creditsEarned"] = 40
                certificate.credential = changed
        db.commit()
        db.remove()
    app.config["LMS_BASE_URL"] = "http://localhost"  # where the test client's pages signed
    result = runner.invoke(args=["certificates", "seal"])
    assert result.exit_code == 0, result.output
    assert "Sealed 1 credential(s); 1 failed a check" in result.output
    assert f"{forged}: not sealed: signature" in result.output
    assert stored(app, good).seal and stored(app, forged).seal is None
    client = app.test_client()
    assert verdict(client, good)["verdict"] == "valid"
    assert verdict(client, forged)["verdict"] == "invalid"
    again = runner.invoke(args=["certificates", "seal"])
    assert "Sealed 0 credential(s); 1 failed" in again.output
