"""The open-data bundle: one SQLite file of the public read models, and the datapackage.json
that describes every CSV export.

Both are made of the site's own public answers (the CSV exports, the JSON API, the public
log's export) read in this process through the WSGI app, without a network, plus the
findings as their public pages show them: nothing reaches the bundle that a visitor could
not download already. A build is named by its key (bundle_key): the public log's head, the
Wuxi day (statuses and overdue flags change at midnight), the deployed code and the public
address. It is made on the first download after the key moved (no cost while nobody
downloads; the projections worker imports no Flask, and the bundle is made of Flask's
answers), one build at a time for every worker of the host (a file lock), written beside
and renamed over the old one (a reader never sees half a file), under the instance folder.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, url_for

from domain.wuxi import end_of_day
from minsheng_site.opendata import datapackage as dp
from minsheng_site.opendata.bundle_tables import TABLES, Table
from minsheng_site.services import services
from minsheng_site.views import today
from projections.publiclog import log_queries as lq
from projections.supervision.supervision_queries import findings

SQLITE = "minsheng.sqlite"
DATAPACKAGE = "datapackage.json"


@dataclass(frozen=True)
class Built:
    folder: Path  # holds SQLITE and DATAPACKAGE
    key: str

    def path(self, name: str) -> Path:
        return self.folder / name


def bundle_key(app: Flask) -> str:
    """What the bundle is a function of; the name of its folder and its ETag."""
    with services().read() as c:
        head = lq.head(c)
    state = [
        app.config.get("ETAG_SALT", ""),
        app.config.get("PUBLIC_BASE_URL", ""),
        str(head[0]) if head else "0",
        head[1] if head else "",
        today().isoformat(),
    ]
    return hashlib.sha256("|".join(state).encode()).hexdigest()[:32]


def current(app: Flask) -> Built:
    """The bundle of the log as it stands: built now when it is not on disk yet."""
    root = Path(app.instance_path) / "opendata"
    root.mkdir(mode=0o700, exist_ok=True)
    key = bundle_key(app)
    built = Built(root / key, key)
    if built.path(DATAPACKAGE).exists():
        return built
    with _locked(root / ".lock"):
        if not built.path(DATAPACKAGE).exists():  # another worker may have built it meanwhile
            _build(app, root, built)
    return built


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(app: Flask, root: Path, built: Built) -> None:
    work = root / f".{built.key}.{os.getpid()}"
    work.mkdir(mode=0o700, exist_ok=True)
    package = write(app, work / SQLITE)
    (work / DATAPACKAGE).write_text(
        json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    work.rename(built.folder)  # whole, at once; DATAPACKAGE is the sign that it is there
    for old in root.iterdir():  # earlier keys: a reader that opened one keeps its file
        if old.is_dir() and old != built.folder and not old.name.startswith("."):
            for file in old.iterdir():
                file.unlink()
            old.rmdir()


class _Public:
    """The site's public answers, asked in process as an anonymous reader would."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def csv(self, url: str) -> list[list[str]] | None:
        answer = self.client.get(url)
        if answer.status_code == 404:
            return None
        _ok(answer, url)
        text = answer.get_data(as_text=True).removeprefix("\ufeff")
        return list(csv.reader(io.StringIO(text)))

    def json(self, url: str) -> Any:
        answer = self.client.get(url)
        _ok(answer, url)
        return answer.get_json()

    def lines(self, url: str) -> Iterator[dict[str, Any]]:
        answer = self.client.get(url)
        _ok(answer, url)
        for line in answer.get_data(as_text=True).splitlines():
            if line.strip():
                yield json.loads(line)


def _ok(answer: Any, url: str) -> None:
    if answer.status_code != 200:
        raise RuntimeError(f"open-data bundle: {url} answered {answer.status_code}")


def write(app: Flask, path: Path) -> dict[str, Any]:
    """Write the bundle's SQLite file at `path`; return the datapackage describing the CSVs."""
    public = _Public(app)
    db = sqlite3.connect(path)
    try:
        with app.test_request_context(base_url=app.config.get("PUBLIC_BASE_URL") or None):
            years = [p["year"] for p in public.json(url_for("opendata.api.plans"))["plans"]]
            resources = _exports(db, public, years)
            for year in years:
                _progress(db, public, year)
                _reports(db, public, year)
                _findings(db, year)
            _log(db, public)
            package = dp.descriptor(
                url_for("plans.pages.home", _external=True), resources, _sources(years)
            )
        _about(db, package)
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    return package


def _exports(db: sqlite3.Connection, public: _Public, years: list[int]) -> list[dict]:
    """Each CSV export as a table (typed as the datapackage describes it) and a resource."""
    exports: list[tuple[str, str, int | None, str]] = [
        ("cases", "cases", None, url_for("opendata.open_data.cases_csv", _external=True))
    ]
    for year in years:
        exports += [
            (
                "projects",
                f"projects-{year}",
                year,
                url_for("opendata.open_data.projects_csv", year=year, _external=True),
            ),
            (
                "satisfaction",
                f"satisfaction-{year}",
                year,
                url_for("ratings.satisfaction.results_csv", year=year, _external=True),
            ),
            (
                "evaluation",
                f"evaluation-{year}",
                year,
                url_for("ratings.evaluation.results_csv", year=year, _external=True),
            ),
        ]
    resources = []
    for export, name, of_year, url in exports:
        rows = public.csv(url)
        if rows is None:  # a year without an evaluation formula has no such export
            continue
        header, body = rows[0], rows[1:]
        resources.append(dp.resource(name, export, url, header, of_year))
        _fill_export(db, TABLES[export], header, body, of_year)
    return resources


def _fill_export(
    db: sqlite3.Connection, table: Table, header: list[str], body: list[list[str]], year: int | None
) -> None:
    columns = ([("year", "integer")] if table.per_year else []) + [
        (name, dp.field(table.export, name)[0]) for name in header
    ]
    table.create(db, columns)
    kinds = [dp.field(table.export, name)[0] for name in header]
    rows = [
        ([year] if table.per_year else [])
        + [_typed(cell, kind) for kind, cell in zip(kinds, line, strict=True)]
        + ([n] if table.numbered else [])
        for n, line in enumerate(body, start=1)
    ]
    table.insert(db, [c for c, _ in columns] + (["line"] if table.numbered else []), rows)


def _typed(cell: str, kind: str) -> Any:
    if cell == "":
        return None
    if kind == "integer":
        return int(cell)
    if kind == "number":
        return float(cell)
    if kind == "boolean":
        return 1 if cell in ("True", "1") else 0
    return cell


def _progress(db: sqlite3.Connection, public: _Public, year: int) -> None:
    """Progress as of the end of each month of the plan's year, up to today."""
    rows = []
    for month in range(1, 13):
        last = _month_end(year, month)
        if last > today():
            break
        url = url_for("opendata.open_data.plan_progress", year=year, as_of=last.isoformat())
        for p in public.json(url)["projects"]:
            rows.append(
                [
                    year,
                    last.isoformat(),
                    p["ref"],
                    p["status"],
                    p["completion"],
                    p["latest_period"],
                    _flag(p["midyear_met"]),
                    _flag(p.get("simulated")),
                ]
            )
    TABLES["progress"].insert(db, TABLES["progress"].names(), rows)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _reports(db: sqlite3.Connection, public: _Public, year: int) -> None:
    refs = [p["ref"] for p in public.json(url_for("opendata.api.plan", year=year))["projects"]]
    rows = []
    for ref in refs:
        history = public.json(url_for("opendata.open_data.project_history", year=year, ref=ref))
        for r in history["reports"]:
            rows.append(
                [
                    year,
                    ref,
                    r["report_id"],
                    r["period"],
                    r["unit"],
                    _json(r["amounts"]),
                    _json(r["milestones"]),
                    _json(r["districts"]),
                    r["narrative"],
                    _json(r["evidence"]),
                    r["corrects"],
                    r["reason"],
                    r["recorded_at"],
                    _flag(r["simulated"]),
                ]
            )
    TABLES["reports"].insert(db, TABLES["reports"].names(), rows)


def _findings(db: sqlite3.Connection, year: int) -> None:
    """The findings as their public pages show them (supervision.pages.finding)."""
    with services().read() as c:
        raised = findings(c, year, end_of_day(today()))
    rows, steps = [], []
    for f in raised:
        rows.append(
            [
                f.finding_id,
                year,
                f.item,
                _json(list(f.projects)),
                f.unit,
                f.text,
                f.state,
                f.record.held_on.isoformat(),
                f.record.record_id,
                f.record.kind,
                f.record.body,
                _flag(f.record.simulated),
                url_for(
                    "supervision.pages.finding",
                    year=year,
                    finding_id=f.finding_id,
                    _external=True,
                ),
            ]
        )
        steps += [
            [f.finding_id, n, s.step, s.text, s.recorded_at.isoformat(), _flag(s.simulated)]
            for n, s in enumerate(f.steps, start=1)
        ]
    TABLES["findings"].insert(db, TABLES["findings"].names(), rows)
    TABLES["finding_steps"].insert(db, TABLES["finding_steps"].names(), steps)


def _log(db: sqlite3.Connection, public: _Public) -> None:
    """The public log as exported (log.jsonl), with the canonical text each hash covers."""
    rows = []
    for record in public.lines(url_for("opendata.open_data.log_export")):
        entry = record["entry"]
        canonical = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        payload = entry.get("payload") or {}
        marked = entry.get("simulated") or (isinstance(payload, dict) and payload.get("simulated"))
        rows.append(
            [
                record["seq"],
                entry["uuid"],
                entry["kind"],
                entry["year"],
                entry["business_date"],
                entry["recorded_at"],
                _json(entry["subjects"]),
                _json(payload),
                entry["corrects"],
                canonical,
                record["prev_hash"],
                record["hash"],
                _flag(bool(marked)),
                url_for("opendata.journalists.event", uuid=entry["uuid"], _external=True),
            ]
        )
    TABLES["public_log"].insert(db, TABLES["public_log"].names(), rows)


def _about(db: sqlite3.Connection, package: dict[str, Any]) -> None:
    head = db.execute("SELECT seq, hash FROM public_log ORDER BY seq DESC LIMIT 1").fetchone()
    facts = [
        ("title", package["title"]),
        ("description", package["description"]),
        ("license", package["licenses"][0]["name"]),
        ("license_url", package["licenses"][0]["path"]),
        ("source", package["homepage"]),
        ("built_on", today().isoformat()),
        ("log_entries", str(head[0] if head else 0)),
        ("log_head", head[1] if head else "0" * 64),
    ]
    TABLES["about"].insert(db, TABLES["about"].names(), [list(f) for f in facts])


def _sources(years: list[int]) -> list[dict[str, str]]:
    documents = [
        {
            "title": f"{year}年民生服务“十百千”行动计划（原文）",
            "path": url_for("plans.pages.document", year=year, _external=True),
        }
        for year in years
    ]
    log = {
        "title": "公开记录（哈希链）",
        "path": url_for("opendata.open_data.log_export", _external=True),
    }
    return [*documents, log]


def _flag(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
