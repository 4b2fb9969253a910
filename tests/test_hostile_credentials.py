"""Hostile variants of genuine credentials and status lists: each one refused with its reason.

A Data Integrity proof signs a credential's meaning, not its key names, so the dangerous
variants are the ones whose signature still verifies (each test below shows that it does,
where that is the point): an inline context that renames ``credentialStatus`` or
``validUntil``, a key written as an IRI or a keyword. The verifier must refuse them all, and
still accept the genuine credential.
"""

from __future__ import annotations

import contextlib
import copy
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from certificates import Certificate, signing
from certificates.checking import check_credential
from tests.test_credentials import (
    INDEX,
    KEY1,
    NOW,
    make_credential,
    make_profile,
    make_status,
)

ROOT = Path(__file__).resolve().parents[1]
VC = "https://www.w3.org/2018/credentials#"
STATUS = "https://www.w3.org/ns/credentials/status#"


def check(credential, *, status=None, now=NOW):
    return check_credential(
        credential,
        issuer_profile=make_profile(),
        status_list=make_status([INDEX]) if status is None else status,
        now=now,
    )


def resign(document: dict) -> dict:
    """Sign a changed document again with the issuer's own key: what an insider with the key
    could make, to prove a refusal is about the form, not the signature."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    return signing.sign(
        unsigned,
        KEY1,
        verification_method="https://ce.example.org/issuer#key-1",
        created="2026-03-02T09:00:00Z",
    )


def signature_holds(document: dict) -> bool:
    return signing.verify(document, KEY1.public_key()).ok


def renamed(document: dict, old: str, new: str, iri: str, **term) -> dict:
    """The holder's trick: one inline context entry maps ``new`` to ``old``'s IRI, and the
    key is renamed. The signed meaning is unchanged, so the signature still verifies."""
    changed = copy.deepcopy(document)
    changed["@context"] = [*changed["@context"], {new: {"@id": iri, **term}}]
    changed[new] = changed.pop(old)
    return changed


@pytest.fixture(scope="module")
def revoked_credential() -> dict:
    return make_credential()  # its bit is set in the status list check() uses


@pytest.fixture(scope="module")
def expiring_credential() -> dict:
    return make_credential(valid_until=NOW.replace(month=3, day=30))


# --------------------------------------------------------------------------- the reported attack


def test_a_renamed_status_entry_does_not_hide_a_revocation(revoked_credential):
    hostile = renamed(
        revoked_credential, "credentialStatus", "cs", VC + "credentialStatus", **{"@type": "@id"}
    )
    assert signature_holds(hostile), "the attack needs a signature that still verifies"
    report = check(hostile)
    assert report.verdict == "invalid" and not report.ok
    assert report.step("format").ok is False
    assert "inline context" in report.step("format").detail
    # the genuine one is revoked, not valid, and says why
    genuine = check(revoked_credential)
    assert genuine.verdict == "revoked"
    assert "entry 42" in genuine.step("status").detail


def test_a_renamed_end_date_does_not_hide_an_expiry(expiring_credential):
    hostile = renamed(
        expiring_credential,
        "validUntil",
        "until",
        VC + "validUntil",
        **{"@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
    )
    assert signature_holds(hostile)
    report = check(hostile, status=make_status())
    assert report.verdict == "invalid"
    assert "inline context" in report.step("format").detail
    assert check(expiring_credential, status=make_status()).verdict == "expired"


# --------------------------------------------------------------------------- the corpus


def _inline_alias_of_issuer(c: dict) -> dict:
    return renamed(c, "issuer", "by", VC + "issuer", **{"@type": "@id"})


def _inline_alias_of_subject(c: dict) -> dict:
    return renamed(c, "credentialSubject", "about", VC + "credentialSubject", **{"@type": "@id"})


def _key_as_iri(c: dict) -> dict:
    changed = copy.deepcopy(c)
    changed[VC + "credentialStatus"] = changed.pop("credentialStatus")
    return changed


def _nested_key_as_iri(c: dict) -> dict:
    changed = copy.deepcopy(c)
    entry = changed["credentialStatus"]
    entry[STATUS + "statusListIndex"] = entry.pop("statusListIndex")
    return changed


def _keyword_for_type(c: dict) -> dict:
    changed = copy.deepcopy(c)
    changed["credentialStatus"]["@type"] = changed["credentialStatus"].pop("type")
    return changed


def _keyword_for_id(c: dict) -> dict:
    changed = copy.deepcopy(c)
    changed["@id"] = changed.pop("id")
    return changed


def _nested_context(c: dict) -> dict:
    changed = copy.deepcopy(c)
    changed["credentialStatus"]["@context"] = {"idx": STATUS + "statusListIndex"}
    return changed


def _contexts(*contexts) -> callable:
    def change(c: dict) -> dict:
        return {**c, "@context": list(contexts)}

    return change


VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

CORPUS = [
    # (name, change, words the refusal must contain, re-signed by the issuer still refused)
    ("inline alias of issuer", _inline_alias_of_issuer, "inline context"),
    ("inline alias of credentialSubject", _inline_alias_of_subject, "inline context"),
    ("inline context, nothing renamed", _contexts(VC2, OB3, {"x": "https://x.example/"}), "inline"),
    ("inline context first", _contexts({"@vocab": "https://x.example/"}, VC2, OB3), "inline"),
    ("a key written as an IRI", _key_as_iri, "is an IRI written in place of a term"),
    ("a nested key written as an IRI", _nested_key_as_iri, "IRI written in place"),
    ("@type in place of type", _keyword_for_type, "keyword written in place of a term"),
    ("@id in place of id", _keyword_for_id, "keyword written in place of a term"),
    ("a nested @context", _nested_context, "keyword written in place of a term"),
    ("contexts reordered", _contexts(OB3, VC2), "first @context must be"),
    ("a context repeated", _contexts(VC2, OB3, OB3), "more than once"),
    ("VC context repeated first", _contexts(VC2, VC2, OB3), "second @context must be"),
    ("a context off by one character", _contexts(VC2, OB3.replace(".json", ".jsom")), "look-alike"),
    ("a context with a trailing slash", _contexts(VC2 + "/", OB3), "look-alike"),
    ("an unknown extra context", _contexts(VC2, OB3, "https://x.example/c.json"), "not one"),
    ("the OB context only", _contexts(OB3), "first @context must be"),
    ("a context as a string", lambda c: {**c, "@context": VC2}, "must be the list"),
]


@pytest.mark.parametrize(("name", "change", "words"), CORPUS, ids=[row[0] for row in CORPUS])
def test_each_hostile_variant_is_refused_with_its_reason(revoked_credential, name, change, words):
    hostile = change(revoked_credential)
    report = check(hostile)
    assert report.verdict == "invalid", name
    assert report.step("format").ok is False
    assert words in report.step("format").detail, report.step("format").detail
    # Refused for its form, not only for a broken signature: re-signed by the issuer's own
    # key, it is still refused for the same reason.
    try:
        resigned = resign(hostile)
    except (ValueError, signing.CanonicalizationError):
        return  # not even signable: JSON-LD itself refuses it
    again = check(resigned)
    assert again.verdict == "invalid" and words in again.step("format").detail


def test_an_extra_proof_is_refused(revoked_credential):
    doubled = {**revoked_credential, "proof": [revoked_credential["proof"]] * 2}
    assert "exactly one proof" in check(doubled).step("format").detail
    aliased = renamed(revoked_credential, "proof", "seal", "https://w3id.org/security#proof")
    assert check(aliased).verdict == "invalid"


def test_a_status_entry_pointing_elsewhere_is_refused(revoked_credential):
    other_index = copy.deepcopy(revoked_credential)
    other_index["credentialStatus"]["statusListIndex"] = str(INDEX + 1)
    report = check(other_index)
    assert report.verdict == "invalid" and report.step("signature").ok is False
    # even signed by the issuer, an entry whose id names another index is refused
    resigned = resign(other_index)
    report = check(resigned, status=make_status([INDEX]))
    assert report.verdict == "invalid"
    assert "does not name entry 43" in report.step("status").detail
    other_list = copy.deepcopy(revoked_credential)
    other_list["credentialStatus"]["statusListCredential"] = "https://ce.example.org/status/other"
    other_list["credentialStatus"]["id"] = "https://ce.example.org/status/other#42"
    report = check(resign(other_list))
    assert report.verdict == "invalid"
    assert "status/other" in report.step("status").detail


def test_a_credential_without_a_status_entry_is_refused():
    genuine = make_credential()
    stripped = resign({k: v for k, v in genuine.items() if k != "credentialStatus"})
    assert signature_holds(stripped)
    for status in (make_status(), None):
        report = check_credential(
            stripped, issuer_profile=make_profile(), status_list=status, now=NOW
        )
        assert report.verdict == "invalid"
        assert "has no credentialStatus" in report.step("status").detail


# --------------------------------------------------------------------------- status lists


def _hostile_list(change) -> dict:
    return change(make_status([INDEX]))


def _list_with_inline_alias(status: dict) -> dict:
    changed = copy.deepcopy(status)
    changed["@context"] = [*changed["@context"], {"bits": STATUS + "encodedList"}]
    subject = changed["credentialSubject"]
    subject["bits"] = subject.pop("encodedList")
    return changed


def _list_with_iri_key(status: dict) -> dict:
    changed = copy.deepcopy(status)
    changed[VC + "validUntil"] = "2026-01-03T00:00:00Z"
    return changed


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_list_with_inline_alias, "inline context"),
        (_list_with_iri_key, "IRI written in place"),
        (lambda s: {**s, "@context": [VC2, VC2]}, "more than once"),
        (lambda s: {**s, "@context": [VC2, OB3]}, "must be exactly"),
    ],
)
def test_a_hostile_status_list_fails_the_status(revoked_credential, change, words):
    hostile = change(make_status([INDEX]))
    with contextlib.suppress(ValueError, signing.CanonicalizationError):
        hostile = resign(hostile)  # even the issuer's own signature does not save it
    report = check(revoked_credential, status=hostile)
    assert report.verdict == "invalid"
    assert report.step("status").ok is False
    assert words in report.step("status").detail


# --------------------------------------------------------------------------- the genuine ones


def test_the_genuine_credential_is_read_as_signed(revoked_credential):
    report = check(revoked_credential, status=make_status())
    assert report.verdict == "valid" and report.complete
    assert report.reading.holder_name == "Ada Lovelace"
    assert report.reading.achievement_name == "Safe Manual Handling"
    assert report.reading.statuses[0].index == str(INDEX)


def test_the_offline_verifier_refuses_the_reported_attack(tmp_path, revoked_credential):
    hostile = renamed(
        revoked_credential, "credentialStatus", "cs", VC + "credentialStatus", **{"@type": "@id"}
    )
    paths = {}
    for name, document in {
        "credential": hostile,
        "issuer": make_profile(),
        "status": make_status([INDEX]),
    }.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(document))
    result = subprocess.run(
        [
            sys.executable, "-m", "certificates.verify", str(paths["credential"]),
            "--issuer-profile", str(paths["issuer"]), "--status-list", str(paths["status"]),
            "--now", "2026-04-01T12:00:00Z",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "verdict: invalid" in result.stdout
    assert "verdict: valid" not in result.stdout
    assert "FAIL  format:" in result.stdout and "inline context" in result.stdout
    assert "holder:" not in result.stdout  # nothing read from a refused document


# --------------------------------------------------------------------------- the demo's own


def test_the_demo_credentials_keep_their_verdicts_and_resist_the_attack(app, demo, create_user):
    from tests.test_open_badges import admin, passed_certificate

    _, first = passed_certificate(app, create_user)
    reissued = admin(app).submit(f"/certificates/{first}", action=f"/certificates/{first}/reissue")
    replacement = reissued.headers["Location"].rsplit("/", 1)[1]
    client = app.test_client()
    profile, status = client.get("/issuer").json, client.get("/status/revocation").json
    with app.app_context():
        db = app.extensions["lms"].db.session
        expected = {
            c.public_id: "revoked" if c.revoked_at else "valid"
            for c in db.scalars(select(Certificate))
        }
        db.remove()
    assert expected[first] == "revoked" and expected[replacement] == "valid"
    now = app.extensions["lms"].clock()
    for public_id, verdict in expected.items():
        credential = client.get(f"/credentials/{public_id}").json
        report = check_credential(credential, issuer_profile=profile, status_list=status, now=now)
        assert report.verdict == verdict, (public_id, report.steps)
        page = client.get(f"/verify/{public_id}", headers={"Accept": "application/json"}).json
        assert page["verdict"] == verdict
        if verdict == "revoked":
            hostile = renamed(
                credential, "credentialStatus", "cs", VC + "credentialStatus", **{"@type": "@id"}
            )
            attacked = check_credential(
                hostile, issuer_profile=profile, status_list=status, now=now
            )
            assert attacked.verdict == "invalid"


# --------------------------------------------------------------------------- found by a tester


def test_a_status_list_from_before_the_revocation_stops_vouching_once_it_expires(
    revoked_credential,
):
    before = make_status([], issued_at=NOW - timedelta(days=3), valid_for=timedelta(days=1))
    report = check(revoked_credential, status=before)
    assert report.verdict == "invalid" and "expired" in report.step("status").detail
    never_expires = make_status([], issued_at=NOW - timedelta(days=3), valid_for=None)
    report = check(revoked_credential, status=never_expires)
    assert report.verdict == "invalid" and "no validUntil" in report.step("status").detail
    assert check(revoked_credential).verdict == "revoked"  # the current list still tells


def _clique(size: int) -> list[dict]:
    ids = [f"_:p{n}" for n in range(size)]
    return [{"id": node, "aud": [other for other in ids if other != node]} for node in ids]


def test_a_web_of_look_alike_blank_nodes_is_refused_quickly(revoked_credential):
    poisoned = copy.deepcopy(revoked_credential)
    poisoned["credentialSubject"]["aud"] = _clique(8)  # took minutes before
    report = check(poisoned)
    assert report.verdict == "invalid" and "blank-node identifier" in report.step("format").detail
    # The canonicalizer itself has a work limit too, whatever the form checks let through.
    unsigned = {k: v for k, v in poisoned.items() if k != "proof"}
    with pytest.raises(signing.CanonicalizationError, match="work limit"):
        signing.canonize(unsigned)


def test_a_document_far_larger_than_a_credential_is_refused(revoked_credential):
    wide = copy.deepcopy(revoked_credential)
    wide["credentialSubject"]["aud"] = [f"https://x.example/{n}" for n in range(5000)]
    report = check(wide)
    assert report.verdict == "invalid" and "more than 500 values" in report.step("format").detail
    listed = make_status([INDEX])
    listed["credentialSubject"]["aud"] = [f"https://x.example/{n}" for n in range(5000)]
    assert "more than 500 values" in check(revoked_credential, status=listed).step("status").detail


def _cli(tmp_path, credential_text: str, *extra: str) -> subprocess.CompletedProcess:
    paths = {"credential": tmp_path / "c.json", "issuer": tmp_path / "i.json"}
    paths["credential"].write_text(credential_text)
    paths["issuer"].write_text(json.dumps(make_profile()))
    return subprocess.run(
        [
            sys.executable, "-m", "certificates.verify", str(paths["credential"]),
            "--issuer-profile", str(paths["issuer"]), *extra,
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_cli_never_prints_a_traceback_for_strange_text_or_dates(tmp_path, revoked_credential):
    odd = copy.deepcopy(revoked_credential)
    odd["proof"]["verificationMethod"] += "\ud800\u202e"  # a lone surrogate, a bidi override
    result = _cli(tmp_path, json.dumps(odd), "--now", "2026-04-01T12:00:00Z")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "\\ud800\\u202e" in result.stdout and "verdict: invalid" in result.stdout
    result = _cli(tmp_path, json.dumps(revoked_credential), "--now", "0001-01-01T00:00:00+01:00")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is not an ISO 8601 date-time" in result.stderr


def test_the_cli_refuses_a_file_that_says_two_things(tmp_path, revoked_credential):
    text = json.dumps(revoked_credential)
    twice = text.replace('"name": ', '"name": "Advanced Brain Surgery", "name": ', 1)
    result = _cli(tmp_path, twice)
    assert result.returncode == 2
    assert "the key 'name' appears twice in one object" in result.stderr


# --------------------------------------------------------------------------- found by a review


def test_a_certificate_revoked_before_it_was_first_signed_is_revoked_everywhere(
    app, demo, create_user
):
    from tests.test_open_badges import admin, passed_certificate, verdict

    _, public_id = passed_certificate(app, create_user)
    with app.app_context():  # as stored before certificates were signed
        db = app.extensions["lms"].db.session
        certificate = db.scalars(
            select(Certificate).where(Certificate.public_id == public_id)
        ).one()
        certificate.credential = certificate.status_index = certificate.seal = None
        db.commit()
        db.remove()
    page = f"/certificates/{public_id}"
    admin(app).submit(page, {"reason": "Issued to the wrong person"}, action=f"{page}/revoke")
    client = app.test_client()
    client.get("/status/revocation")  # a list cached before the certificate had a bit
    assert verdict(client, public_id)["verdict"] == "revoked"  # signed now, and its bit set
    report = check_credential(
        client.get(f"/credentials/{public_id}").json,
        issuer_profile=client.get("/issuer").json,
        status_list=client.get("/status/revocation").json,
        now=app.extensions["lms"].clock(),
    )
    assert report.verdict == "revoked"


def test_a_restored_database_never_reuses_a_cached_revision(app, demo, create_user):
    """A revision is a random token: restoring an older copy and revoking again gives a
    revision no process has cached, so no list from before the restore is served."""
    from certificates.models import IssuerState
    from tests.test_open_badges import admin, passed_certificate, verdict

    _, first = passed_certificate(app, create_user)
    _, second = passed_certificate(app, create_user)
    client = app.test_client()
    with app.app_context():
        db = app.extensions["lms"].db.session
        before = db.get(IssuerState, 1).revision
        db.remove()
    client.get("/status/revocation")
    page = f"/certificates/{first}"
    admin(app).submit(page, {"reason": "First"}, action=f"{page}/revoke")
    assert verdict(client, first)["verdict"] == "revoked"
    with app.app_context():  # "restore": the first revocation undone, the old revision back
        db = app.extensions["lms"].db.session
        db.scalars(
            select(Certificate).where(Certificate.public_id == first)
        ).one().revoked_at = None
        db.get(IssuerState, 1).revision = before
        db.commit()
        db.remove()
    page = f"/certificates/{second}"
    admin(app).submit(page, {"reason": "Second"}, action=f"{page}/revoke")
    assert verdict(client, second)["verdict"] == "revoked"
    assert verdict(client, first)["verdict"] == "valid"
