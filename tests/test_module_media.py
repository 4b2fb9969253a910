"""Module media: uploads checked by extension and magic bytes and by size, stored with the
module in one transaction (or not at all), served back with their type, nosniff and cache
headers to whoever may see them; and the macro that shows them to learners."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, render_template_string
from sqlalchemy import func, select

from tests.conftest import DEMO_SLUG, Web, signed_in
from tests.test_studio_courses import counts, new_course_form, version_state


def tiny_png() -> bytes:
    """A real 1x1 PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = tiny_png()
SAMPLES = {
    "photo.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40, "image/jpeg"),
    "anim.gif": (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 40, "image/gif"),
    "pic.webp": (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40, "image/webp"),
    "guide.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 40, "application/pdf"),
    "clip.mp4": (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + b"\x00" * 40, "video/mp4"),
    "talk.mp3": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 40, "audio/mpeg"),
    "frame.mp3": (b"\xff\xfb\x90\x64" + b"\x00" * 40, "audio/mpeg"),
    "demo.webm": (
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 30,
        "video/webm",
    ),
}


def upload(web: Web, page: str, filename: str, data: bytes, **fields: Any) -> Any:
    form = {
        "title": "With a file",
        "body": "See the file.",
        "media_url": "",
        "media_minutes": "3",
        **fields,
        "file": (io.BytesIO(data), filename),
    }
    return web.submit(page, form, content_type="multipart/form-data")


def media_rows(app: Flask) -> list[Any]:
    from lms.catalogue.models import Media

    with app.app_context():
        db = app.extensions["lms"].db.session
        return [
            SimpleNamespace(
                id=m.id,
                slug=m.course_slug,
                filename=m.filename,
                type=m.content_type,
                size=m.size,
                sha256=m.sha256,
                data=m.data,
            )
            for m in db.scalars(select(Media).order_by(Media.id))
        ]


# --- storing ----------------------------------------------------------------------------------


def test_a_png_is_stored_with_the_module_and_served_back(app, trainer, draft):
    edit = f"{draft}/modules/1/edit"
    response = upload(trainer, edit, "Floor plan.PNG", PNG)
    assert response.status_code == 302, response.get_data(as_text=True)
    [media] = media_rows(app)
    assert (media.slug, media.filename, media.type) == (DEMO_SLUG, "Floor_plan.png", "image/png")
    assert media.size == len(PNG) and media.sha256 == hashlib.sha256(PNG).hexdigest()
    module = version_state(app)["modules"][0]
    assert module[1:] == ("With a file", "See the file.", "", 3, media.id)

    url = f"/media/{media.id}/Floor_plan.png"
    page = trainer.get(edit).get_data(as_text=True)
    assert f'href="{url}"' in page and "Remove the uploaded file" in page

    served = trainer.get(url)
    assert served.status_code == 200
    assert served.data == PNG
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "inline; filename=Floor_plan.png"
    assert served.headers["Content-Security-Policy"].startswith("sandbox;")
    assert served.headers["ETag"].strip('"') == media.sha256
    # Version 1 is published, but this file is on the draft: not for visitors (yet).
    assert Web(app.test_client()).get(url).status_code == 404
    assert "private" in served.headers["Cache-Control"]
    again = trainer.get(url, headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    part = trainer.get(url, headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.data == PNG[:8]


def test_a_new_upload_replaces_the_file_and_the_box_removes_it(app, trainer, draft):
    edit = f"{draft}/modules/1/edit"
    upload(trainer, edit, "one.png", PNG)
    upload(trainer, edit, "two.pdf", SAMPLES["guide.pdf"][0])
    first, second = media_rows(app)
    assert version_state(app)["modules"][0][5] == second.id
    # a PDF is served as a download: its scripts never run in the browser's viewer
    pdf = trainer.get(f"/media/{second.id}/two.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Disposition"] == "attachment; filename=two.pdf"
    assert pdf.headers["Content-Security-Policy"].startswith("sandbox;")
    response = trainer.submit(
        edit, {"title": "No file", "body": "Text.", "media_minutes": "0", "remove_file": "1"}
    )
    assert response.status_code == 302
    assert version_state(app)["modules"][0][5] is None


@pytest.mark.parametrize("filename", sorted(SAMPLES))
def test_every_allowed_type_is_accepted_by_its_bytes(app, trainer, draft, filename):
    data, content_type = SAMPLES[filename]
    response = upload(trainer, f"{draft}/modules/new", filename, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    [media] = media_rows(app)
    assert media.type == content_type and media.data == data
    assert version_state(app)["modules"][-1][5] == media.id


# --- refusing ---------------------------------------------------------------------------------

HTML_PAGE = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
WRONG = [
    ("cat.png", HTML_PAGE),  # an HTML page named .png
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40),
    ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("page.html", HTML_PAGE),
    ("fake.pdf", PNG),  # real PNG bytes, but named as a PDF
    ("photo.png.exe", PNG),
    ("noextension", PNG),
    ("movie.mkv", b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska" + b"\x00" * 30),
    ("movie.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska" + b"\x00" * 30),
    ("empty.png", b""),
]


@pytest.mark.parametrize(("filename", "data"), WRONG, ids=[w[0] for w in WRONG])
def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_saved(
    app, trainer, draft, filename, data
):
    before_counts, before = counts(app), version_state(app)
    for page in (f"{draft}/modules/1/edit", f"{draft}/modules/new"):
        response = upload(trainer, page, filename, data, title="Changed title")
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        if data:
            assert "only PNG, JPEG, GIF, WebP, PDF, MP4, MP3 or WebM files are accepted" in text
        else:
            assert "The file is empty." in text
        assert 'value="Changed title"' in text  # the rest of the form is kept
        assert counts(app) == before_counts
        assert version_state(app) == before


def test_a_file_over_the_limit_is_refused_with_413_and_nothing_is_saved(app, trainer, draft):
    app.config["LMS_MEDIA_MAX_BYTES"] = 50
    before_counts, before = counts(app), version_state(app)
    response = upload(trainer, f"{draft}/modules/1/edit", "big.png", PNG, title="Changed")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "larger than the limit of 50 bytes" in text
    assert counts(app) == before_counts and version_state(app) == before
    # The limit is named on the form.
    assert "up to 50 bytes" in trainer.get(f"{draft}/modules/1/edit").get_data(as_text=True)
    # At the limit it is accepted.
    app.config["LMS_MEDIA_MAX_BYTES"] = len(PNG)
    assert upload(trainer, f"{draft}/modules/1/edit", "ok.png", PNG).status_code == 302


def test_a_huge_request_is_refused_before_the_file_is_read(app, trainer, draft):
    app.config["LMS_MEDIA_MAX_BYTES"] = 10
    before = counts(app)
    big = PNG + b"\x00" * (1024 * 1024 + 100)
    response = upload(trainer, f"{draft}/modules/1/edit", "big.png", big)
    assert response.status_code == 413
    assert "larger than the limit" in response.get_data(as_text=True)
    assert counts(app) == before


def test_the_default_limit_is_the_one_the_form_promises(app, trainer, draft):
    """A 17 MiB file is under the 20 MB the form names, so it is stored; a body past the
    limit is refused before any view reads it, with a message naming the limit."""
    limit = app.config["LMS_MEDIA_MAX_BYTES"]
    assert "up to 20 MB" in trainer.get(f"{draft}/modules/1/edit").get_data(as_text=True)
    kept = upload(trainer, f"{draft}/modules/1/edit", "big.png", PNG + b"\x00" * (17 << 20))
    assert kept.status_code == 302, kept.get_data(as_text=True)[:500]
    before = counts(app)
    huge = PNG + b"\x00" * (limit + (2 << 20))
    response = upload(trainer, f"{draft}/modules/1/edit", "huge.png", huge)
    assert response.status_code == 413
    assert "files up to 20 MB are accepted" in response.get_data(as_text=True)
    assert counts(app) == before


def test_an_upload_with_another_fields_error_saves_no_file(app, trainer, draft):
    before = counts(app)
    response = upload(trainer, f"{draft}/modules/1/edit", "ok.png", PNG, media_minutes="9999")
    assert response.status_code == 400
    assert counts(app) == before


def test_a_published_version_takes_no_upload(app, trainer, demo):
    before = counts(app)
    v1 = f"/studio/courses/{DEMO_SLUG}/v1"
    response = trainer.submit(
        f"{v1}/edit",
        {"title": "T", "body": "B", "file": (io.BytesIO(PNG), "a.png")},
        action=f"{v1}/modules/1/edit",
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert counts(app) == before


# --- who may fetch a file ---------------------------------------------------------------------


def test_a_drafts_files_are_for_its_owner_and_admins_only(app, trainer, admin, other_trainer):
    form = new_course_form(app, title="Unpublished Course")
    assert trainer.submit("/studio/courses/new", form).status_code == 302
    course = "/studio/courses/unpublished-course/v1"
    assert upload(trainer, f"{course}/modules/new", "secret.png", PNG).status_code == 302
    [media] = media_rows(app)
    url = f"/media/{media.id}/secret.png"

    mine = trainer.get(url)
    assert mine.status_code == 200 and mine.data == PNG
    assert "private" in mine.headers["Cache-Control"]
    assert "public" not in mine.headers["Cache-Control"]
    assert admin.get(url).status_code == 200
    assert other_trainer.get(url).status_code == 404
    assert Web(app.test_client()).get(url).status_code == 404


def test_a_file_on_a_draft_of_a_published_course_stays_private_until_published(
    app, trainer, other_trainer, draft
):
    """Files belong to the slug, but only a published version's modules make one public."""
    assert upload(trainer, f"{draft}/modules/1/edit", "next-edition.png", PNG).status_code == 302
    [media] = media_rows(app)
    url = f"/media/{media.id}/next-edition.png"
    assert Web(app.test_client()).get(url).status_code == 404
    assert other_trainer.get(url).status_code == 404
    assert trainer.get(url).status_code == 200

    from datetime import date

    from lms.catalogue.operations import course_version
    from lms.db import session
    from lms.studio import lifecycle

    with app.app_context():
        version = course_version(DEMO_SLUG, 2)
        lifecycle.submit(version, app.extensions["lms"].clock(), "Practical work.")
        lifecycle.approve(
            version,
            number="N-2",
            approved_on=date(2026, 1, 1),
            expires_on=date(2030, 1, 1),
            admin_id=1,
        )
        lifecycle.publish(version, app.extensions["lms"].clock())
        session().commit()
    public = Web(app.test_client()).get(url)
    assert public.status_code == 200 and "public" in public.headers["Cache-Control"]


def test_a_wrong_name_or_id_is_a_404(app, trainer, draft):
    upload(trainer, f"{draft}/modules/1/edit", "a.png", PNG)
    [media] = media_rows(app)
    assert trainer.get(f"/media/{media.id}/b.png").status_code == 404
    assert trainer.get(f"/media/{media.id + 1}/a.png").status_code == 404
    assert trainer.get("/media/99999999999999999999/a.png").status_code == 404


def test_another_trainer_cannot_upload_to_the_course(app, other_trainer, draft, create_user):
    before = counts(app)
    response = other_trainer.submit(
        "/studio/",
        {"title": "T", "body": "B", "file": (io.BytesIO(PNG), "a.png")},
        action=f"{draft}/modules/1/edit",
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    user = create_user(role="learner")
    learner = signed_in(app, user.email, user.plain_password)
    response = learner.submit(
        "/dashboard",
        {"title": "T", "body": "B", "file": (io.BytesIO(PNG), "a.png")},
        action=f"{draft}/modules/1/edit",
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert counts(app) == before


# --- checks as plain functions ------------------------------------------------------------------


def test_filenames_are_made_safe_and_keep_their_extension():
    from lms.studio.media import safe_filename

    assert safe_filename("../../etc/passwd.png") == "passwd.png"
    assert safe_filename("C:\\Users\\me\\Été plan.PNG") == "Ete_plan.png"
    breakout = safe_filename('x"; filename=evil.html; .png')
    assert breakout.endswith(".png") and not set('"; /\\') & set(breakout)
    assert safe_filename("???.jpg") == "file.jpg"
    assert len(safe_filename("a" * 500 + ".webm")) <= 200


def test_sniffing_goes_by_the_bytes():
    from lms.studio.media import sniff

    assert sniff(PNG) == "image/png"
    assert sniff(HTML_PAGE) is None
    assert sniff(b"RIFF\x24\x00\x00\x00WAVEfmt ") is None  # a WAV is RIFF but not WebP
    assert sniff(b"\xff\xd8\xff") == "image/jpeg"
    assert sniff(b"\xff\xe9") is None  # sync bits with a reserved MPEG version


# --- the learner's view of a module's media ------------------------------------------------------

MACRO = '{% from "lms/_media.html" import media %}{{ media(module) }}'


def render_media(app: Flask, **module: Any) -> str:
    fields = {"title": "Drying", "media": None, "media_url": "", "media_minutes": 0, **module}
    with app.test_request_context("/"):
        return render_template_string(MACRO, module=SimpleNamespace(**fields))


def _file(content_type: str, filename: str) -> SimpleNamespace:
    return SimpleNamespace(id=7, filename=filename, content_type=content_type)


def test_the_media_macro_shows_each_kind_of_media(app):
    html = render_media(app, media=_file("image/png", "plan.png"))
    assert '<img src="/media/7/plan.png" alt="Illustration for “Drying”">' in html
    html = render_media(app, media=_file("video/mp4", "clip.mp4"), media_minutes=12)
    assert '<video controls preload="metadata" src="/media/7/clip.mp4">' in html
    assert "About 12 minutes of media." in html
    html = render_media(app, media=_file("audio/mpeg", "talk.mp3"))
    assert '<audio controls preload="metadata" src="/media/7/talk.mp3">' in html
    html = render_media(app, media=_file("application/pdf", "guide.pdf"))
    assert '<a href="/media/7/guide.pdf">Open the PDF: guide.pdf</a>' in html
    html = render_media(app, media_url="https://video.example.org/watch?v=1&t=2")
    assert 'href="https://video.example.org/watch?v=1&amp;t=2"' in html
    assert render_media(app).strip() == ""
    # A stored link that is not https (data from before the check) is not shown as a link.
    assert "href" not in render_media(app, media_url="javascript:alert(1)")


def test_the_media_count_is_unchanged_by_a_preview(app, trainer, draft):
    from lms.catalogue.models import Media

    response = upload(trainer, f"{draft}/modules/1/edit", "a.png", PNG, action="preview")
    assert response.status_code == 200
    assert "Files are uploaded when you save" in response.get_data(as_text=True)
    with app.app_context():
        db = app.extensions["lms"].db.session
        assert db.scalar(select(func.count()).select_from(Media)) == 0
