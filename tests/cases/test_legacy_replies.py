"""Replies stored in the clear before version 2 of `Case.Replied`: shown as before, erased as well.

A reply is written into the store exactly as version 1 stored it (the state
of the fixture's first reply, with this case's id and version), next to
cases made by today's code.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from application.case_commands import Intake
from domain.access import Viewer
from minsheng_site.services import Services
from projections.cases import case_queries as cq
from tests.cases.test_personal_data import every_stored_row
from tests.clock import Clock

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stored_events_v1_cases.json"
OLD_REPLY = "旧版答复KANARIE6C3D"
PHONE = "13911112222"


def store_version_1_reply(services: Services, case_id: str, text: str) -> None:
    ledger = services.ledger
    [state] = [
        e["state"]
        for e in json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]
        if e["topic"] == "domain.cases:Case.Replied"
    ][:1]
    case = ledger.repository.get(UUID(case_id))
    ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=case.id,
                originator_version=case.version + 1,
                topic="domain.cases:Case.Replied",
                state=json.dumps({**state, "text": text}, ensure_ascii=False).encode(),
            )
        ]
    )


def reply_steps(services: Services, case_id: str) -> list[str | None]:
    with services.read() as c:
        return [s.text for s in cq.steps(c, case_id) if s.step == "replied"]


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-09-04T09:00")


def test_a_version_1_reply_is_public_with_consent_and_gone_after_erasure_and_rebuild(
    services: Services, database_url: str
) -> None:
    ledger = services.ledger
    intake = Intake(
        2023, "online", "城市管理", "梁溪区", "路灯", "路灯不亮已两周了", "赵某", PHONE,
        True, date(2023, 9, 4),
    )  # fmt: skip
    receipt = ledger.submit_case(intake, "citizen")
    ledger.accept_case(receipt.case_id, "staff:gov")
    ledger.assign_case(receipt.case_id, "hotline", "市城管局", [], 5, "staff:gov")
    store_version_1_reply(services, receipt.case_id, OLD_REPLY)
    ledger.evaluate_case(receipt.number, receipt.query_code or "", "unsatisfied", "还是不亮")
    ledger.reply_case(receipt.case_id, "已复查", "市城管局", "staff:cg")  # version 2, sealed
    services.caught_up()

    assert ledger.case_by_number(receipt.number).replies == 2
    assert reply_steps(services, receipt.case_id) == [OLD_REPLY, "已复查"]
    citizen = ledger.details_for_citizen(receipt.number, receipt.query_code or "")
    assert [text for _at, _unit, text in citizen.replies] == [OLD_REPLY, "已复查"]

    ledger.erase_person(PHONE, "本人申请删除", "cli:ops")
    services.caught_up()
    assert reply_steps(services, receipt.case_id) == [None, None]
    cg = Viewer("staff:cg", "市城管局", task_force=False, supervisor=False)
    unit = ledger.open_case_for_staff(receipt.case_id, cg, "case").details
    assert unit is not None and [text for _at, _unit, text in unit.replies] == ["", ""]
    services.projector.rebuild()
    assert reply_steps(services, receipt.case_id) == [None, None]
    rows = every_stored_row(None, database_url)  # type: ignore[arg-type]
    # the read models hold it nowhere; the event store keeps what version 1 stored (README)
    assert rows.count(OLD_REPLY) == 1 and "已复查" not in rows
