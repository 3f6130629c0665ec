"""The open-data bundle: one SQLite file of the public read models, and the datapackage.json
that describes every CSV export.

Both are made of the site's own public answers (the CSV exports, the JSON API's queries,
the public log as log.jsonl exports it, the findings as their pages show them): nothing
reaches the bundle that a visitor could not download already. A build is named by its key
(bundle_key): the public log's head, the Wuxi day (statuses and overdue flags change at
midnight), the deployed code and the public address. The first download after the key
moved starts a build in a thread of that web process (no cost while nobody downloads; the
projections worker imports no Flask, and the bundle is made of Flask's answers) and is
answered with the newest bundle on disk meanwhile; one build at a time for every worker
of the host (a file lock), written into a new folder under the instance folder and renamed
into place (a reader never sees half a file), older builds removed after it.
"""

from __future__ import annotations

import contextvars
import csv
import fcntl
import hashlib
import io
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import Flask, url_for

from domain.wuxi import end_of_day
from minsheng_site.opendata import datapackage as dp
from minsheng_site.opendata.bundle_tables import TABLES, Table
from minsheng_site.services import services
from minsheng_site.views import today
from projections.cycle import candidate_queries as cq
from projections.cycle import proposal_queries as pq
from projections.plans import queries as q
from projections.plans.progress_queries import item_progress
from projections.publiclog import log_queries as lq
from projections.supervision.supervision_queries import findings

log = logging.getLogger(__name__)
SQLITE = "minsheng.sqlite"
DATAPACKAGE = "datapackage.json"


@dataclass(frozen=True)
class Built:
    folder: Path  # holds SQLITE and DATAPACKAGE
    key: str

    def path(self, name: str) -> Path:
        return self.folder / name

    def ready(self) -> bool:
        return self.path(DATAPACKAGE).exists()  # written last, renamed in with the folder


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


def current(app: Flask) -> Built | None:
    """The newest bundle on disk; when it is not the log's as it stands, a build of that
    one is started in the background (a build of the simulated year takes seconds, of ten
    times it more than a web worker may take to answer). None: nothing built yet."""
    root = _root(app)
    key = bundle_key(app)
    built = Built(root / key, key)
    if built.ready():
        return built
    if not app.config.get("BUNDLE_IN_BACKGROUND", True):
        return build_now(app)  # no thread to outlive the request (and the app)
    _start(app, root, built)
    return newest(root)


def build_now(app: Flask) -> Built:
    """Build the bundle of the log as it stands unless it is on disk (command line, tests)."""
    root = _root(app)
    key = bundle_key(app)
    built = Built(root / key, key)
    with _locked(root / ".lock"):
        if not built.ready():  # another worker may have built it meanwhile
            _build(app, root, built)
    return built


def forget(app: Flask) -> int:
    """Remove every bundle built (after an erasure: they may hold what it took back)."""
    root = _root(app)
    with _locked(root / ".lock"):
        gone = [folder for folder in root.iterdir() if folder.is_dir()]
        for folder in gone:
            _remove(folder)
    return len(gone)


def newest(root: Path) -> Built | None:
    complete = [
        (folder.stat().st_mtime, folder)
        for folder in root.iterdir()
        if folder.is_dir() and not folder.name.startswith(".") and (folder / DATAPACKAGE).exists()
    ]
    if not complete:
        return None
    folder = max(complete)[1]
    return Built(folder, folder.name)


def _root(app: Flask) -> Path:
    root = Path(app.instance_path) / "opendata"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


_building: set[str] = set()  # keys this process is building
_guard = threading.Lock()


def _start(app: Flask, root: Path, built: Built) -> None:
    with _guard:
        if built.key in _building:
            return
        _building.add(built.key)
    threading.Thread(
        target=_build_in_background, args=(app, root, built), name="bundle", daemon=True
    ).start()


def _build_in_background(app: Flask, root: Path, built: Built) -> None:
    try:
        with _locked(root / ".lock"):
            if not built.ready():  # another worker may have built it meanwhile
                _build(app, root, built)
    except Exception:
        log.exception("open-data bundle: the build of %s failed", built.key)
    finally:
        with _guard:
            _building.discard(built.key)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(app: Flask, root: Path, built: Built) -> None:
    for left in root.glob(".*.*"):  # a build killed midway (we hold the lock: none runs)
        _remove(left)
    work = root / f".{built.key}.{os.getpid()}"
    work.mkdir(mode=0o700)
    package = write(app, work / SQLITE)
    (work / DATAPACKAGE).write_text(
        json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    work.rename(built.folder)  # whole, at once; DATAPACKAGE is the sign that it is there
    for old in root.iterdir():  # earlier keys: a reader that opened one keeps its file
        if old.is_dir() and old != built.folder and not old.name.startswith("."):
            _remove(old)


def _remove(folder: Path) -> None:
    if folder.is_dir():
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


class _Public:
    """The site's public answers, asked in process as an anonymous reader would.

    Each is asked in an empty context: Flask would otherwise run it in the app context
    of the request that asked for the bundle, sharing its `g` (the page cache's tag, the
    read positions, the language) and its unit of work with it."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def _get(self, url: str) -> bytes | None:
        def ask() -> tuple[int, bytes]:
            answer = self.client.get(url)
            return answer.status_code, answer.get_data()

        status, body = contextvars.Context().run(ask)
        if status == 404:
            return None
        if status != 200:
            raise RuntimeError(f"open-data bundle: {url} answered {status}")
        return body

    def csv(self, url: str) -> list[list[str]] | None:
        body = self._get(url)
        if body is None:
            return None
        text = body.decode("utf-8").removeprefix("\ufeff")
        return list(csv.reader(io.StringIO(text)))

    def json(self, url: str) -> Any:
        return json.loads(self._get(url) or b"null")


def write(app: Flask, path: Path) -> dict[str, Any]:
    """Write the bundle's SQLite file at `path`; return the datapackage describing the CSVs."""
    public = _Public(app)
    db = sqlite3.connect(path)
    # A new file renamed into place only once whole: no journal, no waiting for the disk.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    try:
        with app.test_request_context(base_url=app.config.get("PUBLIC_BASE_URL") or None):
            years = [p["year"] for p in public.json(url_for("opendata.api.plans"))["plans"]]
            resources = _exports(db, public, years)
            for year in years:
                _progress(db, public, year)
                _reports(db, year)
                _findings(db, year)
            _log(db)
            package = dp.descriptor(
                url_for("plans.pages.home", _external=True), resources, _sources(years)
            )
            _about(db, package)
        db.commit()
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
    exports += _cycle_exports(years)
    resources = []
    for export, name, of_year, url in exports:
        rows = public.csv(url)
        if rows is None:  # a year without an evaluation formula has no such export
            continue
        header, body = rows[0], rows[1:]
        _fill_export(db, TABLES[export], header, body, of_year)
        # described even when empty (a plan not amended): a reader finds the same resources
        # in every bundle, each with its schema
        resources.append(dp.resource(name, export, url, header, of_year))
    return resources


def _cycle_exports(years: list[int]) -> list[tuple[str, str, int | None, str]]:
    """The yearly cycle's CSVs (their rows carry their year): each year's proposals,
    conversions and candidates, and each plan's amendments. A year with a solicitation
    and no candidate yet answers 404 for its candidates, as its pages do."""
    with services().read() as c:
        cycles = sorted(set(cq.years(c)) | set(pq.years(c)))
    found: list[tuple[str, str, int | None, str]] = []
    for year in cycles:
        for export, endpoint in (
            ("proposals", "cycle.proposals_api.proposals_csv"),
            ("conversions", "cycle.candidates.conversions_csv"),
            ("candidates", "cycle.candidates.candidates_csv"),
        ):
            found.append(
                (export, f"{export}-{year}", year, url_for(endpoint, year=year, _external=True))
            )
    for year in years:
        url = url_for("cycle.amendments.index_csv", year=year, _external=True)
        found.append(("amendments", f"amendments-{year}", year, url))
    return found


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
    """The cell as its column's type; as it is written when it is not one (SQLite keeps
    it: a column whose type changed must not stop the bundle; the datapackage's test fails)."""
    if cell == "":
        return None
    try:
        if kind == "integer":
            return int(cell)
        if kind == "number":
            return float(cell)
    except ValueError:
        return cell
    if kind == "boolean" and cell in ("True", "1", "False", "0"):
        return int(cell in ("True", "1"))
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
                    _flag(p["simulated"]),
                ]
            )
    TABLES["progress"].insert(db, TABLES["progress"].names(), rows)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _reports(db: sqlite3.Connection, year: int) -> None:
    """Every report and correction, per project, as /api/v1/plans/<year>/projects/<ref>/history
    gives them (its query, item_progress, asked once per item rather than per project)."""
    rows = []
    with services().read() as c:
        plan = q.plan(c, year)
        for item in q.items(c, year):
            if plan is None:  # the API's /plans listed it: the catalog has it
                break
            progress = item_progress(c, plan, item, today())
            for project in item.projects:
                rows += [_report(year, project.ref, r, r.of(project.ref)) for r in progress.reports]
    TABLES["reports"].insert(db, TABLES["reports"].names(), rows)


def _report(year: int, ref: str, r: Any, values: Any) -> list[Any]:
    return [
        year,
        ref,
        r.report_id,
        str(r.period),
        r.unit,
        _json([str(a) for a in values.amounts] if values else []),
        _json(list(values.milestones) if values else []),
        _json(
            [
                {"target": d.target, "district": d.district, "amount": str(d.amount)}
                for d in r.districts
                if d.ref == ref
            ]
        ),
        r.narrative,
        _json(list(r.evidence)),
        r.corrects,
        r.reason or None,
        r.recorded_at.isoformat(),
        _flag(r.simulated),
    ]


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


def _log(db: sqlite3.Connection) -> None:
    """The public log as /api/v1/log.jsonl exports it (its query, lq.page), with the
    canonical text each hash covers."""
    after, table = 0, TABLES["public_log"]
    # each entry's permanent page; url_for once (per row it cost more than the rest)
    page_of = url_for("opendata.journalists.event", uuid=UUID(int=0), _external=True)
    while True:
        with services().read() as c:
            page = lq.page(c, after, 5000)
        if not page:
            return
        table.insert(db, table.names(), [_log_row(row, page_of) for row in page])
        after = page[-1].seq


def _log_row(row: Any, page_of: str) -> list[Any]:
    entry = json.loads(row.canonical)  # exactly what was hashed
    payload = entry["payload"]
    marked = entry.get("simulated") or (isinstance(payload, dict) and payload.get("simulated"))
    return [
        row.seq,
        entry["uuid"],
        entry["kind"],
        entry["year"],
        entry["business_date"],
        entry["recorded_at"],
        _json(entry["subjects"]),
        _json(payload),
        entry["corrects"],
        row.canonical,
        row.prev_hash,
        row.hash,
        _flag(bool(marked)),
        page_of.replace(str(UUID(int=0)), entry["uuid"]),
    ]


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
