"""The simulated cycle's candidates: conversions of the simulated cases, candidates, the vote,
all labelled simulated (both stores)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from application.plan_file import load_plan_file
from application.simulated_candidates import CandidateSummary, write_simulated_candidates
from application.simulated_proposals import write_simulated_proposals
from projections.cycle import candidate_queries as cq
from tests.conftest import BACKENDS, simulated_site


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from simulated_site(request, tmp_path_factory, cases=200)


@pytest.fixture(scope="module")
def summary(site: Flask) -> CandidateSummary:
    """The simulated solicitation, then the candidates from what it left unanswered."""
    ledger = site.extensions["minsheng"].ledger
    before = ledger.clock
    unanswered = write_simulated_proposals(ledger, 2024).unanswered
    written = write_simulated_candidates(ledger, 2024, unanswered)
    assert ledger.clock is before  # the system clock is given back
    return written


def test_the_simulated_cycle_converts_lists_and_votes(
    site: Flask, summary: CandidateSummary
) -> None:
    services = site.extensions["minsheng"]
    assert summary.refused == []
    assert len(summary.conversions) >= 3 and len(summary.candidates) == 16
    # the ten key projects of the labelled simulated 2024 plan (plans/2024/plan.yaml)
    assert summary.chosen == [f"C{n}" for n in (3, 4, 5, 6, 9, 10, 11, 12, 13, 14)]
    services.caught_up()
    with services.engine.connect() as c:
        rows = cq.candidates(c, 2024)
        assert all(r.simulated for r in rows) and sum(r.chosen for r in rows) == 10
        assert rows[3].title == "老旧住宅渗漏维修" and rows[13].title == "新能源汽车公共充电桩"
        assert rows[3].sources[0].startswith("Z")  # 楼道漏水 cases, converted
        # the first candidate corrected before the vote (a unit left out), and only it
        assert [r.corrections for r in rows] == [1] + [0] * 15
        assert rows[0].units[-1] == "市财政局" and "模拟" in rows[0].correction_reason
        assert all(2 * r.votes_for > r.votes_for + r.against + r.abstain for r in rows if r.chosen)
        conversions = cq.conversions(c, 2024)
        assert all(r.simulated and r.cases >= 2 for r in conversions)
        first = cq.conversion_cases(c, 2024, 1)
        assert len({r.district for r in first}) > 1  # a class of problem across districts
        vote = cq.vote(c, 2024)
        assert vote is not None and vote.held_on.isoformat() == "2024-01-12" and vote.simulated
        case = first[0].case_number
    client = site.test_client()
    page = client.get("/cycle/2024/candidates/").get_data(as_text=True)
    assert page.count("模拟") >= 16
    page = client.get(f"/cases/{case}").get_data(as_text=True)
    assert "/cycle/2024/conversions/1" in page
    # A conversion's page: its counts from every case, its cases 50 a page.
    with services.engine.connect() as c:
        every = cq.conversion_cases(c, 2024, 1)
        by_district, by_unit = cq.conversion_counts(c, 2024, 1)
        assert cq.conversion_cases(c, 2024, 1, 2, 1) == every[1:3]  # a page: limit, offset
    assert (by_district, by_unit) == (recount(every, "district"), recount(every, "lead_unit"))
    conversion = client.get("/cycle/2024/conversions/1").get_data(as_text=True)
    assert f"共{len(every)}件诉求" in conversion
    shown = [r.case_number for r in every if f">{r.case_number}</a>" in conversion]
    assert shown == [r.case_number for r in every][:50]
    pages = -(-len(every) // 50)
    assert client.get(f"/cycle/2024/conversions/1?page={pages}").status_code == 200
    assert client.get(f"/cycle/2024/conversions/1?page={pages + 1}").status_code == 404
    assert client.get("/cycle/2024/conversions/1?page=x").status_code == 400
    feed = client.get("/feeds/cycle/2024/candidates.rss").get_data(as_text=True)
    assert "【模拟】人代会票决结果" in feed and "【模拟】转化Z1" in feed
    assert "【模拟】更正：候选项目C1" in feed


def recount(rows: Sequence[Any], column: str) -> list[tuple[str, int]]:
    """The cases counted by one column in Python, most first, then by name."""
    tally = Counter(getattr(r, column) or "" for r in rows)
    return sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))


PLAN_2024 = Path(__file__).resolve().parents[2] / "plans" / "2024" / "plan.yaml"


def test_the_simulated_2024_plan_leads_back_to_its_candidates_and_cases(
    site: Flask, summary: CandidateSummary
) -> None:
    """Once next year's plan names its candidates (`candidate: C4`), a candidate page and the
    page of a case that fed it show the project."""
    services = site.extensions["minsheng"]
    services.ledger.register_plan(load_plan_file(PLAN_2024), "sim:setup")
    services.caught_up()
    with services.engine.connect() as c:
        projects = cq.plan_projects(c, 2024)
        assert projects, "the plan names its candidates"
        leaking = next(r for r in cq.candidates(c, 2024) if r.title == "老旧住宅渗漏维修")
        case = next(
            r.case_number
            for z in cq.conversions(c, 2024)
            if f"Z{z.number}" in leaking.sources
            for r in cq.conversion_cases(c, 2024, z.number)
        )
    client = site.test_client()
    page = client.get(f"/cycle/2024/candidates/{leaking.number}").get_data(as_text=True)
    case_page = client.get(f"/cases/{case}").get_data(as_text=True)
    for ref, _title in projects[leaking.number]:
        assert f"/plans/2024/projects/{ref}" in page and f"/plans/2024/projects/{ref}" in case_page
