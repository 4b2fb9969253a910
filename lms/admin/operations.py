"""What the admin pages write: certifications and people's roles. The caller commits.

Services take plain values (the form's fields as strings), check them and say which field is
wrong, so the views only translate HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased, selectinload

from lms.accounts.models import ROLES, User
from lms.catalogue.models import Certification, Course, Holding, course_certification
from lms.db import session
from lms.studio import lifecycle
from lms.validation import CONTROL_CHARACTERS, CREDIT_UNIT, CREDIT_UNIT_MESSAGE

CODE_RE = re.compile(r"[A-Z0-9]{2,20}")
#: The fields of the certification form, in order; nothing else is read from a request.
CERTIFICATION_FIELDS = (
    "code",
    "name",
    "credits_required",
    "credit_unit",
    "cycle_years",
    "minutes_per_credit",
    "credit_step",
)
MAX_CREDITS_REQUIRED = Decimal("9999.99")  # Numeric(6, 2)
CREDIT_STEP_RANGE = (Decimal("0.01"), Decimal("10"))


class AdminError(ValueError):
    """Refused; the message says why. ``field`` names the form field at fault, if one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# Certifications ---------------------------------------------------------------------------


def _text(value: str, field: str, label: str, max_length: int) -> str:
    if CONTROL_CHARACTERS.search(value.strip()):
        raise AdminError(f"Remove the invisible control characters from the {label}.", field)
    value = " ".join(value.split())
    if not value or len(value) > max_length:
        raise AdminError(f"Give the {label} (at most {max_length} characters).", field)
    return value


def _decimal(value: str, field: str, label: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise AdminError(f"The {label} must be a number.", field) from None
    if not number.is_finite() or not low <= number <= high:
        raise AdminError(f"The {label} must be between {low} and {high}.", field)
    if number != number.quantize(Decimal("0.01")):
        raise AdminError(f"The {label} takes at most two decimals.", field)
    return number


def _integer(value: str, field: str, label: str, low: int, high: int) -> int:
    text = value.strip()
    # isdecimal() alone admits other scripts' digits; ASCII keeps "٣" and "²" out. The length
    # check keeps int() away from a million-digit number; leading zeros don't count.
    ok = text.isascii() and text.isdecimal() and len(text.lstrip("0")) <= 6
    if not ok or not low <= int(text) <= high:
        raise AdminError(f"The {label} must be a whole number from {low} to {high}.", field)
    return int(text)


def parse_certification(fields: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The certification's values from the form's fields, and an error message per bad field
    (every field is checked, so the page can mark them all at once)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    checks = {
        "code": lambda v: _code(v),
        "name": lambda v: _text(v, "name", "name", 200),
        "credits_required": lambda v: _decimal(
            v, "credits_required", "credits required", Decimal("0.01"), MAX_CREDITS_REQUIRED
        ),
        "credit_unit": lambda v: _unit(v),
        "cycle_years": lambda v: _integer(v, "cycle_years", "cycle in years", 1, 10),
        "minutes_per_credit": lambda v: _integer(
            v, "minutes_per_credit", "minutes per credit", 1, 1000
        ),
        "credit_step": lambda v: _decimal(v, "credit_step", "credit step", *CREDIT_STEP_RANGE),
    }
    for name, check in checks.items():
        try:
            values[name] = check(fields.get(name, ""))
        except AdminError as exc:
            errors[name] = str(exc)
    return values, errors


def _unit(value: str) -> str:
    unit = " ".join(value.split())
    if not CREDIT_UNIT.fullmatch(unit):
        raise AdminError(CREDIT_UNIT_MESSAGE, "credit_unit")
    return unit


def _code(value: str) -> str:
    code = value.strip().upper()
    if not CODE_RE.fullmatch(code):
        raise AdminError("The code takes 2 to 20 capital letters and digits, such as WRT.", "code")
    return code


def _code_taken(code: str, except_id: int | None) -> bool:
    query = select(Certification.id).where(Certification.code == code)
    if except_id is not None:
        query = query.where(Certification.id != except_id)
    return session().scalars(query).first() is not None


def create_certification(values: Mapping[str, Any]) -> Certification:
    """A new certification from parsed values (the unique code is also enforced by the
    database, for two admins racing; the caller turns that IntegrityError into the same
    message)."""
    if _code_taken(values["code"], None):
        raise AdminError(f"There is already a certification with the code {values['code']}.")
    certification = Certification(**{name: values[name] for name in CERTIFICATION_FIELDS})
    session().add(certification)
    session().flush()
    return certification


def update_certification(certification: Certification, values: Mapping[str, Any]) -> None:
    if _code_taken(values["code"], certification.id):
        raise AdminError(
            f"There is already a certification with the code {values['code']}.", "code"
        )
    for name in CERTIFICATION_FIELDS:
        setattr(certification, name, values[name])
    session().flush()


def certification_uses(certification: Certification) -> tuple[int, int]:
    """How many course versions and holdings name the certification."""
    db = session()
    courses = db.scalar(
        select(func.count())
        .select_from(course_certification)
        .where(course_certification.c.certification_id == certification.id)
    )
    holdings = db.scalar(select(func.count()).where(Holding.certification_id == certification.id))
    return courses or 0, holdings or 0


def delete_certification(certification: Certification) -> None:
    """Delete an unused certification; one that courses or holders name stays (their
    certificates and renewal cycles depend on it)."""
    courses, holdings = certification_uses(certification)
    if courses or holdings:
        raise AdminError(
            f"{certification.code} is in use ({courses} course versions, {holdings} "
            "people hold it), so it cannot be deleted."
        )
    session().delete(certification)
    session().flush()


# People and roles -------------------------------------------------------------------------


def set_role(user: User, role: str, *, acting_admin_id: int) -> None:
    """Give ``user`` the role. Takes effect on their next request: the role is read from the
    database on every request, so no session needs ending."""
    if role not in ROLES:
        raise AdminError(f"The role must be one of {', '.join(ROLES)}.", "role")
    if user.external_id is not None:
        # The host application's role is mirrored on every request and would undo this.
        raise AdminError(
            f"{user.name}'s role comes from the host application; change it there.", "role"
        )
    if role == user.role:
        return
    if user.id == acting_admin_id and role != "admin":
        raise AdminError("You cannot remove your own admin role; ask another admin.", "role")
    other = aliased(User)  # an alias, so the subquery is not correlated with the updated row
    others = select(other.id).where(other.role == "admin", other.id != user.id)
    # One conditional update on the role it leaves: an admin is demoted only while another
    # admin remains, so two admins demoting each other at once cannot leave the site without one.
    change = update(User).where(User.id == user.id, User.role == user.role)
    if user.role == "admin":
        change = change.where(exists(others))
    changed = (
        session()
        .execute(change.values(role=role).execution_options(synchronize_session=False))
        .rowcount
    )
    session().refresh(user)
    if changed != 1:
        if user.role == "admin" and not session().scalar(select(exists(others))):
            raise AdminError("This is the last admin; make someone else an admin first.", "role")
        raise AdminError("The role changed meanwhile; reload the page.", "role")


# What the landing page counts -------------------------------------------------------------


def waiting_submissions() -> list[Course]:
    """Versions submitted for approval, oldest submission first."""
    return list(
        session().scalars(
            select(Course)
            .where(Course.status == "submitted")
            .options(selectinload(Course.provider), selectinload(Course.certifications))
            .order_by(Course.submitted_at, Course.id)
        )
    )


def expiring_approvals(today: date) -> list[Course]:
    """Published versions whose approval ends within the warning period or has ended, the
    soonest first."""
    published = session().scalars(
        select(Course)
        .where(Course.status == "published", Course.approval_expires_on.is_not(None))
        .options(selectinload(Course.provider))
        .order_by(Course.approval_expires_on, Course.title)
    )
    return lifecycle.expiring_soon(list(published), today)


def users_by_role() -> dict[str, int]:
    counts = dict(session().execute(select(User.role, func.count()).group_by(User.role)).all())
    return {role: counts.get(role, 0) for role in ROLES}
