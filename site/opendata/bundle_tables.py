"""The tables of the SQLite bundle: plain tables with typed columns and primary keys (what
Datasette and sqlite-utils show best), the same types the datapackage gives the CSVs."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Table Schema types as SQLite column types (dates and months are ISO 8601 text).
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}

Columns = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: Columns = ()  # fixed tables; a CSV export's come from its header
    export: str = ""  # the CSV export it holds (datapackage.FIELDS)
    per_year: bool = False  # the export is one per plan year: a year column first
    numbered: bool = False  # no natural key: the CSV's line number
    references: tuple[str, ...] = field(default=())

    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def create(self, db: sqlite3.Connection, columns: Columns | None = None) -> None:
        """Create it once (a per-year export is created by its first year)."""
        listed = list(columns if columns is not None else self.columns)
        if self.numbered:
            listed.append(("line", "integer"))
        body = [f'"{name}" {SQL_TYPES.get(kind, "TEXT")}' for name, kind in listed]
        body.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in self.key) + ")")
        body += list(self.references)
        db.execute(f'CREATE TABLE IF NOT EXISTS "{self.name}" (\n  ' + ",\n  ".join(body) + "\n)")

    def insert(self, db: sqlite3.Connection, names: list[str], rows: list[list[Any]]) -> None:
        if self.columns:
            self.create(db)
        if not rows:
            return
        marks = ", ".join("?" for _ in names)
        listed = ", ".join(f'"{n}"' for n in names)
        db.executemany(f'INSERT INTO "{self.name}" ({listed}) VALUES ({marks})', rows)


TABLES = {
    "about": Table("about", ("key",), (("key", "string"), ("value", "string"))),
    "projects": Table("projects", ("year", "ref"), export="projects", per_year=True),
    "cases": Table("cases", ("number",), export="cases"),
    # the cycle's CSVs carry their year: no column added
    "proposals": Table("proposals", ("year", "ref"), export="proposals"),
    "conversions": Table("conversions", ("year", "ref"), export="conversions"),
    "candidates": Table("candidates", ("year", "ref"), export="candidates"),
    "amendments": Table("amendments", ("year", "number"), export="amendments"),
    "satisfaction": Table(
        "satisfaction", ("year", "line"), export="satisfaction", per_year=True, numbered=True
    ),
    "evaluation": Table("evaluation", ("year", "level", "key"), export="evaluation", per_year=True),
    "progress": Table(
        "progress",
        ("year", "as_of", "ref"),
        (
            ("year", "integer"),
            ("as_of", "date"),
            ("ref", "string"),
            ("status", "string"),
            ("completion", "number"),
            ("latest_period", "yearmonth"),
            ("midyear_met", "boolean"),
            ("simulated", "boolean"),
        ),
        references=('FOREIGN KEY ("year", "ref") REFERENCES "projects" ("year", "ref")',),
    ),
    "reports": Table(
        "reports",
        ("report_id", "ref"),
        (
            ("year", "integer"),
            ("ref", "string"),
            ("report_id", "string"),
            ("period", "yearmonth"),
            ("unit", "string"),
            ("amounts", "json"),
            ("milestones", "json"),
            ("districts", "json"),
            ("narrative", "string"),
            ("evidence", "json"),
            ("corrects", "string"),
            ("reason", "string"),
            ("recorded_at", "datetime"),
            ("simulated", "boolean"),
        ),
        references=('FOREIGN KEY ("year", "ref") REFERENCES "projects" ("year", "ref")',),
    ),
    "findings": Table(
        "findings",
        ("finding_id",),
        (
            ("finding_id", "string"),
            ("year", "integer"),
            ("item", "integer"),
            ("projects", "json"),
            ("unit", "string"),
            ("text", "string"),
            ("state", "string"),
            ("raised_on", "date"),
            ("record_id", "string"),
            ("record_kind", "string"),
            ("body", "string"),
            ("simulated", "boolean"),
            ("url", "string"),
        ),
    ),
    "finding_steps": Table(
        "finding_steps",
        ("finding_id", "n"),
        (
            ("finding_id", "string"),
            ("n", "integer"),
            ("step", "string"),
            ("text", "string"),
            ("recorded_at", "datetime"),
            ("simulated", "boolean"),
        ),
        references=('FOREIGN KEY ("finding_id") REFERENCES "findings" ("finding_id")',),
    ),
    "public_log": Table(
        "public_log",
        ("seq",),
        (
            ("seq", "integer"),
            ("uuid", "string"),
            ("kind", "string"),
            ("year", "integer"),
            ("business_date", "date"),
            ("recorded_at", "datetime"),
            ("subjects", "json"),
            ("payload", "json"),
            ("corrects", "string"),
            ("canonical", "string"),
            ("prev_hash", "string"),
            ("hash", "string"),
            ("simulated", "boolean"),
            ("url", "string"),
        ),
    ),
}
