"""The corpus through every way a case comes in: the citizen's form, the hotline form,
the intake API (JSON) and `flask cases import` (a CSV file)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from wtforms import TextAreaField

from domain.text import clean_line
from minsheng_site.cases.forms import CaseForm, HotlineCaseForm
from tests.hostile import CANARY_NAME, CANARY_PHONE, CORPUS, Entry
from tests.reliability.hostile_site import TODAY, TOKEN, Site
from tests.reliability.hostile_trials import RECEIVES, Sent, Trials, form_fields

NORMAL = {
    "title": "路灯不亮",
    "category": "城市管理",
    "district": "梁溪区",
    "content": "小区门口的路灯不亮已经两周了。",
    "name": CANARY_NAME,
    "phone": CANARY_PHONE,
    "consent": "y",
}
TICKET = {
    "received_on": TODAY.isoformat(),
    "category": "城市管理",
    "district": "梁溪区",
    "title": "路灯不亮",
    "content": "小区门口的路灯不亮已经两周了。",
    "name": CANARY_NAME,
    "phone": CANARY_PHONE,
    "consent": True,
}
# The ticket's fields and what each keeps (site/intake.py: Line, Text, the phone, choices).
# Names and phones are shown to the task force only (and never found on a public page).
PRIVATE = {"name": "line@task"}
TICKET_PROSE = {"external_id": "none", "title": "line", "content": "text", **PRIVATE}
TICKET_ALONE = {
    "phone": "phone@task",
    **dict.fromkeys(("category", "district", "received_on", "consent"), "none"),
}
# (the ticket number is kept, never shown: nothing to find again)


def keeps(form: type, *names: str) -> dict[str, str]:
    """What each named field of a form keeps: many lines (a text area) or one."""
    return {
        n: "text" if issubclass(getattr(form, n).field_class, TextAreaField) else "line"
        for n in names
    }


def _case_places(site: Site, number: str) -> tuple[tuple[str, str], ...]:
    return (("public", f"/cases/{number}"), ("task", f"/staff/cases/{site.case_id(number)}"))


def citizen_form(site: Site, trials: Trials) -> None:
    def send(values: Mapping[str, Entry]) -> Sent:
        answer = site.post("citizen", "/cases/new", form_fields({**NORMAL, **values}))
        if answer.status != 303:
            return Sent.of(answer)
        mine = site.get("citizen", "/cases/mine")  # where the citizen reads their number
        number = re.findall(r'class="code">([^<]+)<', mine.body)[0]
        return Sent(303, places=_case_places(site, number))

    prose = {**keeps(CaseForm, "title", "content"), **PRIVATE, "address": "line@task"}
    for entry in CORPUS:
        trials.attempt("cases.pages.new", prose, entry, send)
        trials.attempt("cases.pages.new", {"phone": "phone@task"}, entry, send)
        trials.attempt("cases.pages.new", {"website": "none"}, entry, send)  # the bots' honeypot
        trials.attempt("cases.pages.new", {"submission": "none"}, entry, send)  # the form's token


def hotline_form(site: Site, trials: Trials) -> None:
    serial = iter(range(1_000_000))

    def send(values: Mapping[str, Entry]) -> Sent:
        data = {**NORMAL, "received_on": TODAY.isoformat(), "external_id": f"HL-{next(serial)}"}
        answer = site.post("task", "/staff/cases/new", form_fields({**data, **values}))
        if answer.status != 303:
            return Sent.of(answer)
        case_id = answer.location.rsplit("/", 1)[-1]
        number = site.number_of(case_id)
        return Sent(303, places=_case_places(site, number))

    prose = {
        **keeps(HotlineCaseForm, "title", "content"),
        **PRIVATE,
        "address": "line@task",
        "external_id": "none",
    }
    for entry in CORPUS:
        trials.attempt("staff.cases.new", prose, entry, send)
        trials.attempt("staff.cases.new", {"phone": "phone@task"}, entry, send)
        trials.attempt("staff.cases.new", {"website": "none"}, entry, send)
        trials.attempt("staff.cases.new", {"submission": "none"}, entry, send)


def intake_api(site: Site, trials: Trials) -> None:
    serial = iter(range(1_000_000))

    def send(values: Mapping[str, Entry]) -> Sent:
        body = json_body({**TICKET, "external_id": f"API-{next(serial)}"}, values)
        answer = site.send(
            "public",
            "POST",
            "/api/v1/cases",
            body,
            "application/json",
            {"Authorization": f"Bearer {TOKEN}"},
        )
        if answer.status not in (200, 201):  # 200: that ticket number was registered before
            return Sent.of(answer)
        number = re.search(r'"number":\s*"([^"]+)"', answer.body)
        assert number, answer.body
        return Sent(answer.status, places=_case_places(site, number[1]))

    for entry in CORPUS:
        trials.attempt("api.cases", TICKET_PROSE, entry, send, via="json")
        for name, kept in TICKET_ALONE.items():
            trials.attempt("api.cases", {name: kept}, entry, send, via="json")


def json_body(fields: Mapping[str, Any], values: Mapping[str, Entry]) -> bytes:
    """A JSON object: entries as \\u escapes (lone surrogates too), raw bytes left raw."""
    parts = []
    for name, value in fields.items():
        entry = values.get(name)
        if entry is None:
            literal = json.dumps(value).encode()
        elif entry.raw is None:
            literal = entry.json_value().encode()
        else:
            literal = b'"' + entry.raw + b'"'
        parts.append(json.dumps(name).encode() + b": " + literal)
    return b"{" + b", ".join(parts) + b"}"


CSV_COLUMNS = (
    "external_id",
    "received_on",
    "category",
    "district",
    "title",
    "content",
    "name",
    "phone",
    "consent",
)


CSV_PROSE = ("title", "content", "name")
CSV_KEEPS = {"title": "line", "content": "text", **PRIVATE, "phone": "phone@task"}


def csv_import(site: Site, trials: Trials) -> None:
    """Every entry in every column: first the prose columns of an entry together in one row
    (and every other column in a row of its own), then each prose column alone where that
    row was refused. Files that are not UTF-8 are imported one by one (they are refused
    whole)."""
    rows = [
        (columns, entry)
        for entry in CORPUS
        for columns in (CSV_PROSE, *((c,) for c in CSV_COLUMNS if c not in CSV_PROSE))
    ]
    results = _import(site, "together", rows)
    again = [
        ((column,), entry)
        for columns, entry in rows
        if columns == CSV_PROSE and not results[(columns, entry.name)].accepted
        for column in CSV_PROSE
    ]
    results |= _import(site, "alone", again)
    for entry in CORPUS:
        for columns in (CSV_PROSE, *((c,) for c in CSV_COLUMNS if c not in CSV_PROSE)):
            fields = {c: CSV_KEEPS.get(c, "none") for c in columns}

            def send(values: Mapping[str, Entry], e: Entry = entry) -> Sent:
                return results[(tuple(values), e.name)]

            trials.attempt("cli.cases.import", fields, entry, send, "csv")


Row = tuple[tuple[str, ...], Entry]


def _import(site: Site, name: str, rows: Sequence[Row]) -> dict[tuple[Any, str], Sent]:
    """`flask cases import` of these rows: what became of each (columns, entry name)."""
    files: dict[str, list[tuple[tuple[str, ...], Entry, str]]] = {}
    for n, (columns, entry) in enumerate(rows):
        file = name if entry.valid_utf8() else f"{name}-{entry.name}"
        files.setdefault(file, []).append((columns, entry, f"CSV-{name}-{n}"))
    results: dict[tuple[Any, str], Sent] = {}
    for file, planned in files.items():
        path = site.folder / f"{file}.csv"
        path.write_bytes(_csv_bytes(planned))
        result = site.app.test_cli_runner().invoke(args=["cases", "import", str(path)])
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        if crashed:
            site.errors.append(f"flask cases import {file}.csv raised {result.exception!r}")
        for line, (columns, entry, external) in enumerate(planned, start=2):
            if columns == ("external_id",):  # then the ticket number is the entry, as kept
                external = clean_line(RECEIVES["csv"](entry))
            said = f"{path}:{line}: refused" in result.output or "not UTF-8" in result.output
            results[(columns, entry.name)] = _imported(site, external, crashed, said)
    return results


def _csv_bytes(planned: list[tuple[tuple[str, ...], Entry, str]]) -> bytes:
    out = io.BytesIO()
    out.write(",".join(CSV_COLUMNS).encode() + b"\r\n")
    for columns, entry, external in planned:
        values: dict[str, bytes] = {
            k: str(v).encode() for k, v in {**TICKET, "consent": "是"}.items()
        }
        values["external_id"] = external.encode()
        values |= dict.fromkeys(columns, entry.utf8())
        out.write(b",".join(_quoted(values[k]) for k in CSV_COLUMNS) + b"\r\n")
    return out.getvalue()


def _quoted(value: bytes) -> bytes:
    return b'"' + value.replace(b'"', b'""') + b'"'


def _imported(site: Site, external: str, crashed: bool, said: bool) -> Sent:
    """Whether the import registered this row (found by its ticket number), and where."""
    if crashed:
        return Sent(500)
    number = site.ticket("csv", external) if external else None
    if number is None:
        return Sent(422, explained=said)  # refused: its line and reason on standard error
    return Sent(200, places=_case_places(site, number))
