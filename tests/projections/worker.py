"""A projector in its own process, for the concurrency and crash tests.

python -m tests.projections.worker DATABASE_URL [--batch N] [--delay SECONDS] [--until-position P]
Catches up (optionally slowly) and exits; the tests start several at once or kill one.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from sqlalchemy import Connection

from minsheng_site.services import Services
from projections.plans.catalog import Catalog


class SlowCatalog(Catalog):
    delay = 0.0

    def apply(self, connection: Connection, event: Any, position: int) -> None:
        super().apply(connection, event, position)
        time.sleep(self.delay)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--until-position", type=int, default=0)
    args = parser.parse_args()
    services = Services.open(args.database_url)
    SlowCatalog.delay = args.delay
    projector = services.projector
    projector.projections = {"catalog": SlowCatalog()}
    projector.batch_size = args.batch
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        projector.catch_up()
        if projector.positions()["catalog"] >= args.until_position:
            break
        time.sleep(0.01)
    services.close()


if __name__ == "__main__":
    main()
