"""What one can follow: a topic names a public-log subject (as the feeds do), the cases of a
category, the overdue list, or the weekly digest of what changed; each has a title and a
page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Connection

from domain.cases import CATEGORIES, DISTRICTS, is_overdue
from minsheng_site.opendata import changes
from projections.cases import case_queries as cq
from projections.plans import queries as q
from projections.publiclog import log_queries as lq

NEWS_AT_ONCE = 30  # entries in one alert; the rest wait for the next


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    page: str


@dataclass(frozen=True)
class News:
    heading: str
    summary: str
    link: str
    position: int  # what `after` becomes once this was told


def topic(c: Connection, key: str) -> Topic | None:
    """The topic `key` names, if there is such a thing to follow."""
    kind, _sep, rest = key.partition(":")
    if kind in ("project", "item", "key", "unit", "category"):
        year_text, _sep, name = rest.partition(":")
        year = int(year_text) if year_text.isdigit() else 0
        return _plan_topic(c, key, kind, year, name)
    if kind == "district" and rest in DISTRICTS:
        return Topic(key, _("民生诉求 · %(d)s", d=rest), _page("cases.pages.board", district=rest))
    if kind == "case-category" and rest in CATEGORIES:
        return Topic(key, _("民生诉求 · %(c)s", c=rest), _page("cases.pages.board"))
    if key == "overdue":
        return Topic(key, _("超期未办结的诉求"), _page("cases.pages.board", overdue=1))
    if key == "cases":
        return Topic(key, _("民生诉求"), _page("cases.pages.board"))
    if key == "weekly":
        return Topic(key, _("每周变化摘要"), _page("opendata.changes.page"))
    if key == "supervision" and (current := q.current_year(c)):
        page = _page("supervision.pages.supervision", year=current)
        return Topic(key, _("督查发现的问题与整改"), page)
    if kind == "plan" and rest.isdigit() and q.plan(c, int(rest)):
        return Topic(key, _("%(y)s年计划", y=rest), _page("plans.pages.overview", year=int(rest)))
    return None


def _plan_topic(c: Connection, key: str, kind: str, year: int, name: str) -> Topic | None:
    number = int(name) if name.isdigit() and len(name) < 4 else 0
    if kind == "project" and (p := q.project(c, year, name)):
        return Topic(
            key, _("具体项目%(ref)s", ref=p.ref), _page("plans.pages.project", year=year, ref=p.ref)
        )
    if kind == "item" and number and q.item(c, year, number):
        return Topic(
            key, _("第%(n)s项", n=number), _page("plans.pages.item", year=year, number=number)
        )
    if kind == "key" and number and (k := q.key_project(c, year, number)):
        return Topic(key, k.name, _page("plans.pages.key_project", year=year, number=number))
    if kind == "category" and number and (g := q.category(c, year, number)):
        return Topic(key, g.name, _page("plans.pages.category", year=year, number=number))
    if kind == "unit" and name in q.unit_names(c):
        return Topic(key, name, _page("plans.pages.unit", year=year, name=name))
    return None


def _page(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def head(c: Connection, key: str, today: date) -> int:
    """Where a new subscription starts: news after this is news to it."""
    if key == "overdue":
        return today.toordinal()
    if key == "weekly":  # the first week to tell is this one, once it is over
        return _monday(today).toordinal()
    found = lq.head(c)
    return found[0] if found else 0


def news(c: Connection, key: str, after: int, today: date, describe: Any) -> Sequence[News]:
    """What happened to the topic after `after`, oldest first (at most NEWS_AT_ONCE);
    `describe(c, row)` puts a public-log row in words."""
    if key == "overdue":
        return _overdue(c, after, today)
    if key == "weekly":
        return _weeks(after, today)
    subject = "cases" if key.startswith("case-category:") else key
    category = key.partition(":")[2] if key.startswith("case-category:") else None
    found: list[News] = []
    seq = after
    while len(found) < NEWS_AT_ONCE:
        rows = lq.after(c, subject, seq, 200)
        if not rows:
            break
        for row in rows:
            seq = row.seq
            if category is not None and row.payload.get("category") != category:
                continue
            heading, summary = describe(c, row)
            link = url_for("opendata.journalists.event", uuid=row.uuid, _external=True)
            found.append(News(heading, summary, link, row.seq))
            if len(found) == NEWS_AT_ONCE:
                break
    return found


def _overdue(c: Connection, after: int, today: date) -> list[News]:
    """Cases that passed their time limit since the last alert (consent or not, as the board's
    超期 list and its feed: unit and time limit are public): `after` is the ordinal of the
    first deadline not yet told."""
    rows = [r for r in cq.open_cases(c) if is_overdue(r, today) and r.deadline.toordinal() >= after]
    return [
        News(
            _("诉求%(n)s超期未办结", n=r.number),
            f"{r.category} · {r.district} · {r.lead_unit} · {r.deadline}",
            url_for("cases.pages.case", number=r.number, _external=True),
            r.deadline.toordinal() + 1,
        )
        for r in sorted(rows, key=lambda r: (r.deadline, r.number))[:NEWS_AT_ONCE]
    ]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(after: int, today: date) -> list[News]:
    """The whole Wuxi weeks (Monday to Sunday) over since the last alert, a digest each:
    `after` is the ordinal of the first Monday not yet told."""
    told: list[News] = []
    first = _monday(date.fromordinal(max(after, 1)))
    while first + timedelta(days=7) <= today and len(told) < NEWS_AT_ONCE:
        entry = changes.week_item(first, changes.week_of(first))
        following = first + timedelta(days=7)
        told.append(News(entry["title"], entry["summary"], entry["link"], following.toordinal()))
        first = following
    return told
