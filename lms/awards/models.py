"""The provider's branding printed on certificates (one row, set by an administrator)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base

#: The only row's id: the site has one branding.
BRANDING_ID = 1


class Branding(Base):
    """How the site's certificates look: the issuer's logo and name, who signs, the accent
    colour. Only what a certificate shows, never what it certifies: the signed credential and
    the snapshot of facts do not depend on it."""

    __tablename__ = "lms_branding"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    signer_name: Mapped[str] = mapped_column(String(120))
    signer_title: Mapped[str] = mapped_column(String(120))
    #: "#rrggbb", dark enough for text on white (checked when saved).
    accent_colour: Mapped[str] = mapped_column(String(7))
    #: Where a verifier asks about a certificate (an e-mail address or a web address).
    contact: Mapped[str] = mapped_column(String(200))
    #: A PNG or JPEG stored with the module media (``lms_media``); None: a drawn seal only.
    logo_media_id: Mapped[int | None] = mapped_column(ForeignKey("lms_media.id"))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
