"""Staff roles (audited grants) and supervision findings through their rectification."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.staff import Role, RoleError, StaffAccount, staff_id
from domain.supervision import (
    CLOSED,
    OPEN,
    RECTIFYING,
    Finding,
    SupervisionError,
    SupervisionRecord,
)

NOW = datetime(2023, 7, 3, 2, 0, tzinfo=UTC)


def account() -> StaffAccount:
    opened = StaffAccount.open("zjj.li", "李工", "admin:wang", NOW)
    opened.collect_events()
    return opened


def test_an_account_records_who_opened_it_and_when() -> None:
    opened = StaffAccount.open("zjj.li", "李工", "admin:wang", NOW)
    [event] = opened.collect_events()
    assert (event.username, event.actor, event.timestamp) == ("zjj.li", "admin:wang", NOW)
    assert opened.id == staff_id("zjj.li")


@pytest.mark.parametrize("name", ["Li", "a", "李工", "zjj li", "1abc", "x" * 40])
def test_usernames_are_plain_lowercase(name: str) -> None:
    with pytest.raises(RoleError):
        StaffAccount.open(name, "李工", "admin:wang", NOW)


def test_granting_and_revoking_are_events_with_their_actor() -> None:
    staff = account()
    staff.grant(Role("reporter", "市住房城乡建设局"), "admin:wang", NOW)
    staff.revoke(Role("reporter", "市住房城乡建设局"), "admin:zhao", NOW)
    granted, revoked = staff.collect_events()
    assert (type(granted).__name__, granted.scope, granted.actor) == (
        "RoleGranted",
        "市住房城乡建设局",
        "admin:wang",
    )
    assert (type(revoked).__name__, revoked.actor) == ("RoleRevoked", "admin:zhao")
    assert staff.roles == set() and staff.unit is None


def test_a_reporter_reports_for_one_unit_only() -> None:
    staff = account()
    staff.grant(Role("reporter", "市住房城乡建设局"), "admin:wang", NOW)
    with pytest.raises(RoleError):
        staff.grant(Role("reporter", "市公安局"), "admin:wang", NOW)


@pytest.mark.parametrize(
    "role", [Role("admin", "市公安局"), Role("supervisor", "某组"), Role("king", "x")]
)
def test_roles_and_their_scopes_are_the_documents(role: Role) -> None:
    with pytest.raises(RoleError):
        account().grant(role, "admin:wang", NOW)


def test_revoking_a_role_not_held_is_refused() -> None:
    with pytest.raises(RoleError):
        account().revoke(Role("supervisor", "人大督查组"), "admin:wang", NOW)


def record() -> SupervisionRecord:
    return SupervisionRecord.record(
        id=uuid4(),
        year=2023,
        kind="quarterly_inspection",
        held_on=date(2023, 6, 28),
        title="二季度督查",
        summary="",
        projects=["9.1"],
        actor="sup:zhang",
        recorded_at=NOW,
    )


def finding() -> Finding:
    raised = Finding.raise_on(
        id=uuid4(),
        record=record(),
        projects=["9.1"],
        unit="市住房城乡建设局",
        text="部分小区加装电梯进度滞后",
        actor="sup:zhang",
        recorded_at=NOW,
    )
    raised.collect_events()
    return raised


def test_a_record_belongs_to_its_body_by_kind() -> None:
    assert record().body == "人大督查组"
    with pytest.raises(SupervisionError):
        SupervisionRecord.record(
            id=uuid4(),
            year=2023,
            kind="gossip",
            held_on=date(2023, 6, 28),
            title="x",
            summary="",
            projects=[],
            actor="a",
            recorded_at=NOW,
        )


def test_a_finding_goes_from_open_to_rectifying_to_closed() -> None:
    found = finding()
    assert found.state == OPEN
    found.report_rectification("已督促施工单位增加班组", "市住房城乡建设局", "staff:li", NOW)
    assert found.state == RECTIFYING
    found.close("整改到位", "sup:zhang", NOW)
    assert found.state == CLOSED
    assert [type(e).__name__ for e in found.collect_events()] == ["RectificationReported", "Closed"]


def test_only_the_responsible_unit_rectifies_and_only_rectified_findings_close() -> None:
    found = finding()
    with pytest.raises(SupervisionError):
        found.close("整改到位", "sup:zhang", NOW)
    with pytest.raises(SupervisionError):
        found.report_rectification("已整改", "市公安局", "staff:x", NOW)


def test_a_reopened_finding_needs_a_new_rectification() -> None:
    found = finding()
    found.report_rectification("已整改", "市住房城乡建设局", "staff:li", NOW)
    found.reopen("现场复查仍未完成", "sup:zhang", NOW)
    assert found.state == OPEN
    with pytest.raises(SupervisionError):
        found.close("整改到位", "sup:zhang", NOW)
