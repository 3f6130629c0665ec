"""The yearly cycle in the open-data bundle: proposals, conversions, candidates and the vote,
and the plan's amendments, each a table built from its public CSV and described in the
datapackage, on both stores, over real HTTP.

The site is the simulated year with its amendments and the simulated 2024 cycle, as
`flask simulation load` writes them, and a 2025 cycle listing a candidate for each hostile
text the candidates' rules accept (not voted: its list is open).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from domain.errors import DomainError
from minsheng_site.csv_export import csv_text
from minsheng_site.opendata import datapackage
from minsheng_site.services import Services
from projections.cycle import candidate_queries as cq
from tests.conftest import BACKENDS, copied_site
from tests.hostile import CORPUS
from tests.stores import cycle_with

HOSTILE_YEAR = 2025
PROPOSERS = b"1370000"  # every simulated proposer's and supporter's phone (137 0000 NNNN)


def _list_hostile_candidates(services: Services) -> dict[str, str]:
    """A 2025 conversion of one consented case, and a candidate from it for each hostile
    text the rules accept: {ref: the text given}."""
    with services.read() as c:
        case = cq.conversion_cases(c, 2024, 1)[0].case_number
    ledger = services.ledger
    ledger.convert_cases(HOSTILE_YEAR, "同类问题（测试）", "测试用的转化", [case], "test")
    listed = {}
    for entry in CORPUS:
        try:
            ref = ledger.list_candidate(
                HOSTILE_YEAR,
                title=entry.text,
                category="宜居住区",
                description="测试",
                sources=["Z1"],
                targets=[],
                units=["市住房城乡建设局"],
                actor="test",
            )
        except DomainError:  # too long, a mobile number, nothing left once cleaned
            continue
        listed[ref] = entry.name
    assert services.caught_up()
    return listed


@pytest.fixture(scope="module", params=BACKENDS)
def cycle_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from copied_site(request, tmp_path_factory, cycle_with(200), BUNDLE_IN_BACKGROUND=False)


@pytest.fixture(scope="module")
def hostile(cycle_app: Flask) -> dict[str, str]:
    return _list_hostile_candidates(cycle_app.extensions["minsheng"])


@pytest.fixture(scope="module")
def server(cycle_app: Flask, hostile: dict[str, str]) -> Iterator[str]:
    http = make_server("127.0.0.1", 0, cycle_app, threaded=True)
    url = f"http://127.0.0.1:{http.server_port}"
    cycle_app.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield url
    http.shutdown()


def _read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as answer:
        body: bytes = answer.read()
        return body


def _json(url: str) -> Any:
    return json.loads(_read(url))


def _csv(url: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read(url).decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def bundle(server: str, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _read(f"{server}/data/minsheng.sqlite")  # built in the request (no background)


@pytest.fixture(scope="module")
def db(bundle: bytes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = tmp_path_factory.mktemp("cycle-bundle") / "minsheng.sqlite"
    path.write_bytes(bundle)
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield connection
    connection.close()


def _count(db: sqlite3.Connection, table: str, where: str = "1") -> int:
    found: int = db.execute(f'SELECT count(*) FROM "{table}" WHERE {where}').fetchone()[0]
    return found


def test_the_cycles_tables_hold_what_the_api_and_the_pages_show(
    server: str, db: sqlite3.Connection
) -> None:
    proposals = _json(f"{server}/api/v1/cycle/2024/proposals")["proposals"]
    assert _count(db, "proposals", "year = 2024") == len(proposals) > 0
    answer = _json(f"{server}/api/v1/cycle/2024/candidates")
    assert _count(db, "candidates", "year = 2024") == len(answer["candidates"]) == 16
    assert _count(db, "candidates", "year = 2024 AND chosen = 1") == 10
    conversions = answer["conversions"]
    assert _count(db, "conversions", "year = 2024") == len(conversions) >= 3
    cases = dict(db.execute("SELECT ref, cases FROM conversions WHERE year = 2024").fetchall())
    assert cases == {z["ref"]: len(z["cases"]) for z in conversions}
    page = _read(f"{server}/cycle/2024/conversions/").decode()
    assert all(f"（{n}件诉求）" in page for n in cases.values())
    amended = _json(f"{server}/api/v1/plans/2023/amendments")["amendments"]
    assert _count(db, "amendments", "year = 2023") == len(amended) == 3
    assert _count(db, "amendments") == 3  # 2024's plan has none
    row = db.execute(
        "SELECT kind, project, change, effective FROM amendments WHERE number = 3"
    ).fetchone()
    third = amended[2]
    assert row == (
        third["kind"],
        third["project"],
        json.dumps(third["change"], ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        third["effective"],
    )
    types = {r[1]: r[2] for r in db.execute("PRAGMA table_info(proposals)")}
    assert (types["supports"], types["edited"], types["title"]) == ("INTEGER", "INTEGER", "TEXT")
    assert db.execute("SELECT typeof(cases) FROM conversions LIMIT 1").fetchone() == ("integer",)
    assert _count(db, "proposals", "simulated = 0 AND year = 2024") == 0


def test_the_conversions_csv_counts_each_conversions_cases_by_district(server: str) -> None:
    answer = _json(f"{server}/api/v1/cycle/2024/candidates")["conversions"]
    rows = _csv(f"{server}/cycle/2024/conversions.csv")
    assert [r["ref"] for r in rows] == [z["ref"] for z in answer]
    for row, conversion in zip(rows, answer, strict=True):
        counts = [part.rsplit(" ", 1) for part in row["districts"].split("；")]
        assert sum(int(n) for _district, n in counts) == int(row["cases"])
        assert int(row["cases"]) == len(conversion["cases"])
        assert not any(number in row.values() for number in conversion["cases"])


def test_a_hostile_candidate_title_reads_back_from_the_bundle_as_the_csv_has_it(
    server: str, db: sqlite3.Connection, hostile: dict[str, str]
) -> None:
    """Every accepted hostile title, in the bundle as in the CSV it is built from: the
    site's title byte for byte, but for the quote csv_export puts before a cell a
    spreadsheet would run as a formula (the bundle holds what the CSV shows)."""
    assert len(hostile) >= 20
    shown = {
        c["ref"]: c["title"] for c in _json(f"{server}/api/v1/cycle/2025/candidates")["candidates"]
    }
    served = {r["ref"]: r["title"] for r in _csv(f"{server}/cycle/2025/candidates.csv")}
    bundled = dict(db.execute("SELECT ref, title FROM candidates WHERE year = 2025").fetchall())
    assert set(shown) == set(served) == set(bundled) == set(hostile)
    quoted = 0
    for ref, name in hostile.items():
        title = shown[ref]
        as_exported = next(csv.reader(io.StringIO(csv_text([[title]]), newline="")))[0]
        assert served[ref] == as_exported, name
        assert bundled[ref].encode("utf-8") == as_exported.encode("utf-8"), name
        if as_exported != title:
            assert as_exported == "'" + title, name
            quoted += 1
    assert quoted >= 3  # =HYPERLINK, +1, -1+2, @SUM: quoted; the others as they are
    assert bundled[next(r for r, n in hostile.items() if n == "chinese")] == (
        "路灯不亮两周了，请尽快修复！（谢谢）“急”"
    )


def test_no_proposers_or_supporters_phone_is_anywhere_in_the_bundle(
    bundle: bytes, db: sqlite3.Connection
) -> None:
    assert _count(db, "proposals") > 0
    assert PROPOSERS not in bundle
    assert b"137 0000" not in bundle and b"+86137" not in bundle


def test_frictionless_validates_the_cycles_csvs_and_each_column_is_described(
    server: str, tmp_path: Path
) -> None:
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(frictionless), "validate", "--json", f"{server}/data/datapackage.json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, ensure_ascii=False)[:3000]
    names = {task["name"] for task in report["tasks"]}
    expected = {"proposals-2024", "conversions-2024", "candidates-2024", "amendments-2023"}
    assert expected | {"conversions-2025", "candidates-2025"} <= names
    # every export is described, an empty one too (the simulated 2024 plan is not amended)
    rows = {task["name"]: task["stats"].get("rows", 0) for task in report["tasks"]}
    assert rows["amendments-2024"] == 0
    assert all(n > 0 for name, n in rows.items() if name != "amendments-2024"), rows
    package = _json(f"{server}/data/datapackage.json")
    for resource in package["resources"]:
        export = resource["name"].rsplit("-", 1)[0] if "-" in resource["name"] else "cases"
        header = [f["name"] for f in resource["schema"]["fields"]]
        assert datapackage.undescribed(export, header) == [], resource["name"]


def test_the_pages_link_the_cycles_csvs(server: str) -> None:
    journalists = _read(f"{server}/journalists").decode()
    for link in (
        "/plans/2023/amendments.csv",  # the current plan's
        "/cycle/2024/proposals.csv",
        "/cycle/2024/conversions.csv",
        "/cycle/2024/candidates.csv",
        "/cycle/2025/conversions.csv",
    ):
        assert f'href="{link}"' in journalists, link
    assert 'href="/cycle/2025/proposals.csv"' not in journalists  # no solicitation in 2025
    assert 'href="/plans/2023/amendments.csv"' in _read(f"{server}/plans/2023/amendments").decode()
    assert (
        'href="/cycle/2024/conversions.csv"' in _read(f"{server}/cycle/2024/conversions/").decode()
    )
    assert 'href="/cycle/2024/proposals.csv"' in _read(f"{server}/cycle/2024/").decode()
