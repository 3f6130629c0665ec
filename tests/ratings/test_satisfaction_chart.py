"""The satisfaction chart covers the plan's own year, and says n where it leaves an interval
out (issue 14, part 4): ratings cast after the plan year (the plan file says nothing of
them going on) are in the table, labelled, not in the chart."""

from __future__ import annotations

import re

from flask import Flask

from application.verification import Address, Verified
from minsheng_site.services import Services
from projections.ratings.satisfaction_queries import MIN_RANKED
from tests.clock import Clock

# quarter → (when the ratings are cast, how many people rate)
CAST = {
    "2023Q3": ("2023-08-10T10:00", MIN_RANKED + 2),
    "2023Q4": ("2023-11-10T10:00", 3),  # few: an interval from 3 ratings says little
    "2026Q4": ("2026-11-10T10:00", MIN_RANKED + 5),  # long after the plan's year
}


def cast(services: Services) -> None:
    clock = services.ledger.clock
    assert isinstance(clock, Clock)
    for when, people in CAST.values():
        clock.set(when)
        for n in range(people):
            address = Address("phone", f"138123{n:05d}")
            who = Verified(services.ledger.vault.contact(address.value), address)
            level = ("satisfied", "basically", "unsatisfied")[n % 3]
            services.ledger.rate(who, "project:2023:9.1", level, "", None, "net")
    services.caught_up()


def points(svg: str) -> dict[int, list[str]]:
    """The quarters pygal drew a point at, series by series (0: 满意率, 1 and 2: the interval)."""
    overlay = svg[svg.index('class="plot overlay"') : svg.index('class="plot text-overlay"')]
    parts = re.split(r'<g class="series serie-(\d) color-\d">', overlay)
    return {
        int(serie): re.findall(r'<desc class="x_label">([^<]+)</desc>', drawn)
        for serie, drawn in zip(parts[1::2], parts[2::2], strict=True)
    }


def test_the_chart_shows_only_the_plan_year_and_no_interval_for_a_quarter_with_few_ratings(
    app: Flask,
) -> None:
    services: Services = app.extensions["minsheng"]
    cast(services)
    client = app.test_client()
    svg = client.get("/plans/2023/satisfaction/chart.svg").text
    assert "2026Q" not in svg and "2023Q3" in svg and "2023Q4" in svg
    many, few = f"2023Q3（n={MIN_RANKED + 2}）", "2023Q4（n=3）"
    # 满意率 in both of the year's quarters; the interval only where the ratings are enough
    assert points(svg) == {0: [many, few], 1: [many], 2: [many]}
    assert f"评价少于{MIN_RANKED}条的季度不画区间" in svg
    page = client.get("/plans/2023/satisfaction").text
    assert "2026Q4（计划年度之后，不在图中）" in page
    small = client.get("/plans/2023/satisfaction/chart.svg?size=small").text
    assert "2026Q" not in small
