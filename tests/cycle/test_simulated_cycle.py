"""The labelled simulated cycle as `flask simulation load` writes it after the simulated year:
a solicitation, conversions of the simulated cases, candidates, the congress vote and the
labelled simulated 2024 plan, consistent with one another and all of it tagged 模拟."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from application.plan_file import load_plan_file
from application.simulated_cycle import CycleSummary, write_simulated_cycle
from projections.cycle import candidate_queries as cq
from projections.cycle import proposal_queries as pq
from projections.plans import queries as q
from projections.publiclog import log_queries as lq
from tests.conftest import BACKENDS, simulated_site

PLAN_2024 = Path(__file__).resolve().parents[2] / "plans" / "2024" / "plan.yaml"


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from simulated_site(request, tmp_path_factory, cases=200)


@pytest.fixture(scope="module")
def cycle(site: Flask) -> CycleSummary:
    services = site.extensions["minsheng"]
    written = write_simulated_cycle(services.ledger, 2024, load_plan_file(PLAN_2024), 7)
    assert services.caught_up()
    return written


def test_the_cycle_runs_from_proposals_to_the_plan(site: Flask, cycle: CycleSummary) -> None:
    assert cycle.refused == [] and cycle.proposals.refused == [] and cycle.candidates.refused == []
    assert cycle.plan is not None and cycle.plan.created
    assert len(cycle.candidates.conversions) >= 3 and len(cycle.candidates.chosen) == 10
    with site.extensions["minsheng"].read() as c:
        counts = pq.counts(c, 2024)
        assert counts.answers["none"] == 0  # every published proposal answered before the vote
        assert counts.answers["adopted"] >= 1
        candidates = {f"C{r.number}": r for r in cq.candidates(c, 2024)}
        plan = q.plan(c, 2024)
        assert plan is not None and plan.simulated
        # The plan's key projects are the candidates the vote chose; its projects name
        # candidates that are on the list.
        named = {p.candidate for p in q.projects(c, 2024) if p.candidate}
        assert named <= set(candidates)
        keys = {p.candidate for p in q.projects(c, 2024, key_only=True)}
        assert (
            keys == set(cycle.candidates.chosen) == {r for r, x in candidates.items() if x.chosen}
        )
        # Every adopted proposal names a candidate on the list, which lists it as a source.
        for p in pq.proposals(c, 2024, answer="adopted"):
            assert p.candidate in candidates
        # Everything of the cycle in the public log is labelled simulated.
        entries = lq.latest(c, "cycle:2024", 2000)
        assert entries and all(e.payload.get("simulated") for e in entries)


def test_the_simulated_plan_is_labelled_and_the_site_stays_on_2023(
    site: Flask, cycle: CycleSummary
) -> None:
    client = site.test_client()
    home = client.get("/").get_data(as_text=True)
    assert "锡政发〔2023〕5号" in home and "模拟计划" not in home
    assert 'href="/cycle/2024/">项目征集与票决' in home  # the navigation's latest cycle
    plan = client.get("/plans/2024/").get_data(as_text=True)
    assert "模拟计划" in plan and "没有为它模拟进展报告" in plan
    project = client.get("/plans/2024/projects/3.1").get_data(as_text=True)
    assert 'href="/cycle/2024/candidates/3"' in project
    assert 'href="/plans/2023/projects/8.1"' in project
    assert "2024年由具体项目延续" in client.get("/plans/2023/projects/8.1").get_data(as_text=True)
    candidate = client.get("/cycle/2024/candidates/3").get_data(as_text=True)
    assert "/plans/2024/projects/3.1" in candidate and "模拟" in candidate
    compare = client.get("/plans/compare").get_data(as_text=True)
    assert "（模拟）" in compare and "宜居住区方面" in compare
    feed = client.get("/feeds/all.atom").get_data(as_text=True)
    assert "【模拟】" in feed


def test_the_cycle_is_open_data(site: Flask, cycle: CycleSummary) -> None:
    client = site.test_client()
    data = client.get("/api/v1/cycle/2024/proposals").get_json()
    assert data["solicitation"]["received"] == cycle.proposals.proposals
    published = data["proposals"]
    assert len(published) == data["solicitation"]["published"]
    assert all(p["simulated"] and p["answer"] for p in published)
    assert sum(p["supports"] for p in published) == cycle.proposals.supports
    adopted = {p["candidate"] for p in published if p["answer"] == "adopted"}
    listed = client.get("/api/v1/cycle/2024/candidates").get_json()
    assert adopted <= {c["ref"] for c in listed["candidates"]}
    assert not {"contact", "phone", "email", "name", "key_id"} & set(published[0])
    assert client.get("/api/v1/cycle/2031/proposals").status_code == 404
    assert client.get("/api/v1/cycle/2031/proposals").mimetype == "application/json"
