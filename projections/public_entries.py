"""What each event says in public, and the hash chain over those statements.

`derive` turns a domain event into at most one public entry: its public facts
only (never a name, a phone number, or a citizen's words), the subjects it
is about (for feeds), its business date and recorded time. It is pure apart
from `Context`, a small memory of earlier events (a case's number and
consent, an item's category...), so that the same log always derives the
same entries: the projection and `flask log verify` share it.

Each entry's hash is sha256 of the previous hash and the entry's canonical
JSON: change one public fact of one event and every later hash differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from domain.awards import Award
from domain.cases import Case, Erasure
from domain.checkpoint import Checkpoint
from domain.plan import Item, KeyProject, Plan
from domain.ratings import Ballot, subject_year
from domain.supervision import Finding, SupervisionRecord
from domain.wuxi import business_date

GENESIS = "0" * 64
EVENTS = UUID("5b0e7f53-4a5e-4f7e-9d6e-7a1f2c3d2023")

Context = MutableMapping[str, Any]


def event_uuid(originator_id: UUID, version: int) -> str:
    """The permanent id of an event: the same in every store, rebuild and export."""
    return str(uuid5(EVENTS, f"{originator_id}/{version}"))


@dataclass(frozen=True)
class Entry:
    uuid: str
    kind: str
    year: int | None
    subjects: tuple[str, ...]
    business_date: str | None
    recorded_at: datetime
    payload: dict[str, Any]
    corrects: str | None = None

    def canonical(self) -> str:
        return json.dumps(
            {
                "uuid": self.uuid,
                "kind": self.kind,
                "year": self.year,
                "subjects": list(self.subjects),
                "business_date": self.business_date,
                "recorded_at": self.recorded_at.isoformat(),
                "payload": self.payload,
                "corrects": self.corrects,
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )


def chain(previous: str, entry: Entry) -> str:
    return hashlib.sha256(f"{previous}\n{entry.canonical()}".encode()).hexdigest()


@dataclass
class Deriver:
    """Derives entries in log order, remembering what later events need."""

    context: Context = field(default_factory=dict)

    def derive(self, event: Any) -> Entry | None:
        handler = _HANDLERS.get(type(event))
        return handler(self, event) if handler else None

    def _entry(
        self,
        e: Any,
        kind: str,
        year: int | None,
        subjects: list[str],
        payload: dict[str, Any],
        business: str | None = None,
        corrects: str | None = None,
    ) -> Entry:
        return Entry(
            event_uuid(e.originator_id, e.originator_version),
            kind,
            year,
            tuple(dict.fromkeys(subjects)),
            business or business_date(e.timestamp).isoformat(),
            e.timestamp,
            payload,
            corrects,
        )

    # The plan ------------------------------------------------------------------

    def _plan(self, e: Plan.Registered) -> Entry:
        doc = e.document
        payload = {
            "document": doc["number"],
            "title": doc["title"],
            "date": doc["date"],
            "schedule": e.schedule,
            "declared": e.declared,
        }
        return self._entry(e, "plan.registered", e.year, [f"plan:{e.year}"], payload, doc["date"])

    def _item(self, e: Item.Registered) -> Entry:
        refs = [p["number"] for p in e.projects]
        self.context[f"item:{e.originator_id}"] = {
            "year": e.year,
            "number": e.number,
            "category": e.category,
            "projects": refs,
            "units": e.units,
        }
        payload = {
            "number": e.number,
            "category": e.category,
            "text": e.text,
            "units": e.units,
            "projects": [
                {
                    "ref": p["number"],
                    "title": p["title"],
                    "targets": p["targets"],
                    "milestones": p["milestones"],
                }
                for p in e.projects
            ],
        }
        return self._entry(
            e,
            "item.registered",
            e.year,
            self._item_subjects(e.year, e.number, e.category, refs, e.units[:1]),
            payload,
        )

    def _key(self, e: KeyProject.Registered) -> Entry:
        for ref in e.projects:
            self.context[f"key:{e.year}:{ref}"] = e.number
        payload = {
            "number": e.number,
            "name": e.name,
            "text": e.text,
            "leaders": e.leaders,
            "units": e.units,
            "projects": e.projects,
        }
        subjects = [
            f"plan:{e.year}",
            f"key:{e.year}:{e.number}",
            *(f"project:{e.year}:{r}" for r in e.projects),
        ]
        return self._entry(e, "key_project.registered", e.year, subjects, payload)

    def _item_subjects(
        self, year: int, number: int, category: int, refs: list[str], units: list[str]
    ) -> list[str]:
        keys = {self.context.get(f"key:{year}:{r}") for r in refs} - {None}
        return [
            f"plan:{year}",
            f"category:{year}:{category}",
            f"item:{year}:{number}",
            *(f"project:{year}:{r}" for r in refs),
            *(f"key:{year}:{k}" for k in sorted(keys)),
            *(f"unit:{year}:{u}" for u in units),
        ]

    # Progress ------------------------------------------------------------------

    def _report(self, e: Any) -> Entry:
        item = self.context[f"item:{e.originator_id}"]
        uuid = event_uuid(e.originator_id, e.originator_version)
        self.context[f"report:{e.report_id}"] = uuid
        corrects = self.context.get(f"report:{e.corrects}") if hasattr(e, "corrects") else None
        payload = {
            "item": e.item,
            "period": e.period,
            "unit": e.unit,
            "values": e.values,
            "narrative": e.narrative,
            "evidence": e.evidence,
        }
        if corrects:
            payload["reason"] = e.reason
        kind = "report.corrected" if corrects else "report.filed"
        subjects = self._item_subjects(e.year, e.item, item["category"], item["projects"], [e.unit])
        return self._entry(e, kind, e.year, subjects, payload, e.period, corrects)

    # Supervision ---------------------------------------------------------------

    def _visit(self, e: SupervisionRecord.Recorded) -> Entry:
        payload = {
            "kind": e.kind,
            "body": e.body,
            "held_on": e.held_on,
            "title": e.title,
            "summary": e.summary,
            "projects": e.projects,
        }
        subjects = [f"plan:{e.year}", "supervision", *(f"project:{e.year}:{r}" for r in e.projects)]
        return self._entry(e, "supervision.recorded", e.year, subjects, payload, e.held_on)

    def _finding(self, e: Any) -> Entry:
        if isinstance(e, Finding.Raised):
            self.context[f"finding:{e.originator_id}"] = {
                "year": e.year,
                "projects": e.projects,
                "unit": e.unit,
            }
        finding = self.context[f"finding:{e.originator_id}"]
        kind, text = {
            Finding.Raised: ("finding.raised", "text"),
            Finding.RectificationReported: ("finding.rectified", "text"),
            Finding.Closed: ("finding.closed", "note"),
            Finding.Reopened: ("finding.reopened", "reason"),
        }[type(e)]
        payload = {
            "finding": str(e.originator_id),
            "text": getattr(e, text),
            "unit": finding["unit"],
            "projects": finding["projects"],
        }
        year = finding["year"]
        subjects = [
            f"plan:{year}",
            "supervision",
            "findings",
            f"unit:{year}:{finding['unit']}",
            *(f"project:{year}:{r}" for r in finding["projects"]),
        ]
        return self._entry(e, kind, year, subjects, payload)

    # Cases (public facts only) -------------------------------------------------------

    def _case(self, e: Any) -> Entry:
        key = f"case:{e.originator_id}"
        if isinstance(e, Case.Submitted):
            self.context[key] = {
                "number": e.number,
                "consent": e.consent,
                "district": e.district,
                "category": e.category,
                "year": e.year,
            }
        case = dict(self.context[key])
        kind, stage, facts = f"case.{e.step}", e.state_after(), _CASE_FACTS[type(e)](e)
        if not case["consent"]:  # without consent: category, district and stage only
            facts = {k: v for k, v in facts.items() if kind == "case.declined" and k == "reason"}
        if isinstance(e, Case.KeySupervised):
            case["key"] = True
        if isinstance(e, Case.Assigned) and case["consent"]:
            case["unit"] = e.lead_unit
        self.context[key] = case
        payload = {
            "number": case["number"],
            "category": case["category"],
            "district": case["district"],
            "stage": stage,
            **facts,
        }
        subjects = ["cases", f"case:{case['number']}", f"district:{case['district']}"]
        if case.get("key"):
            subjects.append("cases:key")
        if case.get("unit"):
            subjects.append(f"case-unit:{case['unit']}")
        return self._entry(e, kind, case["year"], subjects, payload)

    def _erasure(self, e: Erasure.Recorded) -> Entry:
        numbers = [
            self.context[f"case:{c}"]["number"] for c in e.cases if f"case:{c}" in self.context
        ]
        return self._entry(
            e,
            "case.erased",
            None,
            ["cases", *(f"case:{n}" for n in numbers)],
            {"cases": numbers, "reason": e.reason},
        )

    # Ratings (the level counts publicly; who rated and what they wrote never enter the log) --

    def _ballot(self, e: Any) -> Entry:
        if isinstance(e, Ballot.Cast):
            self.context[f"ballot:{e.originator_id}"] = {
                "subject": e.subject,
                "quarter": e.quarter,
            }
        ballot = self.context[f"ballot:{e.originator_id}"]
        kind, facts = {
            Ballot.Cast: lambda: ("rating.cast", {"level": e.level, "district": e.district}),
            Ballot.Recast: lambda: ("rating.replaced", {"level": e.level, "district": e.district}),
            Ballot.CommentApproved: lambda: ("rating.comment_published", {}),
            Ballot.CommentRejected: lambda: ("rating.comment_rejected", {"category": e.category}),
        }[type(e)]()
        subject, year = ballot["subject"], subject_year(ballot["subject"])
        payload = {
            "ballot": str(e.originator_id),
            "subject": subject,
            "quarter": ballot["quarter"],
            "simulated": getattr(e, "actor", "").startswith("sim:") or None,
            **facts,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        return self._entry(e, kind, year, ["ratings", f"ratings:{subject}"], payload)

    # Awards ----------------------------------------------------------------------

    def _award_opened(self, e: Award.Opened) -> None:
        self.context[f"award:{e.originator_id}"] = {"name": e.name}

    def _award(self, e: Any) -> Entry:
        name = self.context.get(f"award:{e.originator_id}", {}).get("name", e.award)
        payload = {"award": e.award, "name": name, "candidate": e.candidate}
        if isinstance(e, Award.Withdrawn):
            kind = "award.withdrawn"
            payload |= {"decision": e.decision, "reason": e.reason}
        else:
            kind = "award.nominated" if isinstance(e, Award.Nominated) else "award.selected"
            payload["note"] = e.note
        subjects = [f"plan:{e.year}", "awards"]
        if e.candidate[:1].isdigit() and "." in e.candidate:
            subjects.append(f"project:{e.year}:{e.candidate}")
        else:
            subjects.append(f"case:{e.candidate}")
        return self._entry(e, kind, e.year, subjects, payload)

    def _checkpoint(self, e: Checkpoint.Recorded) -> Entry:
        payload: dict[str, Any] = {"day": e.day, "entries": e.entries, "head": e.head}
        if e.store_head is not None:  # version 1 checkpoints keep the payload they were hashed with
            payload |= {"store_events": e.store_events, "store_head": e.store_head}
        return self._entry(e, "log.checkpoint", None, ["log"], payload, e.day)


# the public facts of each case event (with consent); its kind and stage come from the domain
_CASE_FACTS: dict[type, Any] = {
    Case.Submitted: lambda e: {"channel": e.channel, "received_on": e.received_on},
    Case.Accepted: lambda e: {},
    Case.Declined: lambda e: {"reason": e.reason},
    Case.Assigned: lambda e: {
        "route": e.route,
        "lead_unit": e.lead_unit,
        "co_units": e.co_units,
        "working_days": e.working_days,
        "deadline": e.deadline,
    },
    Case.KeySupervised: lambda e: {"track": e.track},
    Case.Replied: lambda e: {"unit": e.unit},
    Case.Evaluated: lambda e: {"level": e.level, "deadline": e.new_deadline},
    Case.SupervisionNoted: lambda e: {"text": e.text, "deadline": e.new_deadline},
    Case.Merged: lambda e: {"into": e.into_number},
    Case.Closed: lambda e: {},
    Case.LinkedToProject: lambda e: {
        "project_year": e.project_year,
        "project": e.project,
        "note": e.note,
    },
    Case.ContentRedacted: lambda e: {
        "title": e.public_title,
        "text": e.public_text,
        "reason": e.reason,
    },
}

_HANDLERS: dict[type, Any] = {
    Plan.Registered: Deriver._plan,
    Item.Registered: Deriver._item,
    KeyProject.Registered: Deriver._key,
    Item.ProgressReported: Deriver._report,
    Item.ReportCorrected: Deriver._report,
    SupervisionRecord.Recorded: Deriver._visit,
    Finding.Raised: Deriver._finding,
    Finding.RectificationReported: Deriver._finding,
    Finding.Closed: Deriver._finding,
    Finding.Reopened: Deriver._finding,
    **{cls: Deriver._case for cls in _CASE_FACTS},
    Erasure.Recorded: Deriver._erasure,
    Checkpoint.Recorded: Deriver._checkpoint,
    Ballot.Cast: Deriver._ballot,
    Ballot.Recast: Deriver._ballot,
    Ballot.CommentApproved: Deriver._ballot,
    Ballot.CommentRejected: Deriver._ballot,
    Award.Opened: Deriver._award_opened,
    Award.Nominated: Deriver._award,
    Award.Selected: Deriver._award,
    Award.Withdrawn: Deriver._award,
}
