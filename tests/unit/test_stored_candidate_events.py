"""The cycle's candidate events as first stored (stored_events_v4_candidates.json): they must
still decode and replay; today's events keep their topics and fields."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application import Ledger
from domain.candidates import CandidateBook, Result, VoteSpec, checked_target

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stored_events_v4_candidates.json"
AT = datetime(2024, 1, 12, 16, 0, tzinfo=timezone(timedelta(hours=8)))


def todays_book() -> CandidateBook:
    """The events the fixture holds, made by today's code."""
    book = CandidateBook.open(2024, "gov.chen", AT)
    book.convert(
        "楼道漏水集中整治",
        "多区反映楼道漏水",
        [
            {"number": "2023-ABCDEF", "district": "梁溪区", "lead_unit": "市住房城乡建设局"},
            {"number": "2023-GHJKLM", "district": "锡山区", "lead_unit": None},
        ],
        "gov.chen",
        AT,
    )
    book.list_candidate(
        "老旧小区楼道渗漏治理",
        "住房保障",
        "治理楼道渗漏。",
        ["Z1", "P17"],
        [checked_target("治理楼道", "300", "个")],
        ["市住房城乡建设局"],
        "gov.chen",
        AT,
    )
    spec = VoteSpec(
        "无锡市第十七届人民代表大会第三次会议",
        date(2024, 1, 12),
        "锡人大〔2024〕1号",
        "https://example.org/vote.html",
        480,
        1,
        (Result("C1", 450, 20, 10),),
        ("C1",),
    )
    book.record_vote(spec, "gov.chen", AT)
    corrected = replace(spec, voting=481, results=(Result("C1", 450, 20, 11),))
    book.correct_vote(corrected, "按公告更正", "gov.chen", AT)
    return book


def stored_now() -> list[dict[str, Any]]:
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    out = []
    for event in todays_book().collect_events():
        s = mapper.to_stored_event(event)
        out.append(
            {
                "originator_id": str(s.originator_id),
                "originator_version": s.originator_version,
                "topic": s.topic,
                "state": json.loads(s.state),
            }
        )
    return out


def test_the_stored_candidate_events_replay() -> None:
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    book: Any = None
    for e in json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]:
        event = mapper.to_domain_event(
            StoredEvent(
                originator_id=UUID(e["originator_id"]),
                originator_version=e["originator_version"],
                topic=e["topic"],
                state=json.dumps(e["state"], ensure_ascii=False).encode("utf-8"),
            )
        )
        book = event.mutate(book)
    assert isinstance(book, CandidateBook)
    assert book.conversions == {"Z1": ("2023-ABCDEF", "2023-GHJKLM")}
    assert book.candidates == ("C1",)
    assert book.vote is not None and book.vote["voting"] == 481 and book.vote["chosen"] == ["C1"]


def test_todays_candidate_events_keep_the_stored_topics_and_fields() -> None:
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]
    today = stored_now()
    assert [e["topic"] for e in today] == [e["topic"] for e in stored]
    for old, new in zip(stored, today, strict=True):
        assert set(new["state"]) == set(old["state"]), old["topic"]
