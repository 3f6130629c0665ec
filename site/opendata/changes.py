"""What changed: a page and feeds of the changes between two Wuxi days, and a weekly digest.

The range is read from the query (`from`, `to`: YYYY-MM-DD, at most `MAX_DAYS` days,
ending today at the latest; by default the last 7 days ending today in Wuxi), with at most
one filter (`category`, `unit`, `district` or `key` of the plan of the range's year).
Every bad value is a 400 page that says what is wrong, never a guess and never a 500.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, NoReturn
from uuid import uuid5

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from domain.cases import DISTRICTS
from domain.wuxi import end_of_day
from minsheng_site.caching import publicly_cacheable
from minsheng_site.opendata.changes_entries import Found, Scope, changes
from minsheng_site.opendata.feeds import build_feed
from minsheng_site.opendata.journalists import feed_mimetype
from minsheng_site.services import services
from minsheng_site.views import EARLIEST, bounded, today
from projections.changes.changes_queries import MAX_DAYS
from projections.plans import queries as q
from projections.publiclog.public_entries import EVENTS

bp = publicly_cacheable(Blueprint("changes", __name__))
FMT = "<any(atom, rss):fmt>"
DEFAULT_DAYS = 7
WEEKS = 12  # the weekly digest's entries: the last twelve whole weeks that saw changes
FILTERS = ("category", "unit", "district", "key")


class Refused(Exception):
    """A query this page cannot answer, with the sentence that says why."""


def refuse(message: str) -> NoReturn:
    raise Refused(message)


@bp.get("/changes")
def page() -> str | tuple[str, int]:
    try:
        start, end, defaulted = _range()
        scope = _scope(end)
    except Refused as refused:
        return render_template("opendata/changes_refused.html", message=str(refused)), 400
    found = changes(start, end, scope)
    return render_template(
        "opendata/changes.html",
        start=start,
        end=end,
        defaulted=defaulted,
        scope=scope,
        found=found,
        max_days=MAX_DAYS,
        districts=DISTRICTS,
        feed_args=_args(start, end, defaulted, scope),
    )


@bp.get(f"/feeds/changes.{FMT}")
def feed(fmt: str) -> Response:
    try:
        start, end, defaulted = _range()
        scope = _scope(end)
    except Refused as refused:
        abort(400, description=str(refused))
    found = changes(start, end, scope)
    page_url = url_for(
        "opendata.changes.page", _external=True, **_args(start, end, defaulted, scope)
    )
    title = _("%(start)s至%(end)s的变化", start=start.isoformat(), end=end.isoformat())
    if scope.name:
        title += f" · {scope.name}"
    items = [{**e, "summary": "；".join([e["summary"], *e["deltas"]])} for e in found.listed()]
    return _send(fmt, title, page_url, items, **_args(start, end, defaulted, scope))


@bp.get(f"/feeds/weekly.{FMT}")
def weekly(fmt: str) -> Response:
    """One entry per whole Wuxi week (Monday to Sunday) that saw changes, its id made of its
    Monday: the week's counts and headlines, the same however often it is read."""
    now = today()
    monday = now - timedelta(days=now.weekday())  # this week's: not over yet, not listed
    items = []
    for n in range(1, WEEKS + 1):
        first = monday - timedelta(weeks=n)
        if (week := week_of(first)).changes:
            items.append(week_item(first, week))
    page_url = url_for("opendata.changes.page", _external=True)
    return _send(fmt, _("每周变化摘要"), page_url, items)


def week_of(first: date) -> Found:
    """The changes of the week beginning on Monday `first` (in the reader's language),
    computed once per state of the log."""
    key = ("weekly-changes", first, str(get_locale()))
    return services().once(key, lambda: changes(first, first + timedelta(days=6)))


def week_item(first: date, week: Found) -> dict[str, Any]:
    """The week's digest entry (also the weekly e-mail's): counts and five headlines."""
    last = first + timedelta(days=6)
    summary = _("本周没有记录到变化。")
    if week.changes:
        counts = "；".join(f"{label}：{n}" for label, n in week.count_labels())
        headlines = "；".join(e["title"] for e in week.headlines(5))
        summary = _("本周：%(counts)s。要点：%(headlines)s", counts=counts, headlines=headlines)
    return {
        "id": f"urn:uuid:{uuid5(EVENTS, f'weekly/{first.isoformat()}')}",
        "title": _("%(start)s至%(end)s一周变化", start=first.isoformat(), end=last.isoformat()),
        "summary": summary,
        "link": url_for(
            "opendata.changes.page",
            _external=True,
            **{"from": first.isoformat(), "to": last.isoformat()},
        ),
        "published": end_of_day(last),
        "simulated": week.all_simulated(),
    }


def _send(
    fmt: str, title: str, page_url: str, items: list[dict[str, Any]], **args: str
) -> Response:
    """The feed; its own address and id made of the checked query (`args`), never of what
    the request carried besides (that may hold what XML cannot)."""
    self_url = url_for(request.endpoint or "", fmt=fmt, _external=True, **args)
    updated = max((i["published"] for i in items), default=datetime(2000, 1, 1, tzinfo=UTC))
    body = build_feed(
        title=f"{title} · 民生实事公开台",
        page_url=page_url,
        self_url=self_url,
        feed_id=f"urn:uuid:{uuid5(EVENTS, self_url.partition('://')[2].partition('/')[2])}",
        fmt=fmt,
        items=items,
        updated=updated,
        note=_("每条变化都链接到它的永久记录；标有“模拟”的是模拟数据，并非真实情况。"),
        stylesheet=url_for("static", filename="feed.xsl"),
    )
    response = make_response(body)
    response.mimetype = feed_mimetype(fmt)
    response.vary.add("Accept")
    response.last_modified = updated
    return response


def _range() -> tuple[date, date, bool]:
    """(first day, last day, whether both were left to the default)."""
    now = today()
    end = _day("to") or now
    start = _day("from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if end > now:
        refuse(_("“到”的日期不能晚于今天（%(today)s）。", today=now.isoformat()))
    if start > end:
        refuse(_("“从”的日期不能晚于“到”的日期。"))
    if (end - start).days + 1 > MAX_DAYS:
        refuse(_("一次最多查看%(n)s天的变化，请缩短日期范围。", n=MAX_DAYS))
    defaulted = not request.args.get("from", "").strip() and not request.args.get("to", "").strip()
    return start, end, defaulted


def _day(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    problem = _(
        "%(name)s：请写成YYYY-MM-DD形式的日期，从%(earliest)s起。",
        name=name,
        earliest=EARLIEST.isoformat(),
    )
    if len(raw) != 10:
        refuse(problem)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        refuse(problem)
    if day < EARLIEST:
        refuse(problem)
    return day


def _scope(end: date) -> Scope:
    """The one filter asked for, checked against the plan of the range's year."""
    asked = [name for name in FILTERS if request.args.get(name, "").strip()]
    if len(asked) > 1:
        refuse(_("一次只能按一个条件筛选（方面、责任单位、区域或重点项目）。"))
    with services().read() as c:
        years = [y for y in q.plan_years(c) if y <= end.year] or q.plan_years(c)
        year = years[-1] if years else None
        if not asked:
            return Scope(year)
        name, raw = asked[0], request.args.get(asked[0], "").strip()
        if year is None:
            refuse(_("还没有登记计划，无法按计划筛选。"))
        return _named_scope(c, year, name, raw)


def _named_scope(c: Any, year: int, name: str, raw: str) -> Scope:
    if name == "district":
        if raw not in DISTRICTS:
            refuse(_("没有这个区域：请从列出的市(县)区中选择。"))
        return Scope(year, "district", raw, raw)
    if name == "unit":
        # Looked up among the names first: a NUL byte is not a value PostgreSQL can compare.
        if raw not in q.unit_names(c) or q.unit(c, year, raw) is None:
            refuse(_("%(year)s年计划中没有这个责任单位。", year=year))
        return Scope(year, "unit", raw, raw)
    number = bounded(raw, 1, 999)
    if name == "category":
        category = q.category(c, year, number) if number else None
        if category is None:
            refuse(_("%(year)s年计划中没有这个方面。", year=year))
        return Scope(year, "category", str(number), category.name)
    key = q.key_project(c, year, number) if number else None
    if key is None:
        refuse(_("%(year)s年计划中没有这个重点项目。", year=year))
    return Scope(year, "key", str(number), key.name)


def _args(start: date, end: date, defaulted: bool, scope: Scope) -> dict[str, str]:
    """The query that asks for this page again (the default range stays the default)."""
    args = {} if defaulted else {"from": start.isoformat(), "to": end.isoformat()}
    if scope.kind and scope.value:
        args[scope.kind] = scope.value
    return args
