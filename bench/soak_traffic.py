"""The soak's clients: what each does over real HTTP, and the tally of what they saw.

See bench/soak.py. Each client has its own loopback address and cookies; a
request a kill cut off raises Reset, counted where it happened, and a write
without an answer is recorded as such, to be looked for in the store later.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
from html import unescape
from typing import Any
from urllib.parse import urlencode

from bench.common import ROOT
from domain.plan_spec import PlanSpec
from domain.wuxi import business_date

PLAN = ROOT / "plans" / "2023" / "plan.yaml"
TOKEN = "soak-intake-token"
PASSWORD = "soak horse battery staple"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
RECEIPT = re.compile(r'<strong class="code">([^<]+)</strong>[^<]*<strong class="code">(\d{8})<')
CONNECTION_ERRORS = (OSError, http.client.HTTPException)
# gunicorn closes a keep-alive connection idle for 2 s (its default); a client that sends
# on it just then sees a reset no kill caused. Browsers resend a GET then; this client
# opens a new connection after a shorter pause instead, so that every reset is a kill's.
IDLE = 1.0


# Requests and what became of them ---------------------------------------------------------


class Reset(Exception):
    """The request got no answer: the connection was refused, reset or closed."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Tally:
    """Everything the clients saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unexpected: list[tuple[str, int, str]] = field(default_factory=list)  # kind, status, path
    resets: list[tuple[str, str, float]] = field(default_factory=list)  # kind, path, when
    accepted: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    unanswered: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    receipts: list[tuple[str, str]] = field(default_factory=list)  # number, query code
    ticket_numbers: dict[str, str] = field(default_factory=dict)  # external id -> number
    retries_same_number: int = 0  # deliberate resends answered created: false, same number
    resent_after_reset: int = 0  # tickets saved by a request cut off, answered on a resend
    codes_lost: int = 0  # tickets answered without the query code the caller needs
    started: float = field(default_factory=time.monotonic)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def add(self, what: str, kind: str, value: Any) -> None:
        with self.lock:
            getattr(self, what)[kind].append(value)


class Http:
    """One keep-alive connection from the client's own loopback address, with its cookie."""

    def __init__(self, port: int, address: str, tally: Tally) -> None:
        self.port, self.address, self.tally = port, address, tally
        self.connection: http.client.HTTPConnection | None = None
        self.cookie = ""
        self.used = 0.0

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        payload: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Answer:
        """The answer; Reset when none came. An unexpected status is recorded, not raised."""
        sent = dict(headers or {})
        body = None
        if self.cookie:
            sent["Cookie"] = self.cookie
        if form is not None:
            body, sent["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        if payload is not None:
            body, sent["Content-Type"] = json.dumps(payload), "application/json"
        start = time.perf_counter()
        if self.connection is not None and start - self.used > IDLE:
            self.close()  # gunicorn may be closing it: do not race its keep-alive timeout
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
                )
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except CONNECTION_ERRORS as error:
            self.close()
            with self.tally.lock:
                when = time.monotonic() - self.tally.started
                self.tally.resets.append((kind, path, when))
            raise Reset(f"{kind} {path}: {error!r}") from error
        self.used = time.perf_counter()
        self.tally.record(kind, self.used - start)
        for cookie in response.headers.get_all("Set-Cookie") or []:
            if cookie.startswith("session="):
                self.cookie = cookie.split(";", 1)[0]
        if response.status not in expect:
            with self.tally.lock:
                self.tally.unexpected.append((kind, response.status, f"{path}: {text[:300]}"))
        return Answer(response.status, response.headers, text)

    def read(self, kind: str, path: str) -> Answer:
        """A GET, sent again once if a kill cut it off (reading twice is harmless)."""
        try:
            return self.call(kind, "GET", path)
        except Reset:
            return self.call(kind, "GET", path)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def csrf(page: str) -> str:
    found = CSRF.search(page)
    if not found:
        raise Reset("no CSRF token on the page")
    return found[1]


# One client: a citizen, a caller's platform, a voter and the reporters of some units -------


class Client:
    def __init__(
        self, n: int, clients: int, port: int, plan: PlanSpec, tally: Tally, deadline: float
    ) -> None:
        self.n, self.plan, self.tally, self.deadline = n, plan, tally, deadline
        self.address = f"127.0.0.{10 + n}"
        self.port = port
        self.opened: list[Http] = []
        self.citizen = self.http()
        self.platform = self.http()
        self.seq = 0
        self.voter: Http | None = None
        self.voters = 0
        subjects = [
            subject
            for i in plan.items
            for subject in (f"items/{i.number}", *(f"projects/{p.number}" for p in i.projects))
        ]
        start = n * len(subjects) // clients  # each client from its own place in the plan
        self.subjects = subjects[start:] + subjects[:start]
        self.to_rate: list[str] = []
        units = sorted({i.units[0] for i in plan.items})
        self.units = units[n::clients]
        self.staff: dict[str, Http] = {}
        self.items = [i.number for i in plan.items if i.units[0] in self.units]
        self.my_cases: list[str] = []

    def answered(self, answer: Answer, kind: str, where: str) -> bool:
        """A write's success: a 303 to the page it promises, not to a sign-in or verify page
        (a 303 elsewhere is a refusal, recorded as an unexpected answer)."""
        location = answer.headers.get("Location") or ""
        if answer.status == 303 and where not in location:
            with self.tally.lock:
                self.tally.unexpected.append((kind, 303, f"to {location}, not {where}"))
        return answer.status == 303 and where in location

    def http(self) -> Http:
        self.opened.append(Http(self.port, self.address, self.tally))
        return self.opened[-1]

    def run(self) -> None:
        steps: list[Callable[[], None]] = [
            self.case,
            self.page,
            self.ticket,
            self.feed,
            self.rating,
            self.page,
            self.report,
            self.page,
        ]
        turn = self.n
        try:
            while time.monotonic() < self.deadline:
                with suppress(Reset):  # counted where it happened
                    steps[turn % len(steps)]()
                turn += 1
        finally:
            for connection in self.opened:
                connection.close()

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    # Writes -----------------------------------------------------------------------------

    def case(self) -> None:
        page = self.citizen.read("form", "/cases/new")
        seq = self.next_seq()
        title = f"压测{self.n}-{seq}"
        form = {
            "csrf_token": csrf(page.body),
            "title": title,
            "category": "城市管理",
            "district": "梁溪区",
            "content": f"路灯不亮已经两周了，请尽快修复。（压测 {self.n}-{seq}）",
            "name": "张小明",  # not in the words: words naming the citizen are withheld
            "phone": f"139{self.n:02d}{seq:06d}",
            "consent": "y",
        }
        try:
            answer = self.citizen.call("case", "POST", "/cases/new", form, expect=(303,))
        except Reset:
            self.tally.add("unanswered", "case", title)
            return
        if not self.answered(answer, "case", "/cases/mine"):
            return
        self.tally.add("accepted", "case", title)
        mine = self.citizen.read("mine", "/cases/mine")
        found = RECEIPT.search(mine.body)
        if found is None:
            with self.tally.lock:
                self.tally.unexpected.append(("mine", mine.status, "/cases/mine: no receipt"))
            return
        with self.tally.lock:
            self.tally.receipts.append((found[1], found[2]))
        self.my_cases.append(found[1])

    def ticket(self) -> None:
        """A ticket, sent until answered; every other one sent once more on purpose."""
        seq = self.next_seq()
        external_id = f"soak-{self.n}-{seq}"
        ticket = {
            "external_id": external_id,
            "received_on": business_date(datetime.now(UTC)).isoformat(),
            "category": "交通出行",
            "district": "滨湖区",
            "title": f"12345 工单 {external_id}",
            "content": "小区门口的公交站台破损，请维修。",
            "name": "来电人",
            "phone": f"138{self.n:02d}{seq:06d}",
            "consent": seq % 2 == 0,
        }
        auth = {"Authorization": f"Bearer {TOKEN}"}
        answer: Answer | None = None
        for attempt in range(5):
            kind, expect = ("ticket", (201,)) if attempt == 0 else ("ticket resent", (200, 201))
            try:
                answer = self.platform.call(
                    kind, "POST", "/api/v1/cases", payload=ticket, headers=auth, expect=expect
                )
                break
            except Reset:
                if attempt == 0:  # saved or not: the store will tell, the resend too
                    self.tally.add("unanswered", "ticket", external_id)
        if answer is None:
            return
        if answer.status not in (200, 201):
            return
        result = json.loads(answer.body)
        self.tally.add("accepted", "ticket", external_id)
        with self.tally.lock:
            self.tally.resent_after_reset += answer.status == 200  # saved by a request cut off
            self.tally.ticket_numbers[external_id] = result["number"]
            if result.get("query_code"):
                self.tally.receipts.append((result["number"], result["query_code"]))
            else:
                self.tally.codes_lost += 1
        if seq % 2 == 0:
            self.resend(ticket, auth, result)

    def resend(self, ticket: dict[str, Any], auth: dict[str, str], first: dict[str, Any]) -> None:
        """The same ticket once more: the same case, `created: false`, the same query code."""
        try:
            again = self.platform.call(
                "ticket resent", "POST", "/api/v1/cases", payload=ticket, headers=auth
            )
        except Reset:
            return
        result = json.loads(again.body) if again.status == 200 else {}
        same = {k: first.get(k) for k in ("number", "query_code")}
        if result == {**same, "created": False}:
            with self.tally.lock:
                self.tally.retries_same_number += 1
        else:
            with self.tally.lock:
                self.tally.unexpected.append(("ticket resent", again.status, again.body[:200]))

    def rating(self) -> None:
        if self.voter is None or not self.to_rate:
            self.verify()
        if self.voter is None:
            return
        subject = self.to_rate.pop(0)
        page = self.voter.read("page", f"/plans/2023/{subject}")
        levels = ("satisfied", "basically", "unsatisfied")
        form = {"csrf_token": csrf(page.body), "level": levels[len(self.to_rate) % 3]}
        who = (self.phone_of_voter(), subject)
        try:
            answer = self.voter.call(
                "rating", "POST", f"/plans/2023/{subject}/rate", form, expect=(303,)
            )
        except Reset:
            self.tally.add("unanswered", "rating", who)
            return
        if self.answered(answer, "rating", "#rate"):
            self.tally.add("accepted", "rating", who)

    def phone_of_voter(self) -> str:
        return f"137{self.n:02d}{self.voters:06d}"

    def verify(self) -> None:
        """A new person proves a phone number through the outbox, then rates every subject."""
        self.voters += 1
        voter, phone = self.http(), self.phone_of_voter()
        page = voter.read("verify", "/ratings/verify")
        form = {"csrf_token": csrf(page.body), "contact": phone, "next": "/"}
        voter.call("verify", "POST", "/ratings/verify", form, expect=(303,))
        outbox = voter.read("verify", "/dev/outbox")
        rows = [unescape(r) for r in outbox.body.split("<tr>") if phone in r]
        code = re.search(r"(\d{6})", rows[0].split("</td>", 1)[1]) if rows else None
        if code is None:
            raise Reset(f"no code for {phone} in the outbox")
        page = voter.read("verify", "/ratings/verify/code?next=/")
        form = {"csrf_token": csrf(page.body), "code": code[1], "next": "/"}
        if voter.call("verify", "POST", "/ratings/verify/code", form, expect=(303,)).status == 303:
            self.voter, self.to_rate = voter, list(self.subjects)

    def report(self) -> None:
        """The next open month of the next item, through the lead unit's reporter's form."""
        if not self.items:
            return self.page()
        number = self.items.pop(0)
        item = self.plan.items[number - 1]
        staff = self.signed_in(item.units[0])
        path = f"/staff/plans/2023/items/{number}/report"
        page = staff.read("form", path)
        periods = open_periods(page.body)
        if not periods:
            return None  # every month reported: the item drops out of the rotation
        self.items.append(number)
        form = report_form(item, periods[0], page.body)
        try:
            answer = staff.call("report", "POST", path, form, expect=(303,))
        except Reset:
            self.tally.add("unanswered", "report", (number, periods[0]))
            answer = self.report_again(staff, path, item, periods[0])
            if answer is None:
                return None
        if self.answered(answer, "report", f"/plans/2023/items/{number}"):
            self.tally.add("accepted", "report", (number, periods[0]))
        return None

    def report_again(self, staff: Http, path: str, item: Any, period: str) -> Answer | None:
        """After a lost answer: a month no longer offered was saved; otherwise file it again.
        The request cut off may still be saving when the form is read again: the resend then
        carries a version the save has passed, and the site answers 409 (the item changed
        since the form was read), as it must rather than file the month twice; read again."""
        for _attempt in range(5):
            try:
                page = staff.read("form", path)
                if period not in open_periods(page.body):
                    return None  # saved by the request cut off
                form = report_form(item, period, page.body)
                answer = staff.call("report", "POST", path, form, expect=(303, 409))
            except Reset:
                continue
            if answer.status != 409:
                return answer
        return None

    def signed_in(self, unit: str) -> Http:
        if unit not in self.staff:
            staff = self.http()
            page = staff.read("sign-in", "/staff/login")
            login = reporters(self.plan)[unit]
            form = {"csrf_token": csrf(page.body), "username": login, "password": PASSWORD}
            if staff.call("sign-in", "POST", "/staff/login", form, expect=(303,)).status != 303:
                raise Reset(f"{login} was not signed in")
            self.staff[unit] = staff
        return self.staff[unit]

    # Reads ------------------------------------------------------------------------------

    def page(self) -> None:
        self.seq += 1
        item = self.plan.items[self.seq % len(self.plan.items)]
        pages = [
            "/",
            "/cases/",
            f"/plans/2023/items/{item.number}",
            f"/plans/2023/projects/{item.projects[0].number}",
            f"/cases/{self.my_cases[-1]}" if self.my_cases else "/plans/2023/progress",
        ]
        self.citizen.read("page", pages[self.seq % len(pages)])

    def feed(self) -> None:
        self.seq += 1
        number = self.plan.items[self.seq % len(self.plan.items)].number
        feeds = ["/feeds/all.atom", "/feeds/cases.rss", f"/feeds/plans/2023/items/{number}.atom"]
        self.citizen.read("feed", feeds[self.seq % len(feeds)])


def open_periods(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="period"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r'<option[^>]*value="([^"]+)"', select[1]) if select else []


def report_form(item: Any, period: str, page: str) -> dict[str, str]:
    """A valid report for a month: each target's amount grows with the months."""
    version = re.search(r'name="expected_version" type="hidden" value="([^"]*)"', page)
    form = {
        "csrf_token": csrf(page),
        "expected_version": version[1] if version else "",
        "period": period,
        "narrative": f"压测：{period}的进展。",
    }
    month = int(period[-2:])
    for project in item.projects:
        for i, target in enumerate(project.targets):
            amount = (target.amount * Decimal(month) / 12).quantize(Decimal("0.01"), ROUND_DOWN)
            form[f"amount-{project.number}-{i}"] = str(amount)
    return form


def reporters(plan: PlanSpec) -> dict[str, str]:
    """A reporter account for each lead unit of the plan: unit -> username."""
    units = sorted({i.units[0] for i in plan.items})
    return {unit: f"soak{n:02d}" for n, unit in enumerate(units)}
