"""Module media: checking an upload (extension and magic bytes, size), storing it in
``lms_media``, and serving it back at ``/media/<id>/<filename>``.

The bytes live in the database, written in the same transaction as the module that uses
them, and are shared by every version of the course (keyed by its slug).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import PurePosixPath

from flask import Blueprint, abort, current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from lms.auth import current_learner
from lms.catalogue.models import Course, Media, Module
from lms.db import session
from lms.rendering import describe_size
from lms.served_files import stored_file_response
from lms.validation import Refused

#: Extension -> the content type its bytes must have.
ALLOWED_EXTENSIONS = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mp3": "audio/mpeg",
    ".webm": "video/webm",
}
ALLOWED_DESCRIPTION = "PNG, JPEG, GIF, WebP, PDF, MP4, MP3 or WebM"
#: For the file input's ``accept`` attribute (a hint only; the server decides).
ACCEPT = ",".join(ALLOWED_EXTENSIONS)


class MediaRefused(Refused):
    """An upload that is not stored; ``status`` is 400 (type) or 413 (size)."""


def max_media_bytes() -> int:
    return int(current_app.config["LMS_MEDIA_MAX_BYTES"])  # default in lms/settings.py


def _is_mp3(head: bytes) -> bool:
    if head.startswith(b"ID3"):
        return True
    # An MPEG audio frame header: 11 sync bits, a valid version and a layer that exists.
    return (
        len(head) >= 2
        and head[0] == 0xFF
        and head[1] & 0xE0 == 0xE0
        and (head[1] >> 3) & 0b11 != 0b01
        and (head[1] >> 1) & 0b11 != 0
    )


def sniff(data: bytes) -> str | None:
    """The content type the file's first bytes show, among the allowed ones; None otherwise."""
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    # WebM is Matroska (EBML) whose DocType says "webm"; other Matroska files are refused.
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82" in head and b"webm" in head:
        return "video/webm"
    if _is_mp3(head):
        return "audio/mpeg"
    return None


def safe_filename(filename: str) -> str:
    """A name that is safe in a URL and a Content-Disposition header, keeping the
    extension: "../Été plan.PNG" -> "Ete_plan.png"."""
    path = PurePosixPath(filename.replace("\\", "/"))
    suffix = path.suffix.lower()
    stem = secure_filename(path.stem)[: 200 - len(suffix) - 1] or "file"
    return f"{stem}{suffix}"


def check_upload(filename: str, data: bytes, max_bytes: int) -> tuple[str, str]:
    """The stored filename and content type of an acceptable upload; raises MediaRefused
    saying what is wrong. The extension and the bytes must agree, so an HTML page named
    ".png" is refused."""
    if len(data) > max_bytes:
        raise MediaRefused(
            f"The file is larger than the limit of {describe_size(max_bytes)}; "
            "make it smaller or link to it instead.",
            status=413,
        )
    if not data:
        raise MediaRefused("The file is empty.")
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    expected = ALLOWED_EXTENSIONS.get(suffix)
    found = sniff(data)
    if expected is None or found != expected:
        raise MediaRefused(
            f"The file can't be used: only {ALLOWED_DESCRIPTION} files are accepted, and the "
            "file's contents must match its extension."
        )
    return safe_filename(filename), expected


def read_upload(upload: FileStorage, max_bytes: int) -> bytes:
    """The upload's bytes, reading one byte past the limit at most (enough to refuse it)."""
    return upload.stream.read(max_bytes + 1)


def new_media(
    *,
    course_slug: str,
    filename: str,
    content_type: str,
    data: bytes,
    uploaded_by_id: int | None,
    now: datetime,
) -> Media:
    """A checked upload as a row in the session (the caller commits with the module)."""
    media = Media(
        course_slug=course_slug,
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=uploaded_by_id,
        created_at=now,
    )
    session().add(media)
    return media


# Serving. Registered by the lms extension next to the other children of the "lms"
# blueprint, so the files are under the LMS's prefix, not the studio's.
media_bp = Blueprint("media", __name__)


def is_public(media_id: int) -> bool:
    """A file that a module of a published (or retired: its learners may still finish it)
    version shows, or such a version's catalogue image. A file uploaded to a draft, or
    removed from every module, is not."""
    shown = Course.status.in_(("published", "retired"))
    in_module = select(Module.id).join(Course, Course.id == Module.course_id)
    as_image = select(Course.id).where(Course.image_media_id == media_id, shown)
    db = session()
    return (
        db.scalars(in_module.where(Module.media_id == media_id, shown).limit(1)).first() is not None
        or db.scalars(as_image.limit(1)).first() is not None
    )


def _may_see_unpublished(course_slug: str) -> bool:
    if not current_learner:
        return False
    if current_learner.has_role("admin"):
        return True
    owned = session().scalars(
        select(Course.id)
        .where(Course.slug == course_slug, Course.owner_id == current_learner.id)
        .limit(1)
    )
    return owned.first() is not None


@media_bp.get("/media/<int:media_id>/<filename>")
def media_file(media_id: int, filename: str) -> Response:
    """The stored file with its checked type, never sniffed by the browser. A file no
    published version shows is for the course's owner and administrators only (404 to
    others)."""
    media = session().get(Media, media_id) if 0 < media_id < 2**31 else None
    if media is None or media.filename != filename:
        abort(404, "There is no such file.")
    public = is_public(media.id)
    if not public and not _may_see_unpublished(media.course_slug):
        abort(404, "There is no such file.")
    # A stored file never changes (a new upload is a new id): cache public ones for long.
    response = stored_file_response(
        media.data,
        mimetype=media.content_type,
        filename=media.filename,
        etag=media.sha256,
        max_age=31_536_000 if public else 0,
    )
    if public:
        response.cache_control.public = True
        response.cache_control.immutable = True
    else:  # a draft's file: only for the browser of whoever may see it, checked each time
        response.cache_control.private = True
        response.cache_control.no_cache = True
    return response
