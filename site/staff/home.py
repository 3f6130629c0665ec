"""The staff home: what each signed-in member has to do, and the links to their work."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from domain.wuxi import end_of_day
from minsheng_site.services import services
from minsheng_site.staff.roles import TASK_FORCE
from minsheng_site.views import today
from projections.plans import queries as q
from projections.plans.progress_queries import item_progress
from projections.supervision.supervision_queries import findings

bp = Blueprint("home", __name__, url_prefix="/staff")


@bp.get("/")
@login_required
def home() -> str:
    member = current_user.member
    with services().read() as c:
        year = q.current_year(c)
        plan = q.plan(c, year) if year else None
        mine, to_rectify, open_findings = [], [], []
        if plan and member.unit:
            unit = q.unit(c, plan.year, member.unit)
            led = unit.items_led if unit else ()
            mine = [item_progress(c, plan, item, today()) for item in led]
            to_rectify = [f for f in findings(c, plan.year, _now(), unit=member.unit) if f.is_open]
        if plan and member.has("supervisor"):
            open_findings = [f for f in findings(c, plan.year, _now()) if f.is_open]
    return render_template(
        "staff/home.html",
        plan=plan,
        member=member,
        mine=mine,
        to_rectify=to_rectify,
        open_findings=open_findings,
        today=today(),
        is_task_force=TASK_FORCE in member.scopes("admin"),
    )


def _now() -> datetime:
    """Everything recorded so far (to the end of today, so a frozen test clock sees it too)."""
    return end_of_day(today())
