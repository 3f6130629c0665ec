"""Stored events are a contract: events written by version 1 must still be read.

The fixture holds events exactly as the first version stored them. If a
class or module is renamed, or a field changes, these tests fail until a
`register_topic` or an upcast (``class_version``) is added.
"""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application import Ledger
from domain.plan import Item, KeyProject, Plan

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stored_events_v1.json"


def stored() -> list[StoredEvent]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [
        StoredEvent(
            originator_id=UUID(e["originator_id"]),
            originator_version=e["originator_version"],
            topic=e["topic"],
            state=json.dumps(e["state"], ensure_ascii=False).encode("utf-8"),
        )
        for e in data["events"]
    ]


def test_version_1_events_decode_into_todays_classes() -> None:
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    plan_event, item_event, key_event = (mapper.to_domain_event(s) for s in stored())
    assert isinstance(plan_event, Plan.Registered)
    assert isinstance(item_event, Item.Registered)
    assert isinstance(key_event, KeyProject.Registered)


def test_version_1_events_still_build_the_aggregates() -> None:
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    plan_event, item_event, key_event = (mapper.to_domain_event(s) for s in stored())
    plan = plan_event.mutate(None)
    item = item_event.mutate(None)
    key = key_event.mutate(None)
    assert plan.year == 2023 and plan.schedule.midyear_share == 60
    assert item.number == 9 and item.projects[0].targets[0].unit == "台"
    assert str(item.projects[0].targets[0].amount) == "300"
    assert key.name == "宜居环境更新工程" and key.project_refs == ("8.1", "8.2", "8.3", "9.1")


def test_todays_events_keep_the_stored_topics_and_fields(plan_spec) -> None:  # type: ignore[no-untyped-def]
    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    app.register_plan(plan_spec, "system:plan-loader")
    today = {n.topic: json.loads(n.state) for n in app.recorder.select_notifications(1, 100)}
    for old in json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]:
        assert old["topic"] in today
        assert set(today[old["topic"]]) == set(old["state"]), old["topic"]


PROGRESS_FIXTURE = FIXTURE.with_name("stored_events_v1_progress.json")


def replay(path: Path) -> dict[UUID, object]:
    """Fold each aggregate's stored events, in version order, into today's aggregate."""
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    data = json.loads(path.read_text(encoding="utf-8"))
    aggregates: dict[UUID, object] = {}
    for e in sorted(data["events"], key=lambda e: (e["originator_id"], e["originator_version"])):
        stored_event = StoredEvent(
            originator_id=UUID(e["originator_id"]),
            originator_version=e["originator_version"],
            topic=e["topic"],
            state=json.dumps(e["state"], ensure_ascii=False).encode("utf-8"),
        )
        event = mapper.to_domain_event(stored_event)
        aggregates[event.originator_id] = event.mutate(aggregates.get(event.originator_id))
    return aggregates


def test_version_1_reports_staff_and_supervision_still_replay() -> None:
    from domain.plan import Item
    from domain.staff import StaffAccount
    from domain.supervision import CLOSED, Finding, SupervisionRecord

    aggregates = list(replay(PROGRESS_FIXTURE).values())
    [item] = [a for a in aggregates if isinstance(a, Item)]
    [account] = [a for a in aggregates if isinstance(a, StaffAccount)]
    [record] = [a for a in aggregates if isinstance(a, SupervisionRecord)]
    [finding] = [a for a in aggregates if isinstance(a, Finding)]
    assert (
        len(item.reports) == 2
        and str(next(iter(item.current.values())).values[0].amounts[0]) == "45"
    )
    assert account.username == "zjj.li" and account.roles == set() and account.password_changes == 1
    assert record.title == "一季度督查" and finding.state == CLOSED


def test_todays_progress_events_keep_the_stored_fields_and_add_only_what_upcasts_add() -> None:
    stored = json.loads(PROGRESS_FIXTURE.read_text(encoding="utf-8"))["events"]
    today = {e["topic"]: set(e["state"]) for e in _todays_progress_events()}
    for old in stored:
        assert old["topic"] in today, old["topic"]
        assert today[old["topic"]] == upcast_fields(old["topic"], old["state"]), old["topic"]


def upcast_fields(topic: str, state: dict[str, object]) -> set[str]:
    """The fields today's class writes for an event stored as `state` by an older version:
    the old ones, those its upcasts add, and the version itself (stored from 2 on)."""
    from eventsourcing.utils import resolve_topic

    cls = resolve_topic(topic)
    newer = dict(state)
    version = int(newer.pop("class_version", 1))  # type: ignore[call-overload]
    while version < getattr(cls, "class_version", 1):
        getattr(cls, f"upcast_v{version}_v{version + 1}")(newer)
        version += 1
    return set(newer) | ({"class_version"} if version > 1 else set())


def _todays_progress_events() -> list[dict[str, object]]:
    """The same steps as the fixture, written by today's code."""
    from datetime import date
    from decimal import Decimal

    from application.plan_file import load_plan_file
    from domain.progress import ProjectValues
    from domain.staff import Role
    from tests.clock import Clock
    from tests.conftest import PLAN_FILE

    clock = Clock("2023-03-20T10:00")
    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    app.register_plan(load_plan_file(PLAN_FILE), "system:plan-loader")
    app.open_account("zjj.li", "李工", "cli:admin")
    app.grant_role("zjj.li", Role("reporter", "市住房城乡建设局"), "cli:admin")
    app.record_password_change("zjj.li", "cli:admin")
    app.revoke_role("zjj.li", Role("reporter", "市住房城乡建设局"), "cli:admin")
    clock.set("2023-03-30T16:00")
    values = (ProjectValues("9.1", (Decimal(50),), ()),)
    first = app.report_progress(
        year=2023,
        item=9,
        period="2023-03",
        unit="市住房城乡建设局",
        values=values,
        narrative="",
        evidence=(),
        actor="staff:x",
    )
    app.correct_report(
        year=2023,
        item=9,
        corrects=first.id,
        reason="r",
        unit="市住房城乡建设局",
        values=(ProjectValues("9.1", (Decimal(45),), ()),),
        narrative="",
        evidence=(),
        actor="staff:x",
    )
    record = app.record_supervision(
        year=2023,
        kind="inspection",
        held_on=date(2023, 3, 29),
        title="t",
        summary="",
        findings=[(["9.1"], "f")],
        actor="staff:s",
    )
    finding = UUID(record.related[0])
    app.report_rectification(finding, "a", "市住房城乡建设局", "staff:x")
    app.reopen_finding(finding, "b", "staff:s")
    app.report_rectification(finding, "c", "市住房城乡建设局", "staff:x")
    app.close_finding(finding, "d", "staff:s")
    return [
        {"topic": n.topic, "state": json.loads(n.state)}
        for n in app.recorder.select_notifications(1, 1000)
    ]


def test_version_1_case_events_still_replay() -> None:
    from domain.cases import CLOSED, MERGED, Case, CaseIndex, Erasure

    aggregates = list(replay(FIXTURE.with_name("stored_events_v1_cases.json")).values())
    cases = sorted((a for a in aggregates if isinstance(a, Case)), key=lambda c: c.state)
    assert [c.state for c in cases] == [CLOSED, MERGED]
    closed = cases[0]
    assert (closed.rehandled, closed.track, closed.escalated, closed.projects) == (
        1,
        "weixingfu",
        True,
        ((2023, "17.2"),),
    )
    assert len([a for a in aggregates if isinstance(a, CaseIndex)]) == 3  # two numbers, one ticket
    [erasure] = [a for a in aggregates if isinstance(a, Erasure)]
    assert erasure.cases == (str(closed.id),)


RATINGS_FIXTURE = FIXTURE.with_name("stored_events_v1_ratings.json")


def _todays_rating_events(withdraw: bool = False) -> list[dict[str, object]]:
    """Ratings, moderation and award decisions written by today's code (the fixture's steps).

    Made the fixture once (its key then destroyed): the list this returns,
    written as {"comment": ..., "events": [...]} to RATINGS_FIXTURE.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from application.plan_file import load_plan_file
    from application.vault import Vault
    from application.verification import Address, Verified
    from tests.clock import Clock
    from tests.conftest import PLAN_FILE

    clock = Clock("2023-08-10T10:00")
    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    app.vault = Vault(engine, b"pepper")
    app.register_plan(load_plan_file(PLAN_FILE), "system:plan-loader")
    first = app.recorder.max_notification_id() or 0
    one = Verified(app.vault.contact("13900001111"), Address("phone", "13900001111"))
    two = Verified(app.vault.contact("x@example.org"), Address("email", "x@example.org"))
    cast = app.rate(one, "project:2023:9.1", "satisfied", "很好", "梁溪区", "net1", "citizen")
    app.rate(one, "project:2023:9.1", "basically", "还行", "梁溪区", "net1", "citizen")
    app.approve_comment(cast.ballot_id, app.ballot(cast.ballot_id).version, "gov.chen")
    other = app.rate(two, "item:2023:9", "unsatisfied", "电话139", None, "net2", "citizen")
    app.reject_comment(other.ballot_id, 1, "personal", "gov.chen")
    clock.set("2024-01-10T09:00")
    app.nominate(2023, "minxin", "民心工程奖", 10, "9.1", "完成好", "gov.chen")
    app.select(2023, "minxin", "民心工程奖", 10, "9.1", "", "gov.chen")
    if withdraw:  # added by the second version (stored_events_v2_awards.json)
        app.withdraw(2023, "minxin", "民心工程奖", 10, "9.1", "数据有误", "gov.chen")
        app.withdraw(2023, "minxin", "民心工程奖", 10, "9.1", "重新考虑", "gov.chen")
    return [
        {
            "originator_id": str(n.originator_id),
            "originator_version": n.originator_version,
            "topic": n.topic,
            "state": json.loads(n.state),
        }
        for n in app.recorder.select_notifications(first + 1, 1000)
    ]


def test_version_1_rating_and_award_events_still_replay() -> None:
    from domain.awards import Award
    from domain.ratings import Ballot

    aggregates = list(replay(RATINGS_FIXTURE).values())
    ballots = sorted((a for a in aggregates if isinstance(a, Ballot)), key=lambda b: b.subject)
    assert [(b.subject, b.quarter, b.level, b.version, b.comment_version) for b in ballots] == [
        ("item:2023:9", "2023Q3", "unsatisfied", 2, 1),
        ("project:2023:9.1", "2023Q3", "basically", 3, 2),  # recast, its comment approved
    ]
    assert all(b.moderated for b in ballots)
    assert ballots[0].district is None and ballots[1].district == "梁溪区"
    [award] = [a for a in aggregates if isinstance(a, Award)]
    assert (award.year, award.award, award.nominated, award.selected) == (
        2023,
        "minxin",
        ("9.1",),
        ("9.1",),
    )


def test_todays_rating_and_award_events_keep_the_stored_topics_and_fields() -> None:
    stored = json.loads(RATINGS_FIXTURE.read_text(encoding="utf-8"))["events"]
    today = _todays_rating_events()
    assert [e["topic"] for e in today] == [e["topic"] for e in stored]
    for old, new in zip(stored, today, strict=True):
        assert set(new["state"]) == set(old["state"]), old["topic"]  # type: ignore[arg-type]


AWARDS_V2 = FIXTURE.with_name("stored_events_v2_awards.json")


def test_version_2_award_withdrawals_replay_after_version_1() -> None:
    from domain.awards import Award

    aggregates = replay(RATINGS_FIXTURE) | {}
    data = json.loads(AWARDS_V2.read_text(encoding="utf-8"))["events"]
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    for e in data:
        event = mapper.to_domain_event(
            StoredEvent(
                originator_id=UUID(e["originator_id"]),
                originator_version=e["originator_version"],
                topic=e["topic"],
                state=json.dumps(e["state"], ensure_ascii=False).encode("utf-8"),
            )
        )
        aggregates[event.originator_id] = event.mutate(aggregates[event.originator_id])
    [award] = [a for a in aggregates.values() if isinstance(a, Award)]
    assert (award.nominated, award.selected) == ((), ())  # the selection, then the nomination


def test_todays_withdrawals_keep_the_stored_topics_and_fields() -> None:
    stored = json.loads(AWARDS_V2.read_text(encoding="utf-8"))["events"]
    today = _todays_rating_events(withdraw=True)[-len(stored) :]
    assert [e["topic"] for e in today] == [e["topic"] for e in stored]
    for old, new in zip(stored, today, strict=True):
        assert set(new["state"]) == set(old["state"]), old["topic"]  # type: ignore[arg-type]


CHECKPOINT_V1 = FIXTURE.with_name("stored_events_v1_checkpoint.json")
CHECKPOINT_V2 = FIXTURE.with_name("stored_events_v2_checkpoint.json")


def test_version_1_checkpoints_read_as_naming_no_store_chain_and_keep_their_public_entry() -> None:
    from domain.checkpoint import Checkpoint
    from projections.publiclog.public_entries import Deriver

    [checkpoint] = replay(CHECKPOINT_V1).values()
    assert isinstance(checkpoint, Checkpoint)
    assert (checkpoint.entries, checkpoint.store_events, checkpoint.store_head) == (
        11543,
        None,
        None,
    )
    # The public entry (and so its hash in every log) is what version 1 derived.
    [stored_event] = json.loads(CHECKPOINT_V1.read_text(encoding="utf-8"))["events"]
    event = _decode(stored_event)
    entry = Deriver().derive(event)
    assert entry is not None and entry.payload == {
        key: stored_event["state"][key] for key in ("day", "entries", "head")
    }


def test_version_2_checkpoints_name_both_chains_in_their_public_entry() -> None:
    from projections.publiclog.public_entries import Deriver

    [stored_event] = json.loads(CHECKPOINT_V2.read_text(encoding="utf-8"))["events"]
    entry = Deriver().derive(_decode(stored_event))
    assert entry is not None and entry.payload == {
        key: stored_event["state"][key]
        for key in ("day", "entries", "head", "store_events", "store_head")
    }


def test_todays_checkpoints_keep_the_stored_topic_and_fields() -> None:
    from datetime import UTC, date, datetime

    from domain.checkpoint import Checkpoint

    [old] = json.loads(CHECKPOINT_V2.read_text(encoding="utf-8"))["events"]
    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    at = datetime(2024, 1, 1, 16, 5, tzinfo=UTC)
    app.save(Checkpoint.record(date(2024, 1, 2), (1, "a" * 64), (2, "b" * 64), "cron", at))
    [today] = app.recorder.select_notifications(1, 10)
    assert today.topic == old["topic"]
    assert set(json.loads(today.state)) == set(old["state"])


def _decode(stored_event: dict[str, object]) -> object:
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    return mapper.to_domain_event(
        StoredEvent(
            originator_id=UUID(str(stored_event["originator_id"])),
            originator_version=stored_event["originator_version"],  # type: ignore[arg-type]
            topic=str(stored_event["topic"]),
            state=json.dumps(stored_event["state"], ensure_ascii=False).encode("utf-8"),
        )
    )


CASES_V1 = FIXTURE.with_name("stored_events_v1_cases.json")
CASES_V2 = FIXTURE.with_name("stored_events_v2_cases.json")


def test_version_1_replies_replay_with_their_text_kept_as_legacy_text() -> None:
    from domain.cases import Case

    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    replies = [
        mapper.to_domain_event(s)
        for s in stored_from(CASES_V1)
        if s.topic == "domain.cases:Case.Replied"
    ]
    assert [(r.legacy_text, r.sealed_text, r.key_id) for r in replies] == [
        ("已修复", "", ""),
        ("已更换灯具", "", ""),
    ]
    assert all(isinstance(r, Case.Replied) and r.unit == "市城管局" for r in replies)


def stored_from(path: Path) -> list[StoredEvent]:
    return [
        StoredEvent(
            originator_id=UUID(e["originator_id"]),
            originator_version=e["originator_version"],
            topic=e["topic"],
            state=json.dumps(e["state"], ensure_ascii=False).encode("utf-8"),
        )
        for e in json.loads(path.read_text(encoding="utf-8"))["events"]
    ]


def _todays_case_events() -> list[dict[str, object]]:
    """A case replied to by version 2 (sealed: the reply quotes the citizen), then erased.

    Made the fixture once (its key then destroyed): the list this returns,
    written as {"comment": ..., "events": [...]} to CASES_V2.
    """
    from datetime import date

    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from application.case_commands import Intake
    from application.vault import Vault
    from tests.clock import Clock

    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=Clock("2023-09-04T09:00"))
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    app.vault = Vault(engine, b"pepper")
    intake = Intake(
        2023, "online", "城市管理", "梁溪区", "路灯", "路灯不亮已两周", "王某", "13900001111",
        False, date(2023, 9, 4),
    )  # fmt: skip
    receipt = app.submit_case(intake, "citizen")
    app.accept_case(receipt.case_id, "staff:gov")
    app.assign_case(receipt.case_id, "hotline", "市城管局", [], 5, "staff:gov")
    app.reply_case(receipt.case_id, "已电话联系王某，路灯已修复", "市城管局", "staff:cg")
    app.erase_person("13900001111", "本人申请删除", "cli:ops")
    return [
        {
            "originator_id": str(n.originator_id),
            "originator_version": n.originator_version,
            "topic": n.topic,
            "state": json.loads(n.state),
        }
        for n in app.recorder.select_notifications(1, 1000)
    ]


def test_version_2_sealed_replies_replay_and_hold_no_plain_text() -> None:
    from domain.cases import REPLIED, Case, Erasure

    raw = CASES_V2.read_text(encoding="utf-8")
    assert "路灯已修复" not in raw and "王某" not in raw  # sealed, its key destroyed
    aggregates = list(replay(CASES_V2).values())
    [case] = [a for a in aggregates if isinstance(a, Case)]
    [erasure] = [a for a in aggregates if isinstance(a, Erasure)]
    assert (case.state, case.replies, erasure.cases) == (REPLIED, 1, (str(case.id),))
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    [reply] = [
        mapper.to_domain_event(s)
        for s in stored_from(CASES_V2)
        if s.topic == "domain.cases:Case.Replied"
    ]
    assert reply.key_id == case.key_id and reply.sealed_text and reply.legacy_text == ""


def test_todays_case_events_keep_the_stored_topics_and_fields() -> None:
    stored = json.loads(CASES_V2.read_text(encoding="utf-8"))["events"]
    today = _todays_case_events()
    assert [e["topic"] for e in today] == [e["topic"] for e in stored]
    for old, new in zip(stored, today, strict=True):
        assert set(new["state"]) == set(old["state"]), old["topic"]  # type: ignore[arg-type]


PROGRESS_V2 = FIXTURE.with_name("stored_events_v2_progress.json")
LIANGXI_ETC = ("梁溪区", "锡山区", "惠山区", "滨湖区", "新吴区", "经开区", "江阴市", "宜兴市")


def _todays_district_events() -> list[dict[str, object]]:
    """Item 8 (老旧小区改造, 各市(县)区) reported by version 2, with its amounts broken down
    by district, then corrected (the breakdown with it).

    Made the fixture once: the list this returns (the item's registration and its two
    reports), written as {"comment": ..., "events": [...]} to PROGRESS_V2.
    """
    from decimal import Decimal

    from application.plan_file import load_plan_file
    from domain.districts import DistrictAmount
    from domain.plan import item_id
    from domain.progress import ProjectValues
    from tests.clock import Clock
    from tests.conftest import PLAN_FILE

    clock = Clock("2023-04-28T16:00")
    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    app.register_plan(load_plan_file(PLAN_FILE), "system:plan-loader")
    values = (
        ProjectValues("8.1", (Decimal("80"),), (True, False)),
        ProjectValues("8.2", tuple(Decimal(a) for a in ("20", "90", "95", "100")), ()),
        ProjectValues("8.3", (Decimal("100"),), ()),
    )
    shares = ("20", "10", "10", "10", "5", "5", "12", "8")
    districts = tuple(
        DistrictAmount("8.1", 0, d, Decimal(a)) for d, a in zip(LIANGXI_ETC, shares, strict=True)
    )
    unit = "市委政法委"
    first = app.report_progress(
        year=2023,
        item=8,
        period="2023-04",
        unit=unit,
        values=values,
        narrative="各市(县)区报送汇总",
        evidence=(),
        actor="staff:zfw",
        districts=districts,
    )
    clock.set("2023-05-04T10:00")
    moved = (*districts[:6], DistrictAmount("8.1", 0, "江阴市", Decimal("10")), districts[7])
    app.correct_report(
        year=2023,
        item=8,
        corrects=first.id,
        reason="江阴市数据核减",
        unit=unit,
        values=(ProjectValues("8.1", (Decimal("78"),), (True, False)), *values[1:]),
        narrative="各市(县)区报送汇总",
        evidence=(),
        actor="staff:zfw",
        districts=moved,
    )
    item = str(item_id(2023, 8))
    return [
        {
            "originator_id": str(n.originator_id),
            "originator_version": n.originator_version,
            "topic": n.topic,
            "state": json.loads(n.state),
        }
        for n in app.recorder.select_notifications(1, 1000)
        if str(n.originator_id) == item
    ]


def test_version_2_reports_replay_with_their_breakdown_by_district() -> None:
    from decimal import Decimal

    from domain.progress import Period

    [item] = replay(PROGRESS_V2).values()
    assert isinstance(item, Item) and len(item.reports) == 2
    in_force = item.current[Period(2023, 4)]
    assert in_force.corrects is not None and in_force.reason == "江阴市数据核减"
    by_district = {d.district: d.amount for d in in_force.districts}
    assert by_district["江阴市"] == Decimal("10") and sum(by_district.values()) == Decimal("78")
    assert in_force.of("8.1").amounts == (Decimal("78"),)


def test_version_1_reports_replay_with_no_breakdown() -> None:
    [item] = [a for a in replay(PROGRESS_FIXTURE).values() if isinstance(a, Item)]
    assert [r.districts for r in item.reports.values()] == [(), ()]


def test_todays_district_reports_keep_the_stored_topics_and_fields() -> None:
    stored = json.loads(PROGRESS_V2.read_text(encoding="utf-8"))["events"]
    today = _todays_district_events()
    assert [e["topic"] for e in today] == [e["topic"] for e in stored]
    for old, new in zip(stored, today, strict=True):
        assert set(new["state"]) == set(old["state"]), old["topic"]  # type: ignore[arg-type]
        if "districts" in old["state"]:
            assert new["state"]["districts"] == old["state"]["districts"]  # type: ignore[index]


ADDITIONS_V1 = FIXTURE.with_name("stored_events_v1_case_additions.json")


def _todays_case_additions() -> list[dict[str, object]]:
    """Issue 13's case events, as their first version stores them: a case with the citizen's
    photos (one approved, one rejected), a note and a withdrawal; another case with a note
    after acceptance and the lead unit's reply with its photos; item 9's report with photos.

    Made the fixture once: the list this returns (the cases' events and item 9's), written as
    {"comment": ..., "events": [...]} to ADDITIONS_V1.
    """
    import tempfile
    from datetime import date
    from decimal import Decimal

    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from application.case_commands import Intake
    from application.photos import PhotoStore, clean
    from application.plan_file import load_plan_file
    from application.vault import Vault
    from domain.plan import item_id
    from domain.progress import ProjectValues
    from tests.clock import Clock
    from tests.conftest import PLAN_FILE
    from tests.photos import phone_jpeg

    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=Clock("2023-09-04T09:00"))
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    app.vault = Vault(engine, b"pepper")
    folder = tempfile.TemporaryDirectory()
    app.photos = PhotoStore(folder.name)
    app.register_plan(load_plan_file(PLAN_FILE), "system:plan-loader")
    shots = [clean(phone_jpeg(colour=(n * 60, 90, 30)), f"IMG_{n}.jpg") for n in range(4)]

    def intake(phone: str) -> Intake:
        return Intake(
            2023, "online", "城市管理", "梁溪区", "路灯", "路灯不亮已两周", "王某", phone,
            True, date(2023, 9, 4), address="清扬路口",
        )  # fmt: skip

    first = app.submit_case(intake("13900001111"), "citizen", shots[:2], True)
    app.approve_case_photo(first.case_id, shots[0].sha256, "staff:gov")
    app.reject_case_photo(first.case_id, shots[1].sha256, "faces", "staff:gov")
    app.add_case_note(first.number, first.query_code or "", "晚上最暗")
    app.withdraw_case(first.number, first.query_code or "", "已自行解决")
    second = app.submit_case(intake("13900002222"), "citizen")
    app.accept_case(second.case_id, "staff:gov")
    app.assign_case(second.case_id, "hotline", "市城管局", [], 5, "staff:gov")
    app.add_case_note(second.number, second.query_code or "", "又坏了一盏")
    app.reply_case(second.case_id, "已修复", "市城管局", "staff:cg", shots[2:3], "after")
    app.report_progress(
        year=2023, item=9, period="2023-08", unit="市住房城乡建设局",
        values=(ProjectValues("9.1", (Decimal(10),), ()),), narrative="", evidence=(),
        actor="staff:zjj", photos=shots[3:],
    )  # fmt: skip
    kept = {first.case_id, second.case_id, str(item_id(2023, 9))}
    folder.cleanup()
    return [
        {
            "originator_id": str(n.originator_id),
            "originator_version": n.originator_version,
            "topic": n.topic,
            "state": json.loads(n.state),
        }
        for n in app.recorder.select_notifications(1, 1000)
        if str(n.originator_id) in kept
    ]


def test_version_1_case_additions_and_photos_replay() -> None:
    from domain.cases import REPLIED, WITHDRAWN, Case
    from domain.plan import Item

    aggregates = list(replay(ADDITIONS_V1).values())
    cases = {a.state: a for a in aggregates if isinstance(a, Case)}
    withdrawn, replied = cases[WITHDRAWN], cases[REPLIED]
    assert (withdrawn.notes, len(withdrawn.citizen_photos)) == (1, 2)
    assert sorted(withdrawn.moderation.values()) == ["approved", "rejected"]
    assert (replied.notes, replied.citizen_photos) == (1, ())
    [item] = [a for a in aggregates if isinstance(a, Item)]
    assert item.number == 9 and len(item.reports) == 1
    raw = ADDITIONS_V1.read_text(encoding="utf-8")
    for words in ("王某", "清扬路口", "晚上最暗", "已自行解决", "又坏了一盏", "已修复"):
        assert words not in raw  # sealed with the citizen's key


def test_todays_case_additions_keep_the_stored_topics_and_fields() -> None:
    stored = json.loads(ADDITIONS_V1.read_text(encoding="utf-8"))["events"]
    today = _todays_case_additions()
    assert [e["topic"] for e in today] == [e["topic"] for e in stored]
    for old, new in zip(stored, today, strict=True):
        assert set(new["state"]) == set(old["state"]), old["topic"]  # type: ignore[arg-type]


PROPOSALS_FIXTURE = FIXTURE.with_name("stored_events_v1_proposals.json")


def _todays_proposal_events() -> list[dict[str, object]]:
    """A solicitation, proposals, a support and every answer, written by today's code.

    Made the fixture once (its key then destroyed): the list this returns,
    written as {"comment": ..., "events": [...]} to PROPOSALS_FIXTURE.
    """
    from datetime import date

    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from application.plan_file import load_plan_file
    from application.vault import Vault
    from application.verification import Address, Verified
    from tests.clock import Clock
    from tests.conftest import PLAN_FILE

    clock = Clock("2023-09-01T09:00")
    app = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    app.vault = Vault(engine, b"pepper")
    app.register_plan(load_plan_file(PLAN_FILE), "system:plan-loader")
    first = app.recorder.max_notification_id() or 0
    one = Verified(app.vault.contact("13900001111"), Address("phone", "13900001111"))
    two = Verified(app.vault.contact("x@example.org"), Address("email", "x@example.org"))
    app.open_solicitation(2024, date(2023, 10, 31), "gov.chen")
    for n in range(4):
        app.propose(one, 2024, f"建议{n}", "内容", "宜居住区方面", "梁溪区", "citizen")
    for n in (1, 2, 3):
        app.approve_proposal(2024, n, "gov.chen")
    app.reject_proposal(2024, 4, "advertising", "gov.chen")
    app.support_proposal(two, 2024, 1, "citizen")
    # Only the proposals' events are compared here: C1 is taken as listed (no candidate's
    # events in between, so the sequence stays the fixture's).
    app.candidate_exists = lambda year, ref: True  # type: ignore[method-assign]
    app.adopt_proposal(2024, 1, "C1", "列为候选项目", "gov.chen")
    app.merge_proposal(2024, 2, 1, "相同", "gov.chen")
    app.decline_proposal(2024, 3, "已列入计划", "gov.chen")
    app.close_solicitation(2024, "gov.chen")
    return [
        {
            "originator_id": str(n.originator_id),
            "originator_version": n.originator_version,
            "topic": n.topic,
            "state": json.loads(n.state),
        }
        for n in app.recorder.select_notifications(first + 1, 1000)
    ]


def test_version_1_proposal_events_still_replay() -> None:
    from domain.proposals import (
        ADOPTED,
        APPROVED,
        MERGED,
        NOT_ADOPTED,
        REJECTED,
        Proposal,
        Solicitation,
        Support,
    )

    aggregates = list(replay(PROPOSALS_FIXTURE).values())
    [solicitation] = [a for a in aggregates if isinstance(a, Solicitation)]
    assert (solicitation.year, solicitation.last_day, solicitation.received) == (
        2024,
        "2023-10-31",
        4,
    )
    assert solicitation.closed_at is not None
    proposals = sorted((a for a in aggregates if isinstance(a, Proposal)), key=lambda p: p.number)
    assert [(p.state, p.answer) for p in proposals] == [
        (APPROVED, ADOPTED),
        (APPROVED, MERGED),
        (APPROVED, NOT_ADOPTED),
        (REJECTED, None),
    ]
    assert proposals[0].candidate == "C1" and proposals[1].merged_into == 1
    [support] = [a for a in aggregates if isinstance(a, Support)]
    assert (support.year, support.number) == (2024, 1)


def test_todays_proposal_events_keep_the_stored_topics_and_fields() -> None:
    stored = json.loads(PROPOSALS_FIXTURE.read_text(encoding="utf-8"))["events"]
    today = _todays_proposal_events()
    assert [e["topic"] for e in today] == [e["topic"] for e in stored]
    for old, new in zip(stored, today, strict=True):
        assert set(new["state"]) == set(old["state"]), old["topic"]  # type: ignore[arg-type]


AMENDMENTS_V1 = FIXTURE.with_name("stored_events_v1_amendments.json")


def _amended_events() -> list[StoredEvent]:
    data = json.loads(AMENDMENTS_V1.read_text(encoding="utf-8"))["events"]
    return [
        StoredEvent(
            originator_id=UUID(e["originator_id"]),
            originator_version=e["originator_version"],
            topic=e["topic"],
            state=json.dumps(e["state"], ensure_ascii=False).encode("utf-8"),
        )
        for e in data
    ]


def test_version_1_amendments_replay_onto_the_registered_plan() -> None:
    mapper = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    plan = mapper.to_domain_event(stored()[0]).mutate(None)
    for s in _amended_events():
        plan = mapper.to_domain_event(s).mutate(plan)
    [amendment] = plan.amendments
    assert (amendment.number, amendment.kind, amendment.project) == (1, "target", "9.1")
    assert amendment.change["old"] == "300" and amendment.change["new"] == "250"
    assert amendment.effective.isoformat() == "2023-08-01"


def test_todays_amendments_keep_the_stored_topic_and_fields(plan_spec) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from domain.plan import plan_id
    from domain.plan_amendments import Basis, Change

    ledger = Ledger(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        clock=lambda: datetime(2023, 8, 2, 2, 0, tzinfo=UTC),
    )
    ledger.register_plan(plan_spec, "system:test")
    change = Change("target", project="9.1", target=0, amount=Decimal(250))
    ledger.amend_plan(
        2023, change, Basis("锡政办发〔2023〕40号", date(2023, 8, 1)), "资金调整", "x"
    )
    today = ledger.recorder.select_events(plan_id(2023))[-1]
    [old] = json.loads(AMENDMENTS_V1.read_text(encoding="utf-8"))["events"]
    assert today.topic == old["topic"] == "domain.plan:Plan.Amended"
    assert set(json.loads(today.state)) == set(old["state"])
