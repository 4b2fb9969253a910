"""Open Badges 3.0 documents (certificates/documents.py) and their verifier
(certificates/checking.py, certificates/verify.py): no app, no database.

Keys come from fixed seeds, so every run signs the same bytes. Each tamper test names the
step that must fail, and checks the steps before it still pass.
"""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jsonschema import Draft201909Validator
from pyld import jsonld

from certificates import signing
from certificates.checking import (
    STEPS,
    Report,
    check_credential,
    profile_keys_json,
    schema_errors,
    signature_checks,
)
from certificates.documents import (
    Issuer,
    PublishedKey,
    SigningKey,
    build_credential,
    build_issuer_profile,
    build_status_list,
    email_identity_hash,
)
from certificates.signing import (
    STATUS_LIST_MIN_BITS,
    CanonicalizationError,
    canonize,
    decode_status_list,
    public_key_from_multibase,
    public_key_multibase,
    status_bit,
)
from certificates.snapshot import CertificateFacts

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "certificates" / "schemas"

KEY1 = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY2 = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
STRANGER = Ed25519PrivateKey.from_private_bytes(bytes(range(64, 96)))

BASE = "https://ce.example.org"
ISSUER = Issuer(
    base_url=BASE, name="Example CE", url=f"{BASE}/", email="certificates@ce.example.org"
)
OTHER_ISSUER = Issuer(
    base_url="https://other.example.net", name="Other", url="https://other.example.net/"
)
ISSUER_ID = f"{BASE}/issuer"

KEY1_CREATED = datetime(2026, 1, 1, 8, 0, 0)
ISSUED = datetime(2026, 3, 2, 9, 0, 0)
LIST_ISSUED = datetime(2026, 1, 2, 0, 0, 0)
NOW = datetime(2026, 4, 1, 12, 0, 0)
INDEX = 42

FACTS = CertificateFacts(
    learner_name="Ada Lovelace",
    course_title="Safe Manual Handling",
    course_version=3,
    provider="Acme Training",
    credits=Decimal("1.5"),
    credit_unit="CEC",
    completed_on=date(2026, 3, 1),
    certification_numbers="RN-1234",
    approval_number="AB-2026-017",
)

#: The W3C Multikey context (https://w3id.org/security/multikey/v1), only to expand the
#: published issuer profile in a test; the signing code never loads it.
MULTIKEY_V1 = {
    "@context": {
        "id": "@id",
        "type": "@type",
        "@protected": True,
        "Multikey": {
            "@id": "https://w3id.org/security#Multikey",
            "@context": {
                "@protected": True,
                "id": "@id",
                "type": "@type",
                "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
                "revoked": {
                    "@id": "https://w3id.org/security#revoked",
                    "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                },
                "expires": {
                    "@id": "https://w3id.org/security#expiration",
                    "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                },
                "publicKeyMultibase": {
                    "@id": "https://w3id.org/security#publicKeyMultibase",
                    "@type": "https://w3id.org/security#multibase",
                },
                "secretKeyMultibase": {
                    "@id": "https://w3id.org/security#secretKeyMultibase",
                    "@type": "https://w3id.org/security#multibase",
                },
            },
        },
    }
}


# --------------------------------------------------------------------------- builders


def make_credential(
    *,
    key: Ed25519PrivateKey = KEY1,
    key_id: str = "key-1",
    issuer: Issuer = ISSUER,
    facts: CertificateFacts = FACTS,
    issued_at: datetime = ISSUED,
    **extra,
) -> dict:
    return build_credential(
        issuer=issuer,
        key=SigningKey(key_id, key),
        public_id="Qm9vdHN0cmFwLXRlc3QtMDE",
        facts=facts,
        course_slug="safe-manual-handling",
        course_description="Lifting, carrying and pushing without injury.",
        learner_email="Ada.Lovelace@Example.org",
        salt="d2f1c0ffee",
        status_index=INDEX,
        issued_at=issued_at,
        **extra,
    )


def published(key: Ed25519PrivateKey, key_id: str, created: datetime, retired=None):
    return PublishedKey(key_id, public_key_multibase(key.public_key()), created, retired)


def make_profile(*keys: PublishedKey, issuer: Issuer = ISSUER) -> dict:
    return build_issuer_profile(
        issuer=issuer, keys=keys or (published(KEY1, "key-1", KEY1_CREATED),)
    )


def make_status(
    revoked=(),
    *,
    key: Ed25519PrivateKey = KEY1,
    key_id: str = "key-1",
    issuer: Issuer = ISSUER,
    issued_at: datetime = LIST_ISSUED,
    valid_for: timedelta | None = timedelta(days=365),
) -> dict:
    return build_status_list(
        issuer=issuer,
        key=SigningKey(key_id, key),
        revoked_indices=revoked,
        issued_at=issued_at,
        valid_until=issued_at + valid_for if valid_for else None,
    )


def check(credential, *, profile="default", status="default", now=NOW, **kwargs) -> Report:
    return check_credential(
        credential,
        issuer_profile=make_profile() if profile == "default" else profile,
        status_list=make_status() if status == "default" else status,
        now=now,
        **kwargs,
    )


def first_failure(report: Report) -> str:
    """The first step that did not pass; every step before it must have passed."""
    for step in report.steps:
        if step.ok is not True:
            return step.name
    return "(none)"


@pytest.fixture(scope="module")
def credential() -> dict:
    return make_credential()


# --------------------------------------------------------------------------- documents


def test_email_hash_follows_the_spec_example():
    # OB 3.0 IdentityHash: 'sha256$b5809d…' is SHA-256 of 'a@example.comKosher'
    expected = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    assert email_identity_hash("a@example.com", "Kosher") == expected
    assert email_identity_hash("  A@Example.COM ", "Kosher") == expected
    assert email_identity_hash("a@example.com", "other salt") != expected


def test_credential_uses_only_defined_terms(credential):
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    nquads = canonize(unsigned)  # raises on any term the two contexts do not define
    vocab = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
    for needle in (
        f'<{vocab}creditsEarned> "1.5E0"',
        f'<{vocab}creditsAvailable> "1.5E0"',
        f'<{vocab}identifierType> "ext:approvalNumber"',
        f'<{vocab}identifier> "AB-2026-017"',
        f'<{vocab}identifierType> "ext:creditUnit"',
        f'<{vocab}identityHash> "Ada Lovelace"',
        f'<{vocab}achievementType> "CertificateOfCompletion"',
        '<https://www.w3.org/ns/credentials/status#statusListIndex> "42"',
    ):
        assert needle in nquads
    # and the check can fail: a term the contexts do not define is refused
    with pytest.raises(CanonicalizationError, match="creditUnit"):
        canonize({**unsigned, "creditUnit": "CEC"})


def test_credential_validates_against_the_official_schema(credential):
    assert schema_errors(credential) == []
    # independently of our helper: the array form is what the pinned schema describes,
    # and the object form we emit differs from it in `proof` alone
    schema = json.loads((SCHEMAS / "achievementcredential.schema.json").read_text())
    validator = Draft201909Validator(schema)
    as_array = {**credential, "proof": [credential["proof"]]}
    assert list(validator.iter_errors(as_array)) == []
    assert [list(e.absolute_path) for e in validator.iter_errors(credential)] == [["proof"]]
    # the check can fail, and names the property
    broken = copy.deepcopy(credential)
    broken["credentialSubject"]["creditsEarned"] = "1.5"
    assert schema_errors(broken)[0].startswith("credentialSubject.creditsEarned:")
    broken = copy.deepcopy(credential)
    broken["validFrom"] = "2026-03-02 09:00"
    assert schema_errors(broken)[0].startswith("validFrom:")


def test_credential_content(credential):
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{BASE}/credentials/Qm9vdHN0cmFwLXRlc3QtMDE"
    assert credential["name"] == "Safe Manual Handling"
    assert credential["issuer"] == {
        "id": ISSUER_ID,
        "type": ["Profile"],
        "name": "Example CE",
        "url": f"{BASE}/",
        "email": "certificates@ce.example.org",
    }
    assert credential["validFrom"] == "2026-03-02T09:00:00Z"
    assert "validUntil" not in credential
    subject = credential["credentialSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": email_identity_hash("ada.lovelace@example.org", "d2f1c0ffee"),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": "d2f1c0ffee",
        },
        {
            "type": "IdentityObject",
            "identityHash": "Ada Lovelace",
            "identityType": "name",
            "hashed": False,
        },
    ]
    assert subject["creditsEarned"] == 1.5
    assert subject["activityEndDate"] == "2026-03-01T00:00:00Z"
    achievement = subject["achievement"]
    assert achievement["id"] == f"{BASE}/courses/safe-manual-handling/v3#achievement"
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert achievement["creditsAvailable"] == 1.5
    assert {"type": "IdentifierEntry", "identifier": "CEC", "identifierType": "ext:creditUnit"} in (
        achievement["otherIdentifier"]
    )
    assert "AB-2026-017" in achievement["criteria"]["narrative"]
    assert credential["credentialStatus"] == {
        "id": f"{BASE}/status/revocation#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": f"{BASE}/status/revocation",
    }
    proof = credential["proof"]
    assert isinstance(proof, dict)  # the object form, as in the specification's examples
    assert proof["verificationMethod"] == f"{ISSUER_ID}#key-1"
    assert proof["created"] == "2026-03-02T09:00:00Z"
    assert signing.verify(credential, KEY1.public_key()).ok


def test_whole_credits_are_json_integers_and_approval_number_is_optional():
    facts = CertificateFacts(
        **{**FACTS.__dict__, "credits": Decimal("2.00"), "approval_number": ""}
    )
    credential = make_credential(facts=facts, valid_until=datetime(2027, 3, 2, 9, 0))
    subject = credential["credentialSubject"]
    assert type(subject["creditsEarned"]) is int and subject["creditsEarned"] == 2
    assert '"creditsEarned":2,' in json.dumps(credential, separators=(",", ":"))
    assert [e["identifierType"] for e in subject["achievement"]["otherIdentifier"]] == [
        "ext:creditUnit"
    ]
    assert "Approval" not in subject["achievement"]["criteria"]["narrative"]
    assert credential["validUntil"] == "2027-03-02T09:00:00Z"
    assert schema_errors(credential) == []


def test_control_characters_in_text_do_not_break_signing():
    facts = CertificateFacts(**{**FACTS.__dict__, "course_title": "Tabs\there\x07"})
    credential = build_credential(
        issuer=ISSUER,
        key=SigningKey("key-1", KEY1),
        public_id="abc",
        facts=facts,
        course_slug="tabs",
        course_description="Line one\r\n\tindented",
        learner_email="a@example.org",
        salt="s",
        status_index=0,
        issued_at=ISSUED,
    )
    assert credential["name"] == "Tabs here"
    assert credential["credentialSubject"]["achievement"]["description"] == "Line one\n indented"
    assert check(credential).ok


def test_profile_lists_every_key_as_a_multikey():
    retired = datetime(2026, 6, 1, 0, 0, 0)
    profile = make_profile(
        published(KEY2, "key-2", retired),
        published(KEY1, "key-1", KEY1_CREATED, retired),
    )
    assert profile["@context"][:3] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/multikey/v1",
    ]
    assert profile["id"] == ISSUER_ID and profile["type"] == ["Profile"]
    methods = profile["verificationMethod"]
    assert [m["id"] for m in methods] == [f"{ISSUER_ID}#key-1", f"{ISSUER_ID}#key-2"]
    assert profile["assertionMethod"] == [m["id"] for m in methods]
    for method, key in zip(methods, (KEY1, KEY2), strict=True):
        assert method["type"] == "Multikey"
        assert method["controller"] == ISSUER_ID
        assert public_key_from_multibase(method["publicKeyMultibase"]) == key.public_key()
    assert methods[0]["created"] == "2026-01-01T08:00:00Z"
    assert methods[0]["expires"] == "2026-06-01T00:00:00Z"
    assert methods[1]["created"] == "2026-06-01T00:00:00Z"
    assert "expires" not in methods[1]
    assert schema_errors(profile, "profile") == []

    # Every term is defined (with the real Multikey context): nothing dropped in expansion.
    def loader(url, options=None):
        if url == "https://w3id.org/security/multikey/v1":
            return {"contextUrl": None, "documentUrl": url, "document": MULTIKEY_V1}
        return signing.document_loader(url, options)

    dropped = []
    options = {"documentLoader": loader, "base": None}
    expanded = jsonld.JsonLdProcessor(on_property_dropped=dropped.append).expand(profile, options)
    assert dropped == []
    nquads = jsonld.normalize(
        expanded, {**options, "algorithm": "URDNA2015", "format": "application/n-quads"}
    )
    key1 = f"<{ISSUER_ID}#key-1>"
    assert f'{key1} <http://purl.org/dc/terms/created> "2026-01-01T08:00:00Z"' in nquads
    assert f'{key1} <https://w3id.org/security#expiration> "2026-06-01T00:00:00Z"' in nquads
    assert f"<{ISSUER_ID}> <https://w3id.org/security#verificationMethod> {key1}" in nquads
    assert f"<{ISSUER_ID}> <https://w3id.org/security#assertionMethod> {key1}" in nquads
    assert f"{key1} <https://w3id.org/security#publicKeyMultibase>" in nquads


def test_status_list_reflects_revoked_indices():
    status = make_status([0, INDEX, 131071])
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status["id"] == f"{BASE}/status/revocation"
    assert status["issuer"] == ISSUER_ID
    subject = status["credentialSubject"]
    assert subject["id"] == f"{BASE}/status/revocation#list"
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    bits = decode_status_list(subject["encodedList"])
    assert len(bits) * 8 >= STATUS_LIST_MIN_BITS == 131072
    assert [i for i in range(len(bits) * 8) if status_bit(bits, i)] == [0, INDEX, 131071]
    assert signing.verify(status, KEY1.public_key()).ok
    assert not signing.verify(status, STRANGER.public_key()).ok
    empty = decode_status_list(make_status()["credentialSubject"]["encodedList"])
    assert not any(empty)
    with pytest.raises(IndexError):
        make_status([131072])


# --------------------------------------------------------------------------- checking


def test_a_valid_credential_passes_every_step(credential):
    report = check(credential, trusted_issuer_id=ISSUER_ID)
    assert tuple(step.name for step in report.steps) == STEPS
    assert all(step.ok is True for step in report.steps), report.steps
    assert report.verdict == "valid" and report.ok and report.complete
    assert "key-1" in report.step("issuer key").detail
    # the array form of the proof is accepted too
    assert check({**credential, "proof": [credential["proof"]]}).ok


def _set(document: dict, path: tuple, value) -> dict:
    tampered = copy.deepcopy(document)
    target = tampered
    for part in path[:-1]:
        target = target[part]
    assert target[path[-1]] != value, "the tamper must change something"
    target[path[-1]] = value
    return tampered


SIGNED_FIELDS = [
    (("name",), "Advanced Manual Handling"),
    (("credentialSubject", "creditsEarned"), 15),
    (("credentialSubject", "activityEndDate"), "2026-02-01T00:00:00Z"),
    (("validFrom",), "2026-03-01T09:00:00Z"),
    (("credentialSubject", "identifier", 1, "identityHash"), "Mallory Smith"),
    (("credentialSubject", "identifier", 0, "identityHash"), email_identity_hash("m@x.org", "s")),
    (("credentialStatus", "statusListIndex"), "43"),
    (("issuer", "name"), "Evil Diploma Mill"),
    (("credentialSubject", "achievement", "creditsAvailable"), 40),
    (("credentialSubject", "achievement", "otherIdentifier", 1, "identifier"), "ZZ-999"),
]


@pytest.mark.parametrize(
    ("path", "value"), SIGNED_FIELDS, ids=[".".join(map(str, p)) for p, _ in SIGNED_FIELDS]
)
def test_changing_a_signed_field_fails_the_signature(credential, path, value):
    report = check(_set(credential, path, value))
    assert first_failure(report) == "signature"
    assert report.step("signature").ok is False
    assert "does not match" in report.step("signature").detail
    assert report.verdict == "invalid"


def test_changing_the_proof_fails_the_signature(credential):
    report = check(_set(credential, ("proof", "created"), "2026-03-03T09:00:00Z"))
    assert first_failure(report) == "signature"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda c: [c], "not a JSON object"),
        (lambda c: {k: v for k, v in c.items() if k != "proof"}, "no proof"),
        (lambda c: {**c, "@context": c["@context"][::-1]}, "first @context"),
        (
            lambda c: {**c, "@context": [c["@context"][0], "https://example.org/ctx.json"]},
            "second @context",
        ),
        (lambda c: {**c, "type": ["VerifiableCredential"]}, "OpenBadgeCredential"),
        (lambda c: {**c, "proof": [c["proof"], c["proof"]]}, "exactly one proof"),
        (lambda c: {**c, "proof": {**c["proof"], "cryptosuite": "eddsa-2022"}}, "cryptosuite"),
        (lambda c: _set(c, ("credentialSubject", "creditsEarned"), "15"), "creditsEarned"),
        (lambda c: _set(c, ("validFrom",), "yesterday"), "validFrom"),
        (
            lambda c: _set(c, ("credentialSubject", "identifier", 0, "hashed"), "yes"),
            "credentialSubject.identifier[0].hashed",
        ),
    ],
)
def test_format_failures_name_the_problem(credential, change, words):
    report = check(change(credential))
    assert first_failure(report) == "format"
    assert words in report.step("format").detail
    assert report.verdict == "invalid"
    assert report.step("signature").ok is None


def test_a_credential_signed_by_a_swapped_key_fails_the_signature():
    # claims key-1, which the profile lists, but was signed with another private key
    forged = make_credential(key=STRANGER, key_id="key-1")
    report = check(forged)
    assert first_failure(report) == "signature"
    assert report.step("issuer key").ok is True


def test_a_key_missing_from_the_profile_fails_the_issuer_key():
    report = check(make_credential(key=KEY2, key_id="key-2"))
    assert first_failure(report) == "issuer key"
    assert "does not list" in report.step("issuer key").detail
    assert report.step("signature").ok is None
    assert report.verdict == "invalid"


def test_a_key_url_under_the_issuer_is_not_trusted_for_that():
    forged = make_credential(key=STRANGER, key_id="key-1x")
    assert forged["proof"]["verificationMethod"].startswith(ISSUER_ID)
    report = check(forged)
    assert first_failure(report) == "issuer key"
    assert "not enough" in report.step("issuer key").detail


def test_a_profile_of_another_issuer_fails_the_issuer_key(credential):
    other_profile = make_profile(published(KEY1, "key-1", KEY1_CREATED), issuer=OTHER_ISSUER)
    report = check(credential, profile=other_profile)
    assert first_failure(report) == "issuer key"
    assert "other.example.net" in report.step("issuer key").detail

    # a credential of another issuer, with that issuer's own (matching) profile, is
    # authentic, but not ours: trusted_issuer_id refuses it
    theirs = make_credential(issuer=OTHER_ISSUER)
    assert check(theirs, profile=other_profile, status=None).step("signature").ok is True
    report = check(theirs, profile=other_profile, status=None, trusted_issuer_id=ISSUER_ID)
    assert first_failure(report) == "issuer key"
    assert report.verdict == "invalid"


def test_a_profile_claiming_our_keys_for_another_issuer_is_refused(credential):
    # same key entries, but the profile is another issuer's: its id decides, not the key URLs
    profile = make_profile()
    profile["id"] = OTHER_ISSUER.base_url + "/issuer"
    report = check(credential, profile=profile)
    assert first_failure(report) == "issuer key"
    assert "the issuer profile given is 'https://other.example.net/issuer'" in (
        report.step("issuer key").detail
    )


def test_a_key_controlled_by_someone_else_is_not_trusted(credential):
    profile = make_profile()
    profile["verificationMethod"][0]["controller"] = "https://other.example.net/issuer"
    report = check(credential, profile=profile)
    assert first_failure(report) == "issuer key"
    assert "controlled by" in report.step("issuer key").detail


def test_a_revoked_key_is_not_trusted(credential):
    profile = make_profile()
    profile["verificationMethod"][0]["revoked"] = "2026-05-01T00:00:00Z"
    report = check(credential, profile=profile)
    assert first_failure(report) == "issuer key"
    assert "revoked" in report.step("issuer key").detail


def test_a_key_left_out_of_assertion_method_is_not_trusted(credential):
    profile = make_profile()
    profile["assertionMethod"] = []
    assert first_failure(check(credential, profile=profile)) == "issuer key"


def test_a_revoked_credential(credential):
    report = check(credential, status=make_status([INDEX]))
    assert first_failure(report) == "status"
    assert report.step("status").ok is False
    assert "revoked" in report.step("status").detail
    assert report.step("validity dates").ok is True
    assert report.verdict == "revoked" and not report.ok
    # its neighbours' bits do not revoke it
    assert check(credential, status=make_status([INDEX - 1, INDEX + 1])).ok


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (lambda: make_status([INDEX], key=STRANGER, key_id="key-1"), "signature is bad"),
        (lambda: make_status(key=STRANGER, key_id="key-9"), "does not list"),
        (lambda: make_status(issuer=OTHER_ISSUER), "credential's status is in"),
        (lambda: {**make_status(), "issuer": "https://other.example.net/issuer"}, "issued by"),
        (
            lambda: _set(make_status(), ("credentialSubject", "statusPurpose"), "suspension"),
            "signature is bad",
        ),
        (lambda: make_status(issued_at=datetime(2026, 5, 1)), "not valid until"),
        (lambda: "not a list", "not a JSON object"),
    ],
)
def test_a_status_list_that_cannot_be_trusted_fails_the_status(credential, status, words):
    report = check(credential, status=status())
    assert first_failure(report) == "status"
    assert words in report.step("status").detail
    assert report.verdict == "invalid"


def test_without_a_status_list_the_status_is_not_checked(credential):
    report = check(credential, status=None)
    assert report.step("status").ok is None
    assert report.step("status").detail == "not checked: no status list given"
    assert report.verdict == "valid" and not report.complete


def test_without_a_profile_nothing_is_trusted(credential):
    report = check(credential, profile=None)
    assert report.step("issuer key").ok is None
    assert report.step("signature").ok is None
    assert report.verdict == "invalid"


def test_an_expired_credential(credential):
    expiring = make_credential(valid_until=ISSUED + timedelta(days=30))
    assert check(expiring, now=ISSUED + timedelta(days=29)).ok
    report = check(expiring, now=ISSUED + timedelta(days=30))
    assert first_failure(report) == "validity dates"
    assert "expired" in report.step("validity dates").detail
    assert report.verdict == "expired"


def test_a_credential_not_yet_valid(credential):
    report = check(credential, now=ISSUED - timedelta(seconds=1))
    assert first_failure(report) == "validity dates"
    assert report.verdict == "not yet valid"
    # an aware "now" is converted to UTC
    assert check(credential, now=ISSUED.replace(tzinfo=UTC)).ok


def test_key_rotation():
    retired = datetime(2026, 6, 1, 0, 0, 0)
    rotated = make_profile(
        published(KEY1, "key-1", KEY1_CREATED, retired), published(KEY2, "key-2", retired)
    )
    status_by_key2 = make_status(key=KEY2, key_id="key-2", issued_at=datetime(2026, 6, 2))
    later = datetime(2026, 8, 1)
    # signed by key-1 while it was in use: still verifies after the rotation
    before = make_credential()
    report = check(before, profile=rotated, status=status_by_key2, now=later)
    assert report.ok, report.steps
    # the new key signs new credentials
    after = make_credential(key=KEY2, key_id="key-2", issued_at=datetime(2026, 7, 1))
    assert check(after, profile=rotated, status=status_by_key2, now=later).ok
    # key-1 used after its retirement: refused, however good the signature
    late = make_credential(issued_at=datetime(2026, 7, 1))
    assert signing.verify(late, KEY1.public_key()).ok
    report = check(late, profile=rotated, status=status_by_key2, now=later)
    assert first_failure(report) == "issuer key"
    assert (
        "after key" in report.step("issuer key").detail
        and "retired" in report.step("issuer key").detail
    )
    # and a proof dated before the key existed is refused too ...
    early = make_credential(issued_at=datetime(2025, 12, 1))
    assert first_failure(check(early, profile=rotated, now=later)) == "issuer key"
    # ... unless the (late) signing time is given for a certificate issued before the key
    backfilled = make_credential(issued_at=datetime(2025, 12, 1), signed_at=datetime(2026, 2, 1))
    assert backfilled["validFrom"] == "2025-12-01T00:00:00Z"
    assert check(backfilled, profile=rotated, now=later).ok


def test_the_signature_is_checked_once_per_content(credential, monkeypatch):
    calls = []
    real_verify = signing.verify

    def counting_verify(document, key):
        calls.append(document.get("id"))
        return real_verify(document, key)

    monkeypatch.setattr(signing, "verify", counting_verify)
    signature_checks.cache_clear()
    profile, status = make_profile(), make_status()
    first = check(credential, profile=profile, status=status)
    second = check(copy.deepcopy(credential), profile=copy.deepcopy(profile), status=status)
    assert first == second and first.ok
    info = signature_checks.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert calls.count(credential["id"]) == 1
    # another profile text is another cache entry: a rotated profile is never answered stale
    check(credential, profile=make_profile(published(KEY1, "key-1", datetime(2026, 1, 2))))
    assert signature_checks.cache_info().misses == 2
    assert calls.count(credential["id"]) == 2
    assert profile_keys_json(profile) == profile_keys_json(copy.deepcopy(profile))


JUNK = [None, [], "credential", 42, {}, {"proof": 5}, {"@context": 5, "proof": {}}]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_malformed_credentials_never_raise(junk):
    report = check(junk)
    assert report.verdict == "invalid"
    assert report.step("format").ok is False


@pytest.mark.parametrize(
    "profile",
    [
        "x",
        [],
        {"id": ISSUER_ID},
        {"id": ISSUER_ID, "verificationMethod": "x"},
        {
            "id": ISSUER_ID,
            "verificationMethod": [
                {
                    "id": f"{ISSUER_ID}#key-1",
                    "type": "Multikey",
                    "controller": ISSUER_ID,
                    "publicKeyMultibase": "zzzz",
                }
            ],
        },
        {
            "id": ISSUER_ID,
            "verificationMethod": [
                {
                    "id": f"{ISSUER_ID}#key-1",
                    "type": "Multikey",
                    "controller": ISSUER_ID,
                    "publicKeyMultibase": 5,
                    "created": "soon",
                }
            ],
        },
    ],
    ids=repr,
)
def test_malformed_profiles_never_raise(credential, profile):
    report = check(credential, profile=profile)
    assert first_failure(report) == "issuer key"
    assert report.verdict == "invalid"


def test_unserialisable_input_never_raises(credential):
    report = check({**credential, "name": float("nan")})
    assert report.step("format").ok is False
    report = check({**credential, "name": object()})
    assert report.step("format").ok is False


# --------------------------------------------------------------------------- offline CLI


def _run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "certificates.verify", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def files(tmp_path, credential):
    def write(name: str, document) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(document, indent=2))
        return path

    return write


def test_cli_verifies_a_good_credential(files, credential):
    result = _run(
        files("credential.json", credential),
        "--issuer-profile", files("issuer.json", make_profile()),
        "--status-list", files("status.json", make_status()),
        "--now", "2026-04-01T12:00:00Z",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:5]] == [f"PASS  {step}" for step in STEPS]
    assert lines[5] == "verdict: valid"
    assert lines[6] == "holder: Ada Lovelace"
    assert lines[7].startswith("achievement: Safe Manual Handling (https://ce.example.org/")


def test_cli_uses_the_current_time_by_default(files):
    now = datetime.now(UTC).replace(tzinfo=None)
    profile = make_profile(published(KEY1, "key-1", now - timedelta(days=2)))
    status = make_status(issued_at=now - timedelta(days=1))
    fresh = make_credential(issued_at=now - timedelta(hours=1))
    args = ("--issuer-profile", files("i.json", profile), "--status-list", files("s.json", status))
    assert _run(files("fresh.json", fresh), *args).returncode == 0
    future = make_credential(issued_at=now + timedelta(days=1))
    result = _run(files("future.json", future), *args)
    assert result.returncode == 1 and "verdict: not yet valid" in result.stdout


def test_cli_fails_a_tampered_credential(files, credential):
    tampered = _set(credential, ("credentialSubject", "creditsEarned"), 15)
    result = _run(
        files("credential.json", tampered),
        "--issuer-profile", files("issuer.json", make_profile()),
        "--status-list", files("status.json", make_status()),
        "--now", "2026-04-01T12:00:00Z",
    )  # fmt: skip
    assert result.returncode == 1
    assert "FAIL  signature: the signature does not match" in result.stdout
    assert "verdict: invalid" in result.stdout


def test_cli_fails_a_revoked_credential(files, credential):
    result = _run(
        files("credential.json", credential),
        "--issuer-profile", files("issuer.json", make_profile()),
        "--status-list", files("status.json", make_status([INDEX])),
        "--now", "2026-04-01T12:00:00Z",
    )  # fmt: skip
    assert result.returncode == 1
    assert "FAIL  status: revoked" in result.stdout
    assert "verdict: revoked" in result.stdout


def test_cli_does_not_pass_what_it_could_not_check(files, credential):
    result = _run(files("credential.json", credential), "--now", "2026-04-01T12:00:00Z")
    assert result.returncode == 1
    assert "PASS  format" in result.stdout
    assert "SKIP  issuer key: not checked: no issuer profile given" in result.stdout
    assert "SKIP  signature" in result.stdout
    assert "--issuer-profile" in result.stdout and "--status-list" in result.stdout

    result = _run(
        files("credential.json", credential),
        "--issuer-profile", files("issuer.json", make_profile()),
        "--now", "2026-04-01T12:00:00Z",
    )  # fmt: skip
    assert result.returncode == 1
    assert "PASS  signature" in result.stdout
    assert "SKIP  status: not checked: no status list given" in result.stdout
    assert "--status-list" in result.stdout


def test_cli_trusts_only_the_profile_it_is_given(files):
    forged = make_credential(key=STRANGER, key_id="key-1x")
    result = _run(
        files("credential.json", forged),
        "--issuer-profile", files("issuer.json", make_profile()),
        "--status-list", files("status.json", make_status()),
        "--now", "2026-04-01T12:00:00Z",
    )  # fmt: skip
    assert result.returncode == 1
    assert "FAIL  issuer key" in result.stdout


def test_cli_bad_input_exits_2_without_a_traceback(tmp_path, files, credential):
    bad = tmp_path / "bad.json"
    bad.write_text('{"@context": [')
    result = _run(bad)
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr and "Traceback" not in result.stderr

    result = _run(files("credential.json", credential), "--issuer-profile", tmp_path / "nope.json")
    assert result.returncode == 2
    assert "cannot read the issuer profile file" in result.stderr
    assert "Traceback" not in result.stderr

    nan = tmp_path / "nan.json"
    nan.write_text('{"name": NaN}')
    assert _run(nan).returncode == 2


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize("module", ["documents", "checking", "verify"])
def test_new_modules_stay_out_of_the_app_and_the_database(module):
    tree = ast.parse((ROOT / "certificates" / f"{module}.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"flask", "werkzeug", "sqlalchemy", "lms", "quizzes"}
    if module == "documents":
        allowed = set(sys.stdlib_module_names) | {"__future__", "cryptography", "certificates"}
        assert imported <= allowed
