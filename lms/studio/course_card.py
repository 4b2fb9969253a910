"""The course's catalogue card: its picture (an uploaded image, checked like module media:
extension and magic bytes, the media size limit) and the expected study time shown on it.

The card is how the course is presented, not what was approved: it applies to every version
of the course at once (a published one included), and a new version keeps it. Nothing is
written unless the whole form is acceptable.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import update
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField
from wtforms.validators import NumberRange, Optional

from lms.auth import current_learner
from lms.catalogue.cards import CardPicture
from lms.catalogue.models import Course, Media
from lms.clock import now
from lms.db import session
from lms.rendering import describe_size
from lms.studio.access import owned_course
from lms.studio.blueprint import bp
from lms.studio.media import MediaRefused, check_upload, max_media_bytes, new_media, read_upload

#: The picture must be an image: the catalogue shows it in an <img>.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
IMAGE_ACCEPT = ".png,.jpg,.jpeg,.gif,.webp"
MAX_DURATION_MINUTES = 6000


class CourseCardForm(FlaskForm):
    class Meta:
        csrf = False  # the lms blueprint checks every POST's token before any view

    duration_minutes = IntegerField(
        "Expected study time, in minutes",
        description="Shown on the course's card; leave empty to show none.",
        validators=[
            Optional(),
            NumberRange(
                1, MAX_DURATION_MINUTES, f"Give a whole number from 1 to {MAX_DURATION_MINUTES}."
            ),
        ],
    )
    remove_image = BooleanField("Remove the picture (the card shows the course's initials)")


def set_course_card(
    slug: str,
    *,
    duration_minutes: int | None,
    image: tuple[str, str, bytes] | None,
    remove_image: bool,
    uploaded_by_id: int | None,
    now: datetime,
) -> None:
    """Store the card of every version of ``slug``: the study time, and a new picture
    (``(filename, content type, bytes)``, already checked) or none when ``remove_image``.
    One transaction."""
    db = session()
    values: dict[str, object] = {"duration_minutes": duration_minutes}
    if image is not None:
        filename, content_type, data = image
        media = new_media(
            course_slug=slug,
            filename=filename,
            content_type=content_type,
            data=data,
            uploaded_by_id=uploaded_by_id,
            now=now,
        )
        db.flush()
        values["image_media_id"] = media.id
    elif remove_image:
        values["image_media_id"] = None
    db.execute(update(Course).where(Course.slug == slug).values(**values))
    db.commit()


def checked_image(limit: int) -> tuple[str, str, bytes] | None:
    """The uploaded picture, checked; None when no file was chosen. Raises MediaRefused."""
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        return None
    data = read_upload(upload, limit)
    filename, content_type = check_upload(upload.filename, data, limit)
    if content_type not in IMAGE_TYPES:
        raise MediaRefused("The picture must be a PNG, JPEG, GIF or WebP image.")
    return filename, content_type, data


@bp.route("/courses/<slug>/card", methods=["GET", "POST"], endpoint="course_card")
@owned_course
def course_card(course: Course) -> str | Response | tuple[str, int]:
    form = CourseCardForm(
        formdata=request.form if request.method == "POST" else None,
        duration_minutes=course.duration_minutes,
    )
    limit = max_media_bytes()
    image_error, status = None, 200
    if request.method == "POST":
        try:
            image = checked_image(limit)
        except MediaRefused as exc:
            # The file is not kept: the page says to choose it again.
            image, image_error, status = None, f"{exc} Choose the picture again.", exc.status
        if form.validate() and image_error is None:
            set_course_card(
                course.slug,
                duration_minutes=form.duration_minutes.data,
                image=image,
                remove_image=bool(form.remove_image.data),
                uploaded_by_id=current_learner.id,
                now=now(),
            )
            flash("The course's card is saved.", "success")
            return redirect(url_for(".course_card", slug=course.slug))
        status = status if image_error else 400
    picture = session().get(Media, course.image_media_id) if course.image_media_id else None
    page = render_template(
        "lms/studio/course_card.html",
        course=course,
        form=form,
        picture=picture,
        card=CardPicture(
            course.id,
            course.title,
            picture.id if picture else None,
            picture.filename if picture else None,
        ),
        image_error=image_error,
        accept=IMAGE_ACCEPT,
        limit_text=describe_size(limit),
    )
    return page, status
