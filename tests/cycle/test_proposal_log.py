"""What the public log says of proposals (derived from the stored events of version 1): the
public facts only, never who proposed or supported, and the simulated ones marked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from projections.publiclog.public_entries import Deriver
from tests.unit.test_stored_events import _decode

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stored_events_v1_proposals.json"


def entries(actor: str | None = None) -> list[Any]:
    deriver = Deriver()
    found = []
    for stored in json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]:
        if actor is not None and "actor" in stored["state"]:
            stored = {**stored, "state": {**stored["state"], "actor": actor}}
        entry = deriver.derive(_decode(stored))
        if entry is not None:
            found.append(entry)
    return found


def test_each_step_has_its_entry_with_public_facts_only() -> None:
    found = entries()
    assert [e.kind for e in found] == [
        "solicitation.opened",
        *["proposal.submitted"] * 4,
        *["proposal.approved"] * 3,
        "proposal.rejected",
        "proposal.supported",
        "proposal.adopted",
        "proposal.merged",
        "proposal.not_adopted",
        "solicitation.closed",
    ]
    by_kind = {e.kind: e for e in found}
    assert by_kind["solicitation.opened"].payload == {"last_day": "2023-10-31"}
    assert by_kind["proposal.submitted"].payload == {  # the last one submitted
        "proposal": "P4",
        "category": "宜居住区方面",
        "district": "梁溪区",
    }
    assert by_kind["proposal.approved"].payload["title"] == "建议2"  # the last one approved
    assert by_kind["proposal.adopted"].payload == {
        "proposal": "P1",
        "candidate": "C1",
        "note": "列为候选项目",
    }
    assert by_kind["proposal.merged"].payload == {"proposal": "P2", "into": "P1", "reason": "相同"}
    assert by_kind["proposal.rejected"].payload == {"proposal": "P4", "category": "advertising"}
    # the proposals feed: published and answered ones, the opening and closing
    fed = [e.kind for e in found if "proposals:2024" in e.subjects]
    assert "proposal.submitted" not in fed and "proposal.supported" not in fed
    assert "proposal.adopted" in fed and "solicitation.closed" in fed
    assert all(e.year == 2024 and "cycle:2024" in e.subjects for e in found)
    text = json.dumps([e.canonical() for e in found], ensure_ascii=False)
    for private in ("13900001111", "x@example.org", "sealed", "key_id", "supporter", "voter"):
        assert private not in text


def test_the_citizens_words_are_public_only_as_approved() -> None:
    found = entries()
    others = [e.canonical() for e in found if e.kind != "proposal.approved"]
    assert not any("建议" in t and "title" in t for t in others)
    assert not any("建议3" in e.canonical() for e in found)  # P4's words: rejected, sealed


def test_the_same_steps_by_the_simulated_year_say_so_and_real_ones_do_not() -> None:
    assert not any("simulated" in e.payload for e in entries())
    assert all(e.payload.get("simulated") is True for e in entries(actor="sim:citizen"))
