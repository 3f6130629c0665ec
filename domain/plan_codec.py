"""How plan value objects travel inside stored events: plain JSON-ready data.

Events hold dicts, lists, strings and numbers only (dates as ISO strings,
amounts as decimal strings), so what is stored does not depend on Python
class names beyond the event topics themselves.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.plan_spec import DocumentSpec, ProjectSpec, Schedule, Target


def project_to_data(project: ProjectSpec) -> dict[str, Any]:
    # Origins only when there are any: plans registered before them stay byte for byte.
    origins = {
        key: value
        for key, value in (("candidate", project.candidate), ("continues", project.continues))
        if value is not None
    }
    return {
        "number": project.number,
        "title": project.title,
        "text": project.text,
        "targets": [
            {"label": t.label, "amount": str(t.amount), "unit": t.unit, "at_least": t.at_least}
            for t in project.targets
        ],
        "milestones": list(project.milestones),
        **origins,
    }


def project_from_data(data: dict[str, Any]) -> ProjectSpec:
    return ProjectSpec(
        number=data["number"],
        title=data["title"],
        text=data["text"],
        targets=tuple(
            Target(t["label"], Decimal(t["amount"]), t["unit"], t["at_least"])
            for t in data["targets"]
        ),
        milestones=tuple(data["milestones"]),
        candidate=data.get("candidate"),
        continues=data.get("continues"),
    )


def document_to_data(document: DocumentSpec) -> dict[str, Any]:
    return {
        "number": document.number,
        "notice_title": document.notice_title,
        "title": document.title,
        "issuer": document.issuer,
        "date": document.date.isoformat(),
        "published": document.published.isoformat() if document.published else None,
        "source_text": document.source_text,
        "original_text": document.original_text,
        **({"simulated": True} if document.simulated else {}),
    }


def document_from_data(data: dict[str, Any]) -> DocumentSpec:
    published = data["published"]
    return DocumentSpec(
        number=data["number"],
        notice_title=data["notice_title"],
        title=data["title"],
        issuer=data["issuer"],
        date=date.fromisoformat(data["date"]),
        published=date.fromisoformat(published) if published else None,
        source_text=data["source_text"],
        original_text=data["original_text"],
        simulated=bool(data.get("simulated", False)),
    )


def schedule_to_data(schedule: Schedule) -> dict[str, Any]:
    return {
        "midyear_date": schedule.midyear_date.isoformat(),
        "midyear_share": schedule.midyear_share,
        "deadline": schedule.deadline.isoformat(),
    }


def schedule_from_data(data: dict[str, Any]) -> Schedule:
    return Schedule(
        midyear_date=date.fromisoformat(data["midyear_date"]),
        midyear_share=data["midyear_share"],
        deadline=date.fromisoformat(data["deadline"]),
    )
