"""Who a signed-in staff member is allowed to be: the role checks other features share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from domain.access import CASE_TASK_FORCE

TASK_FORCE = CASE_TASK_FORCE  # the 双专班 office that runs the cases


def is_task_force() -> bool:
    return TASK_FORCE in current_user.member.scopes("admin")


def requires(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs a signed-in member holding `role` (403 otherwise)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.member.has(role):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
