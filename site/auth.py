"""Signing staff in and out: Flask-Login sessions, Flask-WTF CSRF, Flask-Limiter throttling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from minsheng_site import bench_baseline
from minsheng_site.form_base import Form
from minsheng_site.i18n import local_path
from minsheng_site.services import services
from projections.staff import StaffMember, staff_member

bp = Blueprint("auth", __name__, url_prefix="/staff")


class User(UserMixin):
    def __init__(self, member: StaffMember) -> None:
        self.member = member

    def get_id(self) -> str:
        return self.member.username

    @property
    def actor(self) -> str:
        """How events name this person."""
        return f"staff:{self.member.username}"


class LoginForm(Form):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=32)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])


def init_app(app: Flask) -> None:
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    csrf = CSRFProtect(app)
    csrf.exempt("minsheng_site.intake.submit")  # a bearer-token JSON API, not a browser form
    if app.config.get("BENCH_BASELINE"):
        bench_baseline.init_app(app, csrf)
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = _l("请先登录。")
    manager.session_protection = "strong"
    manager.user_loader(_load_user)
    app.register_blueprint(bp)
    # One limiter per app (its counts live with it), on the login view only.
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["minsheng_limiter"] = limiter
    failed = {"deduct_when": lambda response: response.status_code == 401, "methods": ["POST"]}
    view = app.view_functions["auth.login"]
    view = limiter.limit(app.config["LOGIN_LIMIT_PER_ADDRESS"], **failed)(view)
    view = limiter.limit(app.config["LOGIN_LIMIT_PER_USERNAME"], key_func=_username_key, **failed)(
        view
    )
    app.view_functions["auth.login"] = view


def _username_key() -> str:
    return "login:" + request.form.get("username", "").strip().lower()[:32]


def _load_user(username: str) -> User | None:
    with services().read() as c:
        member = staff_member(c, username)
    return User(member) if member else None


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


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        user = _load_user(username)
        if user is not None and services().credentials.verify(username, form.password.data):
            login_user(user)
            return redirect(local_path(request.args.get("next", "")) or url_for("staff.home"), 303)
        form.password.errors = [_("用户名或密码不正确。")]
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    flash(_("已退出登录。"))
    return redirect(url_for("public.home"), 303)
