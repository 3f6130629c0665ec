"""Photos, the address, notes and withdrawals through the real forms, for every kind of
visitor: the citizen, the task force, the units, a supervisor and the public."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from application.photos import MAX_BYTES
from minsheng_site.services import Services
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.photos import EXIF_MARKERS, noisy_jpeg, phone_jpeg, plain, png_claiming, truncated_jpeg
from tests.web.staff_helpers import add_staff, csrf, sign_in

ADDRESS = "清扬路某小区3号楼东侧ADDRWEB9"
FORM = {
    "title": "路灯不亮",
    "category": "城市管理",
    "district": "梁溪区",
    "content": "小区门口两盏路灯不亮已两周，晚上很暗。",
    "name": "照片网页测试人",
    "phone": "13922223333",
    "address": ADDRESS,
    "consent": "y",
    "photo_consent": "y",
}
UNIT = "市城管局"


@pytest.fixture
def app(app_factory: AppFactory) -> Flask:
    created = app_factory(clock=Clock("2023-09-04T09:00"))
    add_staff(created, "gov.chen", ("admin", "市政府办公室"))
    add_staff(created, "cg.zhao", ("reporter", UNIT))
    add_staff(created, "ga.wang", ("reporter", "市公安局"))
    add_staff(created, "rd.zhang", ("supervisor", "人大督查组"))
    add_staff(created, "no.role")
    return created


def upload(*files: tuple[bytes, str]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name) for data, name in files]


def send(client: FlaskClient, url: str, data: dict[str, Any]) -> TestResponse:
    """A multipart form post, its body built in memory (the test client would spool a large
    one to a temporary file that nobody closes)."""
    fields = MultiDict()
    for key, value in data.items():
        for each in value if isinstance(value, list) else [value]:
            if isinstance(each, tuple):
                fields.add(key, FileStorage(each[0], filename=each[1]))
            else:
                fields.add(key, each)
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def file_case(client: FlaskClient, *files: tuple[bytes, str], **changes: str) -> TestResponse:
    data: dict[str, Any] = {"csrf_token": csrf(client, "/cases/new"), **FORM, **changes}
    data["photos"] = upload(*files)
    return send(client, "/cases/new", data)


def mine(client: FlaskClient) -> tuple[str, str, str]:
    """Right after filing: the case's number and code (shown this once), and the page."""
    html = own_page(client)
    number, code = re.findall(r'class="code">([^<]+)<', html)
    return number, code, html


def own_page(client: FlaskClient) -> str:
    return client.get("/cases/mine").get_data(as_text=True)


def photo_links(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+\.thumb\.jpg)"', html)


def stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["PHOTO_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def staff(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, username) == 303
    return client


def case_id(app: Flask, number: str) -> str:
    services: Services = app.extensions["minsheng"]
    return str(services.ledger.case_by_number(number).id)


def test_a_citizen_files_photos_seen_by_them_and_public_only_once_approved(app: Flask) -> None:
    citizen, public = app.test_client(), app.test_client()
    form = citizen.get("/cases/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'accept="image/*"' in form
    assert (
        file_case(citizen, (phone_jpeg(), "IMG_1.JPG"), (plain("PNG"), "s.png")).status_code == 303
    )
    number, _code, html = mine(citizen)
    thumbs = photo_links(html)
    assert len(thumbs) == 2 and all(t.startswith("/cases/mine/photos/") for t in thumbs)
    assert ADDRESS in html and "待审核" in html
    shot = citizen.get(thumbs[0])
    assert shot.status_code == 200 and shot.mimetype == "image/jpeg"
    assert shot.headers["Cache-Control"] == "private, no-store"
    assert all(marker not in shot.data for marker in EXIF_MARKERS)
    sha = thumbs[0].rsplit("/", 1)[1].removesuffix(".thumb.jpg")
    for url in (f"/photos/{sha}.jpg", f"/photos/{sha}.thumb.jpg", thumbs[0]):
        assert public.get(url).status_code == 404  # not approved; not theirs to see
    page = public.get(f"/cases/{number}").get_data(as_text=True)
    assert photo_links(page) == [] and ADDRESS not in page

    gov = staff(app, "gov.chen")
    queue = gov.get("/staff/cases/photos/").get_data(as_text=True)
    assert "待审核2张" in queue and number in queue
    approve = f"/staff/cases/photos/{case_id(app, number)}/{sha}/approve"
    assert gov.post(approve, data={"csrf_token": csrf(gov, "/staff/")}).status_code == 303
    page = public.get(f"/cases/{number}").get_data(as_text=True)
    assert photo_links(page) == [f"/photos/{sha}.thumb.jpg"]
    assert f'href="/photos/{sha}.jpg"' in page  # the thumbnail links to the original
    original = public.get(f"/photos/{sha}.jpg")
    assert original.status_code == 200 and original.mimetype == "image/jpeg"
    assert original.headers["Cache-Control"].startswith("public, max-age=")
    assert (
        public.get(f"/photos/{sha}.jpg", headers={"If-None-Match": f'"{sha}.jpg"'}).status_code
        == 304
    )


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"just some text, not a photo", "photo.jpg", "不是可识别的照片"),
        (png_claiming(100_000, 100_000), "bomb.png", "像素过多"),
        (b"\xff\xd8\xff" + bytes(MAX_BYTES), "huge.jpg", "超过10MB"),
        (plain("PNG"), "photo.jpg", "文件名与内容不符"),
        (truncated_jpeg(), "cut.jpg", "已损坏或不完整"),
    ],
    ids=["not-an-image", "bomb", "over-10MB", "wrong-extension", "truncated"],
)
def test_a_bad_upload_is_refused_on_the_form_keeping_what_was_typed_and_storing_nothing(
    app: Flask, data: bytes, name: str, says: str
) -> None:
    client = app.test_client()
    before = app.extensions["minsheng"].ledger.recorder.max_notification_id()
    answer = file_case(client, (phone_jpeg(), "ok.jpg"), (data, name))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and says in html and name in html
    for typed in (FORM["title"], FORM["content"], FORM["name"], ADDRESS):
        assert typed in html
    assert stored_files(app) == []
    services: Services = app.extensions["minsheng"]
    assert services.ledger.recorder.max_notification_id() == before  # no case, no event


def test_a_100_mb_body_gets_a_clear_413_page(app: Flask) -> None:
    client = app.test_client()
    answer = file_case(client, (bytes(100 * 1024 * 1024), "big.jpg"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 413 and "每张照片不超过10MB" in html
    assert stored_files(app) == []


def test_three_photos_of_ten_mb_each_are_taken_in_one_form(app: Flask) -> None:
    big = noisy_jpeg(size=(2400, 1800), quality=100)
    assert len(big) > 4 * 1024 * 1024  # a real phone photo's size
    client = app.test_client()
    assert (
        file_case(
            client, (big, "a.jpg"), (phone_jpeg(), "b.jpg"), (plain("WEBP"), "c.webp")
        ).status_code
        == 303
    )
    assert len(photo_links(mine(client)[2])) == 3


def test_more_than_three_photos_are_refused_at_filing_and_after(app: Flask) -> None:
    client = app.test_client()
    four = [(phone_jpeg(colour=(n * 50, 0, 0)), f"{n}.jpg") for n in range(4)]
    answer = file_case(client, *four)
    assert answer.status_code == 400 and "最多还能上传3张照片" in answer.get_data(as_text=True)
    assert file_case(client, *four[:2]).status_code == 303
    page = own_page(client)
    assert "还能添加1张" in page
    token = csrf(client, "/cases/mine")
    more = {"photos-csrf_token": token, "photos-photos": upload(*four[2:])}
    answer = send(client, "/cases/mine/photos", more)
    assert answer.status_code == 400 and "最多还能上传1张照片" in answer.get_data(as_text=True)
    one = {"photos-csrf_token": token, "photos-photos": upload(four[2])}
    assert send(client, "/cases/mine/photos", one).status_code == 303
    page = own_page(client)
    assert len(photo_links(page)) == 3 and 'action="/cases/mine/photos"' not in page
    stale = {"photos-csrf_token": token, "photos-photos": upload(four[3])}  # an old page's form
    answer = send(client, "/cases/mine/photos", stale)
    assert answer.status_code == 400 and "已有3张照片，不能再添加" in answer.get_data(as_text=True)


def note(client: FlaskClient, text: str) -> TestResponse:
    data = {"note-csrf_token": csrf(client, "/cases/mine"), "note-note": text}
    return client.post("/cases/mine/note", data=data)


def withdraw(client: FlaskClient, reason: str) -> TestResponse:
    data = {"withdraw-csrf_token": csrf(client, "/cases/mine"), "withdraw-reason": reason}
    return client.post("/cases/mine/withdraw", data=data)


def test_notes_go_to_the_case_then_to_its_unit_and_an_empty_note_is_refused(app: Flask) -> None:
    citizen = app.test_client()
    assert file_case(citizen).status_code == 303
    number, _code, _html = mine(citizen)
    answer = note(citizen, "   ")
    assert answer.status_code == 400 and "请填写补充内容" in answer.get_data(as_text=True)
    assert note(citizen, "补充：晚上七点后最暗<script>alert(1)</script>").status_code == 303
    gov = staff(app, "gov.chen")
    cid = case_id(app, number)
    for action, data in (
        ("accept", {}),
        ("assign", {"route": "hotline", "lead_unit": UNIT, "working_days": "5"}),
    ):
        fields = {f"{action}-{k}": v for k, v in data.items()}
        answer = gov.post(
            f"/staff/cases/{cid}/{action}",
            data={f"{action}-csrf_token": csrf(gov, "/staff/"), **fields},
        )
        assert answer.status_code == 303
    page = own_page(citizen)
    assert "向办理单位补充情况" in page and 'action="/cases/mine/photos"' not in page
    assert 'action="/cases/mine/withdraw"' not in page
    assert note(citizen, "又坏了一盏").status_code == 303
    unit_page = staff(app, "cg.zhao").get(f"/staff/cases/{cid}").get_data(as_text=True)
    assert "又坏了一盏" in unit_page and "受理后，转办理单位" in unit_page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in unit_page and "<script>alert(1)" not in unit_page
    )
    assert ADDRESS in unit_page
    other_unit = staff(app, "ga.wang").get(f"/staff/cases/{cid}")
    assert other_unit.status_code == 403
    supervisor = staff(app, "rd.zhang").get(f"/staff/cases/{cid}").get_data(as_text=True)
    assert ADDRESS not in supervisor and "又坏了一盏" not in supervisor
    answer = withdraw(citizen, "已经修好了")
    assert answer.status_code == 409 and "不能撤回" in answer.get_data(as_text=True)


def test_a_withdrawn_case_shows_as_withdrawn_without_words_unless_consented(app: Flask) -> None:
    private, public = app.test_client(), app.test_client()
    assert file_case(private, consent="", phone="13922224444").status_code == 303
    private_number = mine(private)[0]
    assert withdraw(private, "不想公开的撤回原因WDR1").status_code == 303
    assert file_case(public).status_code == 303
    public_number = mine(public)[0]
    answer = withdraw(public, "")
    assert answer.status_code == 400 and "请说明撤回的原因" in answer.get_data(as_text=True)
    assert withdraw(public, "已自行解决WDR2").status_code == 303
    reader = app.test_client()
    private_page = reader.get(f"/cases/{private_number}").get_data(as_text=True)
    assert "已撤回" in private_page and "WDR1" not in private_page
    public_page = reader.get(f"/cases/{public_number}").get_data(as_text=True)
    assert "已撤回" in public_page and "已自行解决WDR2" in public_page
    assert "已撤回" in reader.get("/cases/?state=withdrawn").get_data(as_text=True)
    for url in ("/feeds/cases.atom", "/api/v1/log.jsonl", "/open-data/cases.csv", "/cases/stats"):
        assert "WDR1" not in reader.get(url).get_data(as_text=True), url
    assert "我的诉求" in own_page(private) and "不想公开的撤回原因WDR1" in own_page(private)


def test_the_address_reaches_no_public_page_feed_export_or_search(app: Flask) -> None:
    citizen = app.test_client()
    assert file_case(citizen).status_code == 303
    number = mine(citizen)[0]
    reader = app.test_client()
    for url in (
        f"/cases/{number}",
        "/cases/",
        "/feeds/cases.atom",
        "/feeds/cases.rss",
        "/api/v1/cases",
        f"/api/v1/cases/{number}",
        "/api/v1/log.jsonl",
        "/open-data/cases.csv",
        "/open311/v2/requests.json",
        "/search?q=清扬路",
        "/api/v1/search?q=清扬路",
    ):
        answer = reader.get(url)
        assert answer.status_code == 200, url
        assert "ADDRWEB9" not in answer.get_data(as_text=True), url


def test_the_lead_units_reply_photos_are_public_with_a_consented_case(app: Flask) -> None:
    citizen = app.test_client()
    assert file_case(citizen).status_code == 303
    number = mine(citizen)[0]
    cid = case_id(app, number)
    gov, unit = staff(app, "gov.chen"), staff(app, "cg.zhao")
    for action, data in (
        ("accept", {}),
        ("assign", {"route": "hotline", "lead_unit": UNIT, "working_days": "5"}),
    ):
        fields = {f"{action}-{k}": v for k, v in data.items()}
        assert (
            gov.post(
                f"/staff/cases/{cid}/{action}",
                data={f"{action}-csrf_token": csrf(gov, "/staff/"), **fields},
            ).status_code
            == 303
        )
    page = unit.get(f"/staff/cases/{cid}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="reply-photos"' in page
    bad = {
        "reply-csrf_token": csrf(unit, "/staff/"),
        "reply-text": "已修复路灯。",
        "reply-photos": upload((b"not a photo", "after.jpg")),
    }
    answer = send(unit, f"/staff/cases/{cid}/reply", bad)
    assert answer.status_code == 409 and "不是可识别的照片" in answer.get_data(as_text=True)
    good = {
        **bad,
        "reply-photos": upload((phone_jpeg(colour=(0, 90, 0)), "after.jpg")),
        "reply-photo_source": "after",
    }
    assert send(unit, f"/staff/cases/{cid}/reply", good).status_code == 303
    thumbs = photo_links(app.test_client().get(f"/cases/{number}").get_data(as_text=True))
    assert len(thumbs) == 1 and thumbs[0].startswith("/photos/")
    shot = app.test_client().get(thumbs[0])
    assert shot.status_code == 200 and all(m not in shot.data for m in EXIF_MARKERS)


def test_staff_photo_views_follow_who_may_see_the_case(app: Flask) -> None:
    citizen = app.test_client()
    assert file_case(citizen, (phone_jpeg(), "a.jpg")).status_code == 303
    number, _code, html = mine(citizen)
    sha = photo_links(html)[0].rsplit("/", 1)[1].removesuffix(".thumb.jpg")
    cid = case_id(app, number)
    url = f"/staff/cases/{cid}/photos/{sha}.jpg"
    answers = {
        who: staff(app, who).get(url).status_code
        for who in ("gov.chen", "cg.zhao", "rd.zhang", "no.role")
    }
    assert answers == {"gov.chen": 200, "cg.zhao": 403, "rd.zhang": 404, "no.role": 403}
    assert app.test_client().get(url).status_code == 302  # signed out: sign in first
    gov_page = staff(app, "gov.chen").get(f"/staff/cases/{cid}").get_data(as_text=True)
    assert f"/staff/cases/{cid}/photos/{sha}.thumb.jpg" in gov_page


def test_erasure_deletes_the_photo_files_through_the_cli(app: Flask) -> None:
    citizen = app.test_client()
    assert file_case(citizen, (phone_jpeg(), "a.jpg"), (plain("PNG"), "b.png")).status_code == 303
    assert len([p for p in stored_files(app) if p.suffix == ".jpg"]) == 4  # 2 photos, 2 thumbnails
    result = app.test_cli_runner().invoke(
        args=["cases", "erase", "--phone", FORM["phone"], "--reason", "本人申请删除"]
    )
    assert result.exit_code == 0, result.output
    assert [p for p in stored_files(app) if p.suffix == ".jpg"] == []


def test_a_case_sealed_before_addresses_existed_still_opens_for_citizen_and_staff(
    app: Flask,
) -> None:
    """Sealed data without an "address" (every case filed before it) reads as no address."""
    from uuid import uuid4

    from domain.cases import Case, CaseIndex

    services: Services = app.extensions["minsheng"]
    ledger, vault = services.ledger, services.ledger.vault
    case_id, phone, code = uuid4(), "13922225555", "12345678"
    key_id = vault.key_for(phone)
    sealed = vault.seal(  # what submit_case sealed before version 1 of the address
        key_id,
        {"name": "老案件", "phone": phone, "title": "旧诉求", "content": "以前提交的诉求内容。",
         "query_code": vault.digest(code)},
        str(case_id),
    )  # fmt: skip
    case = Case.submit(
        id=case_id, year=2023, number="2023-OLD234", channel="online", external_id=None,
        category="城市管理", district="梁溪区", consent=False, received_on=date(2023, 9, 4),
        key_id=key_id, sealed=sealed, actor="citizen", recorded_at=ledger.clock(),
    )  # fmt: skip
    ledger.save(case, CaseIndex.reserve("number", case.number, case_id, case.created_on))
    vault.remember(key_id, str(case_id))
    services.caught_up()
    citizen = app.test_client()
    proof = {"csrf_token": csrf(citizen, "/cases/lookup"), "number": case.number, "code": code}
    assert citizen.post("/cases/lookup", data=proof).status_code == 303
    page = own_page(citizen)
    assert "以前提交的诉求内容" in page and "地址或地标" not in page
    assert 'action="/cases/mine/withdraw"' in page  # and it can be added to or withdrawn
    staff_page = staff(app, "gov.chen").get(f"/staff/cases/{case_id}")
    assert staff_page.status_code == 200 and "老案件" in staff_page.get_data(as_text=True)


def test_a_units_report_photos_are_public_on_the_item_page_and_the_log_verifies(
    app_factory: AppFactory,
) -> None:
    app = app_factory(clock=Clock("2023-09-04T09:00"), plan=True)
    add_staff(app, "zjj.li", ("reporter", "市住房城乡建设局"))
    reporter = staff(app, "zjj.li")
    url = "/staff/plans/2023/items/9/report"
    form = reporter.get(url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'accept="image/*"' in form
    data: dict[str, Any] = {"csrf_token": csrf(reporter, url), "period": "2023-08"}
    data["amount-9.1-0"] = "20"
    data["photos"] = upload((b"GIF89a not taken", "site.gif"))
    refused = send(reporter, url, data)
    assert refused.status_code in (400, 409) and "不是可识别的照片" in refused.get_data(
        as_text=True
    )
    data["photos"] = upload((phone_jpeg(), "site.jpg"), (plain("PNG"), "plan.png"))
    assert send(reporter, url, data).status_code == 303
    reader = app.test_client()
    page = reader.get("/plans/2023/items/9").get_data(as_text=True)
    thumbs = re.findall(r'<img src="(/photos/[0-9a-f]{64}\.thumb\.jpg)"', page)
    assert len(thumbs) == 2
    original = reader.get(thumbs[0].replace(".thumb.jpg", ".jpg"))
    assert original.status_code == 200 and original.headers["Cache-Control"] == (
        "public, max-age=31536000"
    )
    assert all(marker not in original.data for marker in EXIF_MARKERS)
    assert reader.get("/feeds/all.atom").status_code == 200
    result = app.test_cli_runner().invoke(args=["log", "verify"])
    assert result.exit_code == 0, result.output


def test_the_feeds_and_the_log_carry_the_new_steps_and_still_verify(app: Flask) -> None:
    citizen = app.test_client()
    assert file_case(citizen, (phone_jpeg(), "a.jpg")).status_code == 303
    number = mine(citizen)[0]
    assert note(citizen, "补充一句").status_code == 303
    assert withdraw(citizen, "已解决").status_code == 303
    reader = app.test_client()
    for url in (
        "/feeds/cases.atom",
        "/feeds/cases.rss",
        f"/feeds/cases/districts/{FORM['district']}.atom",
        "/api/v1/log",
    ):
        answer = reader.get(url)
        assert answer.status_code == 200, url
    log = reader.get("/api/v1/log.jsonl").get_data(as_text=True)
    for kind in ("case.photos_added", "case.note_added", "case.withdrawn"):
        assert kind in log
    assert "已解决" not in log and "补充一句" not in log
    result = app.test_cli_runner().invoke(args=["log", "verify"])
    assert result.exit_code == 0, result.output
    open311 = reader.get(f"/open311/v2/requests/{number}.json").get_json()
    assert open311[0]["status"] == "closed"


def test_the_citizens_own_steps_are_limited_per_address(app_factory: AppFactory) -> None:
    app = app_factory(clock=Clock("2023-09-04T09:00"), CASE_LIMIT_PER_ADDRESS="3 per hour")
    citizen = app.test_client()
    assert file_case(citizen).status_code == 303
    mine(citizen)
    answers = [note(citizen, f"补充{n}").status_code for n in range(4)]
    assert answers == [303, 303, 303, 429]  # (the case form's POST counts for itself)


def test_only_a_form_with_photos_takes_the_larger_body_and_not_for_its_text(app: Flask) -> None:
    """The case form sent without files keeps the 1 MB limit; sent with files, its text
    fields still may not hold megabytes (Flask's MAX_FORM_MEMORY_SIZE)."""
    client = app.test_client()
    token = csrf(client, "/cases/new")
    long_text = "长" * (2 * 1024 * 1024)
    plain_form = client.post("/cases/new", data={**FORM, "csrf_token": token, "content": long_text})
    assert plain_form.status_code == 413
    assert "最多1 MB" in plain_form.get_data(as_text=True)
    answer = send(client, "/cases/new", {**FORM, "csrf_token": token, "content": long_text})
    assert answer.status_code == 413
    assert stored_files(app) == []
