"""Verify an Open Badges 3.0 credential as an outside verifier would, one named step at a time.

:func:`check_credential` never raises on malformed input: every problem is a :class:`Step`
with a plain-English ``detail``, and the :class:`Report` has one verdict. It trusts a key only
because the issuer profile it is given lists it (a ``verificationMethod`` that merely starts
with the issuer's URL is not enough), and uses no network: the caller passes the issuer
profile and the status list it fetched or built.

The steps, in order (:data:`STEPS`):

``format``
    a JSON object with exactly the pinned VC 2.0 and OB 3.0.3 contexts (no inline or other
    entry), the credential types, one ``eddsa-rdfc-2022`` DataIntegrityProof, valid against
    the official ``achievementcredential`` JSON Schema (the failing property is named), and
    written with plain terms only, so that its key names say what its signed meaning says
    (:mod:`certificates.reading`). A proof given as a single object is validated as the
    one-element array the schema describes; the two are the same JSON-LD (see
    :mod:`certificates.documents`).
``issuer key``
    the issuer profile's ``id`` is the credential's issuer (and ``trusted_issuer_id`` when
    given); the proof's ``verificationMethod`` is one of the profile's Multikeys (controlled
    by the issuer, listed in ``assertionMethod`` when the profile has one, not ``revoked``),
    and the proof was created within the key's ``[created, expires]``.
``signature``
    the ``eddsa-rdfc-2022`` proof verifies with that key (:func:`certificates.signing.verify`).
``status``
    the credential has its revocation entry (this issuer always gives one: a credential
    without it is refused, not passed); when a status list is given: it is the list the
    entry points at, in the same pinned, plain form, issued by the same issuer and signed by
    one of the profile's keys, current, and the credential's bit is clear.
``validity dates``
    ``validFrom <= now < validUntil``.

Every field a verdict depends on (issuer, status entry, dates, and the holder and achievement
a verifier is shown) is taken from :class:`certificates.reading.SignedReading`, read from the
document's expanded form, never from a key that might be an alias.

Verdicts: ``"valid"`` when format, issuer key, signature and validity dates pass and the
status passed or was not checked (no status list given: the step says so); otherwise
``"invalid"`` (a step failed, or the signature could not be checked), ``"revoked"``,
``"expired"`` or ``"not yet valid"``, in that order of precedence.

The costly part (schema validation, canonicalization, Ed25519) is :func:`signature_checks`,
cached on the exact JSON texts of the credential and of the profile's keys, so an app that
checks the same stored credential again pays for it once. The status list's signature is
cached the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import best_match

from certificates import signing
from certificates.reading import (
    CREDENTIAL_CONTEXTS,
    OB_CONTEXT,
    STATUS_LIST_CONTEXTS,
    NotAsSigned,
    SignedReading,
    check_form,
    read_signed,
    reading_of_own,
)
from certificates.sealing import seal_matches

__all__ = [
    "STEPS",
    "Report",
    "Step",
    "check_credential",
    "profile_keys_json",
    "schema_errors",
    "signature_checks",
]

STEPS = ("format", "issuer key", "signature", "status", "validity dates")

_OB_CONTEXT_ANY = re.compile(
    r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$"
)


@dataclass(frozen=True)
class Step:
    """One check: ``ok`` is True (passed), False (failed) or None (not checked)."""

    name: str
    ok: bool | None
    detail: str

    @property
    def label(self) -> str:
        return {True: "PASS", False: "FAIL", None: "SKIP"}[self.ok]


@dataclass(frozen=True)
class Report:
    steps: tuple[Step, ...]
    #: "valid" | "invalid" | "revoked" | "expired" | "not yet valid"
    verdict: str
    #: what the credential says as signed (None when its format could not be read)
    reading: SignedReading | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"

    @property
    def complete(self) -> bool:
        """Every step was checked and passed (a skipped step is not a pass)."""
        return all(step.ok is True for step in self.steps)

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)


# --------------------------------------------------------------------------- dates

_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def _parse_time(value: Any) -> datetime:
    """An RFC 3339 date-time with its offset, as naive UTC; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date-time string")
    match = _DATE_TIME.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a date-time like 2026-03-02T09:00:00Z")
    fraction = (match.group(7) or "")[1:7].ljust(6, "0")
    offset = match.group(8).upper().replace("Z", "+00:00")
    text = f"{value[:19]}.{fraction}{offset}".replace("t", "T")
    moment = datetime.fromisoformat(text)  # ValueError for 2026-02-30 and the like
    return moment.astimezone(UTC).replace(tzinfo=None)


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _shown(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


# --------------------------------------------------------------------------- schemas

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_parse_time(value))


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{value!r} is not a date like 2026-03-02")
        date.fromisoformat(value)
    return True


@cache
def _validator(name: str) -> Draft201909Validator:
    text = resources.files(__package__).joinpath("schemas", f"{name}.schema.json").read_text()
    return Draft201909Validator(json.loads(text), format_checker=_FORMATS)


def schema_errors(document: Any, schema: str = "achievementcredential") -> list[str]:
    """Problems found by the official OB 3.0 JSON Schema ``schema`` (``achievementcredential``
    or ``profile``, pinned in ``certificates/schemas``, no remote ``$ref``), most relevant
    first, each as ``"<JSON path>: <message>"``; ``[]`` when valid.

    Dates are checked as RFC 3339 date-times. A single-object ``proof`` is validated as the
    one-element array the schema describes (the same JSON-LD); nothing else is rewritten.
    """
    if isinstance(document, dict) and isinstance(document.get("proof"), dict):
        document = {**document, "proof": [document["proof"]]}
    errors = list(_validator(schema).iter_errors(document))
    if not errors:
        return []
    first = best_match(errors)
    ordered = [first, *(error for error in errors if error is not first)]
    return [f"{_path(error)}: {_message(error)}" for error in ordered]


def _path(error: Any) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(parts).lstrip(".") or "(the document)"


def _message(error: Any) -> str:
    message = error.message
    if len(message) > 200:
        message = message[:200] + "…"
    return message


# --------------------------------------------------------------------------- format


def _proof_of(credential: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    proof = credential.get("proof")
    if proof is None:
        return None, "the credential has no proof"
    if isinstance(proof, list):
        if len(proof) != 1:
            return None, f"expected exactly one proof, found {len(proof)}"
        proof = proof[0]
    if not isinstance(proof, dict):
        return None, "the proof is not a JSON object"
    expected = {
        "type": signing.PROOF_TYPE,
        "cryptosuite": signing.CRYPTOSUITE,
        "proofPurpose": signing.PROOF_PURPOSE,
    }
    for key, value in expected.items():
        if proof.get(key) != value:
            return None, f"the proof's {key} is {proof.get(key)!r}, expected {value!r}"
    for key in ("verificationMethod", "proofValue"):
        if not isinstance(proof.get(key), str) or not proof[key]:
            return None, f"the proof has no {key}"
    try:
        _parse_time(proof.get("created"))
    except ValueError as exc:
        return None, f"the proof's created date is missing or wrong: {exc}"
    return proof, ""


def _issuer_id_of(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


def _check_format(credential: Any) -> Step:
    def fail(detail: str) -> Step:
        return Step("format", False, detail)

    if not isinstance(credential, dict):
        return fail(f"the credential is not a JSON object but {_json_kind(credential)}")
    contexts = credential.get("@context")
    if (
        isinstance(contexts, list)
        and len(contexts) > 1
        and isinstance(contexts[1], str)
        and contexts[1] != OB_CONTEXT
        and _OB_CONTEXT_ANY.match(contexts[1])
    ):
        return fail(
            f"the credential uses the OB context {contexts[1]}; this verifier has only "
            f"{OB_CONTEXT} pinned"
        )
    try:
        check_form(credential, CREDENTIAL_CONTEXTS)
    except NotAsSigned as exc:
        return fail(str(exc))
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return fail("type must be a list including 'VerifiableCredential'")
    if not {"OpenBadgeCredential", "AchievementCredential"} & set(
        t for t in types if isinstance(t, str)
    ):
        return fail("type must include 'OpenBadgeCredential' (or 'AchievementCredential')")
    if _issuer_id_of(credential) is None:
        return fail("the credential has no issuer id")
    _, problem = _proof_of(credential)
    if problem:
        return fail(problem)
    problems = schema_errors(credential)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return fail(f"not valid against the Open Badges 3.0 schema at {problems[0]}{more}")
    return Step(
        "format",
        True,
        "an Open Badges 3.0 credential with the pinned contexts, valid against the official "
        "schema, its fields under their own names",
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return type(value).__name__


# --------------------------------------------------------------------------- keys


def profile_keys_json(issuer_profile: Any) -> str:
    """The part of an issuer profile the key checks read (id and keys), as stable JSON text:
    the cache key :func:`signature_checks` takes."""
    if isinstance(issuer_profile, dict):
        issuer_profile = {
            key: issuer_profile[key]
            for key in ("id", "verificationMethod", "assertionMethod")
            if key in issuer_profile
        }
    try:
        return _dump(issuer_profile)
    except ValueError:
        return json.dumps("not JSON")


def _dump(value: Any) -> str:
    """Stable JSON text; ValueError for anything JSON cannot carry (NaN, objects...)."""
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(str(exc)) from None


def _find_key(
    profile: Any, issuer: str, method: str, created: datetime, what: str
) -> tuple[Ed25519PublicKey | None, str]:
    """The public key ``method`` of ``issuer``'s profile if it may have signed at
    ``created``; else (None, why not)."""
    if not isinstance(profile, dict):
        return None, f"the issuer profile is not a JSON object but {_json_kind(profile)}"
    profile_id = profile.get("id")
    if profile_id != issuer:
        return None, (
            f"the issuer profile given is {profile_id!r}, but the {what}'s issuer is {issuer!r}"
        )
    methods = profile.get("verificationMethod")
    if isinstance(methods, dict):
        methods = [methods]
    if not isinstance(methods, list):
        return None, "the issuer profile lists no keys (verificationMethod)"
    matches = [m for m in methods if isinstance(m, dict) and m.get("id") == method]
    if len(matches) != 1:
        if matches:
            return None, f"the issuer profile lists key {method} more than once"
        listed = ", ".join(str(m.get("id")) for m in methods if isinstance(m, dict)) or "none"
        note = (
            " (a key URL under the issuer's address is not enough: the profile must list it)"
            if method.startswith(issuer)
            else ""
        )
        return None, (
            f"the {what} is signed with {method}, which the issuer profile does not list "
            f"(it lists: {listed}){note}"
        )
    entry = matches[0]
    types = entry.get("type")
    if types != "Multikey" and not (isinstance(types, list) and "Multikey" in types):
        return None, f"key {method} is not a Multikey (type {types!r})"
    if entry.get("controller") != issuer:
        return None, f"key {method} is controlled by {entry.get('controller')!r}, not {issuer}"
    assertion = profile.get("assertionMethod")
    if assertion is not None:
        allowed = assertion if isinstance(assertion, list) else [assertion]
        if method not in allowed:
            return None, f"key {method} is not listed in the profile's assertionMethod"
    if "revoked" in entry:
        return None, f"key {method} was revoked ({entry['revoked']}): nothing it signed counts"
    try:
        public_key = signing.public_key_from_multibase(entry.get("publicKeyMultibase"))
    except (ValueError, TypeError) as exc:
        return None, f"key {method} has no usable publicKeyMultibase: {exc}"
    try:
        key_created = _parse_time(entry["created"]) if "created" in entry else None
        key_expires = _parse_time(entry["expires"]) if "expires" in entry else None
    except ValueError as exc:
        return None, f"key {method} has a malformed date: {exc}"
    if key_created is not None and created < key_created:
        return None, (
            f"the {what} was signed on {_shown(created)}, before key {method} was created "
            f"({_shown(key_created)})"
        )
    if key_expires is not None and created > key_expires:
        return None, (
            f"the {what} was signed on {_shown(created)}, after key {method} was retired "
            f"({_shown(key_expires)})"
        )
    window = f"in use from {_shown(key_created)}" if key_created else "in use"
    if key_expires:
        window += f" until {_shown(key_expires)}"
    return public_key, f"{method} is a key of {issuer}, {window}; signed {_shown(created)}"


# --------------------------------------------------------------------------- the heavy part


SignatureChecks = tuple[Step, Step, Step, SignedReading | None]


@lru_cache(maxsize=4096)
def signature_checks(credential_json: str, profile_keys_json: str) -> SignatureChecks:
    """The format, issuer key and signature steps for these exact JSON texts (cached), and
    what the credential says as signed (None when the format step failed).

    ``profile_keys_json`` is :func:`profile_keys_json` of the issuer profile (``"null"`` when
    none is given). Never raises.
    """
    try:
        return _signature_checks(credential_json, profile_keys_json)
    except Exception as exc:  # a shape nobody foresaw: still three steps, never a traceback
        detail = f"the credential could not be checked: {type(exc).__name__}: {exc}"
        return (
            Step("format", False, detail),
            Step("issuer key", None, "not checked: the format check failed"),
            Step("signature", None, "not checked: the format check failed"),
            None,
        )


def _signature_checks(credential_json: str, keys_json: str) -> SignatureChecks:
    reading = None
    try:
        credential = json.loads(credential_json)
    except (ValueError, RecursionError) as exc:
        credential = None
        fmt = Step("format", False, f"the credential is not valid JSON: {exc}")
    else:
        fmt = _check_format(credential)
        if fmt.ok:
            try:
                reading = read_signed(credential, CREDENTIAL_CONTEXTS)
            except NotAsSigned as exc:
                fmt = Step("format", False, str(exc))
    if not fmt.ok or reading is None:
        return (
            fmt,
            Step("issuer key", None, "not checked: the format check failed"),
            Step("signature", None, "not checked: the format check failed"),
            None,
        )
    public_key, checks = _issuer_key(fmt, credential, json.loads(keys_json), reading)
    if public_key is None:
        return checks
    result = signing.verify(credential, public_key)
    return (fmt, checks[1], Step("signature", result.ok, result.reason), reading)


def _issuer_key(
    fmt: Step, credential: dict[str, Any], profile: Any, reading: SignedReading
) -> tuple[Ed25519PublicKey | None, SignatureChecks]:
    """The issuer key step: the trusted key and the steps so far, or (None, the steps to
    report, the signature not checked)."""

    def stop(key_step: Step, why: str) -> tuple[None, SignatureChecks]:
        return None, (fmt, key_step, Step("signature", None, why), reading)

    if profile is None:
        return stop(
            Step("issuer key", None, "not checked: no issuer profile given"),
            "not checked: no issuer profile to take the key from",
        )
    proof, problem = _proof_of(credential)
    if proof is None:
        return stop(Step("issuer key", False, problem), f"not checked: {problem}")
    public_key, detail = _find_key(
        profile,
        reading.issuer or "",
        proof["verificationMethod"],
        _parse_time(proof["created"]),
        "credential",
    )
    if public_key is None:
        return stop(Step("issuer key", False, detail), "not checked: no trusted key")
    return public_key, (fmt, Step("issuer key", True, detail), Step("signature", None, ""), reading)


@lru_cache(maxsize=64)
def _status_list_checks(
    status_json: str, keys_json: str, issuer: str
) -> tuple[str, bytes | None, str, str | None, str | None]:
    """(problem or "", bits, who signed it, validFrom, validUntil) for a status list text."""
    try:
        status_list = json.loads(status_json)
    except ValueError as exc:
        return f"the status list is not valid JSON: {exc}", None, "", None, None
    if not isinstance(status_list, dict):
        return "the status list is not a JSON object", None, "", None, None
    try:
        reading = read_signed(status_list, STATUS_LIST_CONTEXTS)
    except NotAsSigned as exc:
        return f"the status list is refused: {exc}", None, "", None, None
    types = status_list.get("type")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        return "the status list is not a BitstringStatusListCredential", None, "", None, None
    list_issuer = reading.issuer
    if list_issuer != issuer:
        return (
            f"the status list is issued by {list_issuer!r}, not by the credential's issuer "
            f"{issuer!r}",
            None,
            "",
            None,
            None,
        )
    proof, problem = _proof_of(status_list)
    if proof is None:
        return f"the status list's proof is unusable: {problem}", None, "", None, None
    profile = json.loads(keys_json)
    if profile is None:
        return "no issuer profile given to check the status list's signature", None, "", None, None
    public_key, detail = _find_key(
        profile, issuer, proof["verificationMethod"], _parse_time(proof["created"]), "status list"
    )
    if public_key is None:
        return f"the status list cannot be trusted: {detail}", None, "", None, None
    result = signing.verify(status_list, public_key)
    if not result.ok:
        return f"the status list's signature is bad: {result.reason}", None, "", None, None
    if reading.subject_type != "BitstringStatusList":
        return "the status list has no BitstringStatusList subject", None, "", None, None
    if reading.list_purpose != "revocation":
        return (
            f"the status list's purpose is {reading.list_purpose!r}, not 'revocation'",
            None,
            "",
            None,
            None,
        )
    try:
        bits = signing.decode_status_list(reading.encoded_list)
    except ValueError as exc:
        return f"the status list's encodedList is unusable: {exc}", None, "", None, None
    return "", bits, proof["verificationMethod"], reading.valid_from, reading.valid_until


def _check_status(
    reading: SignedReading, status_list: Any, keys_json: str, now: datetime
) -> tuple[Step, bool]:
    """(the status step, revoked?)."""

    def fail(detail: str) -> tuple[Step, bool]:
        return Step("status", False, detail), False

    if not reading.statuses:
        return fail(
            "the credential has no credentialStatus: this issuer gives every credential a "
            "revocation entry, so one without it is refused, not passed"
        )
    revocation = [
        e
        for e in reading.statuses
        if e.type == "BitstringStatusListEntry" and e.purpose == "revocation"
    ]
    if not revocation:
        return fail("the credential's credentialStatus has no revocation BitstringStatusListEntry")
    if len(revocation) > 1:
        return fail("the credential has more than one revocation status entry")
    entry = revocation[0]
    index_text = entry.index
    if not isinstance(index_text, str) or not re.fullmatch(r"0|[1-9][0-9]{0,9}", index_text):
        return fail(f"statusListIndex {index_text!r} is not a non-negative integer string")
    index = int(index_text)
    list_url = entry.list_url
    if entry.id is not None and entry.id != f"{list_url}#{index}":
        return fail(f"the status entry {entry.id!r} does not name entry {index} of {list_url!r}")
    if status_list is None:
        return Step("status", None, "not checked: no status list given"), False
    if not isinstance(status_list, dict):
        return fail(f"the status list is not a JSON object but {_json_kind(status_list)}")
    if status_list.get("id") != list_url:
        return fail(
            f"the credential's status is in {list_url!r}, but the status list given is "
            f"{status_list.get('id')!r}"
        )
    try:
        status_json = _dump(status_list)
    except ValueError as exc:
        return fail(f"the status list is not JSON: {exc}")
    try:
        problem, bits, signer, valid_from, valid_until = _status_list_checks(
            status_json, keys_json, reading.issuer or ""
        )
    except Exception as exc:  # a shape nobody foresaw: a failed step, never a traceback
        return fail(f"the status list could not be checked: {type(exc).__name__}: {exc}")
    if problem:
        return fail(problem)
    assert bits is not None
    if valid_until is None:
        return fail(
            "the status list has no validUntil: this issuer's lists expire, and one that never "
            "did could be a copy from before a revocation"
        )
    try:
        if valid_from is not None and _parse_time(valid_from) > now:
            return fail(f"the status list is not valid until {valid_from}")
        if valid_until is not None and _parse_time(valid_until) <= now:
            return fail(f"the status list expired on {valid_until}: fetch a fresh one")
    except ValueError as exc:
        return fail(f"the status list has a malformed date: {exc}")
    if index >= len(bits) * 8:
        return fail(f"statusListIndex {index} is beyond the list's {len(bits) * 8} entries")
    if signing.status_bit(bits, index):
        return Step("status", False, f"revoked: entry {index} of {list_url} is set"), True
    return (
        Step(
            "status",
            True,
            f"not revoked: entry {index} of {list_url} is clear (list signed by {signer})",
        ),
        False,
    )


def _check_dates(reading: SignedReading, now: datetime) -> tuple[Step, str | None]:
    """(the validity dates step, "expired" / "not yet valid" / None)."""
    try:
        valid_from = _parse_time(reading.valid_from)
    except ValueError as exc:
        return Step("validity dates", False, f"validFrom is missing or malformed: {exc}"), None
    until = reading.valid_until
    try:
        valid_until = None if until is None else _parse_time(until)
    except ValueError as exc:
        return Step("validity dates", False, f"validUntil is malformed: {exc}"), None
    if now < valid_from:
        return (
            Step(
                "validity dates",
                False,
                f"not valid until {_shown(valid_from)} (it is now {_shown(now)})",
            ),
            "not yet valid",
        )
    if valid_until is not None and now >= valid_until:
        return (
            Step(
                "validity dates",
                False,
                f"expired on {_shown(valid_until)} (it is now {_shown(now)})",
            ),
            "expired",
        )
    end = f"until {_shown(valid_until)}" if valid_until else "with no end date"
    return Step("validity dates", True, f"valid from {_shown(valid_from)} {end}"), None


# --------------------------------------------------------------------------- entry point


def check_credential(
    credential: Any,
    *,
    issuer_profile: dict[str, Any] | None,
    status_list: dict[str, Any] | None,
    now: datetime,
    trusted_issuer_id: str | None = None,
    seal: str | None = None,
    seal_keys: Sequence[bytes] = (),
) -> Report:
    """Check ``credential`` against the issuer profile and status list given, at ``now``
    (naive = UTC). With ``trusted_issuer_id``, only that issuer's credentials can be valid.

    The issuer's own pages pass the ``seal`` stored with a credential they signed and their
    ``seal_keys``: when it matches, the credential is byte for byte the one signed here, and
    the format and signature steps say so instead of canonicalizing it again; when it does
    not, every step runs as for anyone else's credential.
    """
    now = _naive_utc(now)
    if seal and seal_matches(credential, seal, seal_keys) and _in_own_form(credential):
        fmt, key, sig, reading = _sealed_checks(credential, issuer_profile)
    else:
        fmt, key, sig, reading = _full_checks(credential, issuer_profile)
    if not fmt.ok or not isinstance(credential, dict) or reading is None:
        not_checked = "not checked: the format check failed"
        return _report(
            (
                fmt,
                key,
                sig,
                Step("status", None, not_checked),
                Step("validity dates", None, not_checked),
            ),
            None,
            False,
        )
    issuer = reading.issuer
    if trusted_issuer_id is not None and issuer != trusted_issuer_id:
        key = Step(
            "issuer key", False, f"the credential's issuer {issuer!r} is not {trusted_issuer_id!r}"
        )
        sig = Step("signature", None, "not checked: the issuer is not trusted")
    if key.ok and sig.ok:
        try:
            status, revoked = _check_status(
                reading, status_list, profile_keys_json(issuer_profile), now
            )
        except Exception as exc:  # a shape nobody foresaw: a failed step, never a traceback
            detail = f"the status could not be checked: {type(exc).__name__}: {exc}"
            status, revoked = Step("status", False, detail), False
    elif status_list is None:
        status, revoked = Step("status", None, "not checked: no status list given"), False
    else:
        status, revoked = (
            Step("status", None, "not checked: the credential is not authentic"),
            False,
        )
    dates, date_verdict = _check_dates(reading, now)
    return _report((fmt, key, sig, status, dates), date_verdict, revoked, reading)


def _full_checks(credential: Any, issuer_profile: Any) -> SignatureChecks:
    try:
        credential_json = _dump(credential)
    except ValueError as exc:
        return (
            Step("format", False, f"the credential cannot be written as JSON: {exc}"),
            Step("issuer key", None, "not checked: the format check failed"),
            Step("signature", None, "not checked: the format check failed"),
            None,
        )
    return signature_checks(credential_json, profile_keys_json(issuer_profile))


def _in_own_form(credential: Any) -> bool:
    """The cheap form checks (pinned contexts, plain terms, size), which a sealed credential
    passes unless the issuing code itself changed: then it gets the full check."""
    try:
        check_form(credential, CREDENTIAL_CONTEXTS)
    except NotAsSigned:
        return False
    return True


def _sealed_checks(credential: dict[str, Any], issuer_profile: Any) -> SignatureChecks:
    """The first three steps for a credential whose seal matched: built and signed here."""
    reading = reading_of_own(credential)
    fmt = Step(
        "format",
        True,
        "an Open Badges 3.0 credential in the pinned form this site issues; the stored copy "
        "is the one it signed (its seal matches)",
    )
    public_key, checks = _issuer_key(fmt, credential, issuer_profile, reading)
    if public_key is None:
        return checks
    proof, _ = _proof_of(credential)
    assert proof is not None  # _issuer_key checked it
    signed = Step(
        "signature",
        True,
        f"made by this site with {proof['verificationMethod']} when it issued the credential; "
        "the stored copy is byte for byte what was signed (its seal matches)",
    )
    return fmt, checks[1], signed, reading


def _report(
    steps: tuple[Step, ...],
    date_verdict: str | None,
    revoked: bool,
    reading: SignedReading | None = None,
) -> Report:
    fmt, key, sig, status, dates = steps
    authentic = bool(fmt.ok and key.ok and sig.ok)
    broken_status = status.ok is False and not revoked
    broken_dates = dates.ok is False and date_verdict is None
    if not authentic or broken_status or broken_dates:
        verdict = "invalid"
    elif revoked:
        verdict = "revoked"
    elif date_verdict is not None:
        verdict = date_verdict
    else:
        verdict = "valid"
    return Report(steps=steps, verdict=verdict, reading=reading)
