"""Messages to citizens from the event log: what each step sends, exactly once, and when.

Through the ledger's real commands, the notifier's real tables and the development
outbox (the sender `make run` uses), on SQLite and PostgreSQL, with a stopped clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from application.notifier import DROPPED, FAILED, QUEUED, SENDING, SENT, Notifier, messages
from application.verification import Address, Router, SmsGateway
from minsheng_site.composition import Services, Settings, compose
from minsheng_site.notices import renderer
from tests.cases.test_case_lifecycle import NAME, PHONE, intake
from tests.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-09-27T09:00")  # a Wednesday, 09:00 in Wuxi


@pytest.fixture
def keys(tmp_path: Path) -> str:
    """The key store every process of the site shares (and the outbox in it)."""
    return f"sqlite:///{tmp_path / 'keys.sqlite3'}"


@pytest.fixture
def site(database_url: str, keys: str, clock: Clock) -> Iterator[Services]:
    opened = compose(Settings(database_url, keys, dev_outbox=True), clock)
    yield opened
    opened.close()


def outbox(site: Services) -> list[str]:
    """What reached the development outbox, oldest first (texts to PHONE only)."""
    assert site.outbox is not None
    return [t for address, t, _ in reversed(site.outbox.latest(1000)) if address == PHONE]


def run(site: Services) -> None:
    site.notifier.round()


def filed(site: Services, **changes: object) -> tuple[str, str, str]:
    receipt = site.ledger.submit_case(intake(**changes), "citizen")
    return receipt.case_id, receipt.number, receipt.query_code or ""


def test_every_step_of_a_case_tells_its_citizen_once(site: Services, clock: Clock) -> None:
    ledger = site.ledger
    case_id, number, code = filed(site)
    run(site)
    ledger.accept_case(case_id, "staff:gov")
    ledger.assign_case(case_id, "hotline", "市城管局", [], 5, "staff:gov")
    ledger.supervise_case_key(case_id, "shizhang", "staff:gov")
    run(site)
    clock.set("2023-10-09T10:00")
    ledger.reply_case(case_id, "已修复。", "市城管局", "staff:cg")
    run(site)
    clock.set("2023-10-09T11:00")
    ledger.evaluate_case(number, code, "unsatisfied", "灯还是不亮")
    run(site)
    clock.set("2023-10-10T10:00")
    ledger.reply_case(case_id, "已更换灯具。", "市城管局", "staff:cg")
    ledger.evaluate_case(number, code, "satisfied", "")
    ledger.close_case(case_id, "staff:gov")
    run(site)
    sent = outbox(site)
    assert len(sent) == 8, sent
    received, accepted, assigned, supervised, replied, sent_back, replied_again, closed = sent
    assert number in received and f"查询码{code}" in received  # the code is never lost
    assert "已受理" in accepted and "市城管局" in assigned and "2023-10-10" in assigned
    assert "督办" in supervised and "答复" in replied and "重新办理" in sent_back
    assert "答复" in replied_again and "办结销号" in closed
    for message in sent:
        assert message.startswith("【无锡民生实事】") and number in message
        assert f"http://127.0.0.1:5000/cases/{number}/stop/" in message  # one link stops them
        assert NAME not in message
    # The reminders to evaluate were made pointless by the evaluations: dropped, not sent.
    clock.set("2023-10-20T10:00")
    run(site)
    assert len(outbox(site)) == 8
    kinds = {(r.kind, r.state, r.outcome) for r in site.notifier.records(case_id)}
    assert ("reminder", DROPPED, "obsolete") in kinds


def test_is_it_fixed_is_asked_n_days_after_closure(site: Services, clock: Clock) -> None:
    _, number, _ = closed_case(site, clock)
    run(site)
    before = len(outbox(site))
    clock.set("2023-11-07T10:00")  # 27 days after 销号 on 11 October
    run(site)
    assert len(outbox(site)) == before
    clock.set("2023-11-08T10:00")  # 28 days
    run(site)
    asked = outbox(site)[before:]
    assert len(asked) == 1 and "是否已解决" in asked[0]
    assert re.search(rf"/cases/{number}/fixed/[0-9a-f]{{20}}", asked[0])


def closed_case(site: Services, clock: Clock) -> tuple[str, str, str]:
    ledger = site.ledger
    case_id, number, code = filed(site)
    ledger.accept_case(case_id, "staff:gov")
    ledger.assign_case(case_id, "hotline", "市城管局", [], 5, "staff:gov")
    clock.set("2023-10-11T10:00")
    ledger.reply_case(case_id, "已修复。", "市城管局", "staff:cg")
    ledger.evaluate_case(number, code, "satisfied", "")
    ledger.close_case(case_id, "staff:gov")
    return case_id, number, code


def test_a_reply_not_evaluated_is_followed_by_one_reminder(site: Services, clock: Clock) -> None:
    ledger = site.ledger
    case_id, _, _ = filed(site)
    ledger.accept_case(case_id, "staff:gov")
    ledger.assign_case(case_id, "hotline", "市城管局", [], 5, "staff:gov")
    ledger.reply_case(case_id, "已修复。", "市城管局", "staff:cg")
    run(site)
    before = len(outbox(site))
    clock.set("2023-09-30T09:00")  # three days later
    run(site)
    run(site)
    reminded = outbox(site)[before:]
    assert len(reminded) == 1 and "尚未评价" in reminded[0]


def test_nothing_is_sent_twice_by_rounds_rebuilds_or_a_second_process(
    site: Services, database_url: str, keys: str, clock: Clock
) -> None:
    ledger = site.ledger
    for _ in range(3):
        case_id, _, _ = filed(site)
        ledger.accept_case(case_id, "staff:gov")
    # Another process (its own engine, its own notifier) enqueues and delivers alongside.
    other = compose(Settings(database_url, keys, dev_outbox=True), clock)
    try:
        other.notifier.enqueue()
        run(site)
        other.notifier.round()
        site.projector.rebuild()  # the read models again from the log: no message again
        run(site)
        other.notifier.round()
    finally:
        other.close()
    records = site.notifier.records()
    assert len(records) == 6 and {r.state for r in records} == {SENT}
    assert len(outbox(site)) == 6  # (the two processes share the key store's outbox)
    keys = {(r.notification_id, r.recipient, r.kind) for r in records}
    assert len(keys) == 6


def test_a_message_handed_over_by_a_process_killed_before_recording_it_arrives_once(
    site: Services, clock: Clock
) -> None:
    filed(site)
    notifier = site.notifier
    notifier.enqueue()
    [message_id] = [r.id for r in notifier.records()]
    row = notifier._claim(message_id)  # a process claims it, hands it over, and dies
    assert row is not None and row.state == SENDING
    address = Address("phone", PHONE)
    notifier.sender.send(address, "hand-over before the crash", key=f"m{message_id}")
    run(site)  # its claim still holds: nobody else sends it
    assert len(outbox(site)) == 1 and notifier.records()[0].state == SENDING
    clock.now += timedelta(minutes=3)  # the claim expired
    run(site)
    assert notifier.records()[0].state == SENT
    assert outbox(site) == ["hand-over before the crash"]  # the outbox kept the key once


@pytest.mark.parametrize(
    ("filed_at", "sent_at"),
    [
        ("2023-09-27T20:59", "2023-09-27T20:59"),
        ("2023-09-27T21:00", "2023-09-28T08:00"),
        ("2023-09-27T23:30", "2023-09-28T08:00"),
        ("2023-09-28T00:10", "2023-09-28T08:00"),
        ("2023-09-28T07:59", "2023-09-28T08:00"),
        ("2023-12-31T22:00", "2024-01-01T08:00"),  # across the year's end
    ],
)
def test_no_text_message_in_the_quiet_hours_it_waits_until_eight(
    site: Services, clock: Clock, filed_at: str, sent_at: str
) -> None:
    clock.set(filed_at)
    filed(site, received_on=Clock.parse(filed_at).date())
    run(site)
    if filed_at != sent_at:
        assert outbox(site) == []  # queued, not dropped
        [record] = site.notifier.records()
        assert record.state == QUEUED
        clock.now = Clock.parse(sent_at) - timedelta(minutes=1)
        run(site)
        assert outbox(site) == []
        clock.set(sent_at)
        run(site)
    assert len(outbox(site)) == 1


def test_a_failing_sender_is_retried_with_backoff_then_recorded_as_failed(
    site: Services, clock: Clock
) -> None:
    filed(site)
    refused = Router(None, SmsGateway("http://127.0.0.1:9/sms", "token"))  # nothing listens
    notifier = Notifier(
        site.engine, site.ledger, refused, renderer("http://x"), site.notifier.rules
    )
    notifier.round()
    [record] = notifier.records()
    assert (record.state, record.attempts) == (QUEUED, 1) and record.outcome
    waits = []
    for _ in range(10):
        due = record.due_at if record.due_at.tzinfo else record.due_at.replace(tzinfo=UTC)
        waits.append(round((due - clock()).total_seconds() / 60))
        clock.now = due
        notifier.round()
        [record] = notifier.records()
        if record.state == FAILED:
            break
    assert record.state == FAILED and record.attempts == notifier.rules.attempts
    assert waits[:4] == [1, 2, 4, 8]  # minutes: backing off


def test_a_stopped_case_sends_nothing_more(site: Services) -> None:
    case_id, _, _ = filed(site)
    run(site)
    site.notifier.stop(case_id)
    site.ledger.accept_case(case_id, "staff:gov")
    run(site)
    assert len(outbox(site)) == 1
    assert [r.outcome for r in site.notifier.records(case_id)] == ["", "stopped"]


def test_erasure_drops_what_is_queued_and_no_record_keeps_the_recipient(
    site: Services, clock: Clock
) -> None:
    case_id, _, _ = filed(site)
    run(site)
    clock.set("2023-09-27T22:00")
    site.ledger.accept_case(case_id, "staff:gov")  # queued until 08:00
    site.notifier.enqueue()
    site.ledger.erase_person(PHONE, "本人申请删除", "staff:gov")
    clock.set("2023-09-28T09:00")
    run(site)
    assert len(outbox(site)) == 1  # the receipt, before the erasure
    records = site.notifier.records(case_id)
    assert [r.state for r in records] == [SENT, DROPPED]
    assert {r.recipient for r in records} == {""}


def test_the_notifiers_records_hold_no_phone_name_or_code(site: Services) -> None:
    _, _, code = filed(site)
    run(site)
    with site.engine.connect() as c:
        for table in ("notifier_messages", "notifier_position", "notifier_stops"):
            dump = repr(c.execute(text(f"SELECT * FROM {table}")).all())
            for secret in (PHONE, NAME, code, "路灯"):
                assert secret not in dump, (table, secret)


def test_simulated_cases_and_facts_from_before_the_notifier_started_send_nothing(
    site: Services, clock: Clock
) -> None:
    site.ledger.submit_case(intake(), "sim:citizen")  # the labelled simulated year
    clock.set("2023-09-20T09:00")
    old, _, _ = filed(site, received_on=Clock.parse("2023-09-20T09:00").date())
    clock.set("2023-09-27T09:00")
    site.ledger.accept_case(old, "staff:gov")  # today: news
    run(site)
    with site.engine.connect() as c:
        kinds = c.execute(select(messages.c.kind)).scalars().all()
    assert kinds == ["acceptance"]  # the week-old receipt is not sent late, the simulated never


def test_messages_speak_the_language_the_case_was_filed_in(site: Services) -> None:
    filed(site, language="en")
    run(site)
    [message] = outbox(site)
    assert "query code" in message.lower() and "查询码" not in message


def test_a_withdrawal_is_confirmed_to_the_citizen_and_nothing_follows(site: Services) -> None:
    _, number, code = filed(site)
    site.ledger.withdraw_case(number, code, "已自行解决")
    run(site)
    sent = outbox(site)
    assert len(sent) == 2 and f"您已撤回诉求{number}" in sent[1]
