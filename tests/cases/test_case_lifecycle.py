"""A case from intake to 销号 through the ledger, and the rules on the way."""

from __future__ import annotations

from datetime import date

import pytest

from application.case_commands import Intake
from domain.access import Viewer
from domain.cases import CaseError
from minsheng_site.services import Services
from tests.clock import Clock

NAME, PHONE = "王小明", "13900001111"
TASK_FORCE = Viewer("staff:gov", None, task_force=True, supervisor=False)


def unit(name: str) -> Viewer:
    return Viewer(f"staff:{name}", name, task_force=False, supervisor=False)


def intake(**changes: object) -> Intake:
    fields = {
        "year": 2023,
        "channel": "online",
        "category": "城市管理",
        "district": "梁溪区",
        "title": "小区门口路灯不亮",
        "content": "清扬路某小区门口两盏路灯不亮已两周。",
        "name": NAME,
        "phone": PHONE,
        "consent": True,
        "received_on": date(2023, 9, 27),
    }
    fields.update(changes)
    return Intake(**fields)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-09-27T09:00")


@pytest.fixture
def ledger(services: Services):  # type: ignore[no-untyped-def]
    return services.ledger


def test_the_loop_from_intake_to_closure(ledger) -> None:  # type: ignore[no-untyped-def]
    receipt = ledger.submit_case(intake(), "citizen")
    assert receipt.created and len(receipt.query_code) == 8 and receipt.number.startswith("2023-")
    ledger.accept_case(receipt.case_id, "staff:gov")
    ledger.assign_case(receipt.case_id, "hotline", "市城管局", [], 5, "staff:gov")
    case = ledger.case_by_number(receipt.number)
    # 27 September 2023 + 5 working days: 28 Sep, then the National Day holiday (29 Sep - 6 Oct)
    # is skipped, and Saturday 7 and Sunday 8 October are 调休 working days: 7, 8, 9, 10 Oct.
    assert case.deadline == date(2023, 10, 10)
    ledger.reply_case(receipt.case_id, "已修复。", "市城管局", "staff:cg")
    with pytest.raises(CaseError) as error:
        ledger.close_case(receipt.case_id, "staff:gov")
    assert error.value.code == "evaluation"  # the loop is not complete without the citizen
    ledger.evaluate_case(receipt.number, receipt.query_code, "satisfied", "")
    ledger.close_case(receipt.case_id, "staff:gov")
    assert ledger.case_by_number(receipt.number).state == "closed"


def test_unsatisfied_sends_the_case_back_with_a_new_limit(ledger, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    receipt = ledger.submit_case(intake(), "citizen")
    ledger.accept_case(receipt.case_id, "staff:gov")
    ledger.assign_case(receipt.case_id, "local", "梁溪区", [], 3, "staff:gov")
    ledger.reply_case(receipt.case_id, "已安排。", "梁溪区", "staff:lx")
    with pytest.raises(CaseError) as error:
        ledger.evaluate_case(receipt.number, receipt.query_code, "unsatisfied", "  ")
    assert error.value.code == "reason"
    clock.set("2023-10-10T09:00")
    ledger.evaluate_case(receipt.number, receipt.query_code, "unsatisfied", "灯还是不亮")
    case = ledger.case_by_number(receipt.number)
    assert (case.state, case.rehandled, case.deadline) == ("rehandling", 1, date(2023, 10, 13))
    details = ledger.details_for_citizen(receipt.number, receipt.query_code)
    assert details.evaluation_reasons == ["灯还是不亮"]


def test_illegal_steps_are_refused_with_a_code(ledger) -> None:  # type: ignore[no-untyped-def]
    receipt = ledger.submit_case(intake(), "citizen")
    for step in (
        lambda: ledger.reply_case(receipt.case_id, "x", "市城管局", "s"),
        lambda: ledger.close_case(receipt.case_id, "s"),
        lambda: ledger.assign_case(receipt.case_id, "hotline", "市城管局", [], 5, "s"),
    ):
        with pytest.raises(CaseError) as error:
            step()
        assert error.value.code == "transition"
    ledger.decline_case(receipt.case_id, "不属于本平台受理范围", "staff:gov")
    with pytest.raises(CaseError):
        ledger.accept_case(receipt.case_id, "staff:gov")


def test_only_the_lead_unit_replies_and_only_its_units_read_the_original(ledger) -> None:  # type: ignore[no-untyped-def]
    receipt = ledger.submit_case(intake(consent=False), "citizen")
    ledger.accept_case(receipt.case_id, "staff:gov")
    ledger.assign_case(receipt.case_id, "hotline", "市城管局", ["梁溪区"], 5, "staff:gov")
    with pytest.raises(CaseError):
        ledger.reply_case(receipt.case_id, "x", "梁溪区", "staff:lx")
    opened = ledger.open_case_for_staff(receipt.case_id, unit("梁溪区"), "case")
    assert opened.details.personal["name"] == NAME
    with pytest.raises(CaseError):
        ledger.open_case_for_staff(receipt.case_id, unit("市公安局"), "case")


def test_the_citizen_needs_the_number_and_the_code(ledger) -> None:  # type: ignore[no-untyped-def]
    receipt = ledger.submit_case(intake(), "citizen")
    assert ledger.details_for_citizen(receipt.number, receipt.query_code).personal["phone"] == PHONE
    for number, code in ((receipt.number, "00000000"), ("2023-ZZZZZZ", receipt.query_code)):
        with pytest.raises(CaseError) as error:
            ledger.details_for_citizen(number, code)
        assert error.value.code == "lookup"


def test_a_ticket_sent_again_is_one_case_answered_with_its_query_code_again(ledger) -> None:  # type: ignore[no-untyped-def]
    # The platform sends a ticket again when the answer to the first never arrived (a
    # dropped connection, a killed web worker: the topology soak saw it happen). The case
    # was saved once; the caller still needs its query code, or can never look it up.
    first = ledger.submit_case(intake(channel="api", external_id="12345-0001"), "api:hotline")
    ledger.clock.set("2023-09-27T09:30")
    again = ledger.submit_case(intake(channel="api", external_id="12345-0001"), "api:hotline")
    assert (again.created, again.number) == (False, first.number)
    assert again.query_code == first.query_code
    assert ledger.details_for_citizen(again.number, again.query_code).case.number == first.number


def test_a_resent_ticket_gets_no_code_for_another_phone_or_a_day_later(ledger) -> None:  # type: ignore[no-untyped-def]
    ticket = {"channel": "api", "external_id": "12345-0002"}
    first = ledger.submit_case(intake(**ticket), "api:hotline")
    other = ledger.submit_case(intake(**ticket, phone="13900002222"), "api:hotline")
    ledger.clock.set("2023-09-28T09:01")  # a day and a minute after it was received
    late = ledger.submit_case(intake(**ticket), "api:hotline")
    assert [(r.created, r.number, r.query_code) for r in (other, late)] == [
        (False, first.number, None),
        (False, first.number, None),
    ]


def test_merging_keeps_both_and_closes_the_duplicate(ledger) -> None:  # type: ignore[no-untyped-def]
    main = ledger.submit_case(intake(), "citizen")
    duplicate = ledger.submit_case(intake(name="李四", phone="13900002222"), "citizen")
    ledger.accept_case(main.case_id, "staff:gov")
    ledger.merge_case(duplicate.case_id, main.number, "staff:gov")
    assert ledger.case_by_number(duplicate.number).state == "merged"


def test_supervision_can_shorten_but_not_lengthen_the_limit(ledger) -> None:  # type: ignore[no-untyped-def]
    receipt = ledger.submit_case(intake(), "citizen")
    ledger.accept_case(receipt.case_id, "staff:gov")
    ledger.assign_case(receipt.case_id, "task_force", "市住房城乡建设局", [], 10, "staff:gov")
    ledger.note_case_supervision(receipt.case_id, "限时督办，3个工作日内办结", 3, "staff:dc")
    case = ledger.case_by_number(receipt.number)
    assert case.escalated and case.deadline == date(2023, 10, 8)  # 28 Sep, 7 Oct (Sat), 8 Oct (Sun)
    with pytest.raises(CaseError):
        ledger.note_case_supervision(receipt.case_id, "放宽", 20, "staff:dc")


def test_erasing_a_person_makes_their_words_unreadable(ledger) -> None:  # type: ignore[no-untyped-def]
    receipt = ledger.submit_case(intake(), "citizen")
    other = ledger.submit_case(intake(name="李四", phone="13900002222"), "citizen")
    assert ledger.erase_person(PHONE, "本人申请删除", "cli:ops") == [receipt.case_id]
    with pytest.raises(CaseError):
        ledger.details_for_citizen(receipt.number, receipt.query_code)
    assert ledger.open_case_for_staff(receipt.case_id, TASK_FORCE, "case").details.personal is None
    opened = ledger.open_case_for_staff(other.case_id, TASK_FORCE, "case")
    assert opened.details.personal["name"] == "李四"
    assert ledger.case_by_number(receipt.number).state == "submitted"  # the history still replays
