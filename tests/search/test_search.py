"""Site search over the 2023 plan and a simulated year, on SQLite and PostgreSQL: everyday
two- to four-character words, in simplified and traditional characters, find the right
page; results carry their status; numbers go straight to their page; bad input is a clear
400, never a 500."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from minsheng_site.search.pages import EXAMPLES
from minsheng_site.services import Services
from projections.cases.cases import CaseRow
from projections.search import search_queries
from tests.conftest import simulated_site
from tests.hostile import CORPUS, Entry


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    # Every test here asks from one address: the search limit is tested on its own
    # (tests/web/test_rate_limits.py), not met by the hundreds of searches made here.
    yield from simulated_site(
        request, tmp_path_factory, cases=80, raters=0, SEARCH_LIMIT="100000 per minute"
    )


@pytest.fixture
def client(site: Flask) -> FlaskClient:
    return site.test_client()


def _api(client: FlaskClient, q: str, **args: str) -> dict:
    response = client.get("/api/v1/search", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _titles(found: dict, kind: str) -> list[str]:
    return [r["title"] for r in found["results"] if r["kind"] == kind]


@pytest.mark.parametrize(
    ("query", "ref"),
    [
        ("电梯", "9.1"),  # 既有住宅加装电梯
        ("電梯", "9.1"),
        ("加装电梯", "9.1"),
        ("加梯", "9.1"),  # a synonym kept as data
        ("托育", "普惠托育机构"),
        ("公厕", "城市公厕新改建"),
        ("公廁", "城市公厕新改建"),
        ("厕所", "农村公厕新改建"),
        ("停车", "机动车停车泊位"),
        ("助餐", "社区(村)助餐点"),
        ("血透", "市二院北院血透中心改造项目"),
    ],
)
def test_everyday_words_find_the_specific_project(
    client: FlaskClient, query: str, ref: str
) -> None:
    found = _api(client, query)
    projects = [r for r in found["results"] if r["kind"] == "project"]
    assert projects, found
    assert ref in {r["ref"] for r in projects} | {r["title"] for r in projects}
    # every project result says where it stands
    assert all(r["status"] and r["completion"] is not None for r in projects)


def test_traditional_and_simplified_queries_find_the_same(client: FlaskClient) -> None:
    for simplified, traditional in [("电梯", "電梯"), ("养老", "養老"), ("公园", "公園")]:
        a, b = _api(client, simplified), _api(client, traditional)
        assert a["counts"] == b["counts"] and a["counts"]
        assert [r["url"] for r in a["results"]] == [r["url"] for r in b["results"]]


def test_results_are_grouped_by_kind_with_counts(client: FlaskClient) -> None:
    found = _api(client, "养老")
    kinds = [r["kind"] for r in found["results"]]
    assert kinds == sorted(kinds, key=list(found["counts"]).index)  # grouped, in KINDS order
    assert sum(found["counts"].values()) == found["total"]
    assert {"project", "item"} <= set(found["counts"])


def test_a_unit_and_a_key_project_are_found_by_name(client: FlaskClient) -> None:
    assert "市住房城乡建设局" in _titles(_api(client, "住房城乡建设局"), "unit")
    key = _api(client, "宜居环境更新")
    assert "宜居环境更新工程" in _titles(key, "key_project")
    (row,) = [r for r in key["results"] if r["kind"] == "key_project"]
    assert row["url"].startswith("/plans/2023/key-projects/") and row["completion"] is not None


def test_highlights_point_at_the_words_in_the_excerpt(client: FlaskClient) -> None:
    found = _api(client, "电梯")
    marked = [
        r["excerpt"][a:b] for r in found["results"] for a, b in r["highlights"] if r["excerpt"]
    ]
    assert marked and set(marked) <= {"电梯"}


def test_the_page_marks_matches_and_shows_status(client: FlaskClient) -> None:
    html = client.get("/search?q=" + quote("电梯")).get_data(as_text=True)
    assert "<mark>电梯</mark>" in html
    assert 'href="/plans/2023/projects/9.1"' in html
    assert 'class="status status-' in html


def test_the_search_page_reads_in_traditional_characters(client: FlaskClient) -> None:
    client.get("/lang/zh_Hant")
    html = client.get("/search?q=" + quote("電梯")).get_data(as_text=True)
    assert "既有住宅加裝<mark>電梯</mark>" in html


def test_a_project_reference_and_a_case_number_open_their_page(
    client: FlaskClient, site: Flask
) -> None:
    assert client.get("/search?q=9.1").headers["Location"] == "/plans/2023/projects/9.1"
    services: Services = site.extensions["minsheng"]
    with services.read() as c:
        number = c.execute(select(CaseRow.number).limit(1)).scalar_one()
    for typed in (number, number.lower(), f"  {number} "):
        response = client.get("/search", query_string={"q": typed})
        assert response.headers["Location"] == f"/cases/{number}"
    # ?go=0 (the live results) searches the words instead of jumping
    assert client.get("/search?q=9.1&go=0").status_code == 200


def test_a_typo_gives_near_results_said_to_be_near(client: FlaskClient) -> None:
    found = _api(client, "加庄电梯")  # 庄 for 装
    assert found["near"] and "既有住宅加装电梯" in _titles(found, "project")
    html = client.get("/search?q=" + quote("加庄电梯")).get_data(as_text=True)
    assert "最接近的结果" in html


def test_a_kind_pages_through_all_its_results(client: FlaskClient) -> None:
    everything = _api(client, "建设")
    n = everything["counts"]["project"]
    assert n > 5 and len(_titles(everything, "project")) == 5
    seen: list[str] = []
    page = 1
    while len(seen) < n:
        found = _api(client, "建设", kind="project", page=str(page))
        assert set(found["counts"]) == {"project"}
        seen += [r["url"] for r in found["results"]]
        page += 1
    assert len(seen) == len(set(seen)) == n


def test_filters_by_category_and_district(client: FlaskClient, site: Flask) -> None:
    in_category = _api(client, "改造", category="2")
    assert in_category["results"]
    assert all(
        r["url"].startswith(("/plans/2023/projects/", "/plans/2023/items/"))
        for r in in_category["results"]
        if r["kind"] in ("project", "item")
    )
    services: Services = site.extensions["minsheng"]
    with services.read() as c:
        public = c.execute(
            select(CaseRow.district, CaseRow.public_title).where(CaseRow.public_title.is_not(None))
        ).first()
    assert public is not None, "the simulated year has public cases"
    district, title = public
    word = re.findall(r"[\u4e00-\u9fff]{2}", title)[0]
    cases = _api(client, word, kind="case", district=district)
    assert cases["results"] and cases["counts"] == {"case": cases["total"]}
    others = [d for d in ("梁溪区", "锡山区", "惠山区") if d != district]
    for other in others:
        assert all(
            r["url"] not in {x["url"] for x in cases["results"]}
            for r in _api(client, word, kind="case", district=other)["results"]
        )


def test_a_district_finds_the_projects_it_takes_part_in(client: FlaskClient) -> None:
    """太湖生态清淤 is 宜兴市's and 滨湖区's; 老旧小区改造 every district's (各市(县)区, its
    item's units); 既有住宅加装电梯 too, through its key project's units (domain.districts)."""
    assert "太湖生态清淤" in _titles(_api(client, "清淤", district="滨湖区"), "project")
    assert "太湖生态清淤" not in _titles(_api(client, "清淤", district="梁溪区"), "project")
    for district in ("梁溪区", "江阴市"):
        assert "老旧小区改造" in _titles(_api(client, "老旧小区", district=district), "project")
        assert "既有住宅加装电梯" in _titles(_api(client, "电梯", district=district), "project")
    scenery = _titles(_api(client, "景观", district="江阴市"), "project")
    assert "梁溪河景观带环境提升工程" not in scenery
    units = _titles(_api(client, "梁溪", district="梁溪区"), "unit")
    assert units == ["梁溪区"]


@pytest.mark.parametrize(
    "args",
    [
        {"kind": "everything"},
        {"district": "火星区"},
        {"page": "0"},
        {"page": "99999"},
        {"category": "x"},
        {"year": "1999"},
    ],
)
def test_bad_filters_are_a_clear_400(client: FlaskClient, args: dict[str, str]) -> None:
    response = client.get("/search", query_string={"q": "电梯", **args})
    assert response.status_code == 400
    assert client.get("/api/v1/search", query_string={"q": "电梯", **args}).status_code == 400


def test_hostile_queries_are_answered_and_escaped(client: FlaskClient) -> None:
    extra = [Entry("xss", "<script>alert(1)</script>电梯"), Entry("huge", "电" * 100_000)]
    for entry in [*CORPUS, *extra]:
        for path in ("/search", "/api/v1/search"):
            response = client.get(f"{path}?go=0&q={entry.form_value()}")
            assert response.status_code == 200, (path, entry.name)
            if response.is_json:
                assert response.get_json()["total"] >= 0
            else:
                assert b"<script>alert(1)" not in response.data


def test_htmx_gets_only_the_results(client: FlaskClient) -> None:
    response = client.get("/search?q=" + quote("电梯") + "&go=0", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="search-results"') and "<header" not in html


def test_an_empty_query_invites_examples(client: FlaskClient) -> None:
    html = client.get("/search").get_data(as_text=True)
    assert "/search?q=" in html and "请输入要查找的词" in html


def test_browsers_can_add_the_search(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'rel="search" type="application/opensearchdescription+xml"' in page
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    templates = [u.get("template") for u in root.findall("os:Url", ns)]
    assert "http://localhost/search?q={searchTerms}" in templates


def test_every_example_offered_finds_something(client: FlaskClient) -> None:
    for word in EXAMPLES:
        assert _api(client, word)["total"] > 0, word


def test_cases_come_newest_first_and_are_counted_up_to_a_cap(
    client: FlaskClient, site: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log's kinds grow with every year: a common word's cases are listed newest first
    and counted up to COUNT_CAP (then "N+"), so a search's cost does not grow with the log."""
    services: Services = site.extensions["minsheng"]
    with services.read() as c:
        public = c.execute(
            select(
                CaseRow.number, CaseRow.submitted_at, CaseRow.public_title, CaseRow.public_text
            ).where(CaseRow.public_title.is_not(None))
        ).all()
    submitted = {number: at for number, at, _t, _x in public}
    han = re.compile(r"[\u4e00-\u9fff]")
    holding = Counter(ch for _n, _a, t, x in public for ch in set(t + x) if han.match(ch))
    common, n = holding.most_common(1)[0]  # a one-character query held by the most cases
    assert n > 20
    everything = _api(client, common, kind="case")
    listed = [r["ref"] for r in everything["results"]]
    assert everything["counts"] == {"case": n} and everything["capped"] == []
    assert len(listed) == 20
    assert [submitted[x] for x in listed] == sorted((submitted[x] for x in listed), reverse=True)

    monkeypatch.setattr(search_queries, "COUNT_CAP", 3)
    capped = _api(client, common + " ", kind="case")  # another URL: not the answer kept above
    assert capped["counts"] == {"case": 3} and capped["capped"] == ["case"]
    assert [r["ref"] for r in capped["results"]] == listed[:3]
    html = client.get("/search?go=0&kind=case&q=" + quote(common + "  ")).get_data(as_text=True)
    assert "3+" in html and "按时间由近到远" in html
