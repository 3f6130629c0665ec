"""Small helpers shared by the blueprints."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import abort, g, render_template, request, url_for
from htmx_flask import request as htmx_request

from domain.wuxi import business_date
from minsheng_site.services import services
from projections.plans import queries as q

YEAR = "<int(min=2000, max=2100):year>"
NUMBER = "<int(min=1, max=999):number>"


def render(template: str, fragment: str | None = None, **context: Any) -> str:
    """The full page, or only its fragment when htmx asks for it.

    The page template includes the fragment template, so both come from one source.
    """
    if fragment and htmx_request.htmx and not htmx_request.htmx.boosted:
        return render_template(fragment, **context)
    return render_template(template, **context)


def found(value: Any) -> Any:
    """The value, or a 404 page when the read model has nothing for it."""
    if value is None:
        abort(404)
    return value


def bounded(raw: str, low: int, high: int) -> int | None:
    """`raw` as an integer in low..high, else None.

    ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() refuses
    or reads differently, and an unbounded number overflows a database integer.
    """
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(high)):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def int_arg(name: str, low: int = 1, high: int = 9999) -> int | None:
    """An optional integer query parameter; a bad value is a 400, not a guess."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    value = bounded(raw, low, high)
    if value is None:
        abort(400, description=f"{name}: a whole number from {low} to {high}")
    return value


def plan_from_url(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """For /plans/<year>/... pages: the plan, loaded once before the view (404 if unknown).

    Only what is read under /plans/: the rating POSTs there check their subject
    themselves (after CSRF and limits), and staff routes (/staff/plans/...) sign in first.
    """
    rule = request.url_rule.rule if request.url_rule else ""
    reading = request.method in ("GET", "HEAD")
    if values and "year" in values and rule.startswith("/plans/") and reading:
        plan_of(values["year"])


def plan_of(year: int) -> q.PlanView:
    """The plan of `year`, loaded once per request; a 404 page when there is none.

    A page read keeps it for the next reads while the catalog stands where it stood
    (a plan changes only through the catalog's events): a page replayed from the page
    cache then costs no plan query.
    """
    plan: q.PlanView | None = g.get("plan")
    if plan is not None and plan.year == year:
        return plan

    def load() -> q.PlanView | None:
        with services().read() as c:
            return q.plan(c, year)

    if request.method in ("GET", "HEAD"):
        key = ("plan", year, read_positions().get("catalog", 0))
        g.plan = plan = found(services().kept(key, load))
    else:
        g.plan = plan = found(load())
    return plan


def read_positions() -> dict[str, int]:
    """Where each read model stood when this request first asked (asked once per request)."""
    positions: dict[str, int] | None = g.get("_positions")
    if positions is None:
        positions = g._positions = services().projector.positions()
    return positions


FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/xml")


def prefers_html() -> bool:
    """Does the client rank a web page above a feed: a browser, not a feed reader? (A feed
    opened in a browser is sent as plain XML so that its stylesheet applies.)"""
    return request.accept_mimetypes.best_match((*FEED_TYPES, "text/html")) == "text/html"


def simulated_figures() -> bool:
    """Do the site's figures draw on the labelled simulated year? The `simulated` column of
    exports that sum many facts (satisfaction, the evaluation) says so on every row."""
    from projections.plans.progress_queries import simulated_present

    def compute() -> bool:
        with services().read() as c:
            return simulated_present(c)

    return services().once(("simulated-present",), compute)


def today() -> date:
    """Today in Wuxi, by the ledger's clock."""
    return business_date(services().ledger.clock())


EARLIEST = date(2000, 1, 1)


def as_of_arg(clamp: bool = False) -> tuple[date, bool]:
    """The day a page shows the state of: ?as_of=YYYY-MM-DD, else today (and whether asked).

    A page refuses a day outside 2000-01-01..today. The API (`clamp`) answers such
    a day with the nearest it can speak for (nothing before 2000 differs from
    2000-01-01; nothing is known past today) and says which day it used.
    """
    raw = request.args.get("as_of", "").strip()
    now = today()
    if not raw:
        return now, False
    problem = f"as_of: a day YYYY-MM-DD from {EARLIEST} to {now}"
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        abort(400, description=problem)
    if clamp:
        day = min(max(day, EARLIEST), now)
    elif not EARLIEST <= day <= now:
        abort(400, description=problem)
    return day, day != now


def keep_as_of(endpoint: str, **values: Any) -> str:
    """A link to `endpoint` that stays on the day the reader is looking at."""
    # values go to url_for as they are, typed as url_for types them (route values or options)
    raw = request.args.get("as_of", "").strip()
    url = url_for(endpoint, **values)
    if raw and "#" not in url:
        return url + ("&" if "?" in url else "?") + urlencode({"as_of": raw})
    return url
