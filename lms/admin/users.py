"""People and their roles: a paginated, searchable list and a role change per person."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from lms.accounts.models import ROLES, User
from lms.admin.access import admin_required, get_or_404
from lms.admin.blueprint import bp
from lms.admin.operations import AdminError, set_role
from lms.auth import current_learner
from lms.db import session

PER_PAGE = 50
MAX_QUERY = 200


def _query() -> str:
    return " ".join(request.values.get("q", "").split())[:MAX_QUERY]


def _page_number() -> int:
    text = request.values.get("page", "1").strip()
    # Anything but a small positive number (a typo, a huge value) is the first page.
    return int(text) if text.isascii() and text.isdecimal() and 0 < len(text) < 7 else 1


def _list_page(*, status: int = 200, error: str = "", tried: dict[int, str] | None = None):  # noqa: ANN202
    q = _query()
    matching = select(User)
    if q:
        needle = q.lower()
        matching = matching.where(
            or_(
                func.lower(User.name).contains(needle, autoescape=True),
                func.lower(User.email).contains(needle, autoescape=True),
            )
        )
    db = session()
    total = db.scalar(select(func.count()).select_from(matching.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(_page_number(), 1), pages)
    people = list(
        db.scalars(
            matching.order_by(func.lower(User.name), User.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    body = render_template(
        "lms/admin/users.html",
        people=people,
        q=q,
        page=page,
        pages=pages,
        total=total,
        roles=ROLES,
        error=error,
        tried=tried or {},
    )
    return make_response(body, status)


@bp.get("/users")
@admin_required
def users() -> Response:
    return _list_page()


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int) -> Response:
    user = get_or_404(User, user_id)
    role = request.form.get("role", "")
    try:
        set_role(user, role, acting_admin_id=current_learner.id)
    except AdminError as exc:
        session().rollback()
        tried = {user.id: role} if role in ROLES else {}
        return _list_page(status=400, error=f"{user.name}: {exc}", tried=tried)
    session().commit()
    flash(f"{user.name} is now {'an' if role == 'admin' else 'a'} {role}.", "success")
    return redirect(url_for(".users", q=_query() or None, page=_page_number()))
