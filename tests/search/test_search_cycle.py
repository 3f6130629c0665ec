"""The yearly cycle in the site search, on both stores: a proposal is found once published
and as long as its page shows it (never pending or rejected); candidates, conversions and
amendments are found and link to their pages; hostile words through them read back escaped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.errors import DomainError
from minsheng_site.services import Services
from projections.cycle import candidate_queries as cq
from projections.plans.amendments import amendments
from tests.clock import Clock
from tests.conftest import BACKENDS, AppFactory, copied_site
from tests.cycle.helpers import YEAR, person, propose
from tests.hostile import CORPUS
from tests.stores import cycle_with

GOV = "gov.chen"


def _found(client: FlaskClient, q: str, **args: str) -> list[dict]:
    response = client.get("/api/v1/search", query_string={"q": q, "go": "0", **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def _of(results: list[dict], kind: str) -> list[dict]:
    return [r for r in results if r["kind"] == kind]


@pytest.fixture
def cycle_site(app_factory: AppFactory) -> Flask:
    return app_factory(clock=Clock("2023-09-01T09:00"), plan=True, SEARCH_LIMIT="10000/minute")


def test_a_proposal_is_found_once_published_and_never_pending_or_rejected(
    cycle_site: Flask,
) -> None:
    services: Services = cycle_site.extensions["minsheng"]
    ledger = services.ledger
    ledger.open_solicitation(YEAR, date(2023, 10, 31), GOV)
    who = person(ledger, 1)
    published = propose(ledger, who, title="河道步道照明", description="夜跑的人多，步道缺路灯")
    pending = propose(ledger, who, title="河道步道座椅", description="步道缺休息座椅")
    rejected = propose(ledger, who, title="河道步道长廊", description="步道缺遮雨长廊")
    ledger.approve_proposal(YEAR, published, GOV)
    ledger.reject_proposal(YEAR, rejected, "off_topic", GOV)
    assert services.caught_up()
    client = cycle_site.test_client()
    for word in ("照明", "夜跑", "步道"):
        hits = _of(_found(client, word), "proposal")
        assert [h["ref"] for h in hits] == [str(published)], word
        assert hits[0]["url"] == f"/cycle/{YEAR}/proposals/{published}"
        assert hits[0]["status"] is None  # not answered yet
    for word in ("座椅", "长廊"):
        assert _of(_found(client, word), "proposal") == []
    assert client.get(f"/cycle/{YEAR}/proposals/{pending}").status_code == 404
    assert _of(_found(client, "步道", year=str(YEAR + 1)), "proposal") == []
    assert _of(_found(client, "步道", kind="proposal", year=str(YEAR)), "proposal")

    ledger.decline_proposal(YEAR, published, "已列入其他计划", GOV)
    assert services.caught_up()
    hit = _of(_found(client, "照明"), "proposal")[0]
    assert hit["status"] == "not_adopted"
    assert "未予采纳" in client.get("/search?go=0&q=照明").get_data(as_text=True)

    # The proposer's erasure: search shows what the proposal's page shows, no more.
    ledger.erase_person(who.address.value, "本人申请", GOV)
    assert services.caught_up()
    page = client.get(f"/cycle/{YEAR}/proposals/{published}").status_code
    assert page in (200, 404)
    found = [h["ref"] for h in _of(_found(client, "照明"), "proposal")]
    assert found == ([str(published)] if page == 200 else [])
    for word in ("座椅", "长廊"):
        assert _of(_found(client, word), "proposal") == []


@pytest.fixture(scope="module", params=BACKENDS)
def cycle_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from copied_site(
        request,
        tmp_path_factory,
        cycle_with(200),
        BUNDLE_IN_BACKGROUND=False,
        SEARCH_LIMIT="100000 per minute",
    )


def test_candidates_conversions_and_amendments_are_found_and_linked(cycle_app: Flask) -> None:
    services: Services = cycle_app.extensions["minsheng"]
    client = cycle_app.test_client()
    with services.read() as c:
        candidate = cq.candidates(c, 2024)[0]
        conversion = cq.conversions(c, 2024)[0]
        amendment = amendments(c, 2023)[0]
    for title, kind, year in (
        (candidate.title, "candidate", 2024),
        (conversion.title, "conversion", 2024),
        (amendment.reason, "amendment", 2023),
    ):
        hits = _of(_found(client, title, kind=kind, year=str(year)), kind)
        assert hits, (kind, title)
        assert all(h["year"] == year for h in hits)
        assert _of(_found(client, title, kind=kind, year=str(year + 5)), kind) == []
        for hit in hits:
            assert client.get(hit["url"]).status_code == 200, hit["url"]
        page = client.get("/search", query_string={"q": title, "go": "0"})
        assert page.status_code == 200
    amendment_hit = _of(_found(client, amendment.reason, kind="amendment"), "amendment")[0]
    assert amendment_hit["url"].endswith(f"#amendment-{amendment.number}")
    assert amendment_hit["simulated"] is amendment.simulated


def test_hostile_candidate_titles_read_back_escaped(cycle_app: Flask) -> None:
    services: Services = cycle_app.extensions["minsheng"]
    ledger = services.ledger
    with services.read() as c:
        case = cq.conversion_cases(c, 2024, 1)[0].case_number
    ledger.convert_cases(2026, "<b>同类</b>问题", "<script>alert(1)</script>楼道", [case], "test")
    listed = 0
    for entry in CORPUS:
        try:
            ledger.list_candidate(
                2026,
                title=entry.text + "敌意标题",
                category="宜居住区",
                description=entry.text,
                sources=["Z1"],
                targets=[],
                units=["市住房城乡建设局"],
                actor="test",
            )
        except DomainError:
            continue
        listed += 1
    assert services.caught_up() and listed
    client = cycle_app.test_client()
    hits = _of(_found(client, "敌意标题", kind="candidate", year="2026"), "candidate")
    assert len(hits) == min(listed, 20)
    html = client.get("/search?go=0&kind=candidate&year=2026&q=敌意标题").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    html = client.get("/search?go=0&year=2026&q=楼道").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_a_corrected_candidate_is_found_by_its_new_words_only(cycle_app: Flask) -> None:
    services: Services = cycle_app.extensions["minsheng"]
    ledger = services.ledger
    with services.read() as c:
        case = cq.conversion_cases(c, 2024, 2)[0].case_number
    ledger.convert_cases(2027, "同类问题", "楼道", [case], "test")
    ref = ledger.list_candidate(
        2027,
        title="社区菜场改造旧称",
        category="宜居住区",
        description="改造社区菜场",
        sources=["Z1"],
        targets=[],
        units=["市商务局"],
        actor="test",
    )
    ledger.correct_candidate(
        2027,
        ref,
        title="农贸市场提档升级",
        category="宜居住区",
        description="改造社区菜场",
        targets=[],
        units=["市商务局"],
        reason="名称与公告不一致",
        actor="test",
    )
    assert services.caught_up()
    client = cycle_app.test_client()
    hits = _of(_found(client, "农贸市场", kind="candidate", year="2027"), "candidate")
    assert [h["url"] for h in hits] == [f"/cycle/2027/candidates/{ref[1:]}"]
    assert _of(_found(client, "旧称", kind="candidate", year="2027"), "candidate") == []
