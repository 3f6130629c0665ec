"""The public log marks the simulated year's facts, and only those: real facts hash as before.

Stored events of real reports and cases (fixtures written by earlier versions) derive the
same public entries, and so the same hashes, as before the marker existed (the head below
was computed by the derivation of public_log version 1). The same events written by a
simulated actor derive entries that say `"simulated": true`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from projections.publiclog.public_entries import GENESIS, Deriver, chain
from tests.unit.test_stored_events import _decode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = ["stored_events_v2_progress.json", "stored_events_v2_cases.json"]
# The chain head over both fixtures' entries, as public_log version 1 derived them.
HEAD_BEFORE_THE_MARKER = "41e555cd6e2adde50718a611e469a98062499e01398672a6cf60f1381a8dabb1"


def events(actor: str | None = None) -> list[Any]:
    found = []
    for name in REAL:
        for stored in json.loads((FIXTURES / name).read_text(encoding="utf-8"))["events"]:
            if actor is not None and "actor" in stored["state"]:
                stored = {**stored, "state": {**stored["state"], "actor": actor}}
            found.append(_decode(stored))
    return found


def derived(actor: str | None = None) -> list[Any]:
    deriver = Deriver()
    return [e for e in (deriver.derive(event) for event in events(actor)) if e is not None]


def test_real_facts_carry_no_marker_and_hash_as_before_it() -> None:
    entries = derived()
    assert {e.kind for e in entries} >= {"report.filed", "report.corrected", "case.submitted"}
    assert not any("simulated" in e.payload for e in entries)
    head = GENESIS
    for entry in entries:
        head = chain(head, entry)
    assert head == HEAD_BEFORE_THE_MARKER


def test_the_same_facts_by_the_simulated_year_say_so() -> None:
    entries = derived(actor="sim:zfw")
    kinds = {e.kind for e in entries if e.kind != "item.registered"}
    assert kinds >= {"report.filed", "report.corrected", "case.submitted", "case.accepted"}
    for entry in entries:
        if entry.kind in ("item.registered", "case.erased"):  # the plan; the erasure's record
            assert "simulated" not in entry.payload
        else:
            assert entry.payload["simulated"] is True, entry.kind
