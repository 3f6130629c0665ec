"""Command-line tools: `flask plan|simulation|projections|cases ...` (`flask log`: log_cli.py)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from application.amendment_file import AmendmentFileError, read_amendments
from application.plan_file import PlanFileError, load_plan_file
from application.simulated_amendments import write_simulated_amendments
from application.simulated_cases import SimulatedCases
from application.simulated_cycle import write_simulated_cycle
from application.simulated_ratings import SimulatedRatings
from application.simulation import NPC, SEED, SimulatedYear
from application.verification import Address
from domain.cases import CaseError
from domain.contacts import normalise_phone
from domain.errors import DomainError
from domain.plan_spec import PlanSpec
from minsheng_site import worker
from minsheng_site.cases.intake import NotUtf8, TicketError, read_csv, register
from minsheng_site.config import ROOT
from minsheng_site.opendata import bundle
from minsheng_site.opendata.log_cli import log_cli
from minsheng_site.services import services
from projections.plans import queries as q

plan_cli = AppGroup("plan", help="Register the yearly plan from its data file.")
simulation_cli = AppGroup("simulation", help="The labelled simulated year of a demo site.")
projections_cli = AppGroup("projections", help="Build and inspect the read models.")


def init_app(app: Flask) -> None:
    app.cli.add_command(plan_cli)
    app.cli.add_command(projections_cli)
    app.cli.add_command(simulation_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(log_cli)  # minsheng_site/log_cli.py


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


@plan_cli.command("amend")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--actor", required=True, help="Who records them, e.g. staff:gov.chen.")
def amend(path: Path, actor: str) -> None:
    """Record the amendments of a YAML file (application/amendment_file.py), in its order;
    the first one refused stops the rest (those before it stand)."""
    try:
        year, entries = read_amendments(path)
    except AmendmentFileError as error:
        raise click.ClickException(str(error)) from error
    ledger = services().ledger
    for n, e in enumerate(entries, start=1):
        try:
            done = ledger.amend_plan(
                year, e.change, e.basis, e.reason, actor, effective=e.effective
            )
        except DomainError as error:
            services().caught_up()
            raise click.ClickException(f"amendment {n} refused: {error}") from error
        click.echo(f"plan {year}: amendment {done.number} ({done.kind}) recorded")
    services().caught_up()


@simulation_cli.command("load")
@click.option("--seed", default=SEED, show_default=True, help="The same seed writes the same year.")
@click.option("--year", type=int, help="The plan year (default: the latest registered).")
def load_simulation(seed: int, year: int | None) -> None:
    """Write a simulated year of reports and supervision (every entry labelled simulated)."""
    ledger = services().ledger
    with services().read() as c:
        year = year or q.current_year(c)
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
    cases = SimulatedCases(ledger, spec.year, seed=seed).write()
    ratings = SimulatedRatings(ledger, spec, seed=seed).write()
    # The simulated amendments name 2023's projects (9.1, 8.3): written for that plan only.
    amended = write_simulated_amendments(ledger, year=2023) if spec.year == 2023 else []
    # The next year's cycle: its solicitation in the autumn, the conversions of the cases and
    # the candidates in December, the congress vote in January and the labelled simulated
    # plan they lead to (plans/<next year>/plan.yaml, where there is one).
    following = ROOT / "plans" / str(spec.year + 1) / "plan.yaml"
    next_plan = load_plan_file(following) if following.exists() else None
    cycle = write_simulated_cycle(ledger, spec.year + 1, next_plan, seed)
    proposals, candidates = cycle.proposals, cycle.candidates
    refused = summary.skipped + cases.refused + ratings.refused
    refused += len(proposals.refused) + len(candidates.refused) + len(cycle.refused)
    services().caught_up()
    click.echo(
        f"simulated {year}: {summary.reports} reports, {summary.corrections} corrections, "
        f"{len(amended)} amendments of the plan, "
        f"{summary.visits} supervision records, {summary.findings} findings, "
        f"{cases.cases} citizens' cases ({cases.closed} closed, {cases.erased} people erased), "
        f"{ratings.ratings} ratings ({ratings.replaced} replacing one of the same quarter, "
        f"{ratings.comments} with a comment), "
        f"{proposals.proposals} proposals for {proposals.year} "
        f"({proposals.supports} supports), {len(candidates.conversions)} conversions of "
        f"cases, {len(candidates.candidates)} candidates, {len(candidates.chosen)} chosen by "
        f"the vote{', and its simulated plan' if cycle.plan else ''}; "
        f"{refused} generated steps refused by the rules and left out"
    )


@projections_cli.command("setup")
def setup() -> None:
    """Create missing read-model tables (rebuilding any whose version changed)."""
    services().projector.setup()
    click.echo("read models ready")


@projections_cli.command("catch-up")
def catch_up() -> None:
    """Apply every event not yet projected."""
    click.echo(f"applied {services().projector.catch_up()} events")
    _report_stuck()


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
    applied = projector.rebuild(names or None)
    count = len(names or projector.projections)
    click.echo(f"rebuilt {count} read model{'s' if count != 1 else ''}: {applied} events applied")


@projections_cli.command("status")
def status() -> None:
    """Each read model's position against the head of the log."""
    head = services().ledger.recorder.max_notification_id() or 0
    for name, position in sorted(services().projector.positions().items()):
        click.echo(
            f"{name}: {position}/{head}"
            + ("" if position >= head else f" ({head - position} behind)")
        )
    _report_stuck()


def _report_stuck() -> None:
    """A line per read model that stopped on an event, naming it; exit status 1 if any."""
    stuck = services().projector.stuck()
    for s in stuck.values():
        click.echo(
            f"{s.name}: STUCK at notification {s.notification_id} ({s.event}) since "
            f"{s.first_at:%Y-%m-%d %H:%M:%S}Z, {s.attempts} attempts: {s.error}",
            err=True,
        )
    if stuck:
        raise SystemExit(1)


@projections_cli.command("run")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls when idle.")
def run(interval: float) -> None:
    """The projection worker (an alias of `minsheng-projections`, which runs without Flask)."""
    worker.run(services(), interval)


def _read(path: Path) -> PlanSpec:
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


cases_cli = AppGroup("cases", help="Citizens' cases: hotline import and personal-data erasure.")


@cases_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor", default="cli:hotline-import", show_default=True)
def import_cases(path: str, actor: str) -> None:
    """Register a CSV export of 12345 tickets; tickets seen before are skipped."""
    try:
        rows = read_csv(path)
    except NotUtf8 as error:
        raise click.ClickException(f"{path}:{error.line}: {error}") from error
    results = register(rows, "csv", actor)
    services().caught_up()
    created = sum(1 for r in results if not isinstance(r, TicketError) and r.created)
    known = sum(1 for r in results if not isinstance(r, TicketError) and not r.created)
    for line, result in enumerate(results, start=2):
        if isinstance(result, TicketError):
            click.echo(f"{path}:{line}: refused: {result}", err=True)
    refused = len(results) - created - known
    click.echo(f"{created} registered, {known} already registered, {refused} refused")


@cases_cli.command("erase")
@click.option("--phone", help="The person's phone number (never logged; asked for when absent).")
@click.option("--email", help="Or the e-mail address they verified to rate (never logged).")
@click.option("--reason", required=True, help="Recorded publicly, e.g. 本人申请删除.")
@click.option("--actor", default=lambda: f"cli:{getpass.getuser()}")
def erase(phone: str | None, email: str | None, reason: str, actor: str) -> None:
    """Make a person's data unrecoverable: their keys are destroyed, the history stays.

    Covers their cases (by phone), their ratings (by the phone or e-mail
    address they verified) and their e-mail alerts: contacts and comments
    become unreadable, and the read models drop their copies of the text.
    """
    if email:
        address = Address.parse(email)
        if address is None or address.kind != "email":
            raise click.ClickException("not an e-mail address")
        contact = address.value
    else:
        normal = normalise_phone(phone or click.prompt("Phone", hide_input=True))
        if normal is None:
            raise click.ClickException("not a phone number")
        contact = normal
    ledger = services().ledger
    try:
        erased = ledger.erase_person(contact, reason, actor)
    except CaseError as error:
        raise click.ClickException(
            "refused: the reason is published; it may not name the person or hold a phone number"
        ) from error
    alerts = services().subscriptions.forget(contact)  # their e-mail alerts, cancelled
    caught_up = services().caught_up()
    ratings = sum(1 for i in erased if ledger.is_ballot(i))
    proposals = sum(1 for i in erased if ledger.is_proposal(i))
    cases = len(erased) - ratings - proposals
    click.echo(
        f"erased: {cases} case(s), {ratings} rating(s), {proposals} proposal(s), "
        f"{alerts} e-mail alert(s)"
    )
    _scrub(caught_up, quiet=True)


@cases_cli.command("scrub")
def scrub() -> None:
    """Destroy again erased keys a restored backup brought back; leave nothing deleted readable.

    `cases erase` scrubs by itself; run this after restoring the key store from
    a backup, after an erasure that reported a busy database, and once after
    upgrading from a version without secure deletion.
    """
    again = services().ledger.erase_again()
    if again:
        click.echo(f"{again} erased key(s) were back (a restored backup?) and are destroyed again")
    _scrub(services().caught_up(), quiet=False)


def _scrub(caught_up: bool, quiet: bool) -> None:
    """Scrub once the read models have dropped their copies; say what is left to do."""
    if not caught_up:
        click.echo(
            "warning: a read model is behind or stuck (see `projections status`); it drops "
            "its copies when it catches up: run `flask cases scrub` after that",
            err=True,
        )
    # Open-data bundles built before: the words of a consented case were in them.
    bundle.forget(current_app._get_current_object())  # type: ignore[attr-defined]
    if services().scrub():
        if not quiet:
            click.echo("databases scrubbed: nothing deleted is left readable in their files")
    else:
        click.echo(
            "warning: a reader kept a write-ahead log from being emptied; "
            "run `flask cases scrub` again when the site is quiet",
            err=True,
        )
