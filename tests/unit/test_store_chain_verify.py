"""The store chain's check, on records made here: what it accepts, what it names."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID, uuid5

from projections.publiclog.store_chain import GENESIS, link
from projections.publiclog.store_verify import Claim, verify_store_chain

NS = UUID("00000000-0000-0000-0000-000000000001")


@dataclass(frozen=True)
class Rec:
    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Row:
    notification_id: int
    seq: int
    originator_id: str
    originator_version: int
    topic: str
    link: str


def records(n: int) -> list[Rec]:
    return [Rec(i, uuid5(NS, str(i % 3)), i, "t:E", f"state {i}".encode()) for i in range(1, n + 1)]


def chained(recs: list[Rec]) -> list[Row]:
    rows, previous = [], GENESIS
    for seq, r in enumerate(recs, start=1):
        previous = link(previous, r)
        rows.append(Row(r.id, seq, str(r.originator_id), r.originator_version, r.topic, previous))
    return rows


def test_a_link_depends_on_every_part_of_the_record() -> None:
    r = records(1)[0]
    variants = [
        replace(r, id=2),
        replace(r, originator_id=uuid5(NS, "other")),
        replace(r, originator_version=2),
        replace(r, topic="t:F"),
        replace(r, state=b"state 1 "),
    ]
    assert len({link(GENESIS, v) for v in [r, *variants]}) == 6
    assert link(GENESIS, r) != link("1" * 64, r)


def test_records_not_chained_yet_are_counted_not_refused() -> None:
    recs = records(10)
    verdict = verify_store_chain(recs, chained(recs[:7]))
    assert verdict.ok and verdict.pending == 3 and verdict.events == 10
    assert verdict.head == chained(recs)[-1].link


def test_each_changed_record_is_named_not_only_the_first() -> None:
    recs = records(10)
    rows = chained(recs)
    recs[2] = replace(recs[2], state=b"changed")
    recs[6] = replace(recs[6], state=b"changed too")
    verdict = verify_store_chain(recs, rows)
    assert [p.split(" (")[0] for p in verdict.problems] == ["notification 3", "notification 7"]


def test_a_deleted_last_record_and_an_inserted_record_are_named() -> None:
    recs = records(10)
    rows = chained(recs)
    inserted = Rec(5, uuid5(NS, "x"), 1, "t:X", b"forged")  # into a gap left at 5
    kept = [r for r in recs if r.id not in (5, 10)]
    verdict = verify_store_chain(
        [*kept[:4], inserted, *kept[4:]], [r for r in rows if r.notification_id != 5]
    )
    assert any(
        p.startswith("notification 5 (") and "in the store but not" in p for p in verdict.problems
    )
    assert any(
        p.startswith("notification 10 (") and "not in the store" in p for p in verdict.problems
    )


def test_a_claim_beyond_the_store_or_with_another_head_is_refused() -> None:
    recs = records(10)
    rows = chained(recs)
    good = Claim("saved", 4, rows[3].link)
    assert verify_store_chain(recs, rows, [good]).ok
    wrong = verify_store_chain(recs, rows, [good, Claim("other", 6, rows[3].link)])
    assert len(wrong.problems) == 1 and "after notification 4" in wrong.problems[0]
    beyond = verify_store_chain(recs[:8], rows[:8], [Claim("saved", 9, rows[8].link)])
    assert beyond.problems == [
        "saved counts 9 stored events; the store has 8: records were deleted"
    ]
