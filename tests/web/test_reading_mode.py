"""Large-text reading mode (site/reading.py): a plain link sets a cookie and goes back to
the page; the server renders the mode on <html>, and the header links to the other mode."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from minsheng_site.reading import COOKIE

ITEM = "/plans/2023/items/9"


def html_tag(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    found = re.search(r"<html[^>]*>", response.get_data(as_text=True))
    assert found
    return found[0]


def header_link(client: FlaskClient, url: str) -> tuple[str, str]:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'<a class="reading-switch" href="([^"]+)">([^<]+)</a>', html)
    assert found, "no reading mode switch in the header"
    return found[1], found[2]


def test_choosing_large_text_remembers_it_for_a_year_and_returns_to_the_page(
    client: FlaskClient,
) -> None:
    response = client.get(f"/reading/large?next={ITEM}?as_of=2023-06-30")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{ITEM}?as_of=2023-06-30"
    [cookie] = response.headers.getlist("Set-Cookie")
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert cookie.startswith(f"{COOKIE}=large;")
    assert "max-age=31536000" in attributes["max-age"].lower()
    assert attributes["samesite"].strip().lower() == "samesite=lax"
    assert attributes["path"].strip() == "Path=/"
    assert "secure" not in attributes  # SESSION_COOKIE_SECURE is off in tests


def test_the_mode_is_rendered_on_every_page_until_the_reader_goes_back_to_standard(
    client: FlaskClient,
) -> None:
    assert "large-text" not in html_tag(client, ITEM)
    client.get(f"/reading/large?next={ITEM}")
    for url in (ITEM, "/plans/2023/progress", "/cases/", "/privacy"):
        assert 'class="large-text"' in html_tag(client, url), url
    href, words = header_link(client, ITEM)
    assert (href, words) == (f"/reading/standard?next={ITEM}", "标准字号")
    client.get(href)
    assert "large-text" not in html_tag(client, ITEM)
    assert header_link(client, ITEM)[1] == "大字模式"


def test_the_header_links_to_large_text_and_to_each_language_from_the_page_being_read(
    client: FlaskClient,
) -> None:
    html = client.get(f"{ITEM}?as_of=2023-06-30").get_data(as_text=True)
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert '<a class="reading-switch" href="/reading/large?next=' in header
    assert '<details class="menu"><summary>菜单</summary></details>' in header
    languages = re.findall(r'href="(/lang/[^"]+)"', header)
    assert [link.split("?")[0] for link in languages] == ["/lang/zh_Hant", "/lang/en"]
    assert all("as_of%3D2023-06-30" in link or "as_of=2023-06-30" in link for link in languages)


@pytest.mark.parametrize(
    "evil",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x=1",
        "\t/",
    ],
)
def test_the_mode_switch_returns_only_to_a_page_of_this_site(
    client: FlaskClient, evil: str
) -> None:
    response = client.get("/reading/large", query_string={"next": evil})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith(f"{COOKIE}=large;"), "the choice is kept"


def test_an_unknown_mode_is_not_found_and_an_unknown_cookie_reads_as_standard(
    client: FlaskClient,
) -> None:
    assert client.get("/reading/huge?next=/").status_code == 404
    client.set_cookie(COOKIE, "huge")
    assert "large-text" not in html_tag(client, ITEM)
