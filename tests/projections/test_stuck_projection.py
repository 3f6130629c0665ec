"""A read model that cannot apply an event stops there, visibly; the others go on.

Before: one NUL byte that PostgreSQL refused in the cases read model stopped the
catch-up loop at that projection, so four read models never moved again, every
later write answered 500 after it was saved, and /healthz still said ok.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.dispatch import singledispatchmethod
from flask import Flask
from sqlalchemy import CheckConstraint, Connection, String, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from domain.cases import Case
from domain.staff import StaffAccount
from minsheng_site.services import Services
from projections.database import ReadModel
from projections.projection import Batch, Failure, Projection, unhandled
from projections.staff.staff import StaffRow
from tests.citizens import CASE_FORM
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.web.staff_helpers import post_form


class FussyRow(ReadModel):
    __tablename__ = "test_fussy"

    username: Mapped[str] = mapped_column(String(32), primary_key=True)


class Fussy(Projection):
    """Refuses accounts whose name says 故障, as PostgreSQL refused a NUL: every time."""

    name = "fussy"
    version = 1
    tables = (FussyRow,)
    broken = True

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _created(self, e: StaffAccount.Created, c: Connection, _: int) -> None:
        if self.broken and "故障" in e.display_name:
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        c.execute(insert(FussyRow).values(username=e.username))

    @process_event.register
    def _submitted(self, e: Case.Submitted, c: Connection, _: int) -> None:
        if self.broken:
            raise ValueError("cannot apply")


def with_fussy(services: Services) -> Fussy:
    fussy = Fussy()
    services.projector.projections[fussy.name] = fussy
    services.projector.setup()
    return fussy


def _usernames(services: Services, model: type[ReadModel]) -> set[str]:
    with services.read() as c:
        return set(c.execute(select(model.username)).scalars())  # type: ignore[attr-defined]


def _age_the_failure(services: Services) -> None:
    """As if the backoff had passed (every process reads the same failure row)."""
    with services.engine.begin() as c:
        c.execute(update(Failure).values(last_at=datetime.now(UTC) - timedelta(minutes=5)))


def test_a_stuck_read_model_is_named_and_the_others_keep_going(services: Services) -> None:
    fussy = with_fussy(services)
    ledger = services.ledger
    ledger.open_account("a.one", "正常", "cli:test")
    broken_at = ledger.open_account("b.two", "故障", "cli:test").notification_id
    ledger.open_account("c.three", "正常二", "cli:test")
    services.projector.catch_up()
    head = ledger.recorder.max_notification_id()

    assert _usernames(services, StaffRow) == {"a.one", "b.two", "c.three"}
    assert _usernames(services, FussyRow) == {"a.one"}
    positions = services.projector.positions()
    assert positions["staff"] == head and positions["fussy"] == broken_at - 1
    stuck = services.projector.stuck()["fussy"]
    assert (stuck.notification_id, stuck.event) == (broken_at, "StaffAccount.Created")
    assert stuck.error.startswith("ValueError") and stuck.attempts == 1

    ledger.open_account("d.four", "正常三", "cli:test")
    services.projector.catch_up()  # within the backoff: not retried, the others go on
    assert "d.four" in _usernames(services, StaffRow)
    assert services.projector.stuck()["fussy"].attempts == 1

    _age_the_failure(services)
    services.projector.catch_up()  # retried and still failing: counted
    assert services.projector.stuck()["fussy"].attempts == 2

    fussy.broken = False  # the code is fixed (a release): it moves on by itself
    _age_the_failure(services)
    services.projector.catch_up()
    assert services.projector.stuck() == {}
    assert _usernames(services, FussyRow) == {"a.one", "b.two", "c.three", "d.four"}


def test_a_rebuild_starts_afresh_and_forgets_the_failure(services: Services) -> None:
    fussy = with_fussy(services)
    services.ledger.open_account("b.two", "故障", "cli:test")
    services.projector.catch_up()
    assert "fussy" in services.projector.stuck()
    fussy.broken = False
    services.projector.rebuild(["fussy"])
    assert services.projector.stuck() == {} and _usernames(services, FussyRow) == {"b.two"}


class HeldRow(ReadModel):
    """The database itself refuses a name that says 故障 (on both stores)."""

    __tablename__ = "test_held"
    __table_args__ = (CheckConstraint("display_name NOT LIKE '%故障%'", name="no_fault"),)

    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(64))


class HoldingBatch(Batch):
    """Holds a transaction's rows and writes them with one statement, as the public log's."""

    def __init__(self, projection: Projection, connection: Connection) -> None:
        super().__init__(projection, connection)
        self.rows: list[dict[str, str]] = []

    def apply(self, event: object, position: int) -> None:
        assert isinstance(event, StaffAccount.Created)
        self.rows.append({"username": event.username, "display_name": event.display_name})

    def flush(self) -> None:
        if self.rows:
            self.connection.execute(insert(HeldRow), self.rows)
            self.rows = []


class Holding(Projection):
    name = "holding"
    version = 1
    tables = (HeldRow,)

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _created(self, e: StaffAccount.Created, c: Connection, position: int) -> None:
        raise AssertionError("the projector applies events through the batch")

    def batch(self, connection: Connection) -> Batch:
        return HoldingBatch(self, connection)


def test_a_batch_that_cannot_be_written_is_pinned_on_its_event(services: Services) -> None:
    """The rows are written only at the end of the transaction, and the database refuses
    them there: the projector applies the events again one by one, keeps what precedes
    the bad one and names it, as it does for a projection that writes as it goes."""
    holding = Holding()
    services.projector.projections[holding.name] = holding
    services.projector.setup()
    ledger = services.ledger
    ledger.open_account("a.one", "正常", "cli:test")
    ledger.open_account("b.two", "正常二", "cli:test")
    broken_at = ledger.open_account("c.three", "故障", "cli:test").notification_id
    ledger.open_account("d.four", "正常三", "cli:test")
    services.projector.catch_up()

    assert _usernames(services, HeldRow) == {"a.one", "b.two"}
    assert services.projector.positions()["holding"] == broken_at - 1
    stuck = services.projector.stuck()["holding"]
    assert (stuck.notification_id, stuck.event) == (broken_at, "StaffAccount.Created")
    assert "IntegrityError" in stuck.error
    assert _usernames(services, StaffRow) >= {"a.one", "b.two", "c.three", "d.four"}


CASE = {k: v for k, v in CASE_FORM.items() if k != "consent"}


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    return app_factory(clock=Clock("2023-09-04T09:00"), plan=True)


def test_a_write_is_answered_with_its_receipt_while_a_read_model_is_stuck(app: Flask) -> None:
    services: Services = app.extensions["minsheng"]
    with_fussy(services)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200

    status, location, _ = post_form(client, "/cases/new", CASE)
    assert status == 303 and location.endswith("/cases/mine")
    mine = client.get("/cases/mine").get_data(as_text=True)
    assert "页面可能稍有延迟" in mine
    with services.read() as c:
        from projections.cases.case_queries import all_rows

        [row] = all_rows(c, None)
    assert row.number in mine  # the citizen has their number (and the code beside it)

    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "degraded"
    assert body["read_models"]["fussy"]["state"] == "stuck"
    assert body["read_models"]["fussy"]["stuck"]["event"] == "Case.Submitted"
    assert body["read_models"]["cases"]["state"] == "ok"

    result = app.test_cli_runner().invoke(args=["projections", "status"])
    assert result.exit_code == 1
    assert "fussy: STUCK at notification" in result.output and "(Case.Submitted)" in result.output


def test_health_says_lagging_past_the_configured_bound(app: Flask) -> None:
    app.config["HEALTH_MAX_BEHIND"] = 0
    services: Services = app.extensions["minsheng"]
    services.ledger.open_account("e.five", "正常", "cli:test")  # written, not yet projected
    health = app.test_client().get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["read_models"]["staff"]["state"] == "lagging"
    services.caught_up()
    assert app.test_client().get("/healthz").status_code == 200
