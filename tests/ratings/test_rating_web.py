"""Rating through the web: verify with a code from the dev outbox, rate, re-rate, abuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app
from tests.web.staff_helpers import csrf

PAGE = "/plans/2023/projects/9.1"
PHONE = "13812345678"


def verify(client: FlaskClient, contact: str = PHONE, next_page: str = PAGE) -> str:
    response = client.post(
        "/ratings/verify",
        data={"csrf_token": csrf(client, "/ratings/verify"), "contact": contact, "next": next_page},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-600:]
    outbox = client.get("/dev/outbox").get_data(as_text=True)
    code = re.search(r"验证码是 (\d{6})", outbox)
    assert code, outbox[-400:]
    response = client.post(
        "/ratings/verify/code",
        data={
            "csrf_token": csrf(client, response.headers["Location"]),
            "code": code[1],
            "next": next_page,
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == next_page + "#rate"
    return code[1]


def rate(client: FlaskClient, level: str, **extra: str) -> tuple[int, str]:
    response = client.post(
        PAGE + "/rate", data={"csrf_token": csrf(client, PAGE), "level": level, **extra}
    )
    return response.status_code, response.get_data(as_text=True)


def summary(client: FlaskClient) -> str:
    html = client.get(PAGE).get_data(as_text=True)
    found = re.search(r'<p class="rating-summary">(.*?)</p>', html, re.S)
    return re.sub(r"\s+", " ", found[1]) if found else ""


def test_verify_rate_and_rate_again_in_the_same_quarter(app: Flask) -> None:
    citizen = app.test_client()
    assert "验证手机号或邮箱后评价" in citizen.get(PAGE).get_data(as_text=True)
    assert 'href="/privacy#ratings"' in citizen.get("/ratings/verify").get_data(as_text=True)
    verify(citizen)
    status, _ = rate(citizen, "satisfied", comment="电梯装好了，很方便。", district="梁溪区")
    assert status == 303
    assert "满意率 100.0%" in summary(citizen) and "共1条评价" in summary(citizen)
    status, _ = rate(citizen, "unsatisfied")  # the same person, the same quarter
    assert status == 303
    assert "满意率 0.0%" in summary(citizen) and "共1条评价" in summary(citizen)
    page = citizen.get(PAGE).get_data(as_text=True)
    assert "您本季度（2023Q3）已评价：不满意" in page
    assert PHONE not in page


def test_a_new_quarter_is_a_new_rating(app: Flask) -> None:
    citizen = app.test_client()
    verify(citizen)
    rate(citizen, "satisfied")
    app.extensions["minsheng"].ledger.clock.set("2023-10-09T10:00")
    rate(citizen, "basically")
    assert "共2条评价" in summary(citizen)
    api = citizen.get("/api/v1/plans/2023/satisfaction").get_json()
    assert set(api["ratings"]["quarters"]) == {"2023Q3", "2023Q4"}
    assert api["ratings"]["by"]["project"]["9.1"]["total"] == 2


def test_two_people_count_twice_and_the_item_counts_its_projects(app: Flask) -> None:
    one, two = app.test_client(), app.test_client()
    verify(one)
    verify(two, "li.ming@example.org")
    rate(one, "satisfied")
    rate(two, "unsatisfied")
    assert "共2条评价" in summary(one)
    by = one.get("/api/v1/plans/2023/satisfaction").get_json()["ratings"]["by"]
    assert by["item"]["9"]["total"] == 2 and by["key_project"]["1"]["total"] == 2
    assert by["unit"]["市住房城乡建设局"]["rate"] == 0.5


def test_rating_with_htmx_returns_the_panel_at_once(app: Flask) -> None:
    citizen = app.test_client()
    verify(citizen)
    response = citizen.post(
        PAGE + "/rate",
        data={"csrf_token": csrf(citizen, PAGE), "level": "basically"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="rate"')
    assert "谢谢！您的评价已记录并计入统计。" in html and "共1条评价" in html


def test_rating_without_verification_leads_to_verification(app: Flask) -> None:
    anonymous = app.test_client()
    response = anonymous.post(
        PAGE + "/rate",
        data={"csrf_token": csrf(anonymous, "/ratings/verify"), "level": "satisfied"},
    )
    assert response.status_code == 303 and response.headers["Location"].startswith(
        "/ratings/verify?next="
    )
    assert "共" not in summary(anonymous)


@pytest.mark.parametrize(
    "data, status",
    [({"level": "great"}, 400), ({"level": "satisfied", "comment": "长" * 501}, 400), ({}, 400)],
)
def test_bad_ratings_are_refused_and_nothing_is_counted(
    app: Flask, data: dict[str, str], status: int
) -> None:
    citizen = app.test_client()
    verify(citizen)
    response = citizen.post(PAGE + "/rate", data={"csrf_token": csrf(citizen, PAGE), **data})
    assert response.status_code == status
    assert "提交未成功" in response.get_data(as_text=True)
    assert summary(citizen) == ""


def test_unknown_subjects_are_a_404(app: Flask) -> None:
    citizen = app.test_client()
    verify(citizen)
    token = csrf(citizen, PAGE)
    for url in ("/plans/2023/projects/9.9/rate", "/plans/2023/items/61/rate"):
        assert (
            citizen.post(url, data={"csrf_token": token, "level": "satisfied"}).status_code == 404
        )


def test_a_wrong_code_is_refused_and_the_page_says_so(app: Flask) -> None:
    citizen = app.test_client()
    response = citizen.post(
        "/ratings/verify",
        data={"csrf_token": csrf(citizen, "/ratings/verify"), "contact": PHONE, "next": PAGE},
    )
    url = response.headers["Location"]
    sent = re.search(r"验证码是 (\d{6})", citizen.get("/dev/outbox").get_data(as_text=True))
    assert sent
    wrong = f"{(int(sent[1]) + 1) % 10**6:06d}"  # never the code that was sent
    response = citizen.post(url, data={"csrf_token": csrf(citizen, url), "code": wrong})
    assert response.status_code == 401
    assert "验证码不正确、已过期或已使用" in response.get_data(as_text=True)
    assert "验证手机号或邮箱后评价" in citizen.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("contact", ["12345", "0510-12345678", "not-an-address", "a@b"])
def test_unusable_contacts_get_a_clear_message(app: Flask, contact: str) -> None:
    citizen = app.test_client()
    response = citizen.post(
        "/ratings/verify",
        data={"csrf_token": csrf(citizen, "/ratings/verify"), "contact": contact},
    )
    assert response.status_code == 400
    assert "请填写中国大陆手机号码" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_verification_never_redirects_off_the_site(app: Flask, target: str) -> None:
    citizen = app.test_client()
    response = citizen.post(
        "/ratings/verify",
        data={"csrf_token": csrf(citizen, "/ratings/verify"), "contact": PHONE, "next": target},
    )
    assert response.headers["Location"].startswith("/ratings/verify/code?next=/")
    assert "evil" not in response.headers["Location"]


def test_codes_are_rate_limited_per_contact(app: Flask) -> None:
    statuses = []
    for _attempt in range(5):
        client = app.test_client()  # a fresh session each time: the limit follows the number
        statuses.append(
            client.post(
                "/ratings/verify",
                data={"csrf_token": csrf(client, "/ratings/verify"), "contact": PHONE},
            ).status_code
        )
    assert statuses[:3] == [303, 303, 303] and statuses[3:] == [429, 429]


def test_guessing_codes_is_throttled_per_address(app: Flask) -> None:
    citizen = app.test_client()
    response = citizen.post(
        "/ratings/verify",
        data={"csrf_token": csrf(citizen, "/ratings/verify"), "contact": PHONE},
    )
    url = response.headers["Location"]
    token = csrf(citizen, url)
    statuses = [
        citizen.post(url, data={"csrf_token": token, "code": f"{n:06d}"}).status_code
        for n in range(900_001, 900_013)
    ]
    assert statuses.count(429) >= 2 and set(statuses) <= {401, 429}


def test_the_verified_contact_is_not_readable_in_the_session_cookie(app: Flask) -> None:
    citizen = app.test_client()
    verify(citizen, "li.ming@example.org")
    cookie = citizen.get_cookie("session")
    assert cookie is not None
    import base64
    import zlib

    raw = cookie.value.lstrip(".").split(".")[0]
    payload = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    text = zlib.decompress(payload) if cookie.value.startswith(".") else payload
    assert b"li.ming" not in text and b"example.org" not in text


def test_a_verified_visitors_pages_are_not_served_from_a_shared_tag(app: Flask) -> None:
    anonymous, citizen = app.test_client(), app.test_client()
    assert anonymous.get(PAGE).headers.get("ETag")
    verify(citizen)
    assert citizen.get(PAGE).headers.get("ETag") is None


def test_the_outbox_exists_only_in_development(database_url: str, tmp_path: Path) -> None:
    production = make_app(database_url, tmp_path)
    try:
        assert production.test_client().get("/dev/outbox").status_code == 404
        assert production.test_client().get("/ratings/verify").status_code == 503
    finally:
        production.extensions["minsheng"].close()


def test_the_panel_shows_each_quarter_and_an_item_counts_its_projects_beside(app: Flask) -> None:
    citizen = app.test_client()
    verify(citizen)
    rate(citizen, "satisfied")
    page = citizen.get(PAGE).get_data(as_text=True)
    assert "各季度" not in page  # one quarter: nothing to compare yet
    app.extensions["minsheng"].ledger.clock.set("2023-10-09T10:00")
    rate(citizen, "unsatisfied")
    page = citizen.get(PAGE).get_data(as_text=True)
    assert "各季度：2023Q3 100.0%（1条） · 2023Q4 0.0%（1条）" in page

    item = "/plans/2023/items/9"
    html = citizen.get(item).get_data(as_text=True)
    assert "还没有评价" in html  # nobody rated the item as a whole...
    assert (
        "本条目连同其具体项目的评价：满意率 50.0%" in html and "共2条。" in html
    )  # ...but its projects
    response = citizen.post(
        item + "/rate", data={"csrf_token": csrf(citizen, item), "level": "satisfied"}
    )
    assert response.status_code == 303
    html = citizen.get(item).get_data(as_text=True)
    assert "共1条评价" in html and "满意率 66.7%" in html and "共3条。" in html


def test_csv_and_api_give_each_group_quarter_by_quarter(app: Flask) -> None:
    import csv
    import io

    one, two = app.test_client(), app.test_client()
    verify(one)
    verify(two, "li.ming@example.org")
    rate(one, "satisfied")
    app.extensions["minsheng"].ledger.clock.set("2023-10-09T10:00")
    rate(one, "unsatisfied")
    rate(two, "basically")

    text = one.get("/open-data/plans/2023/satisfaction.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    project = {
        r["quarter"]: (r["satisfied"], r["basically"], r["unsatisfied"], r["total"])
        for r in rows
        if (r["source"], r["dimension"], r["key"]) == ("ratings", "project", "9.1")
    }
    assert project == {
        "": ("1", "1", "1", "3"),
        "2023Q3": ("1", "0", "0", "1"),
        "2023Q4": ("0", "1", "1", "2"),
    }
    by_quarter = one.get("/api/v1/plans/2023/satisfaction").get_json()["ratings"]["by_quarter"]
    assert {q: t["total"] for q, t in by_quarter["project"]["9.1"].items()} == {
        "2023Q3": 1,
        "2023Q4": 2,
    }
    assert by_quarter["unit"]["市住房城乡建设局"]["2023Q4"]["rate"] == 0.5


def test_my_ratings_lists_mine_only_with_what_became_of_each_comment(app: Flask) -> None:
    me, other = app.test_client(), app.test_client()
    response = me.get("/ratings/mine")
    assert response.status_code == 303 and "/ratings/verify" in response.headers["Location"]
    verify(me)
    rate(me, "satisfied", comment="电梯很好用。")
    item = "/plans/2023/items/9"
    me.post(item + "/rate", data={"csrf_token": csrf(me, item), "level": "unsatisfied"})
    verify(other, "li.ming@example.org")
    rate(other, "basically", comment="别人的意见。")

    response = me.get("/ratings/mine")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    assert "具体项目9.1" in html and "第9项" in html
    assert "电梯很好用。" in html and "待审核" in html  # their own words, only to them
    assert "别人的意见" not in html and "基本满意" not in html
    assert 'href="/ratings/mine"' in me.get(PAGE).get_data(as_text=True)
    assert "电梯很好用。" not in app.test_client().get(PAGE).get_data(as_text=True)


def test_the_code_field_takes_the_code_from_the_sms(app: Flask) -> None:
    """autocomplete=one-time-code: a phone offers the code from the message it just got."""
    client = app.test_client()
    response = client.post(
        "/ratings/verify",
        data={"csrf_token": csrf(client, "/ratings/verify"), "contact": "13900002222", "next": "/"},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r"<input[^>]*id=\"code\"[^>]*>", page)
    assert code is not None
    assert 'autocomplete="one-time-code"' in code[0] and 'inputmode="numeric"' in code[0]
