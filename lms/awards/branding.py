"""The provider's branding on certificates: what it is (``SiteBranding``, plain values),
reading it (once per issuer revision, with the issuer's published documents), checking a
logo, and saving it (which moves the issuer revision, so every host reads it again).

Only the certificate's page and PDF show it: the signed credential and the snapshot of facts
never depend on it, so changing the branding changes no signature.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from fpdf import FPDF
from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from certificates.pdf import DEFAULT_ACCENT, CertificateDesign
from certificates.revision import bump_revision
from lms.awards.models import BRANDING_ID, Branding
from lms.catalogue.models import Media
from lms.rendering import describe_size
from lms.studio.media import MediaRefused, check_upload, max_media_bytes, new_media

#: A logo is printed small and embedded in every PDF: a megabyte is plenty.
LOGO_MAX_BYTES = 1024 * 1024
#: Larger images are refused before they are decoded (a small file can hold a huge image).
LOGO_MAX_PIXELS = 4000
#: PNG and JPEG only: an SVG can carry script, and the PDF library draws these two natively.
LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}
#: Where a logo is stored among the media: no course has an empty slug.
LOGO_MEDIA_SLUG = ""
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

_READ = (
    select(
        Branding.organisation_name,
        Branding.signer_name,
        Branding.signer_title,
        Branding.accent_colour,
        Branding.contact,
        Branding.logo_media_id,
        Media.filename,
        Media.content_type,
        Media.data,
    )
    .outerjoin(Media, Media.id == Branding.logo_media_id)
    .where(Branding.id == BRANDING_ID)
)


@dataclass(frozen=True)
class SiteBranding:
    """How this site's certificates look, as plain values."""

    organisation_name: str
    signer_name: str = ""
    signer_title: str = ""
    accent_colour: str = DEFAULT_ACCENT
    contact: str = ""
    logo_media_id: int | None = None
    logo_filename: str = ""
    logo_type: str = ""
    logo: bytes | None = None

    @property
    def design(self) -> CertificateDesign:
        """What the PDF renderer needs."""
        return CertificateDesign(
            issuer_name=self.organisation_name,
            signer_name=self.signer_name,
            signer_title=self.signer_title,
            accent_colour=self.accent_colour,
            logo=self.logo,
        )

    @property
    def contact_href(self) -> str:
        """A link for the contact: mailto for an e-mail address, else the web address."""
        if EMAIL_RE.fullmatch(self.contact):
            return f"mailto:{self.contact}"
        return self.contact if self.contact.startswith(("https://", "http://")) else ""


def default_branding(config: Any) -> SiteBranding:
    """Before an administrator sets one: the issuer's name and e-mail from the settings."""
    return SiteBranding(
        organisation_name=config["LMS_ISSUER_NAME"] or config["LMS_SITE_NAME"],
        contact=config["LMS_ISSUER_EMAIL"] or "",
    )


def load_branding(db: Session) -> SiteBranding:
    """The branding as stored, logo bytes included (one statement). Pages read it through
    ``lms.awards.published``, cached per issuer revision, not from here."""
    row = db.execute(_READ).first()
    if row is None:
        return default_branding(current_app.config)
    return SiteBranding(
        organisation_name=row.organisation_name,
        signer_name=row.signer_name,
        signer_title=row.signer_title,
        accent_colour=row.accent_colour,
        contact=row.contact,
        logo_media_id=row.logo_media_id,
        logo_filename=row.filename or "",
        logo_type=row.content_type or "",
        logo=row.data,
    )


def stored_branding(db: Session) -> Branding | None:
    return db.get(Branding, BRANDING_ID)


def logo_limit() -> int:
    return min(LOGO_MAX_BYTES, max_media_bytes())


def check_logo(filename: str, data: bytes) -> tuple[str, str]:
    """The stored name and type of an acceptable logo; raises MediaRefused saying why not.
    Beyond the media checks (size, extension matching the bytes): PNG or JPEG only, an image
    that decodes, of sensible dimensions, that the PDF library can draw."""
    limit = logo_limit()
    name, content_type = check_upload(filename, data, limit)
    if content_type not in LOGO_TYPES:
        raise MediaRefused(
            "The logo must be a PNG or JPEG image (SVG and other types are not accepted)."
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if image.format != LOGO_TYPES[content_type]:
                raise MediaRefused("The logo's contents do not match its type.")
            if max(width, height) > LOGO_MAX_PIXELS:
                raise MediaRefused(
                    f"The logo is {width} × {height} pixels; use one at most "
                    f"{LOGO_MAX_PIXELS} pixels on its longer side."
                )
            image.verify()
        trial = FPDF()  # drawn once now, so a certificate's PDF never fails on it later
        trial.add_page()
        trial.image(io.BytesIO(data), x=10, y=10, w=40)
        trial.output()
    except MediaRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise MediaRefused(
            f"The logo could not be read as an image; save it again as PNG or JPEG "
            f"(up to {describe_size(limit)})."
        ) from None
    return name, content_type


@dataclass(frozen=True)
class BrandingValues:
    """The checked text fields of the branding form."""

    organisation_name: str
    signer_name: str
    signer_title: str
    accent_colour: str
    contact: str


def save_branding(
    db: Session,
    values: BrandingValues,
    *,
    logo: tuple[str, str, bytes] | None,
    remove_logo: bool,
    by_user_id: int | None,
    now: datetime,
) -> Branding:
    """Write the branding (and a new logo, as a media row) and move the issuer revision, in
    the caller's transaction: every host shows the new branding from the next request."""
    branding = stored_branding(db)
    if branding is None:
        branding = Branding(id=BRANDING_ID)
        db.add(branding)
    replaced_logo_id = branding.logo_media_id
    branding.organisation_name = values.organisation_name
    branding.signer_name = values.signer_name
    branding.signer_title = values.signer_title
    branding.accent_colour = values.accent_colour.lower()
    branding.contact = values.contact
    branding.updated_at = now
    branding.updated_by_id = by_user_id
    if logo is not None:
        filename, content_type, data = logo
        media = new_media(
            course_slug=LOGO_MEDIA_SLUG,
            filename=filename,
            content_type=content_type,
            data=data,
            uploaded_by_id=by_user_id,
            now=now,
        )
        db.flush()
        branding.logo_media_id = media.id
    elif remove_logo:
        branding.logo_media_id = None
    if replaced_logo_id is not None and replaced_logo_id != branding.logo_media_id:
        db.flush()  # the row no longer points at the old logo: it can go
        db.execute(
            delete(Media).where(Media.id == replaced_logo_id, Media.course_slug == LOGO_MEDIA_SLUG)
        )
    bump_revision(db)
    return branding
