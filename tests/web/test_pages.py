"""The public pages through Flask's test client, on both stores."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.plan_spec import PlanSpec


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if values.get("id"):
            self.ids.add(values["id"] or "")


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_home_shows_the_plan_at_a_glance(client: FlaskClient) -> None:
    html = page(client, "/")
    assert '<link rel="canonical" href="http://localhost/plans/2023/">' in html
    for fact in (
        "锡政发〔2023〕5号",
        "2023年3月14日",
        "无锡市人民政府",
        "2023年6月30日",
        "2023年11月30日",
    ):
        assert fact in html
    glance = html.split('id="glance"')[1].split("</section>")[0]
    counts = re.findall(r"<strong>(\d+)</strong>", glance)
    assert counts == ["10", "60", "118", "10", "42"]
    assert (
        "以上数量与文件原文所述一致（10大类60项118个具体项目，含42个重点民生实事具体项目）" in html
    )


def test_every_link_on_every_plan_page_leads_somewhere(client: FlaskClient) -> None:
    """Crawl from the home page: every internal link answers 200, every #anchor exists."""
    seen: dict[str, Links] = {}
    queue = ["/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        if response.mimetype != "text/html":
            response.close()  # a download (the open-data bundle) is a file: closed unread
            continue
        seen[url] = parse(response.get_data(as_text=True))
        for href in seen[url].hrefs:
            target = href.split("#")[0]
            if (
                target.startswith("/")
                and not target.startswith(("/lang/", "/reading/"))
                and not target.startswith("/static/")
            ):
                queue.append(target)
    assert len(seen) > 60 + 118 + 10 + 10
    for url, links in seen.items():
        for href in links.hrefs:
            if "#" in href and href.split("#")[0] in seen:
                path, anchor = href.split("#", 1)
                assert anchor in seen[path or url].ids, (url, href)


def test_an_item_page_shows_text_units_projects_and_targets(client: FlaskClient) -> None:
    html = page(client, "/plans/2023/items/8")
    assert "完成570万平方米老旧小区改造,完成技防设施建设、电力设施改造" in html
    assert '<span class="amount">570</span>万平方米' in html
    assert '<span class="amount">800</span>个' in html
    for unit in (
        "市委政法委",
        "市住房城乡建设局",
        "市公安局",
        "市消防救援支队",
        "国网无锡供电公司",
        "各市(县)区",
    ):
        assert f'href="/plans/2023/units/{quote(unit, safe="()")}"' in html
    assert 'href="/plans/2023/document#item-8"' in html
    assert "宜居环境更新工程" in html  # its key project


def test_a_project_page_shows_its_targets_and_where_it_comes_from(client: FlaskClient) -> None:
    html = page(client, "/plans/2023/projects/31.1")
    assert "城镇新增就业" in html
    assert '<span class="amount">13.5</span>万人以上' in html
    assert 'href="/plans/2023/items/31"' in html


def test_a_key_project_page_names_leaders_units_and_its_projects(client: FlaskClient) -> None:
    html = page(client, "/plans/2023/key-projects/3")
    for leader in ("蒋敏", "张镇", "秦咏薪", "张立军", "马良", "卢敏"):
        assert f"<li>{leader}</li>" in html
    refs = re.findall(r'href="/plans/2023/projects/([\d.]+)"', html)
    assert sorted(set(refs), key=lambda r: tuple(map(int, r.split(".")))) == [
        "21.2",
        "21.3",
        "23.1",
        "24.1",
        "32.2",
        "32.3",
        "36.1",
    ]


def test_a_unit_page_lists_everything_it_is_responsible_for(
    client: FlaskClient, plan_spec: PlanSpec
) -> None:
    html = page(client, "/plans/2023/units/" + quote("市卫生健康委"))
    expected = [i.number for i in plan_spec.items if "市卫生健康委" in i.units]
    found = sorted({int(n) for n in re.findall(r'href="/plans/2023/items/(\d+)"', html)})
    assert found == expected
    keys = sorted({int(n) for n in re.findall(r'href="/plans/2023/key-projects/(\d+)"', html)})
    assert keys == [k.number for k in plan_spec.key_projects if "市卫生健康委" in k.units]


def test_the_document_page_anchors_every_item_and_key_project(client: FlaskClient) -> None:
    links = parse(page(client, "/plans/2023/document"))
    assert {f"item-{n}" for n in range(1, 61)} <= links.ids
    assert {f"key-project-{n}" for n in range(1, 11)} <= links.ids
    assert "L62" in links.ids


def test_the_document_page_shows_the_document_without_the_source_sites_leftovers(
    client: FlaskClient,
) -> None:
    html = page(client, "/plans/2023/document")
    lines = dict(re.findall(r'<p id="L(\d+)".*?<span class="line-text">(.*?)</span>', html, re.S))
    for leftover in ("文字大小", "浏览次数", "[ 大 中 小 ]", "---", " | "):
        assert leftover not in html, leftover
    assert lines["1"] == "发布时间:2023年04月27日"
    assert lines["2"] == "文号：锡政发〔2023〕5号"
    assert "3" not in lines  # the table's rule: nothing to read, its number stays unused
    assert lines["4"] == "制发机关：无锡市人民政府"
    assert lines["7"].startswith("市政府关于印发2023年度民生服务")  # numbers still cite lines


def test_the_project_index_filters_by_plain_links(client: FlaskClient) -> None:
    assert "共118个具体项目" in page(client, "/plans/2023/projects/")
    assert "共17个具体项目" in page(client, "/plans/2023/projects/?category=3")
    assert "共42个具体项目" in page(client, "/plans/2023/projects/?key=any")
    assert "共4个具体项目" in page(client, "/plans/2023/projects/?key=1")


def test_the_project_index_answers_htmx_with_the_fragment_only(client: FlaskClient) -> None:
    response = client.get("/plans/2023/projects/?category=3", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="project-results"')
    assert "<html" not in html and "共17个具体项目" in html
    assert "HX-Request" in response.headers["Vary"]


def test_the_filter_form_works_without_javascript(client: FlaskClient) -> None:
    main = page(client, "/plans/2023/projects/").split("<main", 1)[1]  # not the header's search
    form = re.search(r"<form[^>]*>", main)
    assert form and 'method="get"' in form[0] and 'action="/plans/2023/projects/"' in form[0]
    assert '<button type="submit">' in main


@pytest.mark.parametrize(
    "url",
    [
        "/nope",
        "/plans/2023/items/61",
        "/plans/2023/items/0",
        "/plans/2023/projects/9.9",
        "/plans/2023/projects/../../etc",
        "/plans/1999/",
        "/plans/2022/items/1",
        "/plans/99999999999999999999/",
        "/plans/2023/key-projects/11",
        "/plans/2023/units/" + quote("不存在的单位"),
        "/plans/2023/categories/11",
    ],
)
def test_unknown_pages_are_a_clear_404(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "找不到这个页面" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["category=abc", "category=-1", "key=1e9", "category=" + "9" * 40, "category=²", "key=٣"],
)
def test_bad_filters_are_a_clear_400(client: FlaskClient, query: str) -> None:
    response = client.get(f"/plans/2023/projects/?{query}")
    assert response.status_code == 400
    assert "请求有误" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/log?after=²",
        "/api/v1/log?after=2147483648",
        "/api/v1/log?limit=501",
        "/api/v1/log?limit=٣",
        "/api/v1/cases?page=0",
        "/api/v1/cases?page=1" + "0" * 30,
    ],
)
def test_bad_api_numbers_are_a_json_400(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "url",
    ["/feeds/plans/2023/items/²².atom", "/feeds/plans/2023/categories/" + "9" * 30 + ".rss"],
)
def test_feeds_for_nonsense_numbers_are_a_404(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_traditional_chinese_converts_the_documents_words_and_the_interface(
    client: FlaskClient,
) -> None:
    response = client.get("/plans/2023/items/8", headers={"Accept-Language": "zh-TW,zh;q=0.8"})
    html = response.get_data(as_text=True)
    assert '<html lang="zh-Hant">' in html
    assert "完成570萬平方米老舊小區改造" in html
    assert "責任單位" in html and "责任单位" not in html


def test_english_keeps_the_document_in_chinese_and_says_so(client: FlaskClient) -> None:
    html = client.get("/plans/2023/items/9", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert '<html lang="en">' in html
    assert "Responsible units" in html
    assert '<span lang="zh-Hans">完成既有住宅加装电梯300台。</span>' in html


class _Head(HTMLParser):
    """The meta description, and any text before the page's <header>."""

    def __init__(self) -> None:
        super().__init__()
        self.description: str | None = None
        self.stray = ""
        self._in_body_before_header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" and ("name", "description") in attrs:
            self.description = dict(attrs).get("content")
        elif tag == "body":
            self._in_body_before_header = True
        elif tag in ("header", "a") and self._in_body_before_header:
            self._in_body_before_header = False  # the skip link and the header come first

    def handle_data(self, data: str) -> None:
        if self._in_body_before_header:
            self.stray += data.strip()


def test_vocabulary_words_written_as_constants_in_templates_follow_each_readers_language(
    client: FlaskClient,
) -> None:
    """Jinja folds a filter over constants ("on_time"|label(...)) into the compiled template,
    in the language of whoever happened to ask first, unless the filter needs the context."""
    heads = {
        "zh-CN": '<th scope="col">按时</th><th scope="col">迟报</th>',
        "zh-TW": '<th scope="col">按時</th><th scope="col">遲報</th>',
        "en": '<th scope="col">On time</th><th scope="col">Late</th>',
    }
    for _round in range(2):  # whichever language compiled the template, each gets its own
        for language, head in heads.items():
            html = client.get(
                "/plans/2023/scorecards", headers={"Accept-Language": language}
            ).get_data(as_text=True)
            assert head in html, language


@pytest.mark.parametrize("language", ["zh-CN", "zh-TW", "en"])
@pytest.mark.parametrize(
    "url",
    [
        "/plans/2023/items/9",
        "/plans/2023/projects/9.1",
        "/plans/2023/key-projects/1",
        "/plans/2023/categories/1",
        "/plans/2023/units/%E5%B8%82%E4%BD%8F%E6%88%BF%E5%9F%8E%E4%B9%A1%E5%BB%BA%E8%AE%BE%E5%B1%80",
        "/plans/2023/document",
    ],
)
def test_titles_and_descriptions_are_plain_text_in_every_language(
    client: FlaskClient, language: str, url: str
) -> None:
    """English marks the document's words up (<span lang="zh-Hans">): not in a title, where
    it showed as markup, nor in the description, whose quotes it broke so that the rest
    of it was printed above the header."""
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    head = _Head()
    head.feed(html)
    # A browser reads a title as text (RCDATA): what is between the tags is what it shows.
    [title] = re.findall(r"<title>(.*?)</title>", html, re.S)
    assert title and "<" not in title and "lang=" not in title
    assert head.description and "<" not in head.description and '"' not in head.description
    assert head.stray == "", f"text before the header: {head.stray[:80]!r}"
    if language == "en" and "/document" not in url:
        assert re.search(r"[\u4e00-\u9fff]", title), "the document's words, in Chinese"


def test_the_language_choice_is_remembered_and_redirects_only_within_the_site(
    client: FlaskClient,
) -> None:
    response = client.get("/lang/zh_Hant?next=/plans/2023/items/9")
    assert response.status_code == 302 and response.headers["Location"] == "/plans/2023/items/9"
    assert "繁體中文" in page(client, "/plans/2023/items/9") and "項" in page(
        client, "/plans/2023/items/9"
    )
    for evil in (
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        assert client.get("/lang/en", query_string={"next": evil}).headers["Location"] == "/"
    assert client.get("/lang/klingon").status_code == 404


def test_pages_carry_security_headers_and_a_feed_slot(client: FlaskClient) -> None:
    response = client.get("/plans/2023/items/9")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<link rel="canonical" href="http://localhost/plans/2023/items/9">' in html


def test_an_unchanged_page_is_a_304_for_a_reader_who_has_it(client: FlaskClient) -> None:
    first = client.get("/plans/2023/items/9")
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get("/plans/2023/items/9", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    other_language = client.get(
        "/plans/2023/items/9", headers={"If-None-Match": tag, "Accept-Language": "en"}
    )
    assert other_language.status_code == 200
    assert client.get("/plans/2023/items/10", headers={"If-None-Match": tag}).status_code == 200


def test_the_privacy_notice_is_one_click_from_every_page_and_every_form(
    client: FlaskClient,
) -> None:
    notice = client.get("/privacy").get_data(as_text=True)
    assert "个人信息保护法" in notice and "12345" in notice and 'id="ratings"' in notice
    assert 'href="/privacy"' in client.get("/plans/2023/items/9").get_data(as_text=True)
    assert 'href="/privacy#cases"' in client.get("/cases/new").get_data(as_text=True)
    english = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Your rights" in english and "您的权利" not in english


def test_the_home_page_invites_citizens_to_take_part(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    for target in ('href="/cases/new"', 'href="/cases/lookup"', 'href="/plans/2023/satisfaction"'):
        assert target in html, target


@pytest.mark.parametrize(
    "url",
    ["/", "/journalists", "/privacy", "/cases/", "/cases/stats", "/feeds/all.atom", "/feeds.opml"],
)
def test_a_site_with_no_plan_yet_still_answers(app: Flask, url: str) -> None:
    assert app.test_client().get(url).status_code == 200
