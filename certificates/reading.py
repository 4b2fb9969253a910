"""What a signed document says, read from its meaning as signed, never from a key name alone.

A Data Integrity proof signs a document's meaning as linked data (its canonical RDF), not its
JSON key names. Left alone, a holder could add an inline ``@context`` entry that maps a new
key (``"cs"``) to the IRI of ``credentialStatus`` and rename the key: the signature still
verifies, and a verifier reading ``credential["credentialStatus"]`` finds nothing and calls a
revoked credential valid. So before a verdict reads a field, :func:`read_signed`:

1. pins the contexts: exactly the URLs we issue with, in that order (no inline entry, no
   unknown, extra, repeated or reordered URL);
2. refuses any key that is not a plain term: a JSON-LD keyword in place of a term (``@type``
   for ``type``) or an IRI (anything with a colon), at any depth, and ``@context`` anywhere
   but the top;
3. expands the document over the pinned contexts and reads every field a verdict depends on
   by its IRI (:class:`SignedReading`);
4. reads the same fields by their key names and refuses the document when the two disagree,
   so a tool that reads keys (ours, or a generic one) sees what was signed.

Pure functions over plain dicts; no network (the contexts are the packaged, pinned copies).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from certificates import signing

__all__ = [
    "CREDENTIAL_CONTEXTS",
    "OB_CONTEXT",
    "STATUS_LIST_CONTEXTS",
    "NotAsSigned",
    "SignedReading",
    "StatusEntry",
    "VC_CONTEXT",
    "check_contexts",
    "check_form",
    "read_signed",
    "reading_of_own",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: The contexts an Open Badges credential from this issuer carries, in this order.
CREDENTIAL_CONTEXTS = (VC_CONTEXT, OB_CONTEXT)
#: The contexts of the issuer's revocation list (a BitstringStatusListCredential).
STATUS_LIST_CONTEXTS = (VC_CONTEXT,)

_VC = "https://www.w3.org/2018/credentials#"
_STATUS = "https://www.w3.org/ns/credentials/status#"
_OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
_SCHEMA = "https://schema.org/"
_SECURITY = "https://w3id.org/security#"


class NotAsSigned(ValueError):
    """The document could say something other than what a verifier reads; the message names
    what and why."""


@dataclass(frozen=True)
class StatusEntry:
    """One ``credentialStatus`` entry."""

    id: str | None
    type: str | None
    purpose: str | None
    index: str | None
    list_url: str | None


@dataclass(frozen=True)
class SignedReading:
    """The fields a verdict depends on, as the signed document means them.

    Types are local names (``BitstringStatusListEntry``), other values as written. For a
    status list, ``subject_type``, ``list_purpose`` and ``encoded_list`` describe its
    subject; for a credential, ``holder_name`` and the achievement fields do.
    """

    id: str | None
    issuer: str | None
    valid_from: str | None
    valid_until: str | None
    statuses: tuple[StatusEntry, ...]
    proofs: int
    holder_name: str | None = None
    achievement_id: str | None = None
    achievement_name: str | None = None
    subject_type: str | None = None
    list_purpose: str | None = None
    encoded_list: str | None = None


# --------------------------------------------------------------------------- contexts and keys


def check_contexts(document: dict[str, Any], pinned: tuple[str, ...]) -> None:
    """Raise :class:`NotAsSigned` unless ``@context`` is exactly ``pinned``, in order.

    Exactly: this issuer signs with no other context, and every extra one (even another
    packaged URL) would be one more vocabulary a verifier has to reason about."""
    contexts = document.get("@context")
    expected = ", ".join(pinned)
    if not isinstance(contexts, list):
        raise NotAsSigned(f"@context must be the list [{expected}], not {_kind(contexts)}")
    for position, entry in enumerate(contexts):
        if isinstance(entry, dict):
            raise NotAsSigned(
                f"@context entry {position + 1} is an inline context "
                f"({_short(entry)}); only the pinned context URLs are accepted, because an "
                "inline entry can rename the fields a verifier reads"
            )
        if not isinstance(entry, str):
            raise NotAsSigned(f"@context entry {position + 1} is {_kind(entry)}, not a URL")
    for position, url in enumerate(pinned):
        if position >= len(contexts):
            raise NotAsSigned(f"@context lacks {url}: it must be [{expected}]")
        if contexts[position] != url:
            found = contexts[position]
            ordinal = ("first", "second", "third")[position] if position < 3 else "next"
            if found in pinned:
                why = f" (the pinned contexts come in the order [{expected}])"
            elif _near(found, url):
                why = " (a look-alike: it differs in a few characters)"
            else:
                why = ""
            raise NotAsSigned(f"the {ordinal} @context must be {url}, not {found!r}{why}")
    for url in contexts[len(pinned) :]:
        if url in pinned:
            raise NotAsSigned(f"@context lists {url} more than once")
        raise NotAsSigned(
            f"@context {url!r} is not one this verifier has pinned for this document "
            f"(it must be exactly [{expected}])"
        )


#: More JSON values than any credential or status list of ours holds (a credential has about
#: 70). JSON-LD processing grows faster than linearly with the number of values: a document
#: of thousands of values would keep a verifier busy for minutes.
MAX_VALUES = 500


def check_form(document: dict[str, Any], pinned: tuple[str, ...]) -> None:
    """Raise :class:`NotAsSigned` unless the document is of a credential's size, uses no
    blank-node identifiers, its contexts are ``pinned`` and every key is a plain term (no
    keyword in place of a term, no IRI, no ``@context`` below the top)."""
    _check_size_and_ids(document)
    check_contexts(document, pinned)
    _check_keys(document, "", top=True)


def _check_size_and_ids(document: Any) -> None:
    count, pending = 0, [document]
    while pending:
        value = pending.pop()
        count += 1
        if count > MAX_VALUES:
            raise NotAsSigned(
                f"the document holds more than {MAX_VALUES} values; no credential or status "
                "list of this issuer is that large, and processing it would take minutes"
            )
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and value.startswith("_:"):
            raise NotAsSigned(
                f"{value[:40]!r} is a blank-node identifier; this issuer never writes one, and "
                "a web of them can make canonicalization run for hours"
            )


def _check_keys(node: Any, where: str, *, top: bool) -> None:
    if isinstance(node, list):
        for position, item in enumerate(node):
            _check_keys(item, f"{where}[{position}]", top=False)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@context" and top:
            continue
        path = f"{where}.{key}" if where else key
        if not isinstance(key, str) or key.startswith("@"):
            raise NotAsSigned(
                f"key {path!r} is a JSON-LD keyword written in place of a term; only the "
                "terms of the pinned contexts are accepted"
            )
        if ":" in key:
            raise NotAsSigned(
                f"key {path!r} is an IRI written in place of a term; only the terms of the "
                "pinned contexts are accepted, so that every field is read under its own name"
            )
        _check_keys(value, path, top=False)


# --------------------------------------------------------------------------- reading


def read_signed(document: dict[str, Any], pinned: tuple[str, ...]) -> SignedReading:
    """The verdict's fields of ``document`` as signed; :class:`NotAsSigned` when the contexts
    are not ``pinned``, a key is not a plain term, or a field's key says something other
    than its meaning."""
    if not isinstance(document, dict):
        raise NotAsSigned(f"the document is {_kind(document)}, not a JSON object")
    check_form(document, pinned)
    try:
        expanded = signing.expand(document)
    except signing.CanonicalizationError as exc:
        raise NotAsSigned(str(exc)) from None
    if len(expanded) != 1 or not isinstance(expanded[0], dict) or "@graph" in expanded[0]:
        raise NotAsSigned("the document must describe exactly one credential")
    meant = _reading_of_expanded(expanded[0])
    written = _reading_of_keys(document)
    for field in fields(SignedReading):
        by_key, as_signed = getattr(written, field.name), getattr(meant, field.name)
        if by_key != as_signed:
            raise NotAsSigned(
                f"the document's {_FIELD_NAMES[field.name]} reads {by_key!r} by its key but "
                f"means {as_signed!r} as signed: it is written under another name"
            )
    return meant


_FIELD_NAMES = {
    "id": "id",
    "issuer": "issuer",
    "valid_from": "validFrom",
    "valid_until": "validUntil",
    "statuses": "credentialStatus",
    "proofs": "proof",
    "holder_name": "holder's name",
    "achievement_id": "achievement id",
    "achievement_name": "achievement name",
    "subject_type": "credentialSubject type",
    "list_purpose": "status list's statusPurpose",
    "encoded_list": "status list's encodedList",
}


def _reading_of_expanded(node: dict[str, Any]) -> SignedReading:
    subject = _one_node(node, _VC + "credentialSubject")
    achievement = _one_node(subject, _OB + "achievement") if subject else None
    statuses = tuple(
        StatusEntry(
            id=entry.get("@id"),
            type=_one_type(entry),
            purpose=_one_value(entry, _STATUS + "statusPurpose"),
            index=_one_value(entry, _STATUS + "statusListIndex"),
            list_url=_one_id(entry, _STATUS + "statusListCredential"),
        )
        for entry in _nodes(node, _VC + "credentialStatus")
    )
    holder = None
    if subject is not None:
        for identity in _nodes(subject, _OB + "identifier"):
            if _one_value(identity, _OB + "identityType") == "name" and (
                _one_value(identity, _OB + "hashed") is False
            ):
                holder = _one_value(identity, _OB + "identityHash")
    return SignedReading(
        id=node.get("@id"),
        issuer=_one_id(node, _VC + "issuer"),
        valid_from=_one_value(node, _VC + "validFrom"),
        valid_until=_one_value(node, _VC + "validUntil"),
        statuses=statuses,
        proofs=len(node.get(_SECURITY + "proof", [])),
        holder_name=holder,
        achievement_id=achievement.get("@id") if achievement else None,
        achievement_name=_one_value(achievement, _SCHEMA + "name") if achievement else None,
        subject_type=_one_type(subject) if subject else None,
        list_purpose=_one_value(subject, _STATUS + "statusPurpose") if subject else None,
        encoded_list=_one_value(subject, _STATUS + "encodedList") if subject else None,
    )


def reading_of_own(document: dict[str, Any]) -> SignedReading:
    """The fields of a credential this issuer built and sealed itself, read by key name:
    safe only because no one else chose its keys (see :mod:`certificates.sealing`)."""
    return _reading_of_keys(document)


def _reading_of_keys(document: dict[str, Any]) -> SignedReading:
    """The same fields read the way a tool that trusts key names reads them."""
    subject = _first(document.get("credentialSubject"))
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    statuses = tuple(
        StatusEntry(
            id=entry.get("id"),
            type=_local(_first(entry.get("type"))),
            purpose=entry.get("statusPurpose"),
            index=entry.get("statusListIndex"),
            list_url=entry.get("statusListCredential"),
        )
        for entry in _as_list(document.get("credentialStatus"))
        if isinstance(entry, dict)
    )
    holder = None
    for identity in _as_list(subject.get("identifier")):
        if (
            isinstance(identity, dict)
            and identity.get("identityType") == "name"
            and identity.get("hashed") is False
        ):
            holder = identity.get("identityHash")
    issuer = document.get("issuer")
    proof = document.get("proof")
    return SignedReading(
        id=document.get("id"),
        issuer=issuer.get("id") if isinstance(issuer, dict) else issuer,
        valid_from=document.get("validFrom"),
        valid_until=document.get("validUntil"),
        statuses=statuses,
        proofs=0 if proof is None else len(_as_list(proof)),
        holder_name=holder,
        achievement_id=achievement.get("id"),
        achievement_name=achievement.get("name"),
        subject_type=_local(_first(subject.get("type"))) if subject else None,
        list_purpose=subject.get("statusPurpose"),
        encoded_list=subject.get("encodedList"),
    )


# --------------------------------------------------------------------------- expanded form


def _nodes(node: dict[str, Any] | None, iri: str) -> list[dict[str, Any]]:
    values = node.get(iri, []) if node else []
    if values and "@graph" in values[0]:  # a graph container (the proof): its nodes
        values = [item for value in values for item in value.get("@graph", [])]
    return [value for value in values if isinstance(value, dict) and "@value" not in value]


def _at_most_one(values: list[Any], iri: str) -> Any:
    """The one value stated, or None; a field stated twice is refused (which would count?)."""
    if len(values) > 1:
        raise NotAsSigned(f"the document states {_local(iri)} {len(values)} times")
    return values[0] if values else None


def _one_node(node: dict[str, Any], iri: str) -> dict[str, Any] | None:
    return _at_most_one(_nodes(node, iri), iri)


def _one_value(node: dict[str, Any], iri: str) -> Any:
    value = _at_most_one(node.get(iri, []), iri)
    return None if value is None else value.get("@value", value.get("@id"))


def _one_id(node: dict[str, Any], iri: str) -> str | None:
    value = _at_most_one(node.get(iri, []), iri)
    return None if value is None else value.get("@id")


def _one_type(node: dict[str, Any]) -> str | None:
    types = node.get("@type", [])
    return _local(types[0]) if types else None


# --------------------------------------------------------------------------- small helpers


def _local(iri: Any) -> Any:
    """``https://…/status#BitstringStatusListEntry`` -> ``BitstringStatusListEntry``."""
    if isinstance(iri, str):
        return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return iri


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    return "null" if value is None else type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _near(found: str, pinned: str) -> bool:
    """True when ``found`` is within a few edits of ``pinned`` (a look-alike URL)."""
    if abs(len(found) - len(pinned)) > 3:
        return False
    previous = list(range(len(pinned) + 1))
    for i, a in enumerate(found, 1):
        current = [i]
        for j, b in enumerate(pinned, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1] <= 3
