"""Simulated ratings: labelled, recorded within their year, repeatable from the seed."""

from __future__ import annotations

import json

from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from application import Ledger
from application.simulated_ratings import SimulatedRatings
from application.vault import Vault
from domain.plan_spec import PlanSpec


def written(
    plan_spec: PlanSpec, seed: int
) -> tuple[list[tuple[str, str, dict[str, object]]], object]:
    ledger = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    ledger.vault = Vault(engine, b"pepper")
    ledger.register_plan(plan_spec, "system:test")
    summary = SimulatedRatings(ledger, plan_spec, people=150, seed=seed).write()
    out = []
    for n in ledger.recorder.select_notifications(72, 100_000):
        state = json.loads(n.state)
        state.pop("sealed", None)  # encrypted with a random nonce and a fresh key
        state.pop("key_id", None)
        out.append((n.topic.split(":")[1], state.pop("timestamp")["_data_"], state))
    return out, summary


def test_simulated_ratings_are_labelled_within_the_year_and_repeatable(
    plan_spec: PlanSpec,
) -> None:
    events, summary = written(plan_spec, 3)
    topics = {topic for topic, _, _ in events}
    assert {"Ballot.Cast", "Ballot.Recast", "Ballot.CommentApproved"} <= topics
    for topic, when, state in events:
        assert str(state["actor"]).startswith("sim:"), topic
        assert when.startswith("2023-")
    assert summary.ratings == sum(t in ("Ballot.Cast", "Ballot.Recast") for t, _, _ in events)
    assert summary.replaced == sum(t == "Ballot.Recast" for t, _, _ in events)
    again, _ = written(plan_spec, 3)
    assert again == events
    assert written(plan_spec, 4)[0] != events
