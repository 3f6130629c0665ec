"""The authorization matrix, as data: every role × every staff route and action × objects.

`EXPECTED` has one row per staff route, method and action the app serves (found
in its url_map: every rule under /staff, each value of an `any(...)` part such
as the case actions); a new staff route without a row fails
`test_every_staff_route_and_action_has_a_row`. For each kind of object (a case
assigned to unit A or B or to nobody yet, a finding on A's or B's project, an
item A or B leads...) the row gives the answer each role gets, in the order
of `ROLES`, to a well-formed request with a valid CSRF token:

    302  sent to sign in            303  done (a refused step of a valid
    403  refused                         form comes back as 409 instead)
    404  no such object             200  the page; 401  a wrong password

A "p" after the status marks the cells that show a case's personal data: the
canaries planted in it (name, phone, words) must be in the body, and exactly one
access record must be written. In every other cell no canary may appear and
nothing is recorded. "c" marks the moderator's queue, where a citizen's pending
comment (a canary of its own) is read.

Cells that act (expected 303 or 409) run on a fresh object of their kind, so
what one cell does never changes another's answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.utils import get_topic
from flask import Flask
from flask.testing import FlaskClient

from application.case_commands import Intake
from application.photos import clean
from application.verification import Address, Verified
from domain.access import PersonalDataAccess
from domain.progress import ProjectValues
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import BACKENDS, make_app
from tests.photos import phone_jpeg
from tests.stores import PLAN, Templates
from tests.web.staff_helpers import add_staff, csrf, sign_in

A, B = "市住房城乡建设局", "市公安局"  # lead items 9 and 24
ITEMS = {"A": 9, "B": 24}
PROJECTS = {"A": "9.1", "B": "24.1"}  # one amount each
ROLES = ("out", "none", "repA", "repB", "sup", "gov", "ndrc")
ACCOUNTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "none": ("no.role", ()),
    "repA": ("zjj.li", (("reporter", A),)),
    "repB": ("ga.wang", (("reporter", B),)),
    "sup": ("rd.zhang", (("supervisor", "人大督查组"),)),
    "gov": ("gov.chen", (("admin", "市政府办公室"),)),
    "ndrc": ("fgw.wu", (("admin", "市发展改革委"),)),
}
NAME, PHONE, WORDS = "金丝雀矩阵乙", "13766665555", "矩阵里的原话CANARYM4TRX"
COMMENT = "待审核的意见CANARYC0MMT"
PHOTO = clean(phone_jpeg(), "IMG_0001.jpg")
CASE_CANARIES = (NAME, PHONE, WORDS)
CANARIES = (*CASE_CANARIES, COMMENT)

# Case kinds: submitted, accepted, declined, merged (all unassigned), led by A, led by B,
# led by B with A as co-unit, and an id no case has.
CASE_KINDS = ("sub", "acc", "dec", "mrg", "A", "B", "BA", "missing")
CASE_ACTIONS = ("accept", "decline", "assign", "track", "reply", "note", "merge", "close")
CASE_ACTIONS += ("link", "redact")

CYCLE = "cycle.candidates_staff"  # the cycle's candidates: the task force's forms
OUT = "302 " + " ".join(["404"] * 6)  # signed out: sign in first; signed in: no such thing

# fmt: off
EXPECTED: dict[tuple[str, str, str], dict[str, str]] = {
    #                                           out  none repA repB sup  gov  ndrc
    ("staff.home.home", "GET", ""):          {"-": "302  200  200  200  200  200  200"},
    ("staff.auth.login", "GET", ""):          {"-": "200  200  200  200  200  200  200"},
    ("staff.auth.login", "POST", ""):         {"-": "401  401  401  401  401  401  401"},
    ("staff.auth.logout", "POST", ""):        {"-": "302  303  303  303  303  303  303"},
    ("cases.staff.queue", "GET", ""):    {"-": "302  403  200  200  200  200  403"},
    ("cases.staff.hotline", "GET", ""):  {"-": "302  403  403  403  403  200  403"},
    ("cases.staff.hotline", "POST", ""): {"-": "302  403  403  403  403  303  403"},
    ("cases.staff.access_log", "GET", ""): {"-": "302  403  403  403  403  200  403"},
    ("cases.staff.case", "GET", ""): {
        "sub":     "302  403  403  403  200  200p 403",
        "acc":     "302  403  403  403  200  200p 403",
        "dec":     "302  403  403  403  200  200p 403",
        "mrg":     "302  403  403  403  200  200p 403",
        "A":       "302  403  200p 403  200  200p 403",
        "B":       "302  403  403  200p 200  200p 403",
        "BA":      "302  403  200p 200p 200  200p 403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "accept"): {
        "sub":     "302  403  403  403  403  303  403",
        "acc":     "302  403  403  403  403  409p 403",
        "dec":     "302  403  403  403  403  409p 403",
        "mrg":     "302  403  403  403  403  409p 403",
        "A":       "302  403  403  403  403  409p 403",
        "B":       "302  403  403  403  403  409p 403",
        "BA":      "302  403  403  403  403  409p 403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "decline"): {
        "sub":     "302  403  403  403  403  303  403",
        "acc":     "302  403  403  403  403  409p 403",
        "dec":     "302  403  403  403  403  409p 403",
        "mrg":     "302  403  403  403  403  409p 403",
        "A":       "302  403  403  403  403  409p 403",
        "B":       "302  403  403  403  403  409p 403",
        "BA":      "302  403  403  403  403  409p 403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "assign"): {
        "sub":     "302  403  403  403  403  409p 403",
        "acc":     "302  403  403  403  403  303  403",
        "dec":     "302  403  403  403  403  409p 403",
        "mrg":     "302  403  403  403  403  409p 403",
        "A":       "302  403  403  403  403  409p 403",
        "B":       "302  403  403  403  403  409p 403",
        "BA":      "302  403  403  403  403  409p 403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "track"): {
        "sub":     "302  403  403  403  403  303  403",
        "acc":     "302  403  403  403  403  303  403",
        "dec":     "302  403  403  403  403  409p 403",
        "mrg":     "302  403  403  403  403  409p 403",
        "A":       "302  403  403  403  403  303  403",
        "B":       "302  403  403  403  403  303  403",
        "BA":      "302  403  403  403  403  303  403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "reply"): {  # the lead unit only
        "sub":     "302  403  403  403  403  403  403",
        "acc":     "302  403  403  403  403  403  403",
        "dec":     "302  403  403  403  403  403  403",
        "mrg":     "302  403  403  403  403  403  403",
        "A":       "302  403  303  403  403  403  403",
        "B":       "302  403  403  303  403  403  403",
        "BA":      "302  403  403  303  403  403  403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "note"): {  # 督办: the task force and the supervisors
        "sub":     "302  403  403  403  303  303  403",
        "acc":     "302  403  403  403  303  303  403",
        "dec":     "302  403  403  403  409  409p 403",
        "mrg":     "302  403  403  403  409  409p 403",
        "A":       "302  403  403  403  303  303  403",
        "B":       "302  403  403  403  303  303  403",
        "BA":      "302  403  403  403  303  303  403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "merge"): {
        "sub":     "302  403  403  403  403  303  403",
        "acc":     "302  403  403  403  403  303  403",
        "dec":     "302  403  403  403  403  409p 403",
        "mrg":     "302  403  403  403  403  409p 403",
        "A":       "302  403  403  403  403  409p 403",
        "B":       "302  403  403  403  403  409p 403",
        "BA":      "302  403  403  403  403  409p 403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "close"): {  # no case here was rated 满意 yet
        "sub":     "302  403  403  403  403  409p 403",
        "acc":     "302  403  403  403  403  409p 403",
        "dec":     "302  403  403  403  403  409p 403",
        "mrg":     "302  403  403  403  403  409p 403",
        "A":       "302  403  403  403  403  409p 403",
        "B":       "302  403  403  403  403  409p 403",
        "BA":      "302  403  403  403  403  409p 403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "link"): {
        "sub":     "302  403  403  403  403  303  403",
        "acc":     "302  403  403  403  403  303  403",
        "dec":     "302  403  403  403  403  409p 403",
        "mrg":     "302  403  403  403  403  409p 403",
        "A":       "302  403  403  403  403  303  403",
        "B":       "302  403  403  403  403  303  403",
        "BA":      "302  403  403  403  403  303  403",
        "missing": OUT,
    },
    ("cases.staff.act", "POST", "redact"): {  # no case here consented to publication
        "sub":     "302  403  403  403  403  409p 403",
        "acc":     "302  403  403  403  403  409p 403",
        "dec":     "302  403  403  403  403  409p 403",
        "mrg":     "302  403  403  403  403  409p 403",
        "A":       "302  403  403  403  403  409p 403",
        "B":       "302  403  403  403  403  409p 403",
        "BA":      "302  403  403  403  403  409p 403",
        "missing": OUT,
    },
    ("plans.reporting.report", "GET", ""): {
        "A":       "302  403  200  403  403  403  403",
        "B":       "302  403  403  200  403  403  403",
        "missing": "302  403  404  404  403  403  403",
    },
    ("plans.reporting.report", "POST", ""): {
        "A":       "302  403  303  403  403  403  403",
        "B":       "302  403  403  303  403  403  403",
        "missing": "302  403  404  404  403  403  403",
    },
    ("plans.reporting.correct", "GET", ""): {
        "A":       "302  403  200  403  403  403  403",
        "B":       "302  403  403  200  403  403  403",
        "missing": "302  403  404  403  403  403  403",  # no such report on A's item
    },
    ("plans.reporting.correct", "POST", ""): {
        "A":       "302  403  303  403  403  403  403",
        "B":       "302  403  403  303  403  403  403",
        "missing": "302  403  404  403  403  403  403",
    },
    ("supervision.staff.record_supervision", "GET", ""): {
        "-": "302  403  403  403  200  403  403",
    },
    # a kind of the supervisor's own body or not
    ("supervision.staff.record_supervision", "POST", ""): {
        "人大":    "302  403  403  403  303  403  403",
        "督查室":  "302  403  403  403  409  403  403",
    },
    ("supervision.staff.finding_step", "GET", "rectify"): {
        "A":       "302  403  200  403  403  403  403",
        "B":       "302  403  403  200  403  403  403",
        "missing": "302  403  404  404  403  403  403",
    },
    ("supervision.staff.finding_step", "POST", "rectify"): {
        "A":       "302  403  303  403  403  403  403",
        "B":       "302  403  403  303  403  403  403",
        "missing": "302  403  404  404  403  403  403",
    },
    ("supervision.staff.finding_step", "GET", "close"): {
        "A":       "302  403  403  403  200  403  403",
        "B":       "302  403  403  403  200  403  403",
        "missing": "302  403  403  403  404  403  403",
    },
    ("supervision.staff.finding_step", "POST", "close"): {  # not rectified yet
        "A":       "302  403  403  403  409  403  403",
        "B":       "302  403  403  403  409  403  403",
        "missing": "302  403  403  403  404  403  403",
    },
    ("supervision.staff.finding_step", "GET", "reopen"): {
        "A":       "302  403  403  403  200  403  403",
        "B":       "302  403  403  403  200  403  403",
        "missing": "302  403  403  403  404  403  403",
    },
    ("supervision.staff.finding_step", "POST", "reopen"): {  # open already
        "A":       "302  403  403  403  409  403  403",
        "B":       "302  403  403  403  409  403  403",
        "missing": "302  403  403  403  404  403  403",
    },
    ("cases.moderation.queue", "GET", ""):   {"-": "302  403  403  403  403  200  403"},
    **{
        ("cases.moderation.decide", "POST", decision): {  # a citizen's photo, public with consent
            "photo":   "302  403  403  403  403  303  403",
            "missing": "302  403  403  403  403  404  403",
        }
        for decision in ("approve", "reject")
    },
    ("cases.moderation.staff_photo", "GET", ""): {  # a photo not public: for those who see it
        "sub":     "302  403  403  403  404  200  403",
        "acc":     "302  403  403  403  404  200  403",
        "dec":     "302  403  403  403  404  200  403",
        "mrg":     "302  403  403  403  404  200  403",
        "A":       "302  403  200  403  404  200  403",
        "B":       "302  403  403  200  404  200  403",
        "BA":      "302  403  200  200  404  200  403",
        "missing": OUT,
    },
    ("ratings.moderation.queue", "GET", ""):       {"-": "302  403  403  403  403  200c 403"},
    ("ratings.moderation.approve", "POST", ""):    {"ballot": "302  403  403  403  403  303  403"},
    ("ratings.moderation.reject", "POST", ""):     {"ballot": "302  403  403  403  403  303  403"},
    ("ratings.evaluation.staff_page", "GET", ""):  {"-": "302  403  403  403  403  200  403"},
    ("cycle.amendment_staff.new", "GET", ""):   {"-": "302  403  403  403  403  200  403"},
    # a valid amendment, or one of a project the plan does not have (refused on the field)
    ("cycle.amendment_staff.new", "POST", ""): {
        "9.1":     "302  403  403  403  403  303  403",
        "missing": "302  403  403  403  403  409  403",
    },
    **{
        ("ratings.evaluation.decide", "POST", action): {  # refused by the rules: 303 with a message
            "minxin":  "302  403  403  403  403  303  403",
            "missing": "302  403  403  403  403  404  403",
        }
        for action in ("nominate", "select", "withdraw")
    },
    # The cycle's candidates: the task force (any admin) records them; a refused form is 409.
    (f"{CYCLE}.home", "GET", ""):               {"-": "302  403  403  403  403  200  200"},
    (f"{CYCLE}.new_conversion", "GET", ""):     {"-": "302  403  403  403  403  200  200"},
    (f"{CYCLE}.new_conversion", "POST", ""):    {"-": "302  403  403  403  403  409  409"},
    (f"{CYCLE}.new_candidate", "GET", ""):      {"-": "302  403  403  403  403  200  200"},
    (f"{CYCLE}.new_candidate", "POST", ""):     {"-": "302  403  403  403  403  303  303"},
    (f"{CYCLE}.correct_candidate", "GET", ""):  {"-": "302  403  403  403  403  200  200"},
    (f"{CYCLE}.correct_candidate", "POST", ""): {"-": "302  403  403  403  403  409  409"},
    (f"{CYCLE}.vote", "GET", ""):               {"-": "302  403  403  403  403  200  200"},
    (f"{CYCLE}.vote", "POST", ""):              {"-": "302  403  403  403  403  409  409"},
    ("cycle.proposal_staff.queue", "GET", ""):  {"-": "302  403  403  403  403  200  403"},
    ("cycle.proposal_staff.open_solicitation", "POST", ""): {  # a year not opened yet
        "-":       "302  403  403  403  403  303  403",
    },
    ("cycle.proposal_staff.close_solicitation", "POST", ""): {
        "open":    "302  403  403  403  403  303  403",
        "missing": "302  403  403  403  403  404  403",
    },
    **{
        ("cycle.proposal_staff.act", "POST", action): {  # a proposal awaiting moderation
            "pend":    "302  403  403  403  403  303  403",
            "missing": "302  403  403  403  403  404  403",
        }
        for action in ("approve", "reject")
    },
    **{
        ("cycle.proposal_staff.act", "POST", action): {  # a published proposal not answered
            "appr":    "302  403  403  403  403  303  403",
            "missing": "302  403  403  403  403  404  403",
        }
        for action in ("adopt", "merge", "decline")
    },
}
# fmt: on


def cells(row: tuple[str, str, str]) -> Iterator[tuple[str, str, str]]:
    """(object, role, expected) for every cell of a row."""
    for obj, line in EXPECTED[row].items():
        answers = line.split()
        assert len(answers) == len(ROLES), (row, obj)
        for role, answer in zip(ROLES, answers, strict=True):
            yield obj, role, answer


def acts(expected: str) -> bool:
    return expected[:3] in ("303", "409")


# The site ------------------------------------------------------------------------------


def intake() -> Intake:
    return Intake(
        year=2023,
        channel="online",
        category="城市管理",
        district="梁溪区",
        title="楼道灯坏了" + WORDS[-5:],
        content=WORDS,
        name=NAME,
        phone=PHONE,
        consent=False,
        received_on=date(2023, 9, 1),
    )


@dataclass
class Site:
    app: Flask
    cases: dict[str, str] = field(default_factory=dict)
    findings: dict[str, str] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)
    ballot: str = ""
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    voters: int = 0
    proposals: dict[str, int] = field(default_factory=dict)
    years: int = 0

    @property
    def services(self) -> Services:
        return self.app.extensions["minsheng"]  # type: ignore[no-any-return]

    def case(self, kind: str) -> str:
        """A new case of this kind, with the canaries in it, and a photo (not public)."""
        ledger, gov = self.services.ledger, "staff:gov.chen"
        case_id = ledger.submit_case(intake(), "citizen", [PHOTO], True).case_id
        if kind == "dec":
            ledger.decline_case(case_id, "不属于受理范围", gov)
        elif kind != "sub":
            ledger.accept_case(case_id, gov)
        if kind == "mrg":
            ledger.merge_case(case_id, self.number("A"), gov)
        lead, co = {"A": (A, []), "B": (B, []), "BA": (B, [A])}.get(kind, (None, []))
        if lead:
            ledger.assign_case(case_id, "hotline", lead, co, 5, gov)
        self.services.caught_up()
        return case_id

    def photo_case(self) -> str:
        """A consented case whose citizen agreed to publish its photo, waiting for moderation."""
        receipt = self.services.ledger.submit_case(
            replace(intake(), consent=True, phone="13766664444"), "citizen", [PHOTO], True
        )
        self.services.caught_up()
        return receipt.case_id

    def number(self, kind: str) -> str:
        return str(self.services.ledger._case(self.cases[kind]).number)

    def finding(self, kind: str) -> str:
        receipt = self.services.ledger.record_supervision(
            year=2023,
            kind="quarterly_inspection",
            held_on=date(2023, 9, 1),
            title="三季度督查",
            summary="",
            findings=[([PROJECTS[kind]], "进度滞后")],
            actor="staff:rd.zhang",
        )
        self.services.caught_up()
        return str(receipt.related[0])

    def new_ballot(self, comment: str) -> str:
        self.voters += 1
        address = Address("phone", f"1380000{self.voters:04d}")
        who = Verified(self.services.ledger.vault.contact(f"phone:{address.value}"), address)
        receipt = self.services.ledger.rate(
            who, "project:2023:9.1", "satisfied", comment, None, "test-network"
        )
        self.services.caught_up()
        return receipt.ballot_id

    def proposal(self, kind: str) -> int:
        """A proposal of the 2024 cycle: pending ("pend") or published ("appr")."""
        ledger = self.services.ledger
        self.voters += 1
        address = Address("phone", f"1377777{self.voters:04d}")
        who = Verified(ledger.vault.contact(f"phone:{address.value}"), address)
        number = ledger.propose(
            who, 2024, "社区助餐点", "希望增设助餐点。", "卫生养老方面", "梁溪区"
        ).number
        if kind != "pend":
            ledger.approve_proposal(2024, number, "staff:gov.chen")
        self.services.caught_up()
        return number

    def solicitation(self) -> int:
        """A year whose solicitation is open (2030 onwards, one per call)."""
        self.years += 1
        self.services.ledger.open_solicitation(2030 + self.years, date(2023, 10, 31), "test")
        self.services.caught_up()
        return 2030 + self.years


def report(services: Services, unit: str, key: str) -> str:
    ref = PROJECTS[key]
    receipt = services.ledger.report_progress(
        year=2023,
        item=ITEMS[key],
        period="2023-06",
        unit=unit,
        values=(ProjectValues(ref, (Decimal(10),), ()),),
        narrative="",
        evidence=(),
        actor="staff:test",
    )
    return str(receipt.id)


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    store_templates: Templates,
) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("matrix")
    app = make_app(
        store_templates.copy(PLAN, request.param, request, folder),
        folder,
        Clock("2023-09-04T09:00"),
    )
    services: Services = app.extensions["minsheng"]
    for username, roles in ACCOUNTS.values():
        add_staff(app, username, *roles)
    made = Site(app)
    made.cases["A"] = made.case("A")  # first: merged cases are merged into it
    for kind in CASE_KINDS[:-1]:
        made.cases.setdefault(kind, made.case(kind))
    made.findings = {"A": made.finding("A"), "B": made.finding("B")}
    made.reports = {"A": report(services, A, "A"), "B": report(services, B, "B")}
    made.ballot = made.new_ballot(COMMENT)
    services.ledger.open_solicitation(2024, date(2023, 10, 31), "test")
    made.proposals = {kind: made.proposal(kind) for kind in ("pend", "appr", "into", "source")}
    # C1 on the 2024 list (its source proposal answered by the listing), for "adopt" to name
    services.ledger.list_candidate(
        2024,
        title="增设社区助餐点",
        category="卫生养老方面",
        description="说明",
        sources=[f"P{made.proposals['source']}"],
        targets=[],
        units=["市民政局"],
        actor="test",
    )
    services.caught_up()
    for role in ROLES:
        made.clients[role], made.tokens[role] = client_for(app, role)
    yield made
    services.close()


def client_for(app: Flask, role: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    if role != "out":
        assert sign_in(client, ACCOUNTS[role][0]) == 303
    return client, csrf(client, "/staff/login")


# Requests: (url, form data without the token, the token field's prefix) --------------------

Request = tuple[str, dict[str, str], str]


def _case_get(site: Site, obj: str, fresh: bool, action: str) -> Request:
    return f"/staff/cases/{_case_id(site, obj, fresh)}", {}, ""


def _case_id(site: Site, obj: str, fresh: bool) -> str:
    if obj == "missing":
        return str(uuid4())
    return site.case(obj) if fresh else site.cases[obj]


CASE_FORMS: dict[str, Callable[[Site], dict[str, str]]] = {
    "accept": lambda s: {},
    "decline": lambda s: {"reason": "不属于本平台受理范围"},
    "assign": lambda s: {"route": "hotline", "lead_unit": A, "working_days": "5"},
    "track": lambda s: {"track": "weixingfu"},
    "reply": lambda s: {"text": "已安排维修"},
    "note": lambda s: {"text": "请加快办理"},
    "merge": lambda s: {"into": s.number("A")},
    "close": lambda s: {},
    "link": lambda s: {"project": "9.1", "note": ""},
    "redact": lambda s: {"title": "楼道照明", "text": "", "reason": "保护隐私"},
}


def _case_act(site: Site, obj: str, fresh: bool, action: str) -> Request:
    case_id = _case_id(site, obj, fresh)
    form = {f"{action}-{k}": v for k, v in CASE_FORMS[action](site).items()}
    return f"/staff/cases/{case_id}/{action}", form, f"{action}-"


def _item(obj: str) -> int:
    return 61 if obj == "missing" else ITEMS[obj]


def _report(site: Site, obj: str, fresh: bool, action: str) -> Request:
    number = _item(obj)
    data = {"period": "2023-08", f"amount-{PROJECTS.get(obj, '9.1')}-0": "20"}
    return f"/staff/plans/2023/items/{number}/report", data, ""


def _correct(site: Site, obj: str, fresh: bool, action: str) -> Request:
    key = "A" if obj == "missing" else obj
    report_id = str(uuid4()) if obj == "missing" else site.reports[obj]
    url = f"/staff/plans/2023/items/{ITEMS[key]}/reports/{report_id}/correct"
    return url, {"reason": "录入有误", f"amount-{PROJECTS[key]}-0": "12"}, ""


def _finding(site: Site, obj: str, fresh: bool, action: str) -> Request:
    finding = (
        str(uuid4()) if obj == "missing" else site.finding(obj) if fresh else site.findings[obj]
    )
    return f"/staff/findings/{finding}/{action}", {"text": "已整改"}, ""


def _moderate(site: Site, obj: str, fresh: bool, action: str, endpoint: str) -> Request:
    ballot = site.new_ballot("新的意见") if fresh else site.ballot
    prefix = ("a" if endpoint == "approve" else "r") + ballot[:8]
    version = site.services.ledger.ballot(ballot).version
    data = {f"{prefix}-version": str(version), f"{prefix}-category": "off_topic"}
    return f"/staff/ratings/{ballot}/{endpoint}", data, f"{prefix}-"


def _decide(site: Site, obj: str, fresh: bool, action: str) -> Request:
    award = "nobody" if obj == "missing" else obj
    return f"/staff/awards/2023/{award}/{action}", {"candidate": "0.0", "note": ""}, ""


def _photo_decide(site: Site, obj: str, fresh: bool, action: str) -> Request:
    if obj == "missing":
        case_id = str(uuid4())
    else:
        case_id = site.photo_case() if fresh else site.cases.setdefault("photo", site.photo_case())
    return f"/staff/cases/photos/{case_id}/{PHOTO.sha256}/{action}", {"reason": "faces"}, ""


def _staff_photo(site: Site, obj: str, fresh: bool, action: str) -> Request:
    return f"/staff/cases/{_case_id(site, obj, fresh)}/photos/{PHOTO.sha256}.jpg", {}, ""


def _open_year(site: Site, obj: str, fresh: bool, action: str) -> Request:
    year = 2099  # refused before it is read, or by the only cell that acts:
    if fresh:  # a year no one opened yet
        site.years += 1
        year = 2030 + site.years
    return f"/staff/cycle/{year}/solicitation/open", {"last_day": "2023-10-31"}, ""


def _close_year(site: Site, obj: str, fresh: bool, action: str) -> Request:
    year = 2098 if obj == "missing" else site.solicitation() if fresh else 2024
    return f"/staff/cycle/{year}/solicitation/close", {}, ""


PROPOSAL_FORMS: dict[str, Callable[[Site], dict[str, str]]] = {
    "approve": lambda s: {"title": "", "description": ""},
    "reject": lambda s: {"category": "off_topic"},
    "adopt": lambda s: {"candidate": "C1", "note": ""},
    "merge": lambda s: {"into": f"P{s.proposals['into']}", "reason": "内容相同"},
    "decline": lambda s: {"reason": "已列入计划"},
}


def _proposal_act(site: Site, obj: str, fresh: bool, action: str) -> Request:
    number = 999 if obj == "missing" else site.proposal(obj) if fresh else site.proposals[obj]
    prefix = f"{action}{number}"
    form = {f"{prefix}-{k}": v for k, v in PROPOSAL_FORMS[action](site).items()}
    return f"/staff/cycle/2024/proposals/{number}/{action}", form, f"{prefix}-"


def _fixed(url: str, data: dict[str, str] | None = None) -> Callable[..., Request]:
    return lambda site, obj, fresh, action: (url, dict(data or {}), "")


HOTLINE = {
    "title": "来电反映噪音",
    "category": "环境保护",
    "district": "滨湖区",
    "content": "夜间施工噪音很大，影响休息。",
    "name": "来电人",
    "phone": "13800138000",
    "received_on": "2023-09-04",
}
SUPERVISION = {"held_on": "2023-09-01", "title": "九月督查"}
KINDS = {"人大": "monthly_contact", "督查室": "inspection"}


def _supervision(site: Site, obj: str, fresh: bool, action: str) -> Request:
    return "/staff/plans/2023/supervision/new", {**SUPERVISION, "kind": KINDS[obj]}, ""


def _amend(site: Site, obj: str, fresh: bool, action: str) -> Request:
    amount = str(280 + len(site.services.ledger.plan_amendments(2023)))  # never unchanged
    data = {
        "kind": "target",
        "project": "99.1" if obj == "missing" else obj,
        "target": "1",
        "amount": amount,
        "basis_number": "锡政办发〔2023〕40号",
        "basis_date": "2023-09-01",
        "reason": "资金调整",
    }
    return "/staff/plans/2023/amendments/new", data, ""


REQUESTS: dict[tuple[str, str, str], Callable[..., Request]] = {
    ("staff.home.home", "GET", ""): _fixed("/staff/"),
    ("staff.auth.login", "GET", ""): _fixed("/staff/login"),
    ("staff.auth.login", "POST", ""): _fixed("/staff/login"),  # the password is filled in per role
    ("staff.auth.logout", "POST", ""): _fixed("/staff/logout"),
    ("cases.staff.queue", "GET", ""): _fixed("/staff/cases/"),
    ("cases.staff.hotline", "GET", ""): _fixed("/staff/cases/new"),
    ("cases.staff.hotline", "POST", ""): _fixed("/staff/cases/new", HOTLINE),
    ("cases.staff.access_log", "GET", ""): _fixed("/staff/cases/access-log"),
    ("cases.staff.case", "GET", ""): _case_get,
    **{("cases.staff.act", "POST", action): _case_act for action in CASE_ACTIONS},
    ("plans.reporting.report", "GET", ""): _report,
    ("plans.reporting.report", "POST", ""): _report,
    ("plans.reporting.correct", "GET", ""): _correct,
    ("plans.reporting.correct", "POST", ""): _correct,
    ("supervision.staff.record_supervision", "GET", ""): _fixed(
        "/staff/plans/2023/supervision/new"
    ),
    ("supervision.staff.record_supervision", "POST", ""): _supervision,
    **{
        ("supervision.staff.finding_step", method, action): _finding
        for method in ("GET", "POST")
        for action in ("rectify", "close", "reopen")
    },
    ("cases.moderation.queue", "GET", ""): _fixed("/staff/cases/photos/"),
    ("cases.moderation.decide", "POST", "approve"): _photo_decide,
    ("cases.moderation.decide", "POST", "reject"): _photo_decide,
    ("cases.moderation.staff_photo", "GET", ""): _staff_photo,
    ("ratings.moderation.queue", "GET", ""): _fixed("/staff/ratings/"),
    ("ratings.moderation.approve", "POST", ""): lambda s, o, f, a: _moderate(s, o, f, a, "approve"),
    ("ratings.moderation.reject", "POST", ""): lambda s, o, f, a: _moderate(s, o, f, a, "reject"),
    ("ratings.evaluation.staff_page", "GET", ""): _fixed("/staff/awards/2023"),
    ("cycle.amendment_staff.new", "GET", ""): _fixed("/staff/plans/2023/amendments/new"),
    ("cycle.amendment_staff.new", "POST", ""): _amend,
    **{
        ("ratings.evaluation.decide", "POST", action): _decide
        for action in ("nominate", "select", "withdraw")
    },
    ("cycle.candidates_staff.home", "GET", ""): _fixed("/staff/cycle/2024/candidates/"),
    ("cycle.candidates_staff.new_conversion", "GET", ""): _fixed(
        "/staff/cycle/2024/conversions/new"
    ),
    ("cycle.candidates_staff.new_conversion", "POST", ""): _fixed(
        "/staff/cycle/2024/conversions/new",
        {"title": "一类问题", "problem": "说明", "numbers": "2023-99999"},  # no such case
    ),
    ("cycle.candidates_staff.new_candidate", "GET", ""): _fixed("/staff/cycle/2024/candidates/new"),
    ("cycle.candidates_staff.new_candidate", "POST", ""): _fixed(
        "/staff/cycle/2024/candidates/new",
        {
            "title": "候选",
            "category": "养老服务",
            "description": "说明",
            "sources": "P4",  # the source proposal of C1 (published, adopted)
            "units": "市民政局",
        },
    ),
    ("cycle.candidates_staff.correct_candidate", "GET", ""): _fixed(
        "/staff/cycle/2024/candidates/1/correct"
    ),
    ("cycle.candidates_staff.correct_candidate", "POST", ""): _fixed(
        "/staff/cycle/2024/candidates/1/correct",
        {"reason": ""},  # refused: no reason
    ),
    ("cycle.candidates_staff.vote", "GET", ""): _fixed("/staff/cycle/2024/vote"),
    ("cycle.candidates_staff.vote", "POST", ""): _fixed("/staff/cycle/2024/vote", {"voting": "0"}),
    ("cycle.proposal_staff.queue", "GET", ""): _fixed("/staff/cycle/2024/proposals"),
    ("cycle.proposal_staff.open_solicitation", "POST", ""): _open_year,
    ("cycle.proposal_staff.close_solicitation", "POST", ""): _close_year,
    **{
        ("cycle.proposal_staff.act", "POST", action): _proposal_act
        for action in ("approve", "reject", "adopt", "merge", "decline")
    },
}


# The tests -----------------------------------------------------------------------------

ANY = re.compile(r"<any\(([^)]*)\):\w+>")


def staff_rows(app: Flask) -> set[tuple[str, str, str]]:
    """Every (endpoint, method, action) the app serves under /staff."""
    rows = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        choices = ANY.findall(rule.rule)
        assert len(choices) <= 1, f"{rule.rule}: more than one any(...) part"
        actions = [a.strip().strip("\"'") for a in choices[0].split(",")] if choices else [""]
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            rows.update((rule.endpoint, method, action) for action in actions)
    return rows


def test_every_staff_route_and_action_has_a_row(site: Site) -> None:
    served = staff_rows(site.app)
    assert served - set(EXPECTED) == set(), "staff routes without a row in the matrix"
    assert set(EXPECTED) - served == set(), "rows for routes the app does not serve"
    assert set(REQUESTS) == set(EXPECTED)


def access_records(site: Site, after: int) -> list[Any]:
    topic = get_topic(PersonalDataAccess.Recorded)
    recorder = site.services.ledger.recorder
    return [
        site.services.ledger.mapper.to_domain_event(n)
        for n in recorder.select_notifications(after + 1, 100, topics=[topic])
    ]


def run(site: Site, row: tuple[str, str, str], obj: str, role: str, expected: str) -> str | None:
    """What differs from the expected answer in one cell, or None."""
    _endpoint, method, action = row
    url, data, prefix = REQUESTS[row](site, obj, acts(expected), action)
    client, token = site.clients[role], site.tokens[role]
    signs_out = row == ("staff.auth.logout", "POST", "") and role != "out"
    if signs_out:
        client, token = client_for(site.app, role)  # a session of its own to end
    if row == ("staff.auth.login", "POST", ""):
        username = ACCOUNTS[role][0] if role != "out" else "nobody.here"
        data = {"username": username, "password": "not the password"}
    before = site.services.ledger.recorder.max_notification_id() or 0
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={f"{prefix}csrf_token": token, **data})
    body = response.get_data().decode("utf-8", "replace")  # a photo is bytes, searched too
    status = str(response.status_code)
    if signs_out:  # signing out ends every session of the account: sign the matrix's in again
        site.clients[role], site.tokens[role] = client_for(site.app, role)
    problems = []
    if status != expected[:3]:
        problems.append(f"answered {status}")
    if status == "302" and not response.headers["Location"].startswith("/staff/login"):
        problems.append(f"sent to {response.headers['Location']}")
    shown = [c for c in CANARIES if c in body]
    recorded = access_records(site, before)
    if expected.endswith("p"):
        if set(shown) != set(CASE_CANARIES):
            problems.append(f"shows {shown} of the case's personal data")
        if [(r.actor, r.view) for r in recorded] != [(f"staff:{ACCOUNTS[role][0]}", _view(row))]:
            problems.append(f"recorded {[(r.actor, r.view) for r in recorded]}")
    elif expected.endswith("c"):
        if shown != [COMMENT]:
            problems.append(f"shows {shown}")
    else:
        if shown:
            problems.append(f"LEAKS {shown}")
        if recorded:
            problems.append("records an access it did not show")
    return f"{obj:8} {role:5} expected {expected}: {', '.join(problems)}" if problems else None


def _view(row: tuple[str, str, str]) -> str:
    return "case" if row[2] == "" else f"action:{row[2]}"


@pytest.mark.parametrize("row", sorted(EXPECTED), ids=lambda r: "-".join(filter(None, r)))
def test_each_role_gets_the_expected_answer_and_no_personal_data_it_may_not_see(
    site: Site, row: tuple[str, str, str]
) -> None:
    differences = [d for obj, role, exp in cells(row) if (d := run(site, row, obj, role, exp))]
    assert differences == [], "\n".join(differences)


def test_the_matrix_covers_every_role_and_both_units_objects() -> None:
    assert set(ROLES) == {"out", *ACCOUNTS}
    objects = {obj for row in EXPECTED.values() for obj in row}
    assert {"sub", "dec", "mrg", "A", "B", "BA", "missing", "ballot", "minxin", "photo"} <= objects
    statuses = {answer for row in EXPECTED for _o, _r, answer in cells(row)}
    assert {"302", "403", "404", "200", "200p", "303", "409", "409p", "401"} <= statuses


# Holes the matrix found, by name --------------------------------------------------------


def post(site: Site, role: str, request: Request) -> int:
    url, data, prefix = request
    token = site.tokens[role]
    return site.clients[role].post(url, data={f"{prefix}csrf_token": token, **data}).status_code


def test_nobody_replies_for_a_case_not_yet_assigned(site: Site) -> None:
    """An account without a unit was the 'lead unit' of an unassigned case (None == None)."""
    for role in ("gov", "sup"):
        html = site.clients[role].get(f"/staff/cases/{site.cases['acc']}").get_data(as_text=True)
        assert "/reply" not in html and "/note" in html
        assert post(site, role, _case_act(site, "acc", True, "reply")) == 403


def test_a_unit_opens_and_reports_the_rectification_of_its_own_findings_only(site: Site) -> None:
    for role, other in (("repA", "B"), ("repB", "A")):
        url = f"/staff/findings/{site.findings[other]}/rectify"
        assert site.clients[role].get(url).status_code == 403
        assert post(site, role, (url, {"text": "不是本单位的问题"}, "")) == 403
