"""Rules that compare a business date with when something was recorded use Wuxi's day.

Between 00:00 and 08:00 in Wuxi the UTC date is still yesterday's; between
16:00 and 24:00 UTC it is already Wuxi's tomorrow. Each rule is tried on both sides.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.cases import Case, CaseError
from domain.supervision import SupervisionError, SupervisionRecord
from domain.wuxi import at_wuxi


def submitted(received_on: date, recorded_at: datetime) -> Case:
    return Case.submit(
        id=uuid4(),
        year=received_on.year,
        number="2023-ABCDEF",
        channel="online",
        external_id=None,
        category="城市管理",
        district="梁溪区",
        consent=False,
        received_on=received_on,
        key_id="k",
        sealed="s",
        actor="citizen",
        recorded_at=recorded_at,
    )


@pytest.mark.parametrize("hour", range(24))
def test_a_case_received_today_in_wuxi_is_accepted_at_every_hour(hour: int) -> None:
    day = date(2023, 9, 5)
    case = submitted(day, at_wuxi(day, hour).astimezone(UTC))
    assert case.received_on == day


@pytest.mark.parametrize("hour", [0, 7, 8, 15, 16, 23])
def test_a_case_received_tomorrow_in_wuxi_is_refused(hour: int) -> None:
    day = date(2023, 9, 5)
    with pytest.raises(CaseError) as error:
        submitted(date(2023, 9, 6), at_wuxi(day, hour).astimezone(UTC))
    assert error.value.code == "received_on"


def test_a_case_received_on_the_first_of_january_just_after_wuxi_midnight() -> None:
    new_year = date(2024, 1, 1)
    case = submitted(new_year, at_wuxi(new_year, 0, 30).astimezone(UTC))
    assert (case.year, case.received_on) == (2024, new_year)


def _record(held_on: date, recorded_at: datetime) -> SupervisionRecord:
    return SupervisionRecord.record(
        id=uuid4(),
        year=2023,
        kind="inspection",
        held_on=held_on,
        title="督查",
        summary="",
        projects=[],
        actor="staff:rd",
        recorded_at=recorded_at,
    )


@pytest.mark.parametrize("hour", [0, 7, 12, 23])
def test_a_visit_held_today_in_wuxi_is_recorded_at_any_hour(hour: int) -> None:
    day = date(2023, 9, 5)
    assert _record(day, at_wuxi(day, hour).astimezone(UTC)).held_on == day


@pytest.mark.parametrize("hour", [0, 7, 12, 23])
def test_a_visit_held_tomorrow_in_wuxi_has_not_happened_yet(hour: int) -> None:
    day = date(2023, 9, 5)
    with pytest.raises(SupervisionError):
        _record(date(2023, 9, 6), at_wuxi(day, hour).astimezone(UTC))


def test_an_overdue_case_can_get_a_new_limit_in_the_small_hours_of_the_next_day() -> None:
    day = date(2023, 9, 5)
    case = submitted(day, at_wuxi(day, 9))
    case.accept("staff:gov", at_wuxi(day, 9, 5))
    case.assign("hotline", "市城管局", [], 1, date(2023, 9, 6), "staff:gov", at_wuxi(day, 9, 10))
    # 02:00 on 7 September in Wuxi is still 6 September in UTC: the case is overdue in Wuxi.
    late = at_wuxi(date(2023, 9, 7), 2).astimezone(UTC)
    case.note_supervision("限时督办", date(2023, 9, 8), "staff:gov", late)
    assert case.deadline == date(2023, 9, 8) and case.escalated
