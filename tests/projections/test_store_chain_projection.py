"""The store chain as a projection: batch size does not change it, and when it cannot write
a batch it stops visibly, as any read model does, while the others go on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, update

from minsheng_site.services import Services
from projections.projection import Failure
from projections.publiclog import store_chain
from projections.publiclog.store_chain import StoreChain


def links(services: Services) -> list[tuple[Any, ...]]:
    with services.read() as c:
        return [tuple(row) for row in store_chain.page(c, 0, 100_000)]


def test_small_batches_chain_exactly_what_one_big_batch_chains(services: Services) -> None:
    for n in range(30):
        services.ledger.open_account(f"user.{n}", f"用户{n}", "cli:test")
    services.projector.batch_size = 7
    services.projector.rebuild(["store_chain"])
    in_sevens = links(services)
    services.projector.batch_size = 500
    services.projector.rebuild(["store_chain"])
    assert in_sevens == links(services) and len(in_sevens) == 30
    assert [row[1] for row in in_sevens] == list(range(1, 31))  # seq: the chain's length


class Broken(StoreChain):
    broken = True

    def apply_records(self, connection: Connection, notifications: Sequence[Any]) -> None:
        if self.broken:
            raise OSError("disk full")
        super().apply_records(connection, notifications)


def test_a_store_chain_that_cannot_write_stops_visibly_and_the_others_go_on(
    services: Services,
) -> None:
    broken = Broken()
    services.projector.projections["store_chain"] = broken
    services.ledger.open_account("a.one", "一", "cli:test")
    services.projector.catch_up()
    assert links(services) == []
    stuck = services.projector.stuck()["store_chain"]
    assert (stuck.notification_id, stuck.event) == (1, "stored records")
    assert stuck.error == "OSError: disk full"
    assert services.projector.positions()["staff"] == 1  # the others went on

    broken.broken = False  # fixed: after the backoff it moves on by itself
    with services.engine.begin() as c:
        c.execute(update(Failure).values(last_at=datetime.now(UTC) - timedelta(minutes=5)))
    services.projector.catch_up()
    assert services.projector.stuck() == {} and len(links(services)) == 1
