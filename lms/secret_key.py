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
#: Bits a key must carry by both estimates below. Random keys of 16 bytes or more in hex,
#: base64 or raw bytes clear it with room to spare (the lowest of 100,000
#: ``secrets.token_urlsafe(16)`` scored 73 bits by character entropy and 101 by pattern).
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
#: Words people build placeholder keys from ("my-super-secret-key-here"); each costs a
#: guesser about WORD_BITS, not its letters' worth.
WEAK_WORDS = frozenset(
    """a an the is it my our your this that here there me to in of for not do never
    secret secrets key keys change changeme password passwd pass passphrase dev devel
    development test testing prod production stage staging local localhost default example
    sample demo super very really long hard guess random string value token session cookie
    app application site web server flask django admin root user please replace insecure
    unsafe private hidden hello world foo bar baz qwerty letmein welcome lms cec learning
    course credit use only keep safe strong new jwt api""".split()  # noqa: SIM905 (reads better)
)
WORD_BITS = 8
#: A run a guesser tries early: "abcdef", "9876", "qwerty", a stretch repeated from before.
PATTERN_BITS = 6
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
#: Beyond this many characters a key is long enough; the pattern search stops there.
PATTERN_WINDOW = 256
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
    if pattern_bits(key) < MIN_BITS:
        return "the SECRET_KEY is built from common words, sequences or repeats, not at random"
    return None


def estimated_bits(key: str) -> float:
    """Shannon entropy of the key's characters times its length: low for repetitive keys."""
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values())


def pattern_bits(key: str) -> float:
    """The fewest bits that spell the key out of single characters (each worth its alphabet),
    common words, runs ("abcd", "4321", keyboard rows) and stretches repeated from earlier in
    the key: low for "secretsecretsecret", "abcdefghijklmnop" or "my-super-secret-key"."""
    key = key[:PATTERN_WINDOW]  # a key this long is strong enough by its length alone
    lowered = key.lower()
    char_bits = math.log2(_alphabet_size(key))
    longest_word = max(map(len, WEAK_WORDS))
    best = [0.0] + [math.inf] * len(key)  # best[i]: the cheapest spelling of key[:i]
    for i in range(len(key)):
        # One character; a separator seen before is almost free ("a-b-c").
        single = 1.0 if not key[i].isalnum() and key[i] in key[:i] else char_bits
        best[i + 1] = min(best[i + 1], best[i] + single)
        for end in range(i + 1, min(i + longest_word, len(key)) + 1):
            if lowered[i:end] in WEAK_WORDS:
                best[end] = min(best[end], best[i] + WORD_BITS)
        # Runs and repeats: every prefix of one is one too, so extend while it holds.
        for is_pattern in (_run_ends, _repeat_ends):
            for end in is_pattern(key, lowered, i):
                best[end] = min(best[end], best[i] + PATTERN_BITS)
    return best[len(key)]


def _run_ends(key: str, lowered: str, i: int) -> range:
    """Ends of the runs of 3 or more characters starting at ``i``: a constant step of one
    ("abc", "987") or a stretch of a keyboard row, either way."""
    end = i + 1
    while (
        end < len(key)
        and abs(ord(key[end]) - ord(key[end - 1])) == 1
        and (end - i < 2 or ord(key[end]) - ord(key[end - 1]) == ord(key[i + 1]) - ord(key[i]))
    ):
        end += 1
    row_end = i + 1
    while row_end < len(key) and any(
        lowered[i : row_end + 1] in row or lowered[i : row_end + 1] in row[::-1]
        for row in KEYBOARD_ROWS
    ):
        row_end += 1
    return range(3 + i, max(end, row_end) + 1)


def _repeat_ends(key: str, lowered: str, i: int) -> range:
    """Ends of the stretches of 3 or more characters from ``i`` that began earlier too."""
    end = i + 3
    while end <= len(key) and 0 <= key.find(key[i:end], 0, end - 1) < i:
        end += 1
    return range(i + 3, end)


def _alphabet_size(key: str) -> int:
    """The size of the character classes the key draws from (a guesser's alphabet)."""
    size = 0
    size += 26 if any(c.islower() for c in key) else 0
    size += 26 if any(c.isupper() for c in key) else 0
    size += 10 if any(c.isdigit() for c in key) else 0
    size += 33 if any(not c.isalnum() for c in key) else 0
    return max(size, 2)


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
    # The issuer's private keys are sealed under this one: held to the same standard.
    sealing = app.config.get("LMS_KEY_ENCRYPTION_KEY")
    problem = weakness(sealing) if sealing else None
    if problem:
        problem = problem.replace("the SECRET_KEY", "LMS_KEY_ENCRYPTION_KEY")
        raise RuntimeError(
            f"Refusing to start: {problem}. Set LMS_KEY_ENCRYPTION_KEY to a long random value, "
            "e.g. the output of: python -c 'import secrets; print(secrets.token_hex(32))'."
        )
