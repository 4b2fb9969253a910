"""Serving a file someone uploaded (module media, claim evidence): one set of rules.

The browser gets the type checked at upload, never a sniffed one. A PDF is a download, not an
inline document: a PDF can carry script, and the browser's viewer would run it on our
origin. Everything else displays inline under a sandboxing CSP, so even a file that gets past
the upload checks cannot script the site.
"""

from __future__ import annotations

import io

from flask import Response, send_file

#: Uploaded files display, but never run: no script, no plugin, a sandboxed unique origin.
UPLOADED_FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
#: Types the browser would render with active content: served as downloads.
DOWNLOAD_ONLY_TYPES = frozenset({"application/pdf"})


def stored_file_response(
    data: bytes, *, mimetype: str, filename: str, etag: str, max_age: int
) -> Response:
    """``data`` as ``filename`` with its checked ``mimetype``: inline and sandboxed, or a
    download for the types in :data:`DOWNLOAD_ONLY_TYPES`; ETag and Range requests work."""
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=mimetype in DOWNLOAD_ONLY_TYPES,
        download_name=filename,
        etag=etag,
        conditional=True,  # ETag and Range requests (seeking in a video)
        max_age=max_age,
    )
    response.headers["Content-Security-Policy"] = UPLOADED_FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
