"""Every CSV download: UTF-8 with a BOM (spreadsheets read the Chinese), no runnable cells.

A cell that begins with = + - @ | % — also after leading spaces, tabs or line
breaks — is run as a formula by spreadsheets (CSV injection). defusedcsv
quotes the plain cases; cells whose trigger hides behind whitespace are
quoted here first. Numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from defusedcsv import csv
from flask import Response

TRIGGERS = ("=", "+", "-", "@", "|", "%")
_NUMBER = re.compile(r"^\s*-?[0-9][0-9,.]*\s*$")


def defused(value: Any) -> Any:
    """A cell that no spreadsheet runs (before defusedcsv's own check of the first character)."""
    if not isinstance(value, str) or _NUMBER.match(value):
        return value
    if value[:1].isspace() and value.lstrip()[:1] in TRIGGERS:
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([defused(cell) for cell in row])
    return out.getvalue()


def csv_response(rows: Iterable[Sequence[Any]], filename: str) -> Response:
    response = Response("\ufeff" + csv_text(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response
