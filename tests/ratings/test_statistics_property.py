"""Property: the satisfaction read model equals a from-scratch count, whatever the ratings.

Hypothesis draws sequences of ratings by a few people, of a few projects and
items, over a few quarters, rating and re-rating; they go through the ledger
and the projector. The expected tallies are computed here from the sequence
alone and the plan file (not from any read model): the latest rating of each
person, subject and quarter counts, once, in every group it belongs to.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.plan_file import load_plan_file
from application.verification import Address, Verified
from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from projections.ratings.satisfaction_queries import DIMENSIONS, year_results
from tests.clock import Clock
from tests.conftest import PLAN_FILE

SUBJECTS = [
    "project:2023:9.1",  # key project 1
    "project:2023:8.2",  # key project 1, another item
    "project:2023:10.1",  # no key project
    "project:2023:1.1",  # another category and unit
    "item:2023:9",
    "item:2023:23",
]
PLAN = load_plan_file(PLAN_FILE)
QUARTERS = {
    "2023Q2": "2023-05-10T10:00",
    "2023Q3": "2023-08-10T10:00",
    "2023Q4": "2023-11-10T10:00",
}
PEOPLE = [Address("phone", f"1381234560{n}") for n in range(4)]

rating = st.tuples(
    st.integers(0, len(PEOPLE) - 1),
    st.sampled_from(SUBJECTS),
    st.sampled_from(sorted(QUARTERS)),
    st.sampled_from(["satisfied", "basically", "unsatisfied"]),
    st.sampled_from([None, "梁溪区", "滨湖区"]),
)


def expected(
    plan: PlanSpec, ratings: list[tuple[Any, ...]]
) -> dict[str, dict[Any, tuple[int, int, int]]]:
    latest: dict[tuple[int, str, str], tuple[str, str | None]] = {}
    for person, subject, quarter, level, district in ratings:
        latest[(person, subject, quarter)] = (level, district)
    items = {i.number: i for i in plan.items}
    keys = {ref: k.number for k in plan.key_projects for ref in k.projects}
    counts: dict[str, dict[Any, list[int]]] = {
        d: defaultdict(lambda: [0, 0, 0]) for d in DIMENSIONS
    }
    for (_person, subject, _quarter), (level, district) in latest.items():
        kind, _year, ref = subject.split(":")
        item = items[int(ref.split(".")[0])]
        groups = {
            "project": ref if kind == "project" else None,
            "item": item.number,
            "category": item.category,
            "key_project": keys.get(ref) if kind == "project" else None,
            "unit": item.units[0],
            "district": district,
        }
        column = ["satisfied", "basically", "unsatisfied"].index(level)
        for dimension, key in groups.items():
            if key is not None:
                counts[dimension][key][column] += 1
    return {d: {k: tuple(v) for k, v in groups.items()} for d, groups in counts.items()}


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ratings=st.lists(rating, min_size=1, max_size=25))
def test_the_read_model_counts_what_a_fresh_count_says(ratings: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock()
        services = Services.open(f"sqlite:///{Path(folder) / 'r.sqlite3'}", clock=clock)
        services.ledger.register_plan(PLAN, "test")
        for person, subject, quarter, level, district in ratings:
            clock.set(QUARTERS[quarter])
            who = Verified(services.ledger.vault.contact(PEOPLE[person].value), PEOPLE[person])
            services.ledger.rate(who, subject, level, "", district, "net")
        services.caught_up()
        with services.read() as c:
            results = year_results(c, 2023)
        services.close()
    got = {
        d: {k: (t.satisfied, t.basically, t.unsatisfied) for k, t in results.by[d].items()}
        for d in DIMENSIONS
    }
    assert got == expected(PLAN, ratings)
    assert results.overall.total == len({(p, s, q) for p, s, q, _l, _d in ratings})
