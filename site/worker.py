"""The `projections` worker: keeps every read model up to date and sends the messages to
citizens (application.notifier) until stopped, without Flask.

    minsheng-projections [--interval SECONDS]     (the Procfile's `projections` process)
    python -m minsheng_site.worker [--interval SECONDS]

It reads the same environment as the web app (DATABASE_URL, KEY_STORE_URL,
PII_PEPPER, INSTANCE_PATH, PROJECTOR_INTERVAL) and builds the same services
through the composition root. SIGTERM or SIGINT stops it between batches.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Sequence

from minsheng_site.composition import Services, Settings, compose


def run(services: Services, interval: float) -> None:
    """Project until SIGTERM or SIGINT (what `flask projections run` does too)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print("projection worker running", flush=True)
    # Messages to citizens go on beside the read models: neither waits for the other.
    notifier = threading.Thread(
        target=services.notifier.run, args=(stop, interval), name="notifier", daemon=True
    )
    notifier.start()
    services.projector.run(stop, interval)
    notifier.join(timeout=30)
    print("projection worker stopped", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="minsheng-projections", description="Keep every read model up to date until stopped."
    )
    parser.add_argument(
        "--interval", type=float, help="seconds between polls when idle (PROJECTOR_INTERVAL)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_environment()
    services = compose(settings)
    try:
        run(services, settings.projector_interval if args.interval is None else args.interval)
    finally:
        services.close()


if __name__ == "__main__":
    main()
