"""Everything read back after the corpus: pages, feeds, CSV, Open311 XML, the log, health.

`read_back` fetches what the public can reach — a crawl from / and the case
board, every case page, the event pages and Open311 resources that carry the
most dangerous entries, every feed kind in Atom and RSS, every CSV download,
the log — and judges each answer by its kind. Problems are collected, never
raised, so one run reports all of them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import quote, unquote, urldefrag, urlsplit

import feedparser

from domain.text import storable
from projections.cases import case_queries as cq
from tests.hostile import BY_NAME, CANARIES, UNESCAPED
from tests.reliability.hostile_site import UNIT, UNIT_ITEMS, Answer, Site
from tests.reliability.hostile_trials import Trials, shows

HREF = re.compile(r'(?:href|src)="([^"]+)"')
# read apart: case pages (all of them), event pages, feeds and Open311 (those of the corpus)
SKIP = (
    "/static/",
    "/lang/",
    "/reading/",
    "/staff",
    "/ratings/",
    "/dev/",
    "/events/",
    "/cases/2",
    "/feeds/",
)
PER_KIND = 3
# The entries whose event pages and Open311 resources are each fetched (every other entry
# shows on the case pages, in the lists and in the feeds).
DANGEROUS = tuple(
    BY_NAME[name]
    for name in (
        "xss-script",
        "xss-attribute",
        "xss-javascript-url",
        "xss-url-breaking-out",
        "template-injection",
        "format-strings",
        "c0-controls",
        "word-vt-ff",
        "bidi-overrides",
        "emoji-zwj",
        "chinese",
    )
)
FORMULA = ("=", "+", "-", "@")
NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)*$")


@dataclass
class ReadBack:
    site: Site
    trials: Trials
    bodies: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    kinds: Counter[str] = field(default_factory=Counter)  # what was read, by kind

    def fetch(self, url: str, role: str = "public") -> Answer:
        answer = self.site.get(role, url)
        self.bodies[(role, url)] = answer.body
        if answer.status != 200:
            self.problems["status"].append(f"GET {url} ({role}): {answer.status}")
        if role == "public":
            self._judge_public(url, answer)
        return answer

    def _judge_public(self, url: str, answer: Answer) -> None:
        kind = answer.mimetype
        self.kinds[kind] += 1
        self.problems["personal data"] += [f"{url}: {c!r}" for c in CANARIES if c in answer.body]
        if kind == "application/vnd.sqlite3":  # the open-data bundle: text stored as data,
            return  # never markup (sqlite3 and Datasette show it escaped); personal data above
        if "json" not in kind and not storable(answer.body):
            self.problems["characters"].append(f"{url}: a character XML cannot carry ({kind})")
        if kind in ("application/atom+xml", "application/rss+xml"):
            self._feed(url, answer.body)
        elif kind == "text/csv":
            self._csv(url, answer.body)
        elif kind in ("application/xml", "text/xml"):
            self._xml(url, answer.body)
        if kind != "text/html" and "json" not in kind and "csv" not in kind:
            self.problems["unescaped"] += [f"{url}: {m!r}" for m in UNESCAPED if m in answer.body]

    def _feed(self, url: str, body: str) -> None:
        parsed = feedparser.parse(body.encode())
        if parsed.bozo:
            self.problems["feeds"].append(f"{url}: bozo: {parsed.bozo_exception!r}")

    def _csv(self, url: str, body: str) -> None:
        try:
            rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"), newline="")))
        except csv.Error as error:
            self.problems["csv"].append(f"{url}: does not parse: {error}")
            return
        for n, row in enumerate(rows, start=1):
            for cell in row:
                stripped = cell.lstrip()
                if stripped.startswith(FORMULA) and not NUMBER.match(stripped):
                    self.problems["csv"].append(f"{url} row {n}: a formula {cell[:40]!r}")

    def _xml(self, url: str, body: str) -> None:
        try:
            ET.fromstring(body.encode())
        except ET.ParseError as error:
            self.problems["xml"].append(f"{url}: does not parse: {error}")

    # What is read -------------------------------------------------------------

    def crawl(self) -> None:
        """Every kind of public page, a few of each, from the home page and the case board."""
        seen, queue = {"/", "/cases/"}, deque(["/", "/cases/"])
        per_kind: Counter[str] = Counter()
        while queue:
            answer = self.fetch(queue.popleft())
            if answer.mimetype != "text/html":
                continue
            for target in _links(answer.body):
                kind = _kind_of(target)
                if target not in seen and per_kind[kind] < PER_KIND:
                    seen.add(target)
                    per_kind[kind] += 1
                    queue.append(target)

    def cases(self) -> list[str]:
        """Every case page, and every plan page a case page links to (none may be missing)."""
        with self.site.services.read() as c:
            numbers = [row.number for row in cq.all_rows(c, None)]
        linked: set[str] = set()
        for number in numbers:
            page = self.fetch(f"/cases/{number}").body
            linked |= {url for url in _links(page) if url.startswith("/plans/")}
        for url in sorted(linked - {url for _role, url in self.bodies}):
            self.fetch(url)
        return numbers

    def events(self) -> None:
        """The event page of each kind of event for each dangerous entry it carries."""
        log = self.fetch("/api/v1/log.jsonl").body.splitlines()
        for n, line in enumerate(log, start=1):
            try:
                json.loads(line)
            except ValueError as error:
                self.problems["log"].append(f"/api/v1/log.jsonl line {n}: {error}")
        signs = self._signatures()
        picked: set[tuple[str, str]] = set()
        for line in log:
            entry = json.loads(line)["entry"]
            for name, marks in signs.items():
                if (entry["kind"], name) not in picked and any(m in line for m in marks):
                    picked.add((entry["kind"], name))
                    self.fetch(f"/events/{entry['uuid']}")

    def _signatures(self) -> dict[str, set[str]]:
        """What each dangerous entry looks like inside a log line (as JSON writes it)."""
        signs: dict[str, set[str]] = {}
        for trial in self.trials.all:
            if trial.entry in DANGEROUS and len(trial.expect) > 3:
                for line in trial.expect.split("\n"):
                    signs.setdefault(trial.entry.name, set()).add(json.dumps(line)[1:-1])
        return signs

    def feeds(self) -> None:
        """Every feed that is not per item, unit or project, and those the corpus reached."""
        listed = set(re.findall(r'href="(/feeds/[^"]+)\.atom"', self.fetch("/journalists").body))
        touched = {f"/feeds/plans/2023/items/{n}" for n in UNIT_ITEMS}
        touched |= {f"/feeds/plans/2023/units/{quote(UNIT)}", "/feeds/plans/2023/key-projects/1"}
        touched |= {f"/feeds/plans/2023/projects/{ref}" for ref in ("7.1", "18.1", "19.2")}
        general = {u for u in listed if not re.search(r"/(items|units|key-projects)/", u)}
        for feed in sorted(general | touched):
            for suffix in (".atom", ".rss"):
                self.fetch(feed + suffix)
        self.fetch("/feeds.opml")

    def open_data(self) -> None:
        journalists = self.bodies[("public", "/journalists")]
        for url in sorted(set(re.findall(r'href="([^"]+\.csv)"', journalists))):
            self.fetch(unescape(url))
        for url in ("/api/v1/cases", "/api/v1/log", "/api/v1/plans/2023"):
            self.fetch(url)

    def open311(self, numbers: list[str]) -> None:
        for url in ("discovery", "services"):
            self.fetch(f"/open311/v2/{url}.xml")
        page, listed = 1, "/open311/v2/requests.xml?page_size=1000&page={}"
        while 'rel="next"' in self.fetch(listed.format(page)).link:
            page += 1
        for number in self._dangerous_cases(numbers):
            self.fetch(f"/open311/v2/requests/{number}.xml")
            self.fetch(f"/open311/v2/requests/{number}/history.xml")

    def languages(self, numbers: list[str]) -> None:
        """The pages carrying dangerous entries in English and 繁體 too (unit names and the
        like go through the `content` filter there: Markup in English, OpenCC in 繁體)."""
        pages = [f"/cases/{n}" for n in self._dangerous_cases(numbers)]
        pages += [f"/plans/2023/items/{n}" for n in UNIT_ITEMS]
        pages += ["/plans/2023/supervision", "/plans/2023/evaluation", "/cases/"]
        for language in ("en", "zh-Hant"):
            for url in pages:
                answer = self.site.send("public", "GET", url, headers={"Accept-Language": language})
                if answer.status != 200:
                    self.problems["status"].append(f"GET {url} ({language}): {answer.status}")
                self._judge_public(url, answer)

    def _dangerous_cases(self, numbers: list[str]) -> list[str]:
        """Cases whose history (a step's text) carries a dangerous entry; what citizens
        wrote is in the lists already."""
        known = set(numbers)
        wanted = []
        for trial in self.trials.all:
            if (
                trial.entry in DANGEROUS
                and trial.sent.accepted
                and trial.surface.startswith("staff.cases.")
            ):
                for _role, url in trial.sent.places:
                    number = url.rsplit("/", 1)[-1]
                    if url.startswith("/cases/") and number in known and number not in wanted:
                        wanted.append(number)
                        break
        return wanted

    def found_again(self) -> None:
        """Each accepted text on a page it should show on (fetched when not read yet)."""
        for trial in self.trials.unsettled():
            trial.found = False
            for role, url in trial.sent.places:
                if (role, url) not in self.bodies:
                    self.fetch(url, role)
                if shows(self.bodies[(role, url)], trial.expect):
                    trial.found = True
                    break

    def health(self) -> None:
        self.site.services.caught_up()
        answer = self.site.get("public", "/healthz")
        report = json.loads(answer.body or "{}")
        if answer.status != 200 or report.get("status") != "ok":
            self.problems["health"].append(f"/healthz {answer.status}: {answer.body[:600]}")
        for name, model in report.get("read_models", {}).items():
            if model.get("behind") or model.get("state") != "ok":
                self.problems["health"].append(f"read model {name}: {model}")


def read_back(site: Site, trials: Trials) -> ReadBack:
    reader = ReadBack(site, trials)
    reader.health()
    reader.crawl()
    numbers = reader.cases()
    reader.events()
    reader.feeds()
    reader.open_data()
    reader.open311(numbers)
    reader.languages(numbers)
    reader.found_again()
    reader.health()
    return reader


def _links(html: str) -> Iterator[str]:
    for raw in HREF.findall(html):
        url = urldefrag(unescape(raw))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith(SKIP):
            continue
        yield url


def _kind_of(url: str) -> str:
    path = unquote(url)
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "U", path)
    return re.sub(r"[0-9]+", "N", urlsplit(path).path)
