"""A seal on each credential this site signs: an HMAC of its exact JSON under a key only the
site holds.

Checking an Ed25519 proof means canonicalizing the credential (milliseconds of JSON-LD work).
The site's own verification page checks the copy it stored, which it signed itself: when the
stored credential still matches the seal taken at signing, it is byte for byte the document
whose signature was made then, and the page can say so without redoing the canonicalization.
A credential changed in the database no longer matches, and gets the full check (which then
fails). The seal is never the credential's proof: outside verifiers check the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

__all__ = ["seal_key", "seal_of", "seal_matches"]


def seal_key(secret: str | bytes) -> bytes:
    """The HMAC key for seals, derived from a site secret (one key per purpose)."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hashlib.sha256(b"certificates.seal\x00" + raw).digest()


def _text(credential: Any) -> bytes:
    return json.dumps(
        credential, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def seal_of(credential: dict[str, Any], key: bytes) -> str:
    """The seal of ``credential`` (hex HMAC-SHA256 of its sorted, compact JSON)."""
    return hmac.new(key, _text(credential), hashlib.sha256).hexdigest()


def seal_matches(credential: Any, seal: str | None, keys: Iterable[bytes]) -> bool:
    """True when ``seal`` is the seal of ``credential`` under one of ``keys`` (the current
    secret's first, then fallbacks after a rotation)."""
    if not seal or not isinstance(credential, dict):
        return False
    try:
        text = _text(credential)
    except (TypeError, ValueError):
        return False
    return any(
        hmac.compare_digest(hmac.new(key, text, hashlib.sha256).hexdigest(), seal) for key in keys
    )
