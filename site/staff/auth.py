"""Signing staff in and out: Flask-Login sessions, Flask-WTF CSRF, limits on failed sign-ins.

A session names the account, the account's session token and a digest of its
roles: a new token (sign-out, password change) or any change of roles (a
revocation, by any path) signs out every copy of the cookie.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from minsheng_site import bench_baseline, throttle
from minsheng_site.form_base import Form
from minsheng_site.i18n import local_path
from minsheng_site.services import services
from minsheng_site.staff.sign_in_limits import SignInLimits, sign_in_limits
from projections.staff.staff import StaffMember, staff_member

bp = Blueprint("auth", __name__, url_prefix="/staff")


class User(UserMixin):
    def __init__(self, member: StaffMember, token: str) -> None:
        self.member = member
        self.token = token

    def get_id(self) -> str:
        """What the session keeps: username, the account's session token, its roles' digest."""
        return f"{self.member.username}:{self.token}:{_roles_digest(self.member)}"

    @property
    def actor(self) -> str:
        """How events name this person."""
        return f"staff:{self.member.username}"


class LoginForm(Form):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=32)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])


def init_app(app: Flask) -> None:
    csrf = CSRFProtect(app)
    csrf.exempt("minsheng_site.cases.intake.submit")  # a bearer-token JSON API, not a browser form
    # RFC 8058 one-click unsubscribe: a mail client's POST, the secret in the address its proof
    csrf.exempt("minsheng_site.alerts.pages.one_click")
    if app.config.get("BENCH_BASELINE"):
        bench_baseline.init_app(app, csrf)
    manager = LoginManager(app)
    manager.login_view = "staff.auth.login"
    manager.login_message = _l("请先登录。")
    manager.session_protection = "strong"
    manager.user_loader(_load_session)
    throttle.make_limiter(app)  # one per app: its counts live in RATELIMIT_STORAGE_URI
    app.extensions["minsheng_sign_in_limits"] = SignInLimits(app.config)


def _roles_digest(member: StaffMember) -> str:
    roles = "\n".join(f"{role}\t{scope}" for role, scope in sorted(member.roles))
    return hashlib.sha256(roles.encode()).hexdigest()[:16]


def _load_session(user_id: str) -> User | None:
    """The signed-in member, unless the session was ended or the roles changed since."""
    parts = user_id.split(":")
    if len(parts) != 3:  # a session from before tokens, or not ours
        return None
    username, token, roles = parts
    user = _load_user(username)
    if user is None or not (
        hmac.compare_digest(token, user.token)
        and hmac.compare_digest(roles, _roles_digest(user.member))
    ):
        return None
    return user


def _load_user(username: str) -> User | None:
    with services().read() as c:
        member = staff_member(c, username)
    return User(member, services().credentials.session_token(username)) if member else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        limits = sign_in_limits()
        attempt = limits.attempt(username, request.remote_addr)
        if limits.refused(attempt):  # refused before the password is checked: no guessing
            abort(429)
        user = _load_user(username)
        if user is not None and services().credentials.verify(username, form.password.data):
            limits.succeeded(attempt)
            login_user(user)
            session.permanent = True  # PERMANENT_SESSION_LIFETIME: 8 hours
            return redirect(
                local_path(request.args.get("next", "")) or url_for("staff.home.home"), 303
            )
        limits.failed(attempt)
        form.password.errors = [_("用户名或密码不正确。")]
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    services().credentials.end_sessions(current_user.member.username)  # every copy of it
    logout_user()
    flash(_("已退出登录。"))
    return redirect(url_for("plans.pages.home"), 303)
