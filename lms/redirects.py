"""Where a ``next`` parameter may send someone: only to a path on this site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a local path, else None.

    Browsers treat "\\" as "/", ignore tabs and newlines and accept "//host" as another site,
    so all of those are refused, also once percent-decoded.
    """
    if not target or len(target) > 2000:
        return None
    for candidate in (target, unquote(target), unquote(unquote(target))):
        if any(ord(ch) < 32 or ch == "\\" for ch in candidate):
            return None
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target
