"""The published Open Badges 3.0 documents: a credential, the issuer profile, the status list.

Plain functions that return plain dicts (JSON-LD), built from values the caller passes; no
database, no framework, no network. Signing is :mod:`certificates.signing`
(``eddsa-rdfc-2022`` Data Integrity proofs over the pinned contexts).

URL layout, from the site's absolute base URL ``base`` (no trailing slash):

=========================  =================================================
issuer profile             ``{base}/issuer``
a key (verificationMethod) ``{base}/issuer#{key_id}``
credential                 ``{base}/credentials/{public_id}``
status list credential     ``{base}/status/revocation``
a credential's status      ``{base}/status/revocation#{index}``
achievement                ``{base}/courses/{course_slug}/v{course_version}#achievement``
=========================  =================================================

Choices worth knowing (each is checked by ``tests/test_credentials.py``):

* **Proof form.** The credential and the status list carry their proof as a single object,
  as in the Open Badges 3.0 and VC 2.0 examples and the 1EdTech test vector (this is what
  :func:`certificates.signing.sign` emits). The official JSON Schema types ``proof`` as an
  array. In JSON-LD the two are the same data (VC 2.0 maps ``proof`` to a ``@graph``
  container: a lone object is a one-element set), the 1EdTech working group agreed to accept
  the compacted form (openbadges-specification issue #473) and the official validator accepts
  both. So :func:`certificates.checking.schema_errors` validates a credential against the
  pinned official schema after exactly one rewrite, ``proof: {...}`` to ``proof: [{...}]``;
  every other property is validated as it is, and an array-form proof validates unchanged.
* **Credit unit and approval number.** Open Badges 3.0 has ``creditsAvailable`` and
  ``creditsEarned`` (numbers) but no term for the unit, nor for an accreditation approval
  number. Both go in the achievement's ``otherIdentifier`` (``IdentifierEntry``, a defined
  OB 3.0 term), typed with the extension form the IdentifierTypeEnum allows:
  ``ext:creditUnit`` (always) and ``ext:approvalNumber`` (when the course has one). The
  criteria narrative says the same in words, for people.
* **activityEndDate.** The OB 3.0.3 context types it ``xsd:date`` while the data model and
  the official JSON Schema say DateTime (``format: date-time``) and the examples write
  ``2010-01-01T00:00:00Z`` (openbadges-specification issue #645, open). We follow the schema
  and the examples: the completion date at ``T00:00:00Z``.
* **Numbers.** Credits are written as a JSON integer when whole (``2``, not ``2.0``): JSON
  parsers in other languages read ``2.0`` as an integer, and canonicalizers would then
  write a different literal (``"2"`` vs ``"2.0E0"``), breaking the signature elsewhere.
* **Times** are whole seconds in UTC with a ``Z``. Naive datetimes are taken as UTC.
* **Text** goes in as given except that tabs become spaces and other control characters
  (bar newlines) are dropped: canonicalizers escape them inconsistently, so
  :func:`certificates.signing.canonize` refuses them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import signing
from certificates.snapshot import CertificateFacts

__all__ = [
    "KEY_CREATED_TERM",
    "MULTIKEY_CONTEXT",
    "OB_CONTEXT",
    "PROFILE_INLINE_CONTEXT",
    "VC_CONTEXT",
    "Issuer",
    "PublishedKey",
    "SigningKey",
    "achievement_id",
    "build_credential",
    "build_issuer_profile",
    "build_status_list",
    "credential_id",
    "email_identity_hash",
    "issuer_id",
    "iso_z",
    "key_url",
    "status_entry_id",
    "status_list_id",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

#: Where a published key's creation date goes: Dublin Core ``created`` (the IRI the VC 2.0
#: context itself uses for a proof's ``created``), typed ``xsd:dateTime``. Neither the VC,
#: OB nor Multikey context defines a creation date for a key, nor ``verificationMethod`` /
#: ``assertionMethod`` on a Profile, so the profile defines these three terms inline, with
#: the IRIs the W3C security vocabulary (and the DID / controlled-identifier contexts) use.
KEY_CREATED_TERM = "created"
PROFILE_INLINE_CONTEXT: dict[str, Any] = {
    "verificationMethod": {"@id": "https://w3id.org/security#verificationMethod", "@type": "@id"},
    "assertionMethod": {
        "@id": "https://w3id.org/security#assertionMethod",
        "@type": "@id",
        "@container": "@set",
    },
    KEY_CREATED_TERM: {
        "@id": "http://purl.org/dc/terms/created",
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    },
}

_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,99}")
_PUBLIC_ID = re.compile(r"[A-Za-z0-9._~-]{1,200}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Issuer:
    """Who issues: the site. ``base_url`` is absolute, e.g. ``https://ce.example.org``."""

    base_url: str
    name: str
    url: str
    email: str | None = None


@dataclass(frozen=True)
class PublishedKey:
    """A public key as listed in the issuer profile; datetimes are naive UTC."""

    key_id: str
    public_key_multibase: str
    created: datetime
    retired: datetime | None


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_key: Ed25519PrivateKey


# --------------------------------------------------------------------------- URLs


def _base(issuer: Issuer) -> str:
    base = issuer.base_url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"issuer base_url {issuer.base_url!r} is not an absolute http(s) URL")
    return base


def _checked_key_id(key_id: str) -> str:
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise ValueError(f"key id {key_id!r} must be letters, digits and . _ ~ - (e.g. key-1)")
    return key_id


def issuer_id(issuer: Issuer) -> str:
    return f"{_base(issuer)}/issuer"


def key_url(issuer: Issuer, key_id: str) -> str:
    """The verificationMethod id of a key: ``{base}/issuer#{key_id}``."""
    return f"{issuer_id(issuer)}#{_checked_key_id(key_id)}"


def credential_id(issuer: Issuer, public_id: str) -> str:
    if not isinstance(public_id, str) or not _PUBLIC_ID.fullmatch(public_id):
        raise ValueError(f"public id {public_id!r} must be URL-safe (letters, digits, . _ ~ -)")
    return f"{_base(issuer)}/credentials/{public_id}"


def status_list_id(issuer: Issuer) -> str:
    return f"{_base(issuer)}/status/revocation"


def status_entry_id(issuer: Issuer, index: int) -> str:
    return f"{status_list_id(issuer)}#{index}"


def achievement_id(issuer: Issuer, course_slug: str, course_version: int) -> str:
    if not course_slug:
        raise ValueError("course slug is empty")
    slug = quote(course_slug, safe="-._~")
    return f"{_base(issuer)}/courses/{slug}/v{int(course_version)}#achievement"


# --------------------------------------------------------------------------- helpers


def iso_z(moment: datetime) -> str:
    """``2026-03-02T09:00:00Z``: UTC, whole seconds; a naive datetime is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _date_z(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _text(value: str) -> str:
    """Text safe to sign: CRLF/CR become LF, tabs spaces, other control characters go."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", value)


def _number(value: Decimal) -> int | float:
    """A JSON number for credits: an int when whole, so every JSON parser reads it alike."""
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"credits must be a finite number, not {value}")
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def email_identity_hash(email: str, salt: str) -> str:
    """An Open Badges ``IdentityHash`` of an email address: ``sha256$`` + lowercase hex.

    OB 3.0 defines it as the SHA-256 of the identifier with the salt appended, both UTF-8
    (its example: ``a@example.com`` salted with ``Kosher`` gives ``sha256$b5809d8a…``). The
    address is first normalised as the LMS stores it (surrounding blanks removed,
    lowercased), so a verifier who types the address in another case still gets a match.
    """
    normalized = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalized + salt).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- documents


def build_credential(
    *,
    issuer: Issuer,
    key: SigningKey,
    public_id: str,
    facts: CertificateFacts,
    course_slug: str,
    course_description: str,
    learner_email: str,
    salt: str,
    status_index: int,
    issued_at: datetime,
    valid_until: datetime | None = None,
    criteria_narrative: str | None = None,
    signed_at: datetime | None = None,
) -> dict[str, Any]:
    """The signed ``OpenBadgeCredential`` for one certificate (sign it once, then store it).

    ``issued_at`` is ``validFrom``; the proof's ``created`` is ``signed_at``, by default the
    same. A verifier accepts a proof only if it was created while the key was in use, so a
    certificate issued before its signing key existed (signed later, on first use) must pass
    ``signed_at`` = now. ``salt`` salts the learner's email hash (a fresh random value per
    credential keeps the hashes from linking credentials); it is published in the
    credential. ``status_index`` is the credential's bit in the revocation list.
    ``criteria_narrative`` replaces the default sentence on how the achievement is earned.
    The proof is a single object (see the module docstring for why this still validates
    against the official schema).
    """
    if not isinstance(status_index, int) or isinstance(status_index, bool) or status_index < 0:
        raise ValueError(f"status index must be a non-negative int, not {status_index!r}")
    if not salt:
        raise ValueError("salt must not be empty: an unsalted email hash is easy to reverse")
    the_issuer = issuer_id(issuer)
    credits = _number(facts.credits)
    title = _text(facts.course_title)

    other_identifiers = [
        {
            "type": "IdentifierEntry",
            "identifier": _text(facts.credit_unit),
            "identifierType": "ext:creditUnit",
        }
    ]
    narrative = criteria_narrative or (
        f"Completed the course “{title}” (version {facts.course_version}) offered by "
        f"{_text(facts.provider)}, including its final assessment."
    )
    narrative += f" Credits: {facts.credits_text}."
    if facts.approval_number:
        other_identifiers.append(
            {
                "type": "IdentifierEntry",
                "identifier": _text(facts.approval_number),
                "identifierType": "ext:approvalNumber",
            }
        )
        narrative += f" Approval number: {facts.approval_number}."

    achievement: dict[str, Any] = {
        "id": achievement_id(issuer, course_slug, facts.course_version),
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": title,
        "description": _text(course_description) or f"The course “{title}”.",
        "criteria": {"narrative": _text(narrative)},
        "creditsAvailable": credits,
        "version": str(facts.course_version),
        "otherIdentifier": other_identifiers,
    }
    profile: dict[str, Any] = {
        "id": the_issuer,
        "type": ["Profile"],
        "name": _text(issuer.name),
        "url": issuer.url,
    }
    if issuer.email:
        profile["email"] = issuer.email
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(issuer, public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "issuer": profile,
        "validFrom": iso_z(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": email_identity_hash(learner_email, salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                },
                {
                    "type": "IdentityObject",
                    "identityHash": _text(facts.learner_name),
                    "identityType": "name",
                    "hashed": False,
                },
            ],
            "achievement": achievement,
            "creditsEarned": credits,
            "activityEndDate": _date_z(facts.completed_on),
        },
        "credentialStatus": {
            "id": status_entry_id(issuer, status_index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_id(issuer),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = iso_z(valid_until)
    return signing.sign(
        credential,
        key.private_key,
        verification_method=key_url(issuer, key.key_id),
        created=iso_z(signed_at if signed_at is not None else issued_at),
    )


def build_issuer_profile(*, issuer: Issuer, keys: Sequence[PublishedKey]) -> dict[str, Any]:
    """The issuer's published ``Profile``, listing every key (retired ones too) as a Multikey.

    Retired keys stay listed, with ``expires`` = the retirement time, so credentials they
    signed before then still verify; a verifier refuses a proof of theirs made later. Each
    key's creation time is under ``created`` (Dublin Core, defined inline: see
    :data:`PROFILE_INLINE_CONTEXT`). Every key is also listed in ``assertionMethod``, which
    is where Data Integrity verifiers look for keys allowed to sign credentials.

    Not signed: the third context (Multikey) is not one of the pinned signing contexts,
    only a reference for consumers.
    """
    the_issuer = issuer_id(issuer)
    seen: set[str] = set()
    methods = []
    for published in sorted(keys, key=lambda k: (k.created, k.key_id)):
        method_id = key_url(issuer, published.key_id)
        if method_id in seen:
            raise ValueError(f"key id {published.key_id!r} is listed twice")
        seen.add(method_id)
        signing.public_key_from_multibase(published.public_key_multibase)  # ValueError if bad
        if published.retired is not None and published.retired < published.created:
            raise ValueError(f"key {published.key_id!r} is retired before it was created")
        method: dict[str, Any] = {
            "id": method_id,
            "type": "Multikey",
            "controller": the_issuer,
            "publicKeyMultibase": published.public_key_multibase,
            KEY_CREATED_TERM: iso_z(published.created),
        }
        if published.retired is not None:
            method["expires"] = iso_z(published.retired)
        methods.append(method)
    profile: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT, MULTIKEY_CONTEXT, dict(PROFILE_INLINE_CONTEXT)],
        "id": the_issuer,
        "type": ["Profile"],
        "name": _text(issuer.name),
        "url": issuer.url,
    }
    if issuer.email:
        profile["email"] = issuer.email
    profile["verificationMethod"] = methods
    profile["assertionMethod"] = [method["id"] for method in methods]
    return profile


def build_status_list(
    *,
    issuer: Issuer,
    key: SigningKey,
    revoked_indices: Iterable[int],
    issued_at: datetime,
    valid_until: datetime | None = None,
    length: int = signing.STATUS_LIST_MIN_BITS,
) -> dict[str, Any]:
    """The signed ``BitstringStatusListCredential`` of revocations (bit set = revoked).

    ``valid_until`` ends the list's validity: a verifier then needs a fresh one, so a copy
    saved before a revocation cannot vouch for the revoked credential for ever.
    Raises IndexError for an index outside the list, ValueError for a bad ``length``.
    """
    bits = signing.new_status_list(length)
    for index in revoked_indices:
        signing.set_status_bit(bits, index)
    the_list = status_list_id(issuer)
    credential = {
        "@context": [VC_CONTEXT],
        "id": the_list,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(issuer),
        "validFrom": iso_z(issued_at),
        **({"validUntil": iso_z(valid_until)} if valid_until is not None else {}),
        "credentialSubject": {
            "id": f"{the_list}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": signing.encode_status_list(bits),
        },
    }
    return signing.sign(
        credential,
        key.private_key,
        verification_method=key_url(issuer, key.key_id),
        created=iso_z(issued_at),
    )
