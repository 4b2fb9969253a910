"""Refuse to serve with a SECRET_KEY someone could guess.

The key signs session cookies, CSRF tokens, password-reset links and event check-in QR codes:
whoever knows it can sign in as anyone. Outside testing and debug mode the LMS does not start
with a short, repetitive or well-known key (or such a fallback key).
"""

from __future__ import annotations

import math
from collections import Counter

from flask import Flask

MIN_LENGTH = 16
#: Estimated from the key's own characters (their Shannon entropy times the length). Random
#: keys of 16 bytes or more in hex, base64 or raw bytes clear it with room to spare (the
#: lowest of 100,000 ``secrets.token_urlsafe(16)`` scored 73 bits); repetitive keys do not.
MIN_BITS = 64
#: Keys copied from tutorials and templates; refused whatever their length.
KNOWN_KEYS = frozenset(
    {
        "dev",
        "secret",
        "changeme",
        "change-me",
        "secret-key",
        "test-secret-key",
        "your-secret-key",
        "super-secret-key",
        "please-change-this-secret-key-in-production",
    }
)
HOW_TO_FIX = (
    "Set LMS_SECRET_KEY (or SECRET_KEY in the host's config) to a long random value, e.g. "
    "the output of: python -c 'import secrets; print(secrets.token_hex(32))'"
)


def weakness(key: object) -> str | None:
    """Why ``key`` is too weak to sign sessions, or None when it is strong enough."""
    if isinstance(key, bytes):
        # Raw random bytes: 16 of them carry 128 bits, though their own character count is
        # too small a sample to show it; judge them as hex.
        key = key.hex()
    if not isinstance(key, str) or not key:
        return "no SECRET_KEY is set"
    if key.strip().lower() in KNOWN_KEYS:
        return "the SECRET_KEY is a well-known placeholder"
    if len(key) < MIN_LENGTH:
        return f"the SECRET_KEY has {len(key)} characters; at least {MIN_LENGTH} are needed"
    if estimated_bits(key) < MIN_BITS:
        return "the SECRET_KEY repeats its characters too much to be random"
    return None


def estimated_bits(key: str) -> float:
    """Shannon entropy of the key's characters times its length: low for repetitive keys."""
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values())


def require_strong_secret_key(app: Flask) -> None:
    """Raise RuntimeError (the app does not start) when a key in use is weak, except in tests
    and debug mode."""
    if app.testing or app.debug:
        return
    keys = [app.config.get("SECRET_KEY"), *(app.config.get("SECRET_KEY_FALLBACKS") or [])]
    for position, key in enumerate(keys):
        problem = weakness(key)
        if problem:
            which = "" if position == 0 else f" (in SECRET_KEY_FALLBACKS, entry {position})"
            raise RuntimeError(f"Refusing to start: {problem}{which}. {HOW_TO_FIX}.")
