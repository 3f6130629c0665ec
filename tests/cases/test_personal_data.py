"""Canary personal data: in no public page, feed, export, log or stored row; gone after erasure.

Two citizens with made-up, unique names, phone numbers and words go through
the whole loop (one through the web form without consent, one through the
hotline API with consent). Then every public page is fetched, every log
record captured, and every row of every table of the main database read
(event store included), looking for the canaries.
"""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, insert, select

from application.store import store_settings
from application.vault import keys as person_keys
from domain.cases import CaseError
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.web.staff_helpers import add_staff, csrf, post_form, sign_in

SECRET_NAME, SECRET_PHONE = "金丝雀甲乙丙", "13712345678"
SECRET_WORDS = "不公开的内容KANARIE7F3A"
SECRET_REASON = "不满意理由KANARIE9B2C"
OPEN_NAME, OPEN_PHONE = "金丝雀丁戊己", "13787654321"
SECRET_ADDRESS = "金丝雀路88号KANARIEADDR"  # sealed with the name: for the units only
SECRET_NOTE = "补充的话KANARIENOTE"  # the citizen's note: sealed too
OPEN_WORDS = "可以公开的内容：路口积水严重"
# The unit's reply to the unconsented case quotes the citizen: sealed like their words.
QUOTING_REPLY = f"已电话联系{SECRET_NAME}（137-1234-5678）说明情况KANARIE4D1E"
# The reply to the consented case is public until its citizen is erased.
OPEN_REPLY = "答复KANARIE5E2F：积水点已疏通"
NEVER_PUBLIC = (
    SECRET_NAME,
    SECRET_PHONE,
    "137 1234 5678",
    SECRET_WORDS,
    SECRET_REASON,
    QUOTING_REPLY,
    "KANARIE4D1E",
    OPEN_NAME,
    OPEN_PHONE,
    "KANARIEADDR",
    "KANARIENOTE",
)
TOKEN = "test-intake-token"


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    created = app_factory(clock=Clock("2023-09-04T09:00"), plan=True, INTAKE_API_TOKEN=TOKEN)
    add_staff(created, "gov.chen", ("admin", "市政府办公室"))
    add_staff(created, "cg.zhao", ("reporter", "市城管局"))
    return created


def submit_secret_case(client: FlaskClient) -> tuple[str, str]:
    status, location, _ = post_form(
        client,
        "/cases/new",
        {
            "title": "路灯问题",
            "category": "城市管理",
            "district": "梁溪区",
            "content": SECRET_WORDS,
            "name": SECRET_NAME,
            "phone": "137 1234 5678",
            "address": SECRET_ADDRESS,
        },
    )
    assert (status, location) == (303, "/cases/mine")
    html = client.get("/cases/mine").get_data(as_text=True)
    number, code = re.findall(r'class="code">([^<]+)<', html)
    assert SECRET_NAME in html  # the citizen sees their own details
    return number, code


def handle(app: Flask, staff: FlaskClient, number: str) -> str:
    services: Services = app.extensions["minsheng"]
    case_id = str(services.ledger.case_by_number(number).id)
    for action, data in (
        ("accept", {}),
        (
            "assign",
            {"assign-route": "hotline", "assign-lead_unit": "市城管局", "assign-working_days": "5"},
        ),
    ):
        response = staff.post(
            f"/staff/cases/{case_id}/{action}",
            data={f"{action}-csrf_token": csrf(staff, "/staff/"), **data},
        )
        assert response.status_code == 303, response.get_data(as_text=True)[-800:]
    return case_id


def every_public_page(client: FlaskClient, numbers: list[str]) -> str:
    urls = [
        "/",
        "/cases/",
        "/cases/stats",
        "/cases/?overdue=1",
        "/api/v1/plans/2023",
        "/healthz",
        "/plans/2023/items/9",
        "/plans/2023/progress",
        "/plans/2023/scorecards",
        "/plans/2023/supervision",
        # what journalists and machines read: feeds, exports, the log, Open311
        "/feeds/all.atom",
        "/feeds/cases.atom",
        "/feeds/cases.rss",
        "/feeds/cases/districts/梁溪区.atom",
        "/feeds/log.atom",
        "/api/v1/cases",
        "/api/v1/log",
        "/api/v1/log.jsonl",
        "/open-data/cases.csv",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
    ]
    urls += [f"/cases/{n}" for n in numbers]
    urls += [f"/api/v1/cases/{n}" for n in numbers]
    urls += [f"/open311/v2/requests/{n}.json" for n in numbers]
    urls += [f"/open311/v2/requests/{n}/history.json" for n in numbers]
    urls += [f"/open311/v2/requests/{n}.xml" for n in numbers]
    urls += [f"/open311/v2/requests/{n}/history.xml" for n in numbers]
    log = client.get("/api/v1/log.jsonl").get_data(as_text=True)
    urls += [f"/events/{json.loads(line)['entry']['uuid']}" for line in log.splitlines()]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.get_data(as_text=True))
    return "\n".join(pages)


def every_stored_row(app: Flask, database_url: str) -> str:
    """Every value of every table of the main database, event store included, as text."""
    engine = create_engine(store_settings(database_url).sqlalchemy_url)
    meta = MetaData()
    meta.reflect(engine)
    out = []
    with engine.connect() as c:
        for table in meta.sorted_tables:
            for row in c.execute(select(table)):
                for value in row:
                    out.append(
                        value.decode("utf-8", "ignore")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
    engine.dispose()
    return "\n".join(out)


def submit_open_case(public: FlaskClient, content: str = OPEN_WORDS) -> str:
    api = public.post(
        "/api/v1/cases",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={
            "external_id": "12345-0099",
            "received_on": "2023-09-04",
            "category": "城市管理",
            "district": "滨湖区",
            "title": "路口积水",
            "content": content,
            "name": OPEN_NAME,
            "phone": OPEN_PHONE,
            "consent": True,
        },
    )
    assert api.status_code == 201
    return str(api.get_json()["number"])


def reply(unit: FlaskClient, case_id: str, text: str) -> int:
    return unit.post(
        f"/staff/cases/{case_id}/reply",
        data={"reply-csrf_token": csrf(unit, "/staff/"), "reply-text": text},
    ).status_code


def whole_loop(app: Flask) -> tuple[FlaskClient, FlaskClient, FlaskClient, str, str]:
    """Both citizens' cases handled and replied to; the unconsented one evaluated."""
    citizen, staff, public = app.test_client(), app.test_client(), app.test_client()
    number, _code = submit_secret_case(citizen)
    assert post_form(citizen, "/cases/mine", {"note-note": SECRET_NOTE})[0] in (200, 409)
    note = {"note-csrf_token": csrf(citizen, "/cases/mine"), "note-note": SECRET_NOTE}
    assert citizen.post("/cases/mine/note", data=note).status_code == 303
    open_number = submit_open_case(public)
    sign_in(staff, "gov.chen")
    case_id = handle(app, staff, number)
    open_id = handle(app, staff, open_number)
    staff_page = staff.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert SECRET_NAME in staff_page and SECRET_PHONE in staff_page  # the task force may see it
    assert SECRET_ADDRESS in staff_page and SECRET_NOTE in staff_page

    unit = app.test_client()
    sign_in(unit, "cg.zhao")
    assert reply(unit, case_id, QUOTING_REPLY) == 303
    assert reply(unit, open_id, OPEN_REPLY) == 303
    assert QUOTING_REPLY in unit.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert QUOTING_REPLY in citizen.get("/cases/mine").get_data(as_text=True)  # theirs to read
    assert (
        post_form(citizen, "/cases/mine", {"level": "unsatisfied", "reason": SECRET_REASON})[0]
        == 303
    )
    return citizen, staff, public, number, open_number


def erase(app: Flask, phone: str) -> None:
    result = app.test_cli_runner().invoke(
        args=["cases", "erase", "--phone", phone, "--reason", "本人申请删除"]
    )
    assert result.exit_code == 0 and "erased: 1 case(s)" in result.output, result.output


def test_canaries_reach_no_public_page_log_or_stored_row_and_erasure_makes_them_unrecoverable(
    app: Flask, database_url: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    _citizen, staff, public, number, open_number = whole_loop(app)

    notifier = app.extensions["minsheng"].notifier
    notifier.round()  # the messages about both cases are recorded (and scanned below)
    assert len(notifier.records()) >= 8
    published = every_public_page(public, [number, open_number])
    assert OPEN_WORDS in published  # consented words are public...
    assert OPEN_REPLY in published  # ...and so are the replies to them
    for secret in NEVER_PUBLIC:  # ...names, phones and unconsented words never
        assert secret not in published, secret
    stored = every_stored_row(app, database_url)
    assert OPEN_WORDS in stored  # the public read model holds the consented words
    for secret in NEVER_PUBLIC:
        assert secret not in stored, secret
    keys = (tmp_path / "keys.sqlite3").read_bytes() if (tmp_path / "keys.sqlite3").exists() else b""
    assert SECRET_PHONE.encode() not in keys and OPEN_PHONE.encode() not in keys
    for secret in NEVER_PUBLIC:
        assert secret not in caplog.text, secret

    # Erasure: the open case's person asks to be forgotten.
    erase(app, OPEN_PHONE)
    services: Services = app.extensions["minsheng"]
    erased = services.ledger.case_by_number(open_number)
    assert services.ledger.vault.open(erased.key_id, erased.sealed, str(erased.id)) is None
    page = public.get(f"/cases/{open_number}")
    assert page.status_code == 200 and "内容已按当事人要求删除" in page.get_data(as_text=True)
    assert "交办" in page.get_data(as_text=True)  # the public timeline still renders
    for gone in (OPEN_WORDS, OPEN_REPLY):
        assert gone not in every_public_page(public, [number, open_number]), gone
        assert gone not in every_stored_row(app, database_url), gone  # no row, no event field
    unit_page = staff.get(f"/staff/cases/{erased.id}").get_data(as_text=True)
    assert OPEN_NAME not in unit_page and OPEN_REPLY not in unit_page
    services.projector.rebuild()  # replaying the whole log after erasure works and stays clean
    assert OPEN_WORDS not in every_stored_row(app, database_url)
    assert OPEN_REPLY not in every_stored_row(app, database_url)
    assert public.get(f"/cases/{open_number}").status_code == 200
    for secret in NEVER_PUBLIC:
        assert secret not in caplog.text, secret


ON_DISK = (
    "KANARIEADDR",
    "KANARIENOTE",
    SECRET_NAME,
    SECRET_PHONE,
    SECRET_WORDS,
    SECRET_REASON,
    QUOTING_REPLY,
    "KANARIE4D1E",
    OPEN_NAME,
    OPEN_PHONE,
    OPEN_WORDS,
    OPEN_REPLY,
    "KANARIE5E2F",
)


def instance_files(folder: Path) -> dict[str, bytes]:
    """The raw bytes of every file an adversary could copy: databases, WALs, shared memory, keys."""
    return {str(f.relative_to(folder)): f.read_bytes() for f in folder.rglob("*") if f.is_file()}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_after_erasure_no_file_of_the_instance_holds_a_canary_or_a_destroyed_key(
    app: Flask, tmp_path: Path
) -> None:
    whole_loop(app)
    services: Services = app.extensions["minsheng"]
    before = b"".join(instance_files(tmp_path).values())
    assert OPEN_WORDS.encode() in before and OPEN_REPLY.encode() in before  # the scan sees text
    with services.ledger.vault.engine.connect() as c:
        secrets = list(c.execute(select(person_keys.c.secret)).scalars())
    assert len(secrets) == 2 and all(s in before for s in secrets)

    erase(app, OPEN_PHONE)
    erase(app, SECRET_PHONE)

    files = instance_files(tmp_path)
    assert any(name.endswith("-wal") for name in files)  # still in WAL mode, WALs emptied
    for name, data in files.items():
        for canary in ON_DISK:
            assert canary.encode() not in data, (name, canary)
        for secret in secrets:
            assert secret not in data, (name, "a destroyed key")


def test_every_sqlite_connection_overwrites_what_it_deletes(tmp_path: Path) -> None:
    """Debian's SQLite is built with secure_delete on by default, so here this holds either
    way; with a build that defaults to off (python.org, macOS) it fails without our pragmas."""
    services = Services.open(
        f"sqlite:///{tmp_path / 'events.sqlite3'}", f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    )
    try:
        with services.ledger.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1  # the event store
        for engine in (services.engine, services.ledger.vault.engine):  # read models, keys
            with engine.connect() as c:
                assert c.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        services.close()


PERSONAL = "不能包含当事人的姓名或联系电话"
MOBILE = "不能包含手机号码"


def refused(client: FlaskClient, case_id: str, action: str, data: dict[str, str]) -> str:
    """Post a staff step that must be refused; the page that answers."""
    response = client.post(
        f"/staff/cases/{case_id}/{action}",
        data={f"{action}-csrf_token": csrf(client, "/staff/"), **data},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409, html[-600:]
    for typed in data.values():
        assert typed in html  # the form keeps what the staff member typed
    return html


def test_public_staff_text_naming_the_citizen_or_holding_a_mobile_number_is_refused(
    app: Flask,
) -> None:
    citizen, staff, public, unit = (app.test_client() for _ in range(4))
    number, _code = submit_secret_case(citizen)
    open_number = submit_open_case(public)
    sign_in(staff, "gov.chen")
    sign_in(unit, "cg.zhao")
    ledger = app.extensions["minsheng"].ledger
    secret_id = str(ledger.case_by_number(number).id)

    spaced_name = {"decline-reason": "金丝雀 甲乙丙反映的不属于受理范围"}
    assert PERSONAL in refused(staff, secret_id, "decline", spaced_name)
    open_id = handle(app, staff, open_number)
    for action, data, message in (
        ("note", {"note-text": "请尽快回电 137-8765 4321"}, PERSONAL),  # their phone, reformatted
        ("note", {"note-text": "请联系１３９００００１１１１处理"}, MOBILE),  # anyone's, full width
        ("note", {"note-text": "请联系+8613900001111处理"}, MOBILE),
        ("link", {"link-project": "17.2", "link-note": f"{OPEN_NAME}反映的同类问题"}, PERSONAL),
        (
            "redact",
            {"redact-title": "积水", "redact-text": "联系人 139 0000 1111", "redact-reason": "r"},
            MOBILE,
        ),
        ("redact", {"redact-title": OPEN_NAME, "redact-reason": "去除细节"}, PERSONAL),
    ):
        assert message in refused(staff, open_id, action, data), (action, data)
    # a reply to a consented case is published with it: the same rule holds for the unit
    assert PERSONAL in refused(unit, open_id, "reply", {"reply-text": f"已联系{OPEN_NAME}"})
    english = app.test_client()
    sign_in(english, "gov.chen")
    english.get("/lang/en")
    assert "must not contain a mobile" in refused(
        english, open_id, "note", {"note-text": "打13900001111"}
    )

    clean = {"note-csrf_token": csrf(staff, "/staff/"), "note-text": "请于12345工单期限内办结"}
    assert staff.post(f"/staff/cases/{open_id}/note", data=clean).status_code == 303
    published = every_public_page(public, [number, open_number])
    assert "请于12345工单期限内办结" in published
    for secret in (OPEN_NAME, OPEN_PHONE, "137-8765 4321", "13900001111", "１３９０", SECRET_NAME):
        assert secret not in published, secret


def test_an_erasure_whose_published_reason_names_the_person_is_refused(app: Flask) -> None:
    number, code = submit_secret_case(app.test_client())
    runner = app.test_cli_runner()
    for reason in (f"{SECRET_NAME}本人申请删除", "137 1234 5678 申请删除", "13900001111代为申请"):
        result = runner.invoke(args=["cases", "erase", "--phone", SECRET_PHONE, "--reason", reason])
        assert result.exit_code == 1 and "refused" in result.output, result.output
    ledger = app.extensions["minsheng"].ledger
    assert ledger.details_for_citizen(number, code).personal["name"] == SECRET_NAME  # not erased
    log = app.test_client().get("/api/v1/log.jsonl").get_data(as_text=True)
    assert "case.erased" not in log
    erase(app, SECRET_PHONE)  # with a reason that says nothing of them
    assert "case.erased" in app.test_client().get("/api/v1/log.jsonl").get_data(as_text=True)


def test_an_award_note_naming_the_cases_citizen_is_refused(app: Flask) -> None:
    from domain.awards import AwardError

    open_number = submit_open_case(app.test_client())
    ledger = app.extensions["minsheng"].ledger
    with pytest.raises(AwardError) as refused:
        ledger.nominate(2023, "shizhang", "优秀案例", 3, open_number, f"{OPEN_NAME}点赞", "gov")
    assert refused.value.code == "personal"
    ledger.nominate(2023, "shizhang", "优秀案例", 3, open_number, "群众点赞", "gov")
    with pytest.raises(AwardError) as refused:
        ledger.withdraw(2023, "shizhang", "优秀案例", 3, open_number, "137 8765 4321来电", "gov")
    assert refused.value.code == "personal"


def test_consented_words_that_give_the_name_or_a_phone_are_withheld_until_redacted(
    app: Flask, database_url: str
) -> None:
    public, staff = app.test_client(), app.test_client()
    words = f"路口积水严重KANARIE7A8B，我是{OPEN_NAME}，请回电137 8765 4321"
    number = submit_open_case(public, content=words)
    page = public.get(f"/cases/{number}").get_data(as_text=True)
    assert "经工作人员处理后公开" in page and "KANARIE7A8B" not in page
    for secret in (OPEN_NAME, "137 8765 4321", "KANARIE7A8B"):
        assert secret not in every_public_page(public, [number]), secret
        assert secret not in every_stored_row(app, database_url), secret
    sign_in(staff, "gov.chen")
    case_id = str(app.extensions["minsheng"].ledger.case_by_number(number).id)
    assert "暂未公开" in staff.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    redaction = {
        "redact-csrf_token": csrf(staff, "/staff/"),
        "redact-title": "路口积水",
        "redact-text": "路口积水严重，请尽快处理。",
        "redact-reason": "去除姓名和电话",
    }
    assert staff.post(f"/staff/cases/{case_id}/redact", data=redaction).status_code == 303
    page = public.get(f"/cases/{number}").get_data(as_text=True)
    assert "路口积水严重，请尽快处理。" in page and "经工作人员处理后公开" not in page


def test_scrub_destroys_again_an_erased_key_that_a_restored_backup_brought_back(
    app: Flask,
) -> None:
    number, code = submit_secret_case(app.test_client())
    vault = app.extensions["minsheng"].ledger.vault
    with vault.engine.connect() as c:
        backup = [dict(r._mapping) for r in c.execute(select(person_keys))]
    erase(app, SECRET_PHONE)
    with vault.engine.begin() as c:  # the key store restored from last night's backup
        c.execute(insert(person_keys), backup)
    ledger = app.extensions["minsheng"].ledger
    assert ledger.details_for_citizen(number, code).personal["name"] == SECRET_NAME  # readable!
    result = app.test_cli_runner().invoke(args=["cases", "scrub"])
    assert result.exit_code == 0 and "1 erased key(s)" in result.output, result.output
    with pytest.raises(CaseError):
        ledger.details_for_citizen(number, code)
    assert not vault.has_key(backup[0]["key_id"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_exif_location_and_device_of_an_uploaded_photo_are_in_no_stored_file(
    app: Flask, tmp_path: Path
) -> None:
    """A phone's JPEG with its GPS position, device, comment, XMP and ICC profile, sent
    through the case form: the photo store keeps it (original and thumbnail) and no file of
    the instance — databases, WALs, keys, photos — holds any of that metadata."""
    from PIL import Image

    from tests.photos import EXIF_MARKERS, GPS, phone_jpeg

    citizen = app.test_client()
    token = csrf(citizen, "/cases/new")
    photo = phone_jpeg()
    form = {
        "csrf_token": token,
        "title": "路灯问题",
        "category": "城市管理",
        "district": "梁溪区",
        "content": "路口路灯不亮，附上照片。",
        "name": SECRET_NAME,
        "phone": SECRET_PHONE,
        "photos": (io.BytesIO(photo), "IMG_4032.JPG"),
    }
    answer = citizen.post("/cases/new", data=form, content_type="multipart/form-data")
    assert answer.status_code == 303
    planted = Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)[2]  # the latitude
    assert tuple(float(r) for r in planted) == GPS[2]
    gps_bytes = b"".join(  # as the EXIF block holds it: three rationals, big-endian ("MM")
        int(r.numerator).to_bytes(4, "big") + int(r.denominator).to_bytes(4, "big") for r in planted
    )
    assert gps_bytes in photo  # what is planted is there, byte for byte
    files = instance_files(tmp_path)
    photos = [name for name in files if name.startswith("photos/") and name.endswith(".jpg")]
    assert len(photos) == 2  # the original and its thumbnail
    for name, data in files.items():
        for marker in (*EXIF_MARKERS, gps_bytes):
            assert marker not in data, (name, marker)
