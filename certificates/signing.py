"""Open Badges 3.0 signing: Data Integrity proofs (``eddsa-rdfc-2022``) and status lists.

Pure functions over plain dicts, with no network access and no framework:

* an offline JSON-LD document loader that serves only the pinned contexts in
  ``certificates/contexts`` (any other URL is refused, never fetched);
* base58-btc and multibase helpers, and the ``publicKeyMultibase`` form of Ed25519 keys;
* :func:`canonize` — RDF Dataset Canonicalization (URDNA2015, which RDFC-1.0 standardised)
  to N-Quads, refusing documents whose terms or identifiers JSON-LD would silently drop;
* :func:`sign` and :func:`verify` — the ``eddsa-rdfc-2022`` cryptosuite of W3C "Data
  Integrity EdDSA Cryptosuites v1.0", as in the 1EdTech Open Badges 3.0 test vector;
* W3C "Bitstring Status List v1.0" encoding: GZIP, then multibase base64url without padding.

The proof is emitted as a single object (as in the specifications' examples and the test
vector), not as a one-element array; :func:`verify` accepts either form.
"""

from __future__ import annotations

import base64
import binascii
import copy
import gzip
import hashlib
import json
import re
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

__all__ = [
    "CONTEXT_FILES",
    "CRYPTOSUITE",
    "PROOF_PURPOSE",
    "PROOF_TYPE",
    "STATUS_LIST_MIN_BITS",
    "CanonicalizationError",
    "ProofCheck",
    "UnknownContextError",
    "b58decode",
    "b58encode",
    "canonize",
    "decode_status_list",
    "document_loader",
    "encode_status_list",
    "expand",
    "multibase_decode",
    "multibase_encode",
    "new_status_list",
    "public_key_from_multibase",
    "public_key_multibase",
    "set_status_bit",
    "sign",
    "signing_input",
    "status_bit",
    "verify",
]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

#: The only JSON-LD contexts this module will process: URL -> file in ``contexts/``.
CONTEXT_FILES: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "cred-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.json",
}


# --------------------------------------------------------------------------- errors


class CanonicalizationError(ValueError):
    """The document cannot be canonicalized safely (bad JSON-LD, or data that would be lost)."""


class UnknownContextError(CanonicalizationError):
    """The document names a JSON-LD context that is not one of the pinned, packaged ones."""


# --------------------------------------------------------------------------- base58 / multibase

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: value for value, char in enumerate(_B58_ALPHABET)}


def b58encode(data: bytes | bytearray) -> str:
    """Base58 (Bitcoin alphabet); each leading zero byte becomes a leading ``1``."""
    data = bytes(data)
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_B58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; raises ValueError on a character outside the alphabet."""
    if not isinstance(text, str):
        raise TypeError(f"base58 input must be str, not {type(text).__name__}")
    number = 0
    for char in text:
        try:
            number = number * 58 + _B58_INDEX[char]
        except KeyError:
            raise ValueError(f"invalid base58-btc character {char!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def multibase_encode(data: bytes | bytearray) -> str:
    """Multibase base58-btc: ``z`` followed by base58-btc of ``data``."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode a multibase base58-btc string (``z`` prefix); other bases are refused."""
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("expected a multibase base58-btc string starting with 'z'")
    return b58decode(text[1:])


_ED25519_PUB_PREFIX = b"\xed\x01"  # multicodec ed25519-pub (0xed), as an unsigned varint


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase``: ``z`` + base58-btc(0xed 0x01 + 32 key bytes)."""
    return multibase_encode(_ED25519_PUB_PREFIX + _raw_public_bytes(public_key))


@lru_cache(maxsize=64)
def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Inverse of :func:`public_key_multibase`; ValueError for anything but an Ed25519 key.
    Remembered: an issuer has a handful of keys, read again for every check."""
    data = multibase_decode(value)
    if data[:2] != _ED25519_PUB_PREFIX:
        raise ValueError(
            "publicKeyMultibase is not an Ed25519 public key: "
            f"multicodec prefix is {data[:2].hex() or 'missing'}, expected ed01"
        )
    if len(data) != 34:
        raise ValueError(
            f"publicKeyMultibase holds {len(data) - 2} key bytes; an Ed25519 key has 32"
        )
    return Ed25519PublicKey.from_public_bytes(data[2:])


def _raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


# --------------------------------------------------------------------------- offline loader


@cache
def _context_text(filename: str) -> str:
    return resources.files(__package__).joinpath("contexts", filename).read_text("utf-8")


@cache
def _context_document(url: str) -> dict[str, Any]:
    return json.loads(_context_text(CONTEXT_FILES[url]))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader serving only :data:`CONTEXT_FILES`; it never uses the network.

    Pass it in the options of a pyld call (``{"documentLoader": document_loader}``); this
    module never installs it as pyld's global loader.
    """
    if url not in CONTEXT_FILES:
        raise UnknownContextError(
            f"JSON-LD context {url!r} is not one of the pinned contexts "
            f"({', '.join(sorted(CONTEXT_FILES))}); it is refused, not fetched"
        )
    return {
        "contextUrl": None,
        "documentUrl": url,
        "contentType": "application/ld+json",
        # a copy, so pyld can never alter the cached original
        "document": copy.deepcopy(_context_document(url)),
        # "static": pyld may keep the processed context in our resolver cache (below)
        "tag": "static",
    }


class _BoundedCache:
    """The small mapping pyld's ContextResolver needs (``get``, ``[]=``), bounded and locked.

    Our own cache rather than pyld's process-wide one: contexts resolved through our loader
    never mix with contexts some other pyld user fetched for the same URL, and an attacker's
    inline contexts cannot grow it without limit.
    """

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            if key not in self._data:
                return default
            self._data.move_to_end(key)
            return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)


_RESOLVED_CONTEXTS = _BoundedCache(maxsize=256)
# pyld's processors and caches are not documented as thread-safe; canonicalization is
# pure-Python CPU work serialised by the GIL anyway, so one lock costs no throughput.
_PYLD_LOCK = threading.Lock()


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor, remembering the contexts it processed across documents.

    pyld caches a processed context by the active context it was applied to, but a
    type-scoped context (VC 2.0 scopes one to every credential type) is applied to a fresh
    copy each time, so every document pays again for building the same ~100 term
    definitions: most of the cost of signing a credential. A processed context is a pure
    function of the (immutable, uniquely identified) active context, the local context and the
    flags, so it is kept here by those, in a bounded cache shared by every call.
    """

    def _process_context(  # noqa: PLR0913 (pyld's signature)
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        active_id = active_ctx.get("_uuid") if isinstance(active_ctx, jsonld.frozendict) else None
        key = None
        if active_id is not None:
            try:
                local_key = json.dumps(local_ctx, sort_keys=True, default=dict)
            except (TypeError, ValueError):
                local_key = None
            if local_key is not None:
                key = (active_id, local_key, override_protected, propagate, validate_scoped)
                processed = _PROCESSED_CONTEXTS.get(key)
                if processed is not None:
                    return processed
        processed = super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected=override_protected,
            propagate=propagate,
            validate_scoped=validate_scoped,
            cycles=cycles,
        )
        if key is not None and isinstance(processed, jsonld.frozendict):  # never a mutable clone
            _PROCESSED_CONTEXTS[key] = processed
        return processed


_PROCESSED_CONTEXTS = _BoundedCache(maxsize=512)


def _pyld_options() -> dict[str, Any]:
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_RESOLVED_CONTEXTS, document_loader),
        "processingMode": "json-ld-1.1",
        # pyld resolves relative IRIs against http://example.org/base/ when base is "";
        # None keeps them relative, so _check_expanded can refuse them
        "base": None,
    }


# --------------------------------------------------------------------------- canonicalization

# an absolute IRI that N-Quads can carry as it is (IRIREF forbids controls, space, <>"{}|^`\\)
_ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\\x7f]*$')
# Control characters that N-Quads serialisers escape differently (pyld leaves most raw,
# RDFC-1.0 writes \b, \f or \u00XX; older jsonld.js leaves even tab raw): refused, so a
# signature made here always verifies elsewhere.
_UNPORTABLE_CHARS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")


def canonize(doc: dict[str, Any]) -> str:
    """Canonical N-Quads (URDNA2015 = RDFC-1.0) of a JSON-LD document, using pinned contexts.

    pyld (unlike jsonld.js) has no "safe mode", so this function supplies one: it raises
    :class:`CanonicalizationError` instead of letting data vanish from the signed form —
    a property whose term the contexts do not define, a type or ``id`` that is not an
    absolute IRI (JSON-LD drops both from the RDF), a blank-node property, or a string with
    control characters that canonicalizers escape inconsistently. A context URL other than
    the pinned ones raises :class:`UnknownContextError`.
    """
    expanded = expand(doc)
    processor = _Processor()
    with _PYLD_LOCK:
        try:
            # expanded form has no contexts left: this second expansion is cheap
            dataset = processor.to_rdf(
                expanded, {**_pyld_options(), "produceGeneralizedRdf": False}
            )
            return _BoundedURDNA2015().main(dataset, {"format": "application/n-quads"})
        except jsonld.JsonLdError as exc:
            raise _explain(exc) from exc


#: Calls of URDNA2015's n-degree hashing allowed per document. A credential or status list
#: needs a few dozen; a few kilobytes of blank nodes that all look alike (a "poison graph")
#: would otherwise take minutes to hours, as the algorithm tries every permutation.
MAX_N_DEGREE_CALLS = 2000


class _BoundedURDNA2015(URDNA2015):
    """pyld's URDNA2015 (RDFC-1.0) with a work limit, as RDFC-1.0 recommends for untrusted
    input (pyld has none)."""

    def __init__(self) -> None:
        super().__init__()
        self._calls = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._calls += 1
        if self._calls > MAX_N_DEGREE_CALLS:
            raise CanonicalizationError(
                "the document's blank nodes are too alike to canonicalize within the work "
                f"limit ({MAX_N_DEGREE_CALLS} n-degree hashes); no credential needs that"
            )
        return super().hash_n_degree_quads(id_, issuer)


def expand(doc: dict[str, Any]) -> list[Any]:
    """Expanded JSON-LD of ``doc`` over the pinned contexts: every term replaced by its IRI,
    so what a document *means* can be read without trusting its key names.

    Raises :class:`CanonicalizationError` for anything toRdf would drop without a word (see
    :func:`canonize`) and :class:`UnknownContextError` for an unpinned context URL.
    """
    if not isinstance(doc, dict):
        raise CanonicalizationError(f"expected a JSON object, not {type(doc).__name__}")
    dropped: list[str | None] = []
    processor = _Processor(on_property_dropped=dropped.append)
    with _PYLD_LOCK:
        try:
            expanded = processor.expand(doc, _pyld_options())
        except jsonld.JsonLdError as exc:
            raise _explain(exc) from exc
    if dropped:
        names = ", ".join(sorted({repr(name) for name in dropped if name is not None}))
        raise CanonicalizationError(
            f"property {names or '(an unknown @-keyword or a term mapped to null)'} is not "
            "defined by the document's @context; JSON-LD would drop it silently, so it would "
            "not be covered by the signature"
        )
    _check_expanded(expanded)
    return expanded


def _explain(exc: BaseException) -> CanonicalizationError:
    """Turn pyld's chain of wrapped errors into one readable error naming the root cause."""
    cause: BaseException | None = exc
    root: BaseException = exc
    while cause is not None:
        if isinstance(cause, UnknownContextError):
            return UnknownContextError(str(cause))
        root, cause = cause, cause.__cause__
    if isinstance(root, jsonld.JsonLdError):
        text = str(root.args[0]) if root.args else str(root.type)
        details = root.details if isinstance(root.details, dict) else {}
        if "term" in details:
            text += f" (term {details['term']!r})"
    else:
        text = f"{type(root).__name__}: {root}"
    return CanonicalizationError(f"JSON-LD processing failed: {text}")


def _check_expanded(element: Any) -> None:
    """Raise for anything in expanded JSON-LD that toRdf would drop without a word."""
    if isinstance(element, list):
        for item in element:
            _check_expanded(item)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        value = element["@value"]
        if isinstance(value, str) and _UNPORTABLE_CHARS.search(value):
            raise CanonicalizationError(
                f"text {value[:40]!r} contains a control character (other than newline or "
                "carriage return); canonicalizers disagree on how to escape it"
            )
        datatype = element.get("@type")
        if datatype is not None and datatype != "@json" and not _ABSOLUTE_IRI.match(datatype):
            raise CanonicalizationError(f"value type {datatype!r} is not a valid absolute IRI")
        return
    node_id = element.get("@id")
    if node_id is not None and not (node_id.startswith("_:") or _ABSOLUTE_IRI.match(node_id)):
        raise CanonicalizationError(
            f"id {node_id!r} is not a valid absolute IRI; JSON-LD would drop it and "
            "everything said about it"
        )
    for node_type in element.get("@type", []):
        if not (node_type.startswith("_:") or _ABSOLUTE_IRI.match(node_type)):
            raise CanonicalizationError(
                f"type {node_type!r} is not defined by the document's @context (it expands "
                "to a relative or invalid IRI, which JSON-LD drops)"
            )
    for key, value in element.items():
        if key.startswith("_:"):
            raise CanonicalizationError(f"property {key!r} is a blank node; RDF drops it")
        if key in ("@id", "@type", "@index", "@language", "@direction"):
            continue
        _check_expanded(value)


# --------------------------------------------------------------------------- sign / verify

_DATE_TIME_STAMP = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)$"
)
_MAX_PROOF_VALUE_CHARS = 200  # a 64-byte signature is ~88 base58 characters


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of :func:`verify`: ``ok`` and, either way, a plain-English ``reason``."""

    ok: bool
    reason: str


def signing_input(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """The 64 bytes Ed25519 signs: sha256(canonical proof config) || sha256(canonical doc).

    ``document`` is the credential without ``proof``; ``proof_options`` is the proof without
    ``proofValue``. The proof configuration is canonicalized with the document's @context.
    """
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = document["@context"]
    proof_hash = hashlib.sha256(canonize(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonize(document).encode("utf-8")).digest()
    return proof_hash + document_hash


def sign(
    credential: dict[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: str,
) -> dict[str, Any]:
    """Return a new dict: ``credential`` plus an ``eddsa-rdfc-2022`` DataIntegrityProof.

    ``created`` is an XML Schema dateTimeStamp such as ``2026-03-02T09:00:00Z``;
    ``verification_method`` is the absolute URL of the issuer's key (``…#key-1`` or the
    Multikey's id). The input is not modified. Raises ValueError (or
    :class:`CanonicalizationError`) for input it cannot sign faithfully.
    """
    if not isinstance(credential, dict):
        raise TypeError("credential must be a dict")
    if "proof" in credential:
        raise ValueError("credential already has a proof; sign the unsecured credential")
    if "@context" not in credential:
        raise ValueError("credential has no @context")
    if not isinstance(created, str) or not _DATE_TIME_STAMP.match(created):
        raise ValueError(f"created {created!r} is not a dateTimeStamp like 2026-03-02T09:00:00Z")
    if not isinstance(verification_method, str) or not _ABSOLUTE_IRI.match(verification_method):
        raise ValueError(f"verification_method {verification_method!r} is not a valid absolute IRI")
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = private_key.sign(signing_input(credential, proof))
    signed = copy.deepcopy(credential)
    signed["proof"] = {**proof, "proofValue": multibase_encode(signature)}
    return signed


def verify(credential: dict[str, Any], public_key: Ed25519PublicKey) -> ProofCheck:
    """Check an ``eddsa-rdfc-2022`` proof against ``public_key``; never raises on bad input.

    The caller chooses the key: it must be one the issuer publishes in its profile, not one
    trusted because the proof's ``verificationMethod`` points at the issuer's domain.
    """
    try:
        return _verify(credential, public_key)
    except UnknownContextError as exc:
        return ProofCheck(False, f"the credential uses an unknown JSON-LD context: {exc}")
    except CanonicalizationError as exc:
        return ProofCheck(False, f"the credential cannot be canonicalized: {exc}")
    except Exception as exc:  # malformed input of a shape nobody foresaw: still a verdict
        return ProofCheck(False, f"the credential is malformed: {type(exc).__name__}: {exc}")


def _verify(credential: Any, public_key: Ed25519PublicKey) -> ProofCheck:
    if not isinstance(credential, dict):
        return ProofCheck(False, "the credential is not a JSON object")
    proof = credential.get("proof")
    if proof is None:
        return ProofCheck(False, "the credential has no proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            return ProofCheck(False, f"expected exactly one proof, found {len(proof)}")
        proof = proof[0]
    if not isinstance(proof, dict):
        return ProofCheck(False, "the proof is not a JSON object")
    if proof.get("type") != PROOF_TYPE:
        return ProofCheck(False, f"proof type is {proof.get('type')!r}, expected {PROOF_TYPE!r}")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofCheck(
            False, f"cryptosuite is {proof.get('cryptosuite')!r}, expected {CRYPTOSUITE!r}"
        )
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return ProofCheck(
            False, f"proofPurpose is {proof.get('proofPurpose')!r}, expected {PROOF_PURPOSE!r}"
        )
    if not isinstance(proof.get("verificationMethod"), str):
        return ProofCheck(False, "the proof has no verificationMethod")
    created = proof.get("created")
    if created is not None and not (isinstance(created, str) and _DATE_TIME_STAMP.match(created)):
        return ProofCheck(False, f"proof created {created!r} is not a valid dateTimeStamp")
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value:
        return ProofCheck(False, "the proof has no proofValue")
    if not proof_value.startswith("z"):
        return ProofCheck(False, "proofValue is not multibase base58-btc (it must start with 'z')")
    if len(proof_value) > _MAX_PROOF_VALUE_CHARS:
        return ProofCheck(False, "proofValue is far too long for an Ed25519 signature")
    try:
        signature = multibase_decode(proof_value)
    except ValueError as exc:
        return ProofCheck(False, f"proofValue is not valid base58-btc: {exc}")
    if len(signature) != 64:
        return ProofCheck(
            False, f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature has 64"
        )

    document = {key: value for key, value in credential.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in options:
        # vc-di-eddsa "Verify Proof": the document's @context must start with the proof's
        proof_context = _as_list(options["@context"])
        if _as_list(document.get("@context"))[: len(proof_context)] != proof_context:
            return ProofCheck(False, "the proof's @context does not prefix the credential's")
        document["@context"] = options["@context"]
    if "@context" not in document:
        return ProofCheck(False, "the credential has no @context")

    try:
        public_key.verify(signature, signing_input(document, options))
    except InvalidSignature:
        return ProofCheck(
            False,
            "the signature does not match: the credential or its proof was changed after "
            "signing, or it was signed with a different key",
        )
    return ProofCheck(True, "the signature is valid for this key")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------- status lists

#: The minimum bitstring length in W3C Bitstring Status List v1.0: 16 KiB = 131,072 bits.
STATUS_LIST_MIN_BITS = 131072
_STATUS_LIST_MIN_BYTES = STATUS_LIST_MIN_BITS // 8
_STATUS_LIST_MAX_BYTES = 16 * 1024 * 1024  # refuse to inflate a "gzip bomb" beyond this


def new_status_list(bits: int = STATUS_LIST_MIN_BITS) -> bytearray:
    """An all-zero status bitstring of ``bits`` bits (at least the minimum, whole bytes)."""
    if bits < STATUS_LIST_MIN_BITS or bits % 8:
        raise ValueError(
            f"a status list needs a multiple of 8 bits, at least {STATUS_LIST_MIN_BITS}"
        )
    return bytearray(bits // 8)


def encode_status_list(bits: bytes | bytearray) -> str:
    """``encodedList``: multibase base64url, no padding (``u`` prefix), of the GZIP'd bits.

    Deterministic: the GZIP header carries mtime 0 and no file name.
    """
    if len(bits) < _STATUS_LIST_MIN_BYTES:
        raise ValueError(
            f"a status list must be at least {STATUS_LIST_MIN_BITS} bits "
            f"({_STATUS_LIST_MIN_BYTES} bytes), got {len(bits) * 8}"
        )
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_status_list(encoded: str, *, max_bytes: int = _STATUS_LIST_MAX_BYTES) -> bytes:
    """Inverse of :func:`encode_status_list`; ValueError for anything malformed or too small."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (starting with 'u')")
    body = encoded[1:]
    if not re.fullmatch(r"[A-Za-z0-9_-]*", body):
        raise ValueError("encodedList holds characters outside base64url without padding")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as exc:
        raise ValueError(f"encodedList is not valid base64url: {exc}") from None
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip wrapper
    try:
        bits = inflater.decompress(compressed, max_bytes)
    except zlib.error as exc:
        raise ValueError(f"encodedList is not GZIP data: {exc}") from None
    if inflater.unconsumed_tail:
        raise ValueError(f"status list inflates to more than {max_bytes} bytes")
    if not inflater.eof:
        raise ValueError("encodedList holds truncated GZIP data")
    if len(bits) < _STATUS_LIST_MIN_BYTES:
        raise ValueError(
            f"status list is {len(bits) * 8} bits; the minimum is {STATUS_LIST_MIN_BITS}"
        )
    return bits


def status_bit(bits: bytes | bytearray, index: int) -> bool:
    """Bit ``index``; index 0 is the left-most (most significant) bit of byte 0."""
    _check_index(bits, index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_status_bit(bits: bytearray, index: int, value: bool = True) -> None:
    """Set (or with ``value=False`` clear) bit ``index`` in place; same order as status_bit."""
    _check_index(bits, index)
    mask = 0x80 >> (index % 8)
    if value:
        bits[index // 8] |= mask
    else:
        bits[index // 8] &= ~mask & 0xFF


def _check_index(bits: bytes | bytearray, index: int) -> None:
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError("a status list index must be an int")
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status list index {index} is outside 0..{len(bits) * 8 - 1}")
