"""The case state machine is written once, by the domain: each case event names its step and
the state it leads to; the aggregate, the case board's read model and the public log's stage
all read that. Code outside domain/ that spelled a state would be a second copy, free to drift.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

from domain.cases import REHANDLING, REPLIED, STATES, Case

ROOT = Path(__file__).resolve().parents[2]
# Another vocabulary's word that happens to spell a case state (a finding is "closed" too,
# an Open311 request "closed") says so on its line.
MARKER = "not a case state"


def _state_literals(folder: str) -> Iterator[str]:
    for path in sorted((ROOT / folder).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Constant)
                and node.value in STATES
                and MARKER not in lines[node.lineno - 1]
            ):
                yield f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"


def test_no_code_outside_the_domain_spells_a_case_state() -> None:
    found = [hit for folder in ("projections", "site") for hit in _state_literals(folder)]
    assert found == []


def _case_events() -> list[type[Case.Event]]:
    """Every event a case records (the library's unused `Created` left out)."""
    return [
        cls
        for name, cls in vars(Case).items()
        if isinstance(cls, type)
        and issubclass(cls, Case.Event)
        and name not in ("Event", "Created")
    ]


def test_every_case_event_names_its_own_step_and_leads_to_a_known_state_or_none() -> None:
    events = _case_events()
    steps = [cls.step for cls in events]
    assert len(events) == 18 and len(set(steps)) == len(steps)
    assert all(cls.leads_to is None or cls.leads_to in STATES for cls in events)


def test_the_aggregate_is_in_the_state_each_of_its_events_leads_to() -> None:
    at = datetime(2023, 6, 1, 2, tzinfo=UTC)
    case = Case.submit(
        id=uuid4(),
        year=2023,
        number="W2023-00001",
        channel="online",
        external_id=None,
        category="城市管理",
        district="梁溪区",
        consent=False,
        received_on=date(2023, 6, 1),
        key_id="key",
        sealed="sealed",
        actor="citizen",
        recorded_at=at,
    )
    case.accept("task.force", at)
    case.assign("hotline", "市城管局", [], 5, date(2023, 6, 8), "task.force", at)
    case.reply("sealed", True, "市城管局", "unit", at)
    case.evaluate("unsatisfied", "sealed", True, date(2023, 6, 15), at)
    assert case.state == REHANDLING
    case.reply("sealed", True, "市城管局", "unit", at)
    case.evaluate("satisfied", "", False, None, at)
    assert case.state == REPLIED  # a satisfied evaluation leaves the state as it was
    case.close("task.force", at)
    states = []
    state = ""
    for event in case.collect_events():
        assert isinstance(event, Case.Event)
        state = event.state_after() or state
        states.append(state)
    assert states == [
        "submitted",
        "accepted",
        "handling",
        "replied",
        "rehandling",
        "replied",
        "replied",
        "closed",
    ]
    assert case.state == states[-1]
