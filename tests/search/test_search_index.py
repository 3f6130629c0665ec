"""The search index is a read model like any other: rebuilt from the log it holds what the
increments wrote, and it never holds a citizen's personal data (words without consent, words
naming them, or words of a person since erased)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from application.case_commands import Intake
from minsheng_site.services import Services
from projections.search.index import SearchCase, SearchDoc, SearchPlace, SearchTerm
from projections.search.search_queries import search
from projections.search.words import parse, terms
from tests.clock import Clock
from tests.conftest import simulated_site

SECRET = "秘密内容甲乙丙丁"  # never consented: must never be found
NAMING = "请联系王秘密先生"  # consented, but names the citizen: withheld
OPEN = "桥洞积水严重影响通行"  # consented and clean: public until erased
REDACTED = "某路口桥洞积水"  # the task force's public version of the naming case


def _intake(title: str, content: str, consent: bool, name: str, phone: str) -> Intake:
    return Intake(
        year=2023,
        channel="online",
        category="城市管理",
        district="梁溪区",
        title=title,
        content=content,
        name=name,
        phone=phone,
        consent=consent,
        received_on=date(2023, 9, 27),
    )


def _rows(services: Services) -> dict[str, list[tuple[object, ...]]]:
    with services.read() as c:
        return {
            t.__tablename__: sorted(tuple(r) for r in c.execute(select(t.__table__)))
            for t in (SearchDoc, SearchTerm, SearchCase, SearchPlace)
        }


def _found(services: Services, text: str) -> dict[str, int]:
    with services.read() as c:
        return search(c, parse(text)).counts


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-09-27T09:00")


def test_personal_data_never_enters_and_erasure_takes_words_out(services: Services) -> None:
    ledger = services.ledger
    ledger.submit_case(_intake("路灯" + SECRET, SECRET, False, "李某", "13900002222"), "citizen")
    naming = ledger.submit_case(_intake("积水", NAMING, True, "王秘密", "13900003333"), "citizen")
    ledger.submit_case(_intake("桥洞积水", OPEN, True, "赵某", "13900004444"), "citizen")
    services.projector.catch_up()

    assert _found(services, "秘密") == {}
    assert _found(services, "积水") == {"case": 1}  # the clean consented case only
    rows = repr(_rows(services))
    for secret in ("秘密", "王秘", "联系", "甲乙"):
        assert secret not in rows

    ledger.redact_case(naming.case_id, "积水", REDACTED, "隐去姓名", "staff:gov")
    services.projector.catch_up()
    assert _found(services, "路口") == {"case": 1}
    assert _found(services, "积水") == {"case": 2}

    ledger.erase_person("13900004444", "本人申请", "staff:gov")  # the clean case's citizen
    ledger.erase_person("13900003333", "本人申请", "staff:gov")  # the redacted one's
    services.projector.catch_up()
    assert _found(services, "通行") == {}  # the erased person's words are gone
    assert _found(services, "路口") == {"case": 1}  # a redaction holds none: it stays
    rows = repr(_rows(services))
    assert not terms(OPEN) - terms(REDACTED) & set(rows.split("'"))

    before = _rows(services)
    services.projector.rebuild(["search"])
    assert _rows(services) == before  # replayed after the erasure: the words stay out


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    yield from simulated_site(request, tmp_path_factory, cases=80, raters=0)


@pytest.mark.slow
def test_a_rebuild_gives_the_rows_the_increments_wrote(site: Flask) -> None:
    services: Services = site.extensions["minsheng"]
    incremental = _rows(services)  # written as the simulated year was recorded
    kinds = {row[2] for row in incremental["search_docs"]}
    assert {"project", "item", "key_project", "unit", "category", "report", "case"} <= kinds
    assert {"visit", "finding"} <= kinds
    services.projector.rebuild(["search"])
    assert _rows(services) == incremental
    services.projector.batch_size = 7
    try:
        services.projector.rebuild(["search"])
    finally:
        services.projector.batch_size = 500
    assert _rows(services) == incremental
