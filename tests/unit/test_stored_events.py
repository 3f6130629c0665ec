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
