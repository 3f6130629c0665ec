"""Feeds read by feedparser, a real reader, over HTTP.

Every kind parses, ids stay, Chinese arrives intact.
"""

from __future__ import annotations

import urllib.request
from urllib.error import HTTPError
from urllib.parse import quote

import feedparser
import pytest
from flask import Flask

FEEDS = [
    "/feeds/all",
    "/feeds/plans/2023",
    "/feeds/plans/2023/items/9",
    "/feeds/plans/2023/projects/9.1",
    "/feeds/plans/2023/categories/2",
    "/feeds/plans/2023/key-projects/1",
    "/feeds/plans/2023/units/" + quote("市住房城乡建设局"),
    "/feeds/cases",
    "/feeds/cases/key",
    "/feeds/cases/overdue",
    "/feeds/cases/districts/" + quote("梁溪区"),
    "/feeds/findings",
    "/feeds/log",
]


def read(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return response.read().decode()


@pytest.mark.parametrize("fmt, version", [("atom", "atom10"), ("rss", "rss20")])
@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_parses_in_a_real_reader(server: str, path: str, fmt: str, version: str) -> None:
    feed = feedparser.parse(f"{server}{path}.{fmt}")
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title.endswith("民生实事公开台")
    assert feed.feed.get("link")
    for entry in feed.entries:
        assert entry.id.startswith("urn:uuid:")
        assert entry.title and entry.link.startswith(server)
        assert entry.get("published_parsed") or entry.get("updated_parsed")


def test_entries_are_about_their_subject_in_chinese_and_link_to_permanent_pages(
    server: str,
) -> None:
    feed = feedparser.parse(f"{server}/feeds/plans/2023/items/9.atom")
    assert feed.entries, "item 9 has reports in the simulated year"
    assert all("第9项" in e.title or "督查" in e.title or "问题" in e.title for e in feed.entries)
    page = read(feed.entries[0].link)
    assert "在公开记录链中的位置" in page


def test_entry_ids_survive_a_rebuild(server: str, year_app: Flask) -> None:
    before = [e.id for e in feedparser.parse(f"{server}/feeds/all.atom").entries]
    year_app.extensions["minsheng"].projector.rebuild(["public_log"])
    after = [e.id for e in feedparser.parse(f"{server}/feeds/all.atom").entries]
    assert before == after and len(before) == 50


def test_an_unchanged_feed_is_a_304(server: str) -> None:
    with urllib.request.urlopen(f"{server}/feeds/cases.atom") as first:
        tag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert tag and modified
    request = urllib.request.Request(f"{server}/feeds/cases.atom", headers={"If-None-Match": tag})
    with pytest.raises(HTTPError) as not_modified:
        urllib.request.urlopen(request)
    not_modified.value.close()
    assert not_modified.value.code == 304


def test_pages_announce_their_feeds(server: str) -> None:
    html = read(f"{server}/plans/2023/items/9")
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert "/feeds/plans/2023/items/9.atom" in html and "/feeds/plans/2023/items/9.rss" in html


def test_opml_lists_feeds_that_exist(server: str) -> None:
    import re

    opml = read(f"{server}/feeds.opml")
    urls = re.findall(r'xmlUrl="([^"]+)"', opml)
    assert len(urls) > 60
    for url in urls[:8]:
        assert feedparser.parse(url).bozo == 0


def test_an_event_page_speaks_the_readers_language_and_feeds_stay_chinese(
    year_app: Flask,
) -> None:
    import json

    client = year_app.test_client()
    lines = client.get("/api/v1/log.jsonl").get_data(as_text=True).splitlines()
    entries = [json.loads(line)["entry"] for line in lines]
    accepted = next(e for e in entries if e["kind"] == "case.accepted")
    page = f"/events/{accepted['uuid']}"
    english = client.get(page, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Accepted" in english and "已受理" not in english
    chinese = client.get(page).get_data(as_text=True)
    assert "已受理" in chinese
    for language in ("en", "zh-TW"):  # a feed is the same Simplified Chinese for every reader
        feed = client.get("/feeds/cases.atom", headers={"Accept-Language": language})
        assert "受理诉求" in feed.get_data(as_text=True) and "已受理" in feed.get_data(as_text=True)
