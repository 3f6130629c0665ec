"""RSS 2.0 and Atom from public log entries (feedgen): one entry per public event, ids forever."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from feedgen.feed import FeedGenerator

from domain.text import xml_safe

SITE = "民生实事公开台"
SIMULATED_PREFIX = "【模拟】"
# Atom: term "simulated"; RSS (which has only text and a domain): the label, in that domain.
SIMULATED = {
    "term": "simulated",
    "scheme": "urn:minsheng:labels",
    "label": "模拟数据（非真实进展）",
}


def build_feed(
    *,
    title: str,
    page_url: str,
    self_url: str,
    feed_id: str,
    fmt: str,
    items: Iterable[dict[str, Any]],
    updated: datetime,
    note: str,
    stylesheet: str | None = None,
) -> bytes:
    """`items`: dicts of id, title, summary, link, published (tz-aware), newest first, and
    "simulated" (a fact of the labelled simulated year: its title says 【模拟】 and it has the
    category "simulated", so that a copied entry keeps its label). `stylesheet`: an XSL
    that shows the feed as a readable page when a person opens it in a browser."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(xml_safe(title))
    fg.author({"name": SITE})
    fg.link(href=self_url, rel="self")  # before the alternate: RSS takes the last link
    fg.link(href=page_url, rel="alternate")
    fg.language("zh-CN")
    fg.subtitle(xml_safe(note))
    fg.updated(updated)
    for item in reversed(list(items)):  # feedgen prepends: add oldest first
        entry = fg.add_entry()
        entry.id(item["id"])
        entry.guid(item["id"], permalink=False)
        title = item["title"]
        if item.get("simulated"):
            title = SIMULATED_PREFIX + title
            entry.category(SIMULATED)
        # Events recorded before the text policy may hold what XML 1.0 cannot carry.
        entry.title(xml_safe(title))
        entry.summary(xml_safe(item["summary"] or item["title"]))
        entry.link(href=item["link"])
        entry.published(item["published"])
        entry.updated(item["published"])
    body: bytes = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
    return with_stylesheet(body, stylesheet) if stylesheet else body


def with_stylesheet(body: bytes, href: str) -> bytes:
    """The feed with an xml-stylesheet instruction right after its XML declaration."""
    declaration, newline, rest = body.partition(b"\n")
    instruction = f'<?xml-stylesheet type="text/xsl" href="{escape(href)}"?>'.encode()
    if not declaration.startswith(b"<?xml "):
        return instruction + b"\n" + body
    return declaration + newline + instruction + b"\n" + rest
