"""The simulated year: the same seed writes the same year, through the rules, all labelled."""

from __future__ import annotations

import json

from application import Ledger
from application.simulation import SimulatedYear
from domain.plan_spec import PlanSpec


def written(plan_spec: PlanSpec, seed: int) -> list[tuple[str, str, dict[str, object]]]:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ledger.register_plan(plan_spec, "system:test")
    SimulatedYear(ledger, plan_spec, seed).write()
    out = []
    for n in ledger.recorder.select_notifications(72, 100_000):
        state = json.loads(n.state)
        # Ids are random (uuid4); what was said, by whom and when is what must repeat.
        for key in ("report_id", "corrects", "record_id"):
            state.pop(key, None)
        out.append((n.topic, state.pop("timestamp")["_data_"], state))
    return out


def test_the_same_seed_writes_the_same_year(plan_spec: PlanSpec) -> None:
    first, second = written(plan_spec, 7), written(plan_spec, 7)
    assert first == second
    assert written(plan_spec, 8) != first


def test_every_simulated_event_is_labelled_and_recorded_within_the_year(
    plan_spec: PlanSpec,
) -> None:
    events = written(plan_spec, 7)
    topics = {topic.split(":")[1] for topic, _, _ in events}
    assert {
        "Item.ProgressReported",
        "Item.ReportCorrected",
        "SupervisionRecord.Recorded",
        "Finding.Raised",
        "Finding.RectificationReported",
        "Finding.Closed",
    } <= topics
    for _topic, when, state in events:
        assert str(state["actor"]).startswith("sim:")
        assert when.startswith("2023-")
    reports = [s for t, _, s in events if t.endswith("Item.ProgressReported")]
    assert 450 < len(reports) <= 60 * 9  # most months of most items
