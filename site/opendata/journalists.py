"""For journalists: a permanent page per public event, feeds of everything, OPML, the chain."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import force_locale
from werkzeug.wrappers import Response

from domain.satisfaction import LEVELS
from domain.wuxi import business_date, end_of_day, start_of_day
from minsheng_site.caching import publicly_cacheable
from minsheng_site.describe import describe, entry_words, subject_link
from minsheng_site.labels import label
from minsheng_site.opendata.canonical_example import canonical_example
from minsheng_site.opendata.feeds import build_feed
from minsheng_site.services import services
from minsheng_site.views import YEAR, bounded, found, prefers_html, today
from projections.cases import case_queries as cq
from projections.cycle import candidate_queries
from projections.cycle import proposal_queries as pq
from projections.plans import queries as q
from projections.publiclog import log_queries as lq
from projections.publiclog import store_chain
from projections.publiclog.public_entries import EVENTS
from projections.ratings import satisfaction_queries as sq

bp = publicly_cacheable(Blueprint("journalists", __name__))
FEED_LENGTH = 50
DIGEST_DAYS = timedelta(days=14)  # the everything feed's rating digests reach back at most this
DIGEST_RATINGS = 20_000  # and read at most this many ratings

FMT = "<any(atom, rss):fmt>"
PLAN_KINDS = '"items", "projects", "categories", "key-projects", "units"'
PLAN_FEEDS = {
    "items": "item",
    "projects": "project",
    "categories": "category",
    "key-projects": "key",
    "units": "unit",
}


@bp.get("/events/<uuid:uuid>")
def event(uuid: UUID) -> str:
    with services().read() as c:
        row = found(lq.entry(c, str(uuid)))
        before, after = lq.at(c, row.seq - 1), lq.at(c, row.seq + 1)
        corrected = lq.corrected_by(c, row.uuid)
        corrects = lq.entry(c, row.corrects) if row.corrects else None
        links = [link for s in lq.subjects(c, row.seq) if (link := subject_link(s))]
        title, summary = entry_words(c, row)
        with force_locale("en"):
            title_en = entry_words(c, row)[0]
        head = lq.head(c)
    return render_template(
        "opendata/event.html",
        row=row,
        title=title,
        summary=summary,
        before=before,
        after=after,
        corrected=corrected,
        corrects=corrects,
        links=links,
        describe=describe,
        simulated=bool(row.payload.get("simulated")),
        citations=citations(row, title, title_en, head),
    )


def citations(row: Any, title: str, title_en: str, head: tuple[int, str] | None) -> dict[str, str]:
    """How to cite an entry, ready to copy: title, date, permanent link, and the chain's head
    today (which fixes the entry: a later edit of it would change every hash after it)."""
    url = url_for("opendata.journalists.event", uuid=row.uuid, _external=True)
    day = row.business_date or business_date(row.recorded_at).isoformat()
    seq, top = head if head else (row.seq, row.hash)
    mark_zh = "【模拟数据，非真实进展】" if row.payload.get("simulated") else ""
    mark_en = "[SIMULATED DATA, not real progress] " if row.payload.get("simulated") else ""
    return {
        "zh": (
            f"{mark_zh}民生实事公开台：《{title}》，{day}。{url}"
            f"（公开记录第{row.seq}条，哈希 {row.hash}；引用时链头为第{seq}条 {top}）"
        ),
        "en": (
            f"{mark_en}Livelihood Projects in the Open (民生实事公开台), "
            f'"{title_en}", {day}. {url} '
            f"(public log entry {row.seq}, hash {row.hash}; chain head when cited: "
            f"entry {seq}, {top})"
        ),
    }


@bp.get(f"/feeds/all.{FMT}")
def everything(fmt: str) -> Response:
    """Everything but single ratings (a digest a day tells them, per subject, with counts) and
    case intakes (the case feeds have them): what a reader of everything wants to know."""
    with services().read() as c:
        rows = lq.latest_news(c, FEED_LENGTH)
        items = [_item(c, row) for row in rows]
        # The digests of the days the entries span (at most DIGEST_DAYS before the newest).
        newest = rows[0].recorded_at if rows else services().ledger.clock()
        since = max(rows[-1].recorded_at if rows else newest, newest - DIGEST_DAYS)
        digests = _rating_digests(c, since)
    items = sorted(items + digests, key=lambda i: i["published"], reverse=True)[:FEED_LENGTH]
    return _send(fmt, "全部公开记录", url_for("plans.pages.home", _external=True), items)


def _rating_digests(c: Any, since: datetime) -> list[dict[str, Any]]:
    """One entry per Wuxi day of ratings since `since`'s day: how many each subject received,
    by level. Its id is the day's, forever; it grows while the day lasts. At most
    DIGEST_RATINGS ratings are read (the newest): a day they do not reach whole is left out."""
    days: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    last: dict[str, datetime] = {}
    simulated: dict[str, bool] = defaultdict(bool)
    rows = lq.ratings_since(c, start_of_day(business_date(since)), DIGEST_RATINGS)
    for row in rows:
        day = row.business_date
        days[day][row.payload["subject"]][row.payload["level"]] += 1
        last[day] = max(last.get(day, row.recorded_at), row.recorded_at)
        simulated[day] |= bool(row.payload.get("simulated"))
    if len(rows) == DIGEST_RATINGS and days:
        days.pop(min(days))  # cut short: its counts would be wrong
    return [_digest(day, subjects, last[day], simulated[day]) for day, subjects in days.items()]


def _digest(
    day: str, subjects: dict[str, Counter[str]], at: datetime, simulated: bool
) -> dict[str, Any]:
    total = sum(sum(levels.values()) for levels in subjects.values())
    parts = []
    for subject, levels in sorted(subjects.items(), key=lambda kv: -sum(kv[1].values())):
        link = subject_link(subject)
        counts = "、".join(
            f"{label(level, 'level')}{levels[level]}" for level in LEVELS if levels[level]
        )
        parts.append(f"{link[0] if link else subject} {sum(levels.values())}条（{counts}）")
    return {
        "id": f"urn:uuid:{uuid5(EVENTS, f'ratings-digest/{day}')}",
        "title": f"{day}满意度评价汇总：共{total}条，涉及{len(subjects)}个项目或条目",
        "summary": "；".join(parts) + "。每人每季度对同一对象只计一次评价（新评价替换旧评价）。",
        "link": url_for("ratings.satisfaction.results", year=int(day[:4]), _external=True),
        "published": at,
        "simulated": simulated,
    }


@bp.get(f"/feeds/plans/{YEAR}/<any({PLAN_KINDS}):kind>/<key>.{FMT}")
def plan_feed(year: int, kind: str, key: str, fmt: str) -> Response:
    with services().read() as c:
        found(q.plan(c, year))
        title, page = _plan_page(c, year, kind, key)
    return _feed(fmt, f"{PLAN_FEEDS[kind]}:{year}:{key}", title, page)


@bp.get(f"/feeds/plans/{YEAR}.{FMT}")
def plan_all(year: int, fmt: str) -> Response:
    with services().read() as c:
        found(q.plan(c, year))
    return _feed(
        fmt,
        f"plan:{year}",
        f"{year}年计划",
        url_for("plans.pages.overview", year=year, _external=True),
    )


@bp.get(f"/feeds/plans/{YEAR}/amendments.{FMT}")
def plan_amendments(year: int, fmt: str) -> Response:
    """Every amendment of a year's plan, each its own entry (issue 15)."""
    with services().read() as c:
        found(q.plan(c, year))
    return _feed(
        fmt,
        f"amendments:{year}",
        f"{year}年计划的修改",
        url_for("cycle.amendments.index", year=year, _external=True),
    )


@bp.get(f"/feeds/cycle/{YEAR}/candidates.{FMT}")
def cycle_candidates_feed(year: int, fmt: str) -> Response:
    """The cycle's conversions of cases, candidates and the congress vote (and its
    corrections), as the public log tells them. A 404 for a year with no cycle: neither a
    solicitation, nor a conversion, nor a candidate (a typo is not an empty feed)."""
    with services().read() as c:
        if year not in candidate_queries.years(c):
            found(pq.solicitation(c, year))
    return _feed(
        fmt,
        f"candidates:{year}",
        f"{year}年民生实事候选项目与人代会票决",
        url_for("cycle.candidates.index", year=year, _external=True),
    )


@bp.get(f"/feeds/cycle/{YEAR}/proposals.{FMT}")
def proposals_feed(year: int, fmt: str) -> Response:
    """The year's solicitation: its opening and closing, proposals published and answered."""
    with services().read() as c:
        found(pq.solicitation(c, year))
    return _feed(
        fmt,
        f"proposals:{year}",
        f"{year}年民生实事项目建议",
        url_for("cycle.proposals.index", year=year, _external=True),
    )


@bp.get(f"/feeds/cases.{FMT}")
def cases(fmt: str) -> Response:
    return _feed(fmt, "cases", "民生诉求", url_for("cases.pages.board", _external=True))


@bp.get(f"/feeds/cases/key.{FMT}")
def key_cases(fmt: str) -> Response:
    return _feed(
        fmt, "cases:key", "市级重点督办诉求", url_for("cases.pages.board", key=1, _external=True)
    )


@bp.get(f"/feeds/cases/districts/<district>.{FMT}")
def district_cases(district: str, fmt: str) -> Response:
    from domain.cases import DISTRICTS

    if district not in DISTRICTS:
        abort(404)
    return _feed(
        fmt,
        f"district:{district}",
        f"民生诉求 · {district}",
        url_for("cases.pages.board", district=district, _external=True),
    )


@bp.get(f"/feeds/cases/overdue.{FMT}")
def overdue_cases(fmt: str) -> Response:
    """Cases past their time limit: an entry when each passes it. Every one of them, as the
    board's 超期 list counts them: the unit and the time limit are public without consent
    (the citizen's words are not, and no entry holds them)."""
    with services().read() as c:
        rows = cq.overdue(c, today())
    items = [
        {
            "id": f"urn:uuid:{uuid5(EVENTS, f'overdue/{r.number}/{r.deadline}')}",
            "title": f"诉求{r.number}超期未办结",
            "summary": f"{r.category} · {r.district} · 主办：{r.lead_unit} · 时限{r.deadline}",
            "link": url_for("cases.pages.case", number=r.number, _external=True),
            "published": end_of_day(r.deadline),
            "simulated": r.simulated,
        }
        for r in rows
    ]
    page = url_for("cases.pages.board", overdue=1, _external=True)
    return _send(fmt, "超期未办结的诉求", page, items)


@bp.get(f"/feeds/plans/{YEAR}/satisfaction.{FMT}")
def satisfaction(year: int, fmt: str) -> Response:
    """Satisfaction milestones: quarters closed with their final results, subjects that
    reached the ranking minimum, the year's ratings passing round numbers."""
    now = services().ledger.clock()
    with services().read() as c:
        found(q.plan(c, year))
        key = ("satisfaction-milestones", year, business_date(now))
        reached = services().once(key, lambda: sq.milestones(c, year, now))
        labels = {
            **{("project", p.ref): f"具体项目{p.ref} {p.title}" for p in q.projects(c, year)},
            **{("item", str(i.number)): f"第{i.number}项" for i in q.items(c, year)},
        }
    page = url_for("ratings.satisfaction.results", year=year, _external=True)
    items = [_milestone(m, year, labels, page) for m in reached[:100]]
    return _send(fmt, f"{year}年满意度评价动态", page, items)


def _milestone(
    m: sq.Milestone, year: int, labels: dict[tuple[str, str], str], page: str
) -> dict[str, Any]:
    if m.kind == "quarter" and m.tally is not None:
        low, high = m.tally.interval
        title = f"{m.quarter}满意度评价结果：满意率{(m.tally.rate or 0) * 100:.1f}%"
        summary = (
            f"本季度共{m.tally.total}条评价（满意{m.tally.satisfied}、基本满意"
            f"{m.tally.basically}、不满意{m.tally.unsatisfied}），满意率 =（满意 + 基本满意）÷"
            f" 全部评价，95%区间{low * 100:.1f}%–{high * 100:.1f}%。季度结束后不再变化。"
        )
        link = f"{page}#quarters"
    elif m.kind == "ranked" and m.subject is not None:
        kind, ref = m.subject
        name = labels.get(m.subject, ref)
        title = f"{name}的评价满{m.count}条，进入满意度排名"
        summary = f"评价满{m.count}条（每人每季度计一次）后才参与排名；当前结果见其页面。"
        link = (
            url_for("plans.pages.project", year=year, ref=ref, _external=True)
            if kind == "project"
            else url_for("plans.pages.item", year=year, number=int(ref), _external=True)
        ) + "#rate"
    else:
        title = f"{year}年满意度评价累计达到{m.count:,}条"
        summary = "每人每季度对每个项目或条目计一次评价。"
        link = page
    return {
        "id": f"urn:uuid:{uuid5(EVENTS, f'satisfaction/{m.key}')}",
        "title": title,
        "summary": summary,
        "link": link,
        "published": m.at,
        "simulated": m.simulated,
    }


@bp.get(f"/feeds/findings.{FMT}")
def findings(fmt: str) -> Response:
    return _feed(
        fmt,
        "findings",
        "督查发现的问题与整改",
        url_for("supervision.pages.supervision", year=_latest_year(), _external=True),
    )


@bp.get(f"/feeds/log.{FMT}")
def checkpoints(fmt: str) -> Response:
    return _feed(
        fmt, "log", "公开记录检查点", url_for("opendata.journalists.journalists", _external=True)
    )


@bp.get("/journalists")
def journalists() -> str:
    with services().read() as c:
        year = _latest_year_in(c)
        head = lq.head(c)
        entries = lq.count(c)
        store = store_chain.head(c)
        plan_items = q.items(c, year) if year else []
        key_projects = q.key_projects(c, year) if year else []
        unit_list = q.units(c, year) if year else []
        solicited, listed = pq.years(c), candidate_queries.years(c)
    from domain.cases import DISTRICTS

    return render_template(
        "opendata/journalists.html",
        year=year,
        head=head,
        entries=entries,
        store=store,
        items=plan_items,
        key_projects=key_projects,
        units=unit_list,
        districts=DISTRICTS,
        example=canonical_example(),
        cycle_years=sorted(set(solicited) | set(listed)),
        solicited=solicited,
        listed=listed,
    )


@bp.get("/feeds.opml")
def opml() -> Response:
    with services().read() as c:
        year = _latest_year_in(c)
        plan_items = q.items(c, year) if year else []
        cycles = candidate_queries.years(c)
    outlines = [
        ("全部公开记录", url_for("opendata.journalists.everything", fmt="atom", _external=True)),
        ("最近7天的变化", url_for("opendata.changes.feed", fmt="atom", _external=True)),
        ("每周变化摘要", url_for("opendata.changes.weekly", fmt="atom", _external=True)),
        ("民生诉求", url_for("opendata.journalists.cases", fmt="atom", _external=True)),
        ("市级重点督办诉求", url_for("opendata.journalists.key_cases", fmt="atom", _external=True)),
        (
            "超期未办结的诉求",
            url_for("opendata.journalists.overdue_cases", fmt="atom", _external=True),
        ),
        (
            "督查发现的问题与整改",
            url_for("opendata.journalists.findings", fmt="atom", _external=True),
        ),
    ]
    if year:
        outlines.append(
            (
                f"{year}年计划",
                url_for("opendata.journalists.plan_all", year=year, fmt="atom", _external=True),
            )
        )
        outlines.append(
            (
                f"{year}年计划的修改",
                url_for(
                    "opendata.journalists.plan_amendments", year=year, fmt="atom", _external=True
                ),
            )
        )
        outlines.append(
            (
                f"{year}年满意度评价动态",
                url_for("opendata.journalists.satisfaction", year=year, fmt="atom", _external=True),
            )
        )
        outlines += [
            (
                f"第{i.number}项",
                url_for(
                    "opendata.journalists.plan_feed",
                    year=year,
                    kind="items",
                    key=str(i.number),
                    fmt="atom",
                    _external=True,
                ),
            )
            for i in plan_items
        ]
    outlines += [
        (
            f"{y}年民生实事候选项目与人代会票决",
            url_for(
                "opendata.journalists.cycle_candidates_feed", year=y, fmt="atom", _external=True
            ),
        )
        for y in cycles
    ]
    response = make_response(
        render_template(
            "opendata/feeds.opml", outlines=outlines, now=services().ledger.clock().astimezone(UTC)
        )
    )
    response.mimetype = "text/x-opml"
    return response


def _feed(fmt: str, subject: str, title: str, page: str) -> Response:
    with services().read() as c:
        items = [_item(c, row) for row in lq.latest(c, subject, FEED_LENGTH)]
    return _send(fmt, title, page, items)


def _item(c: Any, row: Any) -> dict[str, Any]:
    """A public-log entry as a feed entry: its permanent page, its words, its label."""
    heading, summary = entry_words(c, row)
    return {
        "id": f"urn:uuid:{row.uuid}",
        "title": heading,
        "summary": summary,
        "link": url_for("opendata.journalists.event", uuid=row.uuid, _external=True),
        "published": row.recorded_at,
        "simulated": bool(row.payload.get("simulated")),
    }


def _send(fmt: str, title: str, page: str, items: list[dict[str, Any]]) -> Response:
    with services().read() as c:
        head, store = lq.head(c), store_chain.head(c)
    updated = max((i["published"] for i in items), default=datetime(2000, 1, 1, tzinfo=UTC))
    note = "民生实事公开台"
    if head:
        note += f" · 公开记录链头 第{head[0]}条 {head[1]}"
    if store:
        note += f" · 全部存储记录链头 第{store[0]}条 {store[1]}"
    body = build_feed(
        title=f"{title} · 民生实事公开台",
        page_url=page,
        self_url=request.base_url,
        feed_id=f"urn:uuid:{uuid5(EVENTS, request.path)}",
        fmt=fmt,
        items=items,
        updated=updated,
        note=note,
        stylesheet=url_for("static", filename="feed.xsl"),
    )
    response = make_response(body)
    response.mimetype = feed_mimetype(fmt)
    response.vary.add("Accept")
    response.last_modified = updated
    return response


def feed_mimetype(fmt: str) -> str:
    """The feed's own type for readers; plain XML for a browser (which shows an Atom or RSS
    type as text, never applying the stylesheet). The body is the same either way."""
    if prefers_html():
        return "application/xml"
    return "application/atom+xml" if fmt == "atom" else "application/rss+xml"


def _plan_page(c: Any, year: int, kind: str, key: str) -> tuple[str, str]:
    number = bounded(key, 1, 999)
    if kind == "items" and number and q.item(c, year, number):
        return f"{year}年第{key}项", url_for(
            "plans.pages.item", year=year, number=number, _external=True
        )
    if kind == "projects" and q.project(c, year, key):
        return f"{year}年具体项目{key}", url_for(
            "plans.pages.project", year=year, ref=key, _external=True
        )
    if kind == "categories" and number and q.category(c, year, number):
        return f"{year}年第{key}方面", url_for(
            "plans.pages.category", year=year, number=number, _external=True
        )
    if kind == "key-projects" and number and q.key_project(c, year, number):
        return f"{year}年重点项目{key}", url_for(
            "plans.pages.key_project", year=year, number=number, _external=True
        )
    if kind == "units" and q.unit(c, year, key):
        return f"{year}年 {key}", url_for("plans.pages.unit", year=year, name=key, _external=True)
    abort(404)


def _latest_year() -> int:
    with services().read() as c:
        return _latest_year_in(c) or today().year


def _latest_year_in(c: Any) -> int | None:
    return q.current_year(c)
