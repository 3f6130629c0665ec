"""One rule for time: instants are aware UTC, business dates come from domain/wuxi.py only.

A business date compared with an instant's UTC date is wrong for eight hours of
every Wuxi day (00:00-08:00), so no module but domain/wuxi.py may turn an
instant into a date, and no module but the ledger's clock reads the wall clock.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.wuxi import WUXI, at_wuxi, business_date, end_of_day, start_of_day

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "application", "projections", "site")
CONVERSIONS = ROOT / "domain" / "wuxi.py"
# Wall-clock reads that are not business time: when a key, a password hash or an
# outbox message was made, when a sealed session value expires, a projector's retry
# backoff, and the clock itself.
WALL_CLOCK = {
    "application/ledger.py",
    "application/credentials.py",
    "application/vault.py",
    "application/verification.py",
    "projections/projector.py",
    "site/sealing.py",
}


def _calls(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, owner = node.func.attr, node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        to_utc = [getattr(a, "id", None) for a in node.args] == ["UTC"]
        if (name == "astimezone" and not to_utc) or (name == "date" and not node.args):
            found.append((node.lineno, f".{name}()"))
        elif (owner_name, name) in {
            ("datetime", "now"),
            ("datetime", "utcnow"),
            ("datetime", "today"),
            ("date", "today"),
            ("time", "time"),
        }:
            found.append((node.lineno, f"{owner_name}.{name}()"))
    return found


def _sources() -> list[Path]:
    return [p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))]


def test_only_domain_wuxi_turns_an_instant_into_a_date() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line} {call}"
        for path in _sources()
        if path != CONVERSIONS
        for line, call in _calls(path)
        if call in (".astimezone()", ".date()")
    ]
    assert offending == []


def test_only_the_clock_reads_the_wall_clock() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line} {call}"
        for path in _sources()
        if str(path.relative_to(ROOT)) not in WALL_CLOCK
        for line, call in _calls(path)
        if not call.startswith(".")
    ]
    assert offending == []


@pytest.mark.parametrize("hour", range(24))
def test_the_business_date_is_wuxis_at_every_hour_of_a_wuxi_day(hour: int) -> None:
    instant = at_wuxi(date(2023, 12, 31), hour, 30).astimezone(UTC)
    assert business_date(instant) == date(2023, 12, 31)
    assert start_of_day(date(2023, 12, 31)) <= instant < end_of_day(date(2023, 12, 31))


@pytest.mark.parametrize(
    ("utc", "wuxi_day"),
    [
        ("2023-03-31T15:59:59", date(2023, 3, 31)),  # month and quarter end
        ("2023-03-31T16:00:00", date(2023, 4, 1)),
        ("2023-06-30T16:00:00", date(2023, 7, 1)),
        ("2023-12-31T15:59:59", date(2023, 12, 31)),  # year end
        ("2023-12-31T16:00:00", date(2024, 1, 1)),
        ("2024-02-28T16:00:00", date(2024, 2, 29)),  # leap day
    ],
)
def test_the_business_date_turns_at_wuxi_midnight(utc: str, wuxi_day: date) -> None:
    assert business_date(datetime.fromisoformat(utc).replace(tzinfo=UTC)) == wuxi_day


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        business_date(datetime(2023, 1, 1, 12))


def test_a_wuxi_day_is_24_hours_long() -> None:
    day = date(2023, 3, 12)
    assert end_of_day(day) - start_of_day(day) == timedelta(hours=24)
    assert start_of_day(day).utcoffset() == WUXI.utcoffset(datetime(2023, 3, 12))
