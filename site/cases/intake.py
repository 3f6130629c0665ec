"""Cases from the 12345 hotline platform: an authenticated JSON endpoint and a CSV import.

Both are idempotent by the platform's ticket number (external_id): sending
the same ticket twice registers one case.
"""

from __future__ import annotations

import csv
import hmac
import io
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from flask import Blueprint, abort, current_app, jsonify, request
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from werkzeug.wrappers import Response

from application.case_commands import CaseReceipt, Intake
from domain.cases import CATEGORIES, DISTRICTS, CaseError
from domain.contacts import normalise_phone
from domain.text import clean_line, clean_text
from minsheng_site.services import services

bp = Blueprint("intake", __name__, url_prefix="/api/v1")


def _cleaned(clean: Any) -> BeforeValidator:
    return BeforeValidator(lambda value: clean(value) if isinstance(value, str) else value)


# The one text policy (domain/text.py), applied before the lengths are checked.
Line = Annotated[str, _cleaned(clean_line)]
Text = Annotated[str, _cleaned(clean_text)]


class Ticket(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: Line = Field(min_length=1, max_length=40)
    received_on: date
    category: str
    district: str
    title: Line = Field(min_length=1, max_length=60)
    content: Text = Field(min_length=1, max_length=2000)
    name: Line = Field(min_length=1, max_length=30)
    phone: Line = Field(max_length=20)
    consent: bool = False

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"one of {', '.join(CATEGORIES)}")
        return value

    @field_validator("district")
    @classmethod
    def _district(cls, value: str) -> str:
        if value not in DISTRICTS:
            raise ValueError(f"one of {', '.join(DISTRICTS)}")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        phone = normalise_phone(value)
        if phone is None:
            raise ValueError("a mainland mobile, or a landline with its area code")
        return phone

    def intake(self, channel: str) -> Intake:
        return Intake(
            year=self.received_on.year,
            channel=channel,
            category=self.category,
            district=self.district,
            title=self.title,
            content=self.content,
            name=self.name,
            phone=self.phone,
            consent=self.consent,
            received_on=self.received_on,
            external_id=self.external_id,
        )


class TicketError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


def register(
    tickets: Iterable[dict[str, Any]], channel: str, actor: str
) -> list[CaseReceipt | TicketError]:
    """Each ticket registered (or found registered already), or why not."""
    out: list[CaseReceipt | TicketError] = []
    for raw in tickets:
        try:
            ticket = Ticket.model_validate(raw)
            out.append(services().ledger.submit_case(ticket.intake(channel), actor))
        except ValidationError as error:
            out.append(
                TicketError(
                    [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()]
                )
            )
        except CaseError as error:  # the domain's rules, e.g. a day that has not come yet
            out.append(TicketError([(error.code, str(error))]))
    return out


@bp.post("/cases")
def submit() -> tuple[Response, int]:
    _authenticate()
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a ticket
        body = None
    if not isinstance(body, dict):
        return _error(400, "bad_request", "a JSON object is expected"), 400
    [result] = register([body], "api", "api:hotline")
    if isinstance(result, TicketError):
        response = jsonify(
            {
                "error": {
                    "status": 422,
                    "code": "invalid",
                    "message": "the ticket was refused",
                    "fields": [{"field": f, "message": m} for f, m in result.problems],
                }
            }
        )
        return response, 422
    payload = {"number": result.number, "created": result.created}
    if result.query_code:
        payload["query_code"] = result.query_code  # for the platform to pass on to the caller, once
    return jsonify(payload), 201 if result.created else 200


def _authenticate() -> None:
    expected = current_app.config.get("INTAKE_API_TOKEN") or ""
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(401, description="a valid bearer token is needed")


def _error(status: int, code: str, message: str) -> Response:
    return jsonify({"error": {"status": status, "code": code, "message": message}})


class NotUtf8(ValueError):
    """A hotline export that is not UTF-8 (a GBK export, a stray byte): nothing is imported,
    since guessing would register garbage in some rows and drop bytes silently in others."""

    def __init__(self, line: int, byte: int) -> None:
        self.line = line
        super().__init__(f"not UTF-8 (byte 0x{byte:02x}); nothing was imported: save it as UTF-8")


def read_csv(path: str) -> list[dict[str, Any]]:
    """Rows of a hotline export: external_id, received_on, category, district, title, content,
    name, phone, consent (是/否, yes/no, 1/0)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotUtf8(data[: error.start].count(b"\n") + 1, data[error.start]) from error
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        row["consent"] = str(row.get("consent", "")).strip().lower() in (
            "1",
            "yes",
            "true",
            "是",
            "y",
        )
    return rows
