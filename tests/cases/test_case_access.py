"""Who reads a case's personal data on the staff side, and the record of every time they do.

Personal data (name, phone, the citizen's own title and words, evaluation
reasons, anything sealed) is shown only to the case task force (admin of
市政府办公室) and to the units the case is assigned to. Supervisors open a
case's staff page for 督办 and see its public facts only.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.utils import get_topic
from flask import Flask
from flask.testing import FlaskClient

from application.case_commands import Intake
from domain.access import (
    CO_UNIT,
    LEAD_UNIT,
    SUPERVISOR,
    TASK_FORCE,
    PersonalDataAccess,
    Viewer,
    basis,
)
from domain.cases import Case, CaseError
from minsheng_site.services import Services
from projections.cases.access_log import Access, accesses
from projections.publiclog.public_entries import Deriver, event_uuid
from tests.clock import Clock
from tests.conftest import BACKENDS, copied_site
from tests.stores import PLAN
from tests.web.staff_helpers import add_staff, csrf, sign_in

NAME, PHONE, WORDS = "金丝雀访问甲", "13711112222", "只给承办单位看的话CANARY4ACC"
CANARIES = (NAME, PHONE, WORDS)
LEAD, CO, OTHER = "市城管局", "梁溪区", "市公安局"


def intake(phone: str = PHONE, name: str = NAME) -> Intake:
    return Intake(
        year=2023,
        channel="online",
        category="城市管理",
        district="梁溪区",
        title="路灯不亮" + WORDS[-6:],
        content=WORDS,
        name=name,
        phone=phone,
        consent=False,
        received_on=date(2023, 9, 1),
    )


@pytest.fixture(scope="module", params=BACKENDS)
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One site for the module (accounts cost a password hash each); each test makes its cases."""
    for created in copied_site(request, tmp_path_factory, PLAN, Clock("2023-09-04T09:00")):
        add_staff(created, "gov.chen", ("admin", "市政府办公室"))
        add_staff(created, "fgw.wu", ("admin", "市发展改革委"))
        add_staff(created, "rd.zhang", ("supervisor", "人大督查组"))
        add_staff(created, "no.role")
        add_staff(created, "cg.zhao", ("reporter", LEAD))
        add_staff(created, "lx.sun", ("reporter", CO))
        add_staff(created, "ga.wang", ("reporter", OTHER))
        created.extensions["test_clients"] = {}
        yield created


def cases(app: Flask, phone: str = PHONE) -> dict[str, str]:
    """A submitted, a declined, a merged and an assigned case, none of them consented."""
    services: Services = app.extensions["minsheng"]
    ledger = services.ledger
    made = {
        state: ledger.submit_case(intake(phone), "citizen").case_id
        for state in ("submitted", "declined", "merged", "assigned")
    }
    ledger.decline_case(made["declined"], "不属于受理范围", "staff:gov.chen")
    ledger.accept_case(made["assigned"], "staff:gov.chen")
    ledger.merge_case(made["merged"], ledger._case(made["assigned"]).number, "staff:gov.chen")
    ledger.assign_case(made["assigned"], "hotline", LEAD, [CO], 5, "staff:gov.chen")
    services.caught_up()
    return made


def number_of(app: Flask, case_id: str) -> str:
    return str(app.extensions["minsheng"].ledger._case(case_id).number)


def signed_in(app: Flask, username: str) -> FlaskClient:
    """One signed-in client per account for the module."""
    clients: dict[str, FlaskClient] = app.extensions["test_clients"]
    if username not in clients:
        client = app.test_client()
        assert sign_in(client, username) == 303
        clients[username] = client
    return clients[username]


def test_the_rule_of_who_reads_what_strongest_reason_first() -> None:
    case = Case.submit(
        id=uuid4(), year=2023, number="2023-AAAAAA", channel="online", external_id=None,
        category="城市管理", district="梁溪区", consent=False, received_on=date(2023, 9, 1),
        key_id="k", sealed="s", actor="citizen", recorded_at=datetime(2023, 9, 4, tzinfo=UTC),
    )  # fmt: skip

    def who(unit: str | None = None, task_force: bool = False, sup: bool = False) -> Viewer:
        return Viewer("staff:x", unit, task_force, sup)

    assert [basis(who(LEAD), case), basis(who(sup=True), case), basis(who(), case)] == [
        None,
        SUPERVISOR,
        None,
    ]
    assert basis(who(LEAD, task_force=True), case) == TASK_FORCE
    case.accept("staff:gov", datetime(2023, 9, 4, tzinfo=UTC))
    case.assign("hotline", LEAD, [CO], 5, date(2023, 9, 11), "staff:gov", datetime.now(UTC))
    assert basis(who(LEAD, sup=True), case) == LEAD_UNIT
    assert basis(who(CO), case) == CO_UNIT
    assert basis(who(OTHER, sup=True), case) == SUPERVISOR and basis(who(OTHER), case) is None
    with pytest.raises(CaseError):
        PersonalDataAccess.record(
            id=uuid4(), case=case, actor="staff:x", basis=SUPERVISOR, view="case",
            at=datetime(2023, 9, 4, tzinfo=UTC),
        )  # fmt: skip


def page(client: FlaskClient, case_id: str) -> tuple[int, str]:
    response = client.get(f"/staff/cases/{case_id}")
    return response.status_code, response.get_data(as_text=True)


def test_accounts_without_a_handling_unit_never_read_a_cases_personal_data(app: Flask) -> None:
    made = cases(app)
    for username in ("no.role", "fgw.wu", "cg.zhao", "ga.wang", "rd.zhang"):
        client = signed_in(app, username)
        for state in ("submitted", "declined", "merged"):
            status, html = page(client, made[state])
            expected = 200 if username == "rd.zhang" else 403  # supervisors: public facts
            assert status == expected, (username, state)
            assert not [c for c in CANARIES if c in html], (username, state)


def test_only_the_task_force_and_the_assigned_units_read_personal_data(app: Flask) -> None:
    made = cases(app)
    for username in ("gov.chen", "cg.zhao", "lx.sun"):
        status, html = page(signed_in(app, username), made["assigned"])
        assert status == 200 and all(c in html for c in CANARIES), username
    for username in ("ga.wang", "no.role", "fgw.wu"):
        assert page(signed_in(app, username), made["assigned"])[0] == 403, username
    status, html = page(signed_in(app, "rd.zhang"), made["assigned"])
    assert status == 200 and not [c for c in CANARIES if c in html]
    assert "联系方式和原始内容仅诉求专班和承办单位可见" in html
    for state in ("submitted", "declined", "merged"):
        status, html = page(signed_in(app, "gov.chen"), made[state])
        assert status == 200 and NAME in html and PHONE in html


def test_supervisors_add_supervision_notes_without_seeing_personal_data(app: Flask) -> None:
    made = cases(app)
    supervisor = signed_in(app, "rd.zhang")
    token = csrf(supervisor, f"/staff/cases/{made['assigned']}")
    response = supervisor.post(
        f"/staff/cases/{made['assigned']}/note",
        data={"note-csrf_token": token, "note-text": "请尽快办理并答复"},
    )
    assert response.status_code == 303
    status, html = page(supervisor, made["assigned"])
    assert status == 200 and "请尽快办理并答复" in html
    assert not [c for c in CANARIES if c in html]
    refused = supervisor.post(
        f"/staff/cases/{made['submitted']}/accept", data={"accept-csrf_token": token}
    )
    assert refused.status_code == 403
    for username in ("no.role", "fgw.wu", "ga.wang"):
        other = signed_in(app, username)
        token = csrf(other, "/staff/")
        response = other.post(
            f"/staff/cases/{made['assigned']}/note",
            data={"note-csrf_token": token, "note-text": "不该记下"},
        )
        assert response.status_code == 403, username


# The access log (PIPL) ---------------------------------------------------------------------


def recorded(app: Flask, made: dict[str, str]) -> list[Access]:
    """What the access log holds about these cases, newest first."""
    services: Services = app.extensions["minsheng"]
    services.caught_up()
    numbers = {number_of(app, case_id) for case_id in made.values()}
    with services.read() as c:
        return [a for a in accesses(c, per_page=10_000)[0] if a.case_number in numbers]


def test_each_showing_of_personal_data_is_recorded_with_who_which_case_and_page(
    app: Flask,
) -> None:
    made = cases(app)
    number = number_of(app, made["assigned"])
    assert recorded(app, made) == []
    for username in ("gov.chen", "cg.zhao", "lx.sun"):
        page(signed_in(app, username), made["assigned"])
    for username in ("rd.zhang", "ga.wang", "no.role", "fgw.wu"):  # nothing personal shown
        page(signed_in(app, username), made["assigned"])
    log = recorded(app, made)
    assert [(a.actor, a.case_number, a.basis, a.view) for a in log] == [
        ("staff:lx.sun", number, "co_unit", "case"),  # newest first
        ("staff:cg.zhao", number, "lead_unit", "case"),
        ("staff:gov.chen", number, "task_force", "case"),
    ]
    assert log[0].recorded_at.isoformat() == "2023-09-04T01:00:00+00:00"  # 09:00 in Wuxi
    # A refused step shows the page again, personal data and all: recorded as such.
    unit = signed_in(app, "cg.zhao")
    response = unit.post(
        f"/staff/cases/{made['assigned']}/reply",
        data={"reply-csrf_token": csrf(unit, "/staff/"), "reply-text": "   "},
    )
    assert response.status_code == 409 and NAME in response.get_data(as_text=True)
    latest = recorded(app, made)[0]
    assert (latest.actor, latest.view) == ("staff:cg.zhao", "action:reply")


def test_a_step_that_succeeds_reads_no_personal_data_and_records_nothing(app: Flask) -> None:
    made = cases(app)
    for username in ("rd.zhang", "gov.chen"):
        client = signed_in(app, username)
        response = client.post(
            f"/staff/cases/{made['assigned']}/note",
            data={"note-csrf_token": csrf(client, "/staff/"), "note-text": "请按时办结"},
        )
        assert response.status_code == 303
    assert recorded(app, made) == []


def test_nothing_is_recorded_once_the_person_is_erased(app: Flask) -> None:
    made = cases(app, phone="13722223333")
    app.extensions["minsheng"].ledger.erase_person("13722223333", "本人申请删除", "cli:ops")
    status, html = page(signed_in(app, "gov.chen"), made["assigned"])
    assert status == 200 and "已按其要求删除" in html and NAME not in html
    assert recorded(app, made) == []


def test_the_access_log_is_for_the_task_force_newest_first_filtered_and_paged(
    app: Flask,
) -> None:
    made = cases(app)
    numbers = {state: number_of(app, case_id) for state, case_id in made.items()}
    for username in ("cg.zhao", "lx.sun"):
        page(signed_in(app, username), made["assigned"])
    task_force = signed_in(app, "gov.chen")
    for _ in range(51):
        page(task_force, made["submitted"])
    page(task_force, made["declined"])
    for username in ("cg.zhao", "lx.sun", "ga.wang", "rd.zhang", "no.role", "fgw.wu"):
        assert signed_in(app, username).get("/staff/cases/access-log").status_code == 403
    assert app.test_client().get("/staff/cases/access-log").status_code == 302

    def log(query: str) -> str:
        response = task_force.get(f"/staff/cases/access-log?{query}")
        assert response.status_code == 200, query
        return response.get_data(as_text=True)

    newest = log("")
    assert newest.index(numbers["declined"]) < newest.index(numbers["submitted"])
    first = log(f"case={numbers['submitted']}")
    assert "共51条记录" in first and 'rel="next"' in first and "gov.chen" in first
    second = log(f"case={numbers['submitted']}&page=2")
    assert second.split("<tbody>")[1].count("<tr>") == 1 and 'rel="prev"' in second
    assert 'rel="next"' not in second
    by_case = log(f"case={numbers['assigned'].lower()}")
    assert "共2条记录" in by_case and "cg.zhao" in by_case and "lx.sun" in by_case
    both = log(f"case={numbers['assigned']}&staff=LX.SUN")
    assert "共1条记录" in both and "cg.zhao" not in both.split("<table")[1]
    assert "共0条记录" in log(f"case={numbers['merged']}")
    assert task_force.get("/staff/cases/access-log?page=x").status_code == 400
    assert not [c for c in CANARIES if c in newest + first + second + by_case + both]


def test_the_case_page_and_the_home_link_the_access_log_for_the_task_force_only(
    app: Flask,
) -> None:
    made = cases(app)
    link = f'href="/staff/cases/access-log?case={number_of(app, made["assigned"])}"'
    assert link in page(signed_in(app, "gov.chen"), made["assigned"])[1]
    home = signed_in(app, "gov.chen").get("/staff/").get_data(as_text=True)
    assert 'href="/staff/cases/access-log"' in home
    for username in ("cg.zhao", "rd.zhang"):
        client = signed_in(app, username)
        assert "access-log" not in page(client, made["assigned"])[1]
        home = client.get("/staff/").get_data(as_text=True)
        assert "access-log" not in home and 'href="/staff/cases/"' in home


def test_access_records_never_reach_the_public_log_feeds_or_pages(app: Flask) -> None:
    made = cases(app)
    services: Services = app.extensions["minsheng"]
    public = app.test_client()
    before = public.get("/api/v1/log.jsonl").get_data(as_text=True)
    page(signed_in(app, "lx.sun"), made["assigned"])  # lx.sun never acts in public
    services.caught_up()
    assert public.get("/api/v1/log.jsonl").get_data(as_text=True) == before
    topic = get_topic(PersonalDataAccess.Recorded)
    notifications = services.ledger.recorder.select_notifications(1, 100_000, topics=[topic])
    event = services.ledger.mapper.to_domain_event(notifications[-1])
    assert event.actor == "staff:lx.sun"
    assert Deriver().derive(event) is None
    assert public.get(f"/events/{event_uuid(event.originator_id, 1)}").status_code == 404
    number = event.case_number
    for url in (
        "/feeds/all.atom",
        "/feeds/cases.atom",
        "/api/v1/log",
        f"/cases/{number}",
        f"/api/v1/cases/{number}",
        f"/open311/v2/requests/{number}/history.json",
        "/open-data/cases.csv",
    ):
        response = public.get(url)
        assert response.status_code == 200 and "lx.sun" not in response.get_data(as_text=True)


def test_a_stored_access_record_still_replays_and_todays_keeps_its_fields(app: Flask) -> None:
    """Stored events are a contract: the first stored access record is read by today's code."""
    from tests.unit.test_stored_events import FIXTURE, replay

    path = FIXTURE.with_name("stored_events_v3_access.json")
    [access] = replay(path).values()
    assert isinstance(access, PersonalDataAccess)
    assert (access.case_number, access.actor, access.basis, access.view) == (
        "2023-KKM8QU",
        "staff:lx.sun",
        "co_unit",
        "case",
    )
    made = cases(app)
    page(signed_in(app, "lx.sun"), made["assigned"])
    services: Services = app.extensions["minsheng"]
    topic = get_topic(PersonalDataAccess.Recorded)
    today = services.ledger.recorder.select_notifications(1, 100_000, topics=[topic])[-1]
    stored = json.loads(path.read_text(encoding="utf-8"))["events"][0]
    assert today.topic == stored["topic"]
    assert set(json.loads(today.state)) == set(stored["state"])


ROOT = Path(__file__).resolve().parents[2]


def openings(folder: str) -> dict[str, list[str]]:
    """Where a module of `folder` opens sealed data: calls of `<x>.vault.open`, `._details`."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            target = node.func
            owner = target.value
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if (target.attr == "open" and owner_name == "vault") or target.attr == "_details":
                found.setdefault(path.relative_to(ROOT).as_posix(), []).append(target.attr)
    return found


def test_staff_pages_reach_sealed_data_only_through_the_command_that_records_it() -> None:
    """The web layer opens no sealed data itself (but a citizen's own ratings, by their proof)."""
    assert set(openings("site")) == {"site/ratings/pages.py"}
    callers = {path for path, calls in openings("application").items() if "_details" in calls}
    assert callers == {"application/case_commands.py", "application/access_commands.py"}
