"""Open Badges 3.0 signing (certificates/signing.py), checked against the official test vector.

The vector is the 1EdTech "Linked Data Proof Test Vector for Open Badges 3.0"
(cryptosuite eddsa-rdfc-2022), copied here so the test needs no files outside the repository.
Ed25519 is deterministic, so the same key and data must give the same proofValue, byte for byte.
"""

from __future__ import annotations

import ast
import base64
import copy
import gzip
import hashlib
import socket
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from pyld import jsonld

from certificates import signing
from certificates.signing import (
    STATUS_LIST_MIN_BITS,
    CanonicalizationError,
    ProofCheck,
    UnknownContextError,
    b58decode,
    b58encode,
    canonize,
    decode_status_list,
    encode_status_list,
    multibase_decode,
    multibase_encode,
    new_status_list,
    public_key_from_multibase,
    public_key_multibase,
    set_status_bit,
    sign,
    signing_input,
    status_bit,
    verify,
)

# --------------------------------------------------------------------------- the vector

SEED_HEX = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
PUBLIC_KEY_MULTIBASE = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
SECRET_KEY_MULTIBASE = (
    "zrv2bqTbNwCTsRrHFcJCPjVAduh4Ezcnoq1A3ZxH1GWTNkxipLVuaAoMFmze2gFN9oNXfJjufxSHWVZzsJiUsMHFMcx"
)
VERIFICATION_METHOD = f"https://example.edu/issuers/565049#{PUBLIC_KEY_MULTIBASE}"

UNSIGNED = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "https://example.edu/issuers/565049",
        "type": ["Profile"],
        "url": "https://www.imsglobal.org",
        "name": "Example Corp",
    },
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {
                "narrative": (
                    "Team members are nominated for this badge by their peers and recognized "
                    "upon review by Example Corp management."
                )
            },
            "description": (
                "This badge recognizes the development of the capacity to collaborate within "
                "a group environment."
            ),
            "name": "Teamwork",
        },
    },
}

PROOF_OPTIONS = {
    "type": "DataIntegrityProof",
    "created": "2010-01-01T19:23:24Z",
    "verificationMethod": VERIFICATION_METHOD,
    "cryptosuite": "eddsa-rdfc-2022",
    "proofPurpose": "assertionMethod",
}

DOCUMENT_CANON = """\
<did:example:ebfeb1f712ebc6f1c276e12ec21> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .
<did:example:ebfeb1f712ebc6f1c276e12ec21> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement> <https://example.com/achievements/21st-century-skills/teamwork> .
<http://example.com/credentials/3527> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> .
<http://example.com/credentials/3527> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .
<http://example.com/credentials/3527> <https://schema.org/name> "Teamwork Badge" .
<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:ebfeb1f712ebc6f1c276e12ec21> .
<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#issuer> <https://example.edu/issuers/565049> .
<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#validFrom> "2010-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
<https://example.com/achievements/21st-century-skills/teamwork> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .
<https://example.com/achievements/21st-century-skills/teamwork> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria> _:c14n0 .
<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/description> "This badge recognizes the development of the capacity to collaborate within a group environment." .
<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/name> "Teamwork" .
<https://example.edu/issuers/565049> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile> .
<https://example.edu/issuers/565049> <https://schema.org/name> "Example Corp" .
<https://example.edu/issuers/565049> <https://schema.org/url> "https://www.imsglobal.org"^^<https://www.w3.org/2001/XMLSchema#anyURI> .
_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> "Team members are nominated for this badge by their peers and recognized upon review by Example Corp management." .
"""  # noqa: E501

PROOF_CANON = """\
_:c14n0 <http://purl.org/dc/terms/created> "2010-01-01T19:23:24Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .
_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"^^<https://w3id.org/security#cryptosuiteString> .
_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .
_:c14n0 <https://w3id.org/security#verificationMethod> <https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi> .
"""  # noqa: E501

DOCUMENT_HASH_HEX = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
PROOF_HASH_HEX = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
SIGNATURE_HEX = (
    "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
    "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503"
)
PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(SEED_HEX))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def signed_vector() -> dict:
    """The vector's signed credential, assembled from its parts (not by sign())."""
    return {**copy.deepcopy(UNSIGNED), "proof": {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}}


def test_embedded_vector_is_self_consistent():
    """The copied N-Quads hash to the vector's published hashes: no copy error here."""
    assert hashlib.sha256(DOCUMENT_CANON.encode()).hexdigest() == DOCUMENT_HASH_HEX
    assert hashlib.sha256(PROOF_CANON.encode()).hexdigest() == PROOF_HASH_HEX
    assert multibase_decode(PROOF_VALUE).hex() == SIGNATURE_HEX


# --------------------------------------------------------------------------- the vector, reproduced


def test_document_canonical_n_quads_match_vector():
    assert canonize(UNSIGNED) == DOCUMENT_CANON


def test_proof_options_canonical_n_quads_match_vector():
    config = {**PROOF_OPTIONS, "@context": UNSIGNED["@context"]}
    assert canonize(config) == PROOF_CANON


def test_signing_input_is_proof_hash_then_document_hash():
    assert signing_input(UNSIGNED, PROOF_OPTIONS).hex() == PROOF_HASH_HEX + DOCUMENT_HASH_HEX
    # proofValue, if present, is not part of what is signed
    with_value = {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}
    assert signing_input(UNSIGNED, with_value).hex() == PROOF_HASH_HEX + DOCUMENT_HASH_HEX


def test_sign_reproduces_the_vector_proof_exactly():
    original = copy.deepcopy(UNSIGNED)
    signed = sign(
        UNSIGNED, KEY, verification_method=VERIFICATION_METHOD, created="2010-01-01T19:23:24Z"
    )
    assert signed["proof"] == {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}
    assert multibase_decode(signed["proof"]["proofValue"]).hex() == SIGNATURE_HEX
    assert {k: v for k, v in signed.items() if k != "proof"} == UNSIGNED
    assert original == UNSIGNED  # the input is left alone
    assert "proof" not in UNSIGNED
    assert signed == signed_vector()


def test_sign_refuses_what_it_cannot_sign_faithfully():
    kwargs = {"verification_method": VERIFICATION_METHOD, "created": "2010-01-01T19:23:24Z"}
    with pytest.raises(ValueError, match="already has a proof"):
        sign(signed_vector(), KEY, **kwargs)
    with pytest.raises(ValueError, match="dateTimeStamp"):
        sign(UNSIGNED, KEY, verification_method=VERIFICATION_METHOD, created="2010-01-01 19:23")
    with pytest.raises(ValueError, match="dateTimeStamp"):  # no time zone
        sign(UNSIGNED, KEY, verification_method=VERIFICATION_METHOD, created="2010-01-01T19:23:24")
    with pytest.raises(ValueError, match="valid absolute IRI"):
        sign(UNSIGNED, KEY, verification_method="#key-1", created="2010-01-01T19:23:24Z")
    with pytest.raises(CanonicalizationError, match="'colour'"):
        sign({**UNSIGNED, "colour": "blue"}, KEY, **kwargs)


def test_public_key_multibase_matches_vector():
    public = KEY.public_key()
    assert public_key_multibase(public) == PUBLIC_KEY_MULTIBASE
    assert VERIFICATION_METHOD.endswith("#" + PUBLIC_KEY_MULTIBASE)
    decoded = public_key_from_multibase(PUBLIC_KEY_MULTIBASE)
    assert signing._raw_public_bytes(decoded).hex() == PUBLIC_HEX
    assert multibase_decode(PUBLIC_KEY_MULTIBASE) == b"\xed\x01" + bytes.fromhex(PUBLIC_HEX)


def test_vector_secret_key_multibase_is_ed25519_priv_codec_seed_and_public_key():
    """An independent check of base58 decoding on the vector's longest value."""
    assert multibase_decode(SECRET_KEY_MULTIBASE) == (
        b"\x80\x26" + bytes.fromhex(SEED_HEX) + bytes.fromhex(PUBLIC_HEX)
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # a secp256k1 key (multicodec 0xe7)
        (multibase_encode(b"\xe7\x01" + bytes(33)), "not an Ed25519 public key"),
        (multibase_encode(b"\xed\x01" + bytes(31)), "31 key bytes"),
        (multibase_encode(b"\xed\x01" + bytes(33)), "33 key bytes"),
        (multibase_encode(b""), "missing"),
        ("u7QE" + "A" * 43, "starting with 'z'"),  # base64url multibase, not base58-btc
        ("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hw0", "invalid base58"),
    ],
)
def test_public_key_from_multibase_rejects_other_keys(value, message):
    with pytest.raises(ValueError, match=message):
        public_key_from_multibase(value)


# --------------------------------------------------------------------------- verify


def test_verify_accepts_the_vector_signed_credential():
    assert verify(signed_vector(), KEY.public_key()) == ProofCheck(
        True, "the signature is valid for this key"
    )


def test_verify_accepts_the_proof_as_a_one_element_array():
    credential = signed_vector()
    credential["proof"] = [credential["proof"]]
    assert verify(credential, KEY.public_key()).ok is True


def test_verify_accepts_what_sign_produces_with_another_key():
    signed = sign(
        UNSIGNED,
        OTHER_KEY,
        verification_method="https://lms.example/issuer#key-1",
        created="2026-03-02T09:00:00.123+01:00",
    )
    assert verify(signed, OTHER_KEY.public_key()).ok is True
    assert signed["proof"]["proofValue"] != PROOF_VALUE


def _change_subject(c):
    c["credentialSubject"]["achievement"]["name"] = "Teamwork!"


def _change_subject_id(c):
    c["credentialSubject"]["id"] = c["credentialSubject"]["id"][:-1] + "2"


def _change_created(c):
    c["proof"]["created"] = "2010-01-01T19:23:25Z"


def _change_proof_value(c):
    value = c["proof"]["proofValue"]
    c["proof"]["proofValue"] = value[:-1] + ("s" if value[-1] != "s" else "t")


def _change_verification_method(c):
    c["proof"]["verificationMethod"] = c["proof"]["verificationMethod"].replace("565049", "565048")


@pytest.mark.parametrize(
    "tamper",
    [
        _change_subject,
        _change_subject_id,
        _change_created,
        _change_proof_value,
        _change_verification_method,
    ],
)
def test_verify_rejects_a_one_character_change(tamper):
    credential = signed_vector()
    tamper(credential)
    check = verify(credential, KEY.public_key())
    assert check.ok is False
    assert "signature does not match" in check.reason


def test_verify_rejects_a_different_key():
    check = verify(signed_vector(), OTHER_KEY.public_key())
    assert check.ok is False
    assert "signature does not match" in check.reason


def test_verify_rejects_a_property_added_after_signing_that_json_ld_would_drop():
    """Without a safe mode the extra, undefined term would vanish and the proof would pass."""
    credential = signed_vector()
    credential["credentialSubject"]["score"] = "100%"
    check = verify(credential, KEY.public_key())
    assert check.ok is False
    assert "'score'" in check.reason


def _proof(**changes):
    credential = signed_vector()
    credential["proof"].update(changes)
    return credential


@pytest.mark.parametrize(
    ("credential", "reason"),
    [
        (UNSIGNED, "has no proof"),
        (["not", "an", "object"], "not a JSON object"),
        ({**UNSIGNED, "proof": "zabc"}, "proof is not a JSON object"),
        ({**UNSIGNED, "proof": []}, "exactly one proof, found 0"),
        (_proof(type="Ed25519Signature2020"), "proof type is 'Ed25519Signature2020'"),
        # the implementation guide's typo, which is not a cryptosuite
        (_proof(cryptosuite="eddsa-rdf-2022"), "cryptosuite is 'eddsa-rdf-2022'"),
        (_proof(proofPurpose="authentication"), "proofPurpose is 'authentication'"),
        (_proof(verificationMethod=None), "no verificationMethod"),
        (_proof(created="yesterday"), "not a valid dateTimeStamp"),
        (_proof(proofValue=None), "no proofValue"),
        (_proof(proofValue="u" + PROOF_VALUE[1:]), "must start with 'z'"),
        (_proof(proofValue="z" + "1" * 5000), "far too long"),
        (_proof(proofValue=PROOF_VALUE + "0"), "not valid base58-btc"),
        (_proof(proofValue=PROOF_VALUE[:-8]), "an Ed25519 signature has 64"),
        (_proof(**{"@context": ["https://www.w3.org/ns/credentials/v2", "urn:x"]}), "prefix"),
        ({**signed_vector(), "@context": None}, "canonicalized"),
        (
            {
                **signed_vector(),
                "@context": [*UNSIGNED["@context"], "https://example.com/evil-context.json"],
            },
            "unknown JSON-LD context",
        ),
        ({**signed_vector(), "issuer": "not-an-iri"}, "'not-an-iri' is not a valid absolute IRI"),
    ],
)
def test_verify_never_raises_and_says_why(credential, reason):
    check = verify(credential, KEY.public_key())
    assert check.ok is False
    assert reason in check.reason


def test_verify_honours_a_proof_context_that_prefixes_the_document_context():
    credential = signed_vector()
    credential["proof"]["@context"] = list(UNSIGNED["@context"])
    assert verify(credential, KEY.public_key()).ok is True


# --------------------------------------------------------------------------- offline contexts


def _forbid_network(monkeypatch) -> list:
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network use attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_unknown_context_fails_clearly_without_touching_the_network(monkeypatch):
    attempts = _forbid_network(monkeypatch)
    doc = {**UNSIGNED, "@context": [*UNSIGNED["@context"], "https://w3id.org/security/multikey/v1"]}
    with pytest.raises(UnknownContextError, match="https://w3id.org/security/multikey/v1"):
        canonize(doc)
    with pytest.raises(UnknownContextError, match="refused, not fetched"):
        signing.document_loader("https://www.w3.org/2018/credentials/v1")
    assert attempts == []


def test_the_vector_is_processed_offline(monkeypatch):
    attempts = _forbid_network(monkeypatch)
    assert canonize(UNSIGNED) == DOCUMENT_CANON
    assert verify(signed_vector(), KEY.public_key()).ok is True
    assert attempts == []


def test_pyld_global_loader_is_left_alone():
    assert jsonld.get_document_loader() is not signing.document_loader


PINNED_SHA256 = {
    "contexts/cred-v2.jsonld": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    "contexts/ob-context-3.0.3.json": (
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"
    ),
    "schemas/achievementcredential.schema.json": (
        "5753fb3ecf7d024ed273dd364bd683f483eb47257e718e6618832cf89eb2083a"
    ),
    "schemas/profile.schema.json": (
        "9b05049f720b8ad9bd7aed358ca59c643c34bf1cec0b29fd7baa8bf98efed164"
    ),
}


@pytest.mark.parametrize("relative", sorted(PINNED_SHA256))
def test_packaged_standard_documents_are_the_pinned_copies(relative):
    path = Path(signing.__file__).parent / relative
    assert hashlib.sha256(path.read_bytes()).hexdigest() == PINNED_SHA256[relative]


def test_loader_serves_each_pinned_context_as_a_fresh_copy():
    for url in signing.CONTEXT_FILES:
        first = signing.document_loader(url)
        assert first["documentUrl"] == url
        assert first["document"]["@context"]["@protected"] is True
        first["document"]["@context"]["id"] = "tampered"
        assert signing.document_loader(url)["document"]["@context"]["id"] == "@id"


# --------------------------------------------------------------------------- safe canonicalization


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="blue"), "'colour' is not defined"),
        (lambda d: d["credentialSubject"]["achievement"].update(level="gold"), "'level'"),
        (lambda d: d["issuer"].update(type=["Profile", "Company"]), "type 'Company'"),
        (lambda d: d["credentialSubject"].update(id="learner-42"), "id 'learner-42'"),
        (
            lambda d: d["issuer"].update(id="https://example.edu/issuers/565 049"),
            "'https://example.edu/issuers/565 049' is not a valid absolute IRI",
        ),
        (lambda d: d.update(name="Team\twork"), "control character"),
        (lambda d: d.update(name="Team\x0bwork"), "control character"),
        (lambda d: d["@context"].append({"name": "https://example.com/name"}), "protected term"),
    ],
)
def test_canonize_refuses_data_json_ld_would_lose(change, message):
    doc = copy.deepcopy(UNSIGNED)
    change(doc)
    with pytest.raises(CanonicalizationError, match=message):
        canonize(doc)


def test_canonize_escapes_newlines_and_quotes_in_literals():
    doc = {**UNSIGNED, "name": 'Line one\nsaid "two"\\'}
    assert '<https://schema.org/name> "Line one\\nsaid \\"two\\"\\\\" .' in canonize(doc)


def test_signing_module_imports_only_stdlib_pyld_and_cryptography():
    tree = ast.parse(Path(signing.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }
    third_party = imported - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party == {"pyld", "cryptography"}


# --------------------------------------------------------------------------- base58


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
        (b"\0\0\0\x28\x7f\xb4\xcd", "111233QC4"),
    ],
)
def test_base58_known_values(raw, encoded):
    assert b58encode(raw) == encoded
    assert b58decode(encoded) == raw


@given(zeros=st.integers(min_value=0, max_value=8), body=st.binary(max_size=96))
def test_base58_round_trips_including_leading_zero_bytes(zeros, body):
    data = b"\0" * zeros + body
    encoded = b58encode(data)
    assert b58decode(encoded) == data
    assert encoded.startswith("1" * zeros)
    assert not set(encoded) & set("0OIl")
    assert multibase_decode(multibase_encode(data)) == data


@pytest.mark.parametrize("bad", ["0", "O", "I", "l", "abc+", "ab c"])
def test_base58_rejects_characters_outside_the_alphabet(bad):
    with pytest.raises(ValueError, match="invalid base58-btc character"):
        b58decode(bad)


# --------------------------------------------------------------------------- status lists

# the W3C Bitstring Status List v1.0 specification's example encodedList: 16 KiB of zeros
SPEC_EXAMPLE_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_minimum_status_list_is_131072_bits():
    assert STATUS_LIST_MIN_BITS == 131072 == 16 * 1024 * 8
    assert len(new_status_list()) == 16384
    assert len(new_status_list(2 * STATUS_LIST_MIN_BITS)) == 32768
    with pytest.raises(ValueError, match="at least 131072"):
        new_status_list(STATUS_LIST_MIN_BITS - 8)
    with pytest.raises(ValueError, match="at least 131072"):
        encode_status_list(bytes(16383))


def test_bit_zero_is_the_most_significant_bit_of_byte_zero():
    bits = new_status_list()
    for index in (0, 9, 17, 131071):
        set_status_bit(bits, index)
    # hand-computed: index 0 -> byte 0 bit 0x80; 9 -> byte 1 bit 0x40; 17 -> byte 2 bit 0x40;
    # 131071 -> last byte bit 0x01
    assert bits[:3] == bytes([0b1000_0000, 0b0100_0000, 0b0100_0000])
    assert bits[-1] == 0b0000_0001
    assert sum(bits) == 0x80 + 0x40 + 0x40 + 0x01
    assert [status_bit(bits, i) for i in range(10)] == [True] + [False] * 8 + [True]
    set_status_bit(bits, 9, False)
    assert bits[1] == 0 and status_bit(bits, 9) is False and status_bit(bits, 0) is True


def test_status_bits_read_a_list_written_by_hand():
    bits = bytearray(16384)
    bits[2] = 0b0010_0000  # index 2 * 8 + 2 = 18
    assert [i for i in range(24) if status_bit(bits, i)] == [18]


@pytest.mark.parametrize("index", [-1, 131072, 10**9])
def test_status_bit_index_out_of_range(index):
    with pytest.raises(IndexError):
        status_bit(new_status_list(), index)
    with pytest.raises(IndexError):
        set_status_bit(new_status_list(), index)


@given(st.sets(st.integers(min_value=0, max_value=STATUS_LIST_MIN_BITS - 1), max_size=50))
def test_status_list_round_trips(revoked):
    bits = new_status_list()
    for index in revoked:
        set_status_bit(bits, index)
    decoded = decode_status_list(encode_status_list(bits))
    assert decoded == bytes(bits)
    assert {i for i in revoked if status_bit(decoded, i)} == revoked
    assert sum(bin(byte).count("1") for byte in decoded) == len(revoked)


def test_encoded_empty_list_is_short_deterministic_multibase_base64url():
    encoded = encode_status_list(new_status_list())
    assert len(encoded) < 200
    assert encoded.startswith("u")
    assert not set(encoded[1:]) - set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert encode_status_list(new_status_list()) == encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert raw[:3] == b"\x1f\x8b\x08"  # gzip, deflate
    assert raw[4:8] == b"\0\0\0\0"  # mtime 0
    assert gzip.decompress(raw) == bytes(16384)


def test_decodes_the_specification_example():
    assert decode_status_list(SPEC_EXAMPLE_LIST) == bytes(16384)


def _encode_raw(data: bytes) -> str:
    gz = gzip.compress(data, mtime=0)
    return "u" + base64.urlsafe_b64encode(gz).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        (SPEC_EXAMPLE_LIST[1:], "starting with 'u'"),
        ("z" + SPEC_EXAMPLE_LIST[1:], "starting with 'u'"),
        (SPEC_EXAMPLE_LIST + "==", "without padding"),
        (SPEC_EXAMPLE_LIST.replace("-", "+"), "without padding"),
        ("u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="), "not GZIP"),
        (SPEC_EXAMPLE_LIST[:33], "truncated"),
        (_encode_raw(bytes(1024)), "8192 bits; the minimum is 131072"),
    ],
)
def test_decode_status_list_rejects_malformed_values(encoded, message):
    with pytest.raises(ValueError, match=message):
        decode_status_list(encoded)


def test_decode_status_list_refuses_to_inflate_a_bomb():
    with pytest.raises(ValueError, match="more than 20000 bytes"):
        decode_status_list(_encode_raw(bytes(40000)), max_bytes=20000)
