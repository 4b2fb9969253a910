"""Admin pages are for admins only: every admin route goes through here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort

from lms.auth import current_learner, login_required
from lms.db import session

T = TypeVar("T")


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign-in, then admins only (403 for everyone else)."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_learner.has_role("admin"):
            abort(403, "These pages are for administrators.")
        return view(*args, **kwargs)

    return wrapped


def get_or_404(model: type[T], item_id: int) -> T:
    """The row with that id, or a 404 (ids beyond a 32-bit integer column are missing too,
    instead of an overflow error)."""
    item = session().get(model, item_id) if 0 < item_id < 2**31 else None
    if item is None:
        abort(404)
    return item
