"""Credit requirement rules, stored as versioned data (never as code)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base


class RequirementRule(Base):
    """One version of a rule. The versions of a rule share its ``code``; each applies from
    its ``effective_from`` until the next version's, so a change never rewrites history.

    A rule applies to holders of the certifications in ``certification_codes``: per
    certification (one code, the cycle anchored on that holding's date) or pooled per person
    (``pooled``: several codes, one requirement however many of them the person holds,
    anchored on their earliest certification date among them).
    """

    __tablename__ = "lms_requirement_rule"
    __table_args__ = (UniqueConstraint("code", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    certification_codes: Mapped[list[str]] = mapped_column(JSON)
    pooled: Mapped[bool] = mapped_column(default=False)
    credits_required: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    credit_unit: Mapped[str] = mapped_column(String(20), default="CEC")
    #: Hours of learning in one credit (7 under IICRC's older rule, 1 under the newer one).
    hours_per_unit: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(1))
    cycle_months: Mapped[int]
    #: What the cycles are counted from: "certified_on" (the holding's date).
    anchor: Mapped[str] = mapped_column(String(20), default="certified_on")
    #: Minimum credits per category within the requirement: {"technical": "1"}.
    category_minimums: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Caps per source: [{"source": "event", "per": "each", "max": "2"}] (at most 2 credits
    #: from any one event) or "per": "all" (at most that much from the source in a cycle).
    source_caps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    effective_from: Mapped[date]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
