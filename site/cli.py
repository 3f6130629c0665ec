"""Command-line tools: `flask plan ...` and `flask projections ...`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from application.plan_file import PlanFileError, load_plan_file
from application.simulation import NPC, SEED, SimulatedYear
from domain.errors import DomainError
from minsheng_site.services import services
from projections import queries as q

plan_cli = AppGroup("plan", help="Register the yearly plan from its data file.")
simulation_cli = AppGroup("simulation", help="The labelled simulated year of a demo site.")
projections_cli = AppGroup("projections", help="Build and inspect the read models.")


def init_app(app: Flask) -> None:
    app.cli.add_command(plan_cli)
    app.cli.add_command(projections_cli)
    app.cli.add_command(simulation_cli)


@plan_cli.command("check")
@click.argument("path", type=click.Path(path_type=Path))
def check(path: Path) -> None:
    """Read and check a plan file without registering anything."""
    spec = _read(path)
    click.echo(
        f"{path}: plan {spec.year} is valid: {len(spec.categories)} categories, "
        f"{len(spec.items)} items, {len(spec.projects)} projects, "
        f"{len(spec.key_projects)} key projects"
    )


@plan_cli.command("load")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--actor", default="system:plan-loader", show_default=True, help="Recorded on every event."
)
def load(path: Path, actor: str) -> None:
    """Register a plan file as events; loading the same file again changes nothing."""
    spec = _read(path)
    try:
        result = services().ledger.register_plan(spec, actor)
    except DomainError as error:
        raise click.ClickException(_domain_message(error)) from error
    services().caught_up()
    if result.created:
        click.echo(f"plan {spec.year}: registered as {result.events} events")
    else:
        click.echo(f"plan {spec.year}: already registered, unchanged")


@simulation_cli.command("load")
@click.option("--seed", default=SEED, show_default=True, help="The same seed writes the same year.")
@click.option("--year", type=int, help="The plan year (default: the latest registered).")
def load_simulation(seed: int, year: int | None) -> None:
    """Write a simulated year of reports and supervision (every entry labelled simulated)."""
    ledger = services().ledger
    with services().read() as c:
        years = q.plan_years(c)
    year = year or (years[-1] if years else None)
    spec = ledger.plan_spec(year) if year else None
    if spec is None:
        raise click.ClickException("register a plan first (flask plan load ...)")
    try:
        ledger.account(NPC)
    except DomainError:
        pass
    else:
        click.echo("the simulated year is loaded already; nothing written")
        return
    summary = SimulatedYear(ledger, spec, seed).write()
    services().caught_up()
    click.echo(
        f"simulated {year}: {summary.reports} reports, {summary.corrections} corrections, "
        f"{summary.visits} supervision records, {summary.findings} findings "
        f"({summary.skipped} generated steps refused by the rules and left out)"
    )


@projections_cli.command("setup")
def setup() -> None:
    """Create missing read-model tables (rebuilding any whose version changed)."""
    services().projector.setup()
    click.echo("read models ready")


@projections_cli.command("catch-up")
def catch_up() -> None:
    """Apply every event not yet projected."""
    click.echo(f"applied {services().caught_up()} events")


@projections_cli.command("rebuild")
@click.argument("names", nargs=-1)
def rebuild(names: tuple[str, ...]) -> None:
    """Empty read models (all, or those named) and rebuild them from the whole log."""
    projector = services().projector
    unknown = set(names) - set(projector.projections)
    if unknown:
        raise click.BadParameter(
            f"unknown: {', '.join(sorted(unknown))}; known: {', '.join(projector.projections)}"
        )
    click.echo(f"rebuilt from {projector.rebuild(names or None)} events")


@projections_cli.command("status")
def status() -> None:
    """Each read model's position against the head of the log."""
    head = services().ledger.recorder.max_notification_id() or 0
    for name, position in sorted(services().projector.positions().items()):
        click.echo(
            f"{name}: {position}/{head}"
            + ("" if position >= head else f" ({head - position} behind)")
        )


@projections_cli.command("run")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls when idle.")
def run(interval: float) -> None:
    """The projection worker: keep every read model up to date until stopped."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("projection worker running")
    services().projector.run(stop, interval)
    click.echo("projection worker stopped")


def _read(path: Path):  # type: ignore[no-untyped-def]
    try:
        return load_plan_file(path)
    except PlanFileError as error:
        raise click.ClickException(
            "the plan file was refused, nothing was registered:\n" + str(error)
        ) from error


def _domain_message(error: DomainError) -> str:
    differences = getattr(error, "differences", None)
    if differences:
        lines = "\n".join(f"  {d}" for d in differences)
        return f"refused: the registered plan differs from the file:\n{lines}"
    return f"refused: {error}"
