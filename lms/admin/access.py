"""Admin pages are for admins only: every admin route goes through here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort

from lms.auth import current_learner, login_required


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Sign-in, then admins only (403 for everyone else)."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_learner.has_role("admin"):
            abort(403, "These pages are for administrators.")
        return view(*args, **kwargs)

    return wrapped
