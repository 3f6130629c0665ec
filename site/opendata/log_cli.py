"""`flask log ...`: export, verify and checkpoint the two hash chains.

The public log chains what each public event says; the store chain chains
every stored event record (projections/publiclog/store_chain.py). `verify` recomputes
both from the stored events; with `--export` it checks a downloaded export
instead, and `--checkpoint` holds either against a checkpoint someone saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic
from flask.cli import AppGroup

from domain.checkpoint import Checkpoint
from domain.wuxi import business_date
from minsheng_site.services import services
from projections.publiclog import log_queries as lq
from projections.publiclog import store_chain
from projections.publiclog.public_entries import GENESIS
from projections.publiclog.public_log import export_line
from projections.publiclog.store_verify import Claim, checkpoint_claims, verify_store_chain
from projections.publiclog.verify import SavedCheckpoint, Verdict, verify_export, verify_store

log_cli = AppGroup("log", help="The tamper-evident logs: export, verify, checkpoint.")
SHOWN = 20  # problems listed; the rest are counted


@log_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_log(path: Path) -> None:
    """Write the public log as JSON Lines (what the site publishes at /api/v1/log.jsonl)."""
    with services().read() as c, path.open("w", encoding="utf-8") as out:
        count = 0
        for row in published_rows(c):
            out.write(export_line(row) + "\n")
            count += 1
    click.echo(f"{count} entries written to {path}")


@log_cli.command("verify")
@click.option(
    "--export",
    "export",
    type=click.Path(exists=True, dir_okay=False),
    help="Check this export of the public log instead of the event store.",
)
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    metavar="SEQ:HEAD|FILE",
    help="A checkpoint you saved: SEQ:HEAD, or a file holding a published checkpoint (JSON).",
)
def verify(export: str | None, checkpoints: tuple[str, ...]) -> None:
    """Check the chains: an export against itself, or the event store against what is published.

    Without --export: the public log is derived again from the stored events and
    compared entry by entry; the store chain is recomputed over every stored
    record and compared link by link, and with every checkpoint's store head.
    """
    saved = [_saved(value) for value in checkpoints]
    if export:
        with open(export, encoding="utf-8") as exported:
            _report_public(verify_export(exported, saved))
        return
    recorder, mapper = services().ledger.recorder, services().ledger.mapper
    with services().read() as c:
        public = verify_store(all_notifications(recorder), mapper, published_rows(c), saved)
    claims, unreadable = checkpoint_claims(
        all_notifications(recorder, [get_topic(Checkpoint.Recorded)]), mapper
    )
    claims += [
        Claim(f"the saved checkpoint {s.store_events}:{s.store_head}", s.store_events, s.store_head)
        for s in saved
        if s.store_events is not None and s.store_head is not None
    ]
    with services().read() as c:
        chain = verify_store_chain(all_notifications(recorder), stored_links(c), claims)
    chain.problems[:0] = unreadable
    if public.ok:
        click.echo(f"verified: {public.entries} entries, head {public.head}")
    if chain.ok:
        waiting = f" ({chain.pending} not chained yet)" if chain.pending else ""
        click.echo(f"store chain verified: {chain.events} events{waiting}, head {chain.head}")
    if public.ok and chain.ok:
        return
    lines = [] if public.ok else [f"the public log does not verify: {public.first_problem}"]
    if not chain.ok:
        count = len(chain.problems)
        lines.append(f"the store chain does not verify: {count} problem{'s' * (count != 1)}")
        lines += [f"  {p}" for p in chain.problems[:SHOWN]]
        lines += [f"  ... and {count - SHOWN} more"] if count > SHOWN else []
    raise click.ClickException("\n".join(lines))


def _report_public(verdict: Verdict) -> None:
    if not verdict.ok:
        raise click.ClickException(f"the log does not verify: {verdict.first_problem}")
    click.echo(f"verified: {verdict.entries} entries, head {verdict.head}")


_SEQ_HEAD = re.compile(r"\d+:[0-9a-f]{64}")


def _saved(value: str) -> SavedCheckpoint:
    text = value
    if not _SEQ_HEAD.fullmatch(value.strip()):
        path = Path(value)
        if not path.is_file():
            raise click.BadParameter(f"neither SEQ:HEAD nor a file: {value}")
        text = path.read_text(encoding="utf-8")
    try:
        return SavedCheckpoint.parse(text)
    except ValueError as error:
        raise click.BadParameter(f"{value}: {error}") from error


@log_cli.command("checkpoint")
@click.option("--actor", default="system:daily-checkpoint", show_default=True)
def checkpoint(actor: str) -> None:
    """Record today's checkpoint (run daily, e.g. from cron): both chains' lengths and heads."""
    ledger = services().ledger
    services().caught_up()
    with services().read() as c:
        public = lq.head(c) or (0, GENESIS)
        store = store_chain.head(c) or (0, store_chain.GENESIS)
    day = business_date(ledger.clock())
    try:
        ledger.save(Checkpoint.record(day, public, store, actor, ledger.clock()))
    except IntegrityError as error:
        raise click.ClickException(f"the checkpoint of {day} is recorded already") from error
    services().caught_up()
    click.echo(
        f"checkpoint {day}: {public[0]} entries, head {public[1]}; "
        f"store chain: {store[0]} events, head {store[1]}"
    )


def _paged(fetch: Callable[[int, int], Any], key: str) -> Iterator[Any]:
    after = 0
    while rows := fetch(after, 1000):
        yield from rows
        after = getattr(rows[-1], key)


def published_rows(c: Any) -> Iterator[Any]:
    """The published log in order, fetched in pages."""
    return _paged(lambda after, limit: lq.page(c, after, limit), "seq")


def stored_links(c: Any) -> Iterator[Any]:
    """The store chain's published links in notification order, fetched in pages."""
    return _paged(lambda after, limit: store_chain.page(c, after, limit), "notification_id")


def all_notifications(recorder: Any, topics: list[str] | None = None) -> Iterator[Any]:
    def fetch(after: int, limit: int) -> Any:
        return recorder.select_notifications(
            after, limit, topics=topics or (), inclusive_of_start=False
        )

    return _paged(fetch, "id")
