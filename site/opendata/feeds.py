"""RSS 2.0 and Atom from public log entries (feedgen): one entry per public event, ids forever."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from feedgen.feed import FeedGenerator

from domain.text import xml_safe

SITE = "民生实事公开台"


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
) -> bytes:
    """`items`: dicts of id, title, summary, link, published (tz-aware), newest first."""
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
        # Events recorded before the text policy may hold what XML 1.0 cannot carry.
        entry.title(xml_safe(item["title"]))
        entry.summary(xml_safe(item["summary"] or item["title"]))
        entry.link(href=item["link"])
        entry.published(item["published"])
        entry.updated(item["published"])
    return fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
