"""The site the hostile corpus is thrown at: one per store, its staff, and its answers.

Every request goes through `Site.send`, which never raises: an exception
that escapes a view (Flask's test client propagates them) counts as the 500
it would be in production, and every 5xx anywhere is kept in `Site.errors`.
The ledger is driven directly only to put objects in the state a web action
needs (a case to decline, a report to correct); hostile text always goes
through HTTP (or the command line, for the commands that take text).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from flask import Flask
from flask.testing import FlaskClient

from application.case_commands import CaseReceipt, Intake
from domain.cases import index_id
from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import make_app
from tests.hostile import CANARY_NAME, CANARY_PHONE, unsafe_html
from tests.web.staff_helpers import PASSWORD, add_staff

TOKEN = "hostile-intake-token"
NOW = "2023-11-20T10:00"  # a Monday in Wuxi: every month of 2023 but December is reportable
TODAY = date(2023, 11, 20)
TASK_FORCE, UNIT, BODY = "市政府办公室", "市城管局", "人大督查组"
UNIT_ITEMS = (7, 18, 19, 28, 29, 55)  # the items 市城管局 leads (it reports on them)
PLENTY = "100000 per hour"
SETTINGS: dict[str, object] = {
    "INTAKE_API_TOKEN": TOKEN,
    "DEV_OUTBOX": True,
    # every limit out of the way: the corpus is sent from one address, by few people
    **{
        name: PLENTY
        for name in (
            "CASE_LIMIT_PER_ADDRESS",
            "CASE_LIMIT_PER_PHONE",
            "LOOKUP_LIMIT",
            "LOOKUP_LIMIT_PER_CASE",
            "CODE_LIMIT_PER_ADDRESS",
            "CODE_LIMIT_PER_CONTACT",
            "VERIFY_LIMIT",
            "VERIFY_LIMIT_PER_CONTACT",
            "RATING_LIMIT_PER_ADDRESS",
            "RATING_LIMIT_PER_VOTER",
            "LOGIN_LIMIT_PER_ADDRESS",
            "LOGIN_LIMIT_PER_USERNAME_ADDRESS",
            "LOGIN_LIMIT_PER_USERNAME",
        )
    },
}


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str
    mimetype: str
    link: str = ""  # the Link header (Open311's next page)


@dataclass
class Site:
    app: Flask
    spec: PlanSpec
    folder: Path  # for files the command line reads (CSV imports)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # every 5xx, with what was asked
    unsafe: list[str] = field(default_factory=list)  # every page that would run a payload
    requests: int = 0

    @property
    def services(self) -> Services:
        return self.app.extensions["minsheng"]  # type: ignore[no-any-return]

    @property
    def ledger(self) -> Any:
        return self.services.ledger

    # Requests ---------------------------------------------------------------

    def send(
        self,
        role: str,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str = "application/x-www-form-urlencoded",
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        self.requests += 1
        client = self.clients[role]
        try:
            response = client.open(
                url, method=method, data=body, content_type=content_type, headers=headers or {}
            )
        except Exception:  # what the test client propagates is a 500 in production
            self.errors.append(f"{method} {url} raised:\n{traceback.format_exc(limit=-3)}")
            return Answer(500, "", "", "text/plain")
        with response:  # closed when read: a download (the bundle) is an open file
            answer = Answer(
                response.status_code,
                response.headers.get("Location", ""),
                # a download may be binary (the SQLite bundle): read as text where it is text
                response.get_data().decode("utf-8", "replace"),
                response.mimetype or "",
                response.headers.get("Link", ""),
            )
        if answer.status >= 500:
            self.errors.append(f"{method} {url}: {answer.status}")
        if answer.mimetype == "text/html":
            self.unsafe += [f"{method} {url} ({role}): {p}" for p in unsafe_html(answer.body)]
        return answer

    def get(self, role: str, url: str) -> Answer:
        return self.send(role, "GET", url)

    def post(self, role: str, url: str, fields: Mapping[str, str], prefix: str = "") -> Answer:
        """A form post with a valid CSRF token; values are percent-encoded already."""
        token = f"{prefix}csrf_token={quote(self.token(role))}"
        body = "&".join([token, *(f"{quote(k)}={v}" for k, v in fields.items())])
        return self.send(role, "POST", url, body.encode("ascii"))

    def token(self, role: str) -> str:
        if role not in self.tokens:
            page = self.clients[role].get("/staff/login").get_data(as_text=True)
            found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            assert found, "no CSRF token on the sign-in page"
            self.tokens[role] = found[1]
        return self.tokens[role]

    def flashes(self, role: str) -> str:
        """The messages waiting for this browser's next page (taken, as that page would)."""
        with self.clients[role].session_transaction() as session:
            return " ".join(str(message) for _kind, message in session.pop("_flashes", []))

    def client(self, role: str) -> FlaskClient:
        """A fresh browser (a new session) under this role's name."""
        self.clients[role] = self.app.test_client()
        self.tokens.pop(role, None)
        return self.clients[role]

    def sign_in(self, role: str, username: str) -> None:
        self.client(role)
        answer = self.post(role, "/staff/login", {"username": username, "password": PASSWORD})
        assert answer.status == 303, f"{username} could not sign in"
        self.tokens.pop(role, None)  # a new session after signing in

    # Objects in the state a web action needs (through the ledger) -------------

    def case(self, consent: bool = True, phone: str = CANARY_PHONE) -> CaseReceipt:
        return self.ledger.submit_case(  # type: ignore[no-any-return]
            Intake(
                year=TODAY.year,
                channel="online",
                category="城市管理",
                district="梁溪区",
                title="路灯不亮",
                content="小区门口的路灯不亮已经两周了。",
                name=CANARY_NAME,
                phone=phone,
                consent=consent,
                received_on=TODAY,
            ),
            actor="citizen",
        )

    def accepted(self) -> CaseReceipt:
        receipt = self.case()
        self.ledger.accept_case(receipt.case_id, "gov.chen")
        return receipt

    def handled(self, track: str | None = None) -> CaseReceipt:
        receipt = self.accepted()
        self.ledger.assign_case(receipt.case_id, "hotline", UNIT, [], 10, "gov.chen")
        if track:
            self.ledger.supervise_case_key(receipt.case_id, track, "gov.chen")
        return receipt

    def replied(self, track: str | None = None) -> CaseReceipt:
        receipt = self.handled(track)
        self.ledger.reply_case(receipt.case_id, "已修复。", UNIT, "cg.wang")
        return receipt

    def closed(self, track: str) -> CaseReceipt:
        receipt = self.replied(track)
        self.ledger.evaluate_case(receipt.number, receipt.query_code, "satisfied", "")
        self.ledger.close_case(receipt.case_id, "gov.chen")
        return receipt

    def case_id(self, number: str) -> str:
        return str(self.ledger.case_by_number(number).id)

    def number_of(self, case_id: str) -> str:
        return str(self.ledger.repository.get(UUID(case_id)).number)

    def ticket(self, channel: str, external_id: str) -> str | None:
        """The number of the case registered under this ticket number, if any."""
        try:
            index = self.ledger.repository.get(index_id("ref", f"{channel}/{external_id}"))
        except AggregateNotFoundError:
            return None
        return self.number_of(str(index.case_id))


def build(database_url: str, folder: Path, spec: PlanSpec) -> Site:
    app = make_app(database_url, folder, Clock(NOW), **SETTINGS)
    services: Services = app.extensions["minsheng"]
    services.ledger.register_plan(spec, "test")
    add_staff(app, "gov.chen", ("admin", TASK_FORCE))
    add_staff(app, "cg.wang", ("reporter", UNIT))
    add_staff(app, "rd.zhou", ("supervisor", BODY))
    site = Site(app, spec, folder)
    for role in ("public", "citizen", "verifier", "stranger"):  # one browser each, kept
        site.client(role)
    for role, username in (("task", "gov.chen"), ("unit", "cg.wang"), ("supervisor", "rd.zhou")):
        site.sign_in(role, username)
    return site
