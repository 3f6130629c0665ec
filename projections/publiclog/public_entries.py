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
from functools import singledispatch
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEvent

from domain.actors import is_simulated
from domain.awards import Award
from domain.candidates import CandidateBook
from domain.cases import Case, Erasure
from domain.checkpoint import Checkpoint
from domain.plan import Item, KeyProject, Plan, item_id
from domain.proposals import Proposal, Solicitation, Support, proposal_ref
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
    return link(previous, entry.canonical())


def link(previous: str, canonical: str) -> str:
    """The hash of an entry whose canonical text is `canonical`, after `previous`."""
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def simulated(e: object) -> bool:
    """Was this event written by the labelled simulated year?"""
    return is_simulated(getattr(e, "actor", None))


def marked(payload: dict[str, Any], is_simulated: bool) -> dict[str, Any]:
    """The payload with `"simulated": true` for a simulated fact, and unchanged for a real one:
    the entries (and hashes) of real facts stay as they were before the marker existed."""
    return {**payload, "simulated": True} if is_simulated else payload


@dataclass
class Deriver:
    """Derives entries in log order, remembering what later events need."""

    context: Context = field(default_factory=dict)

    @singledispatchmethod
    def derive(self, event: object) -> Entry | None:
        """An event with nothing to say in public (staff accounts, the access log...)."""
        return None

    def _entry(
        self,
        e: DomainEvent,
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

    @derive.register
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

    @derive.register
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

    @derive.register
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
        found = (self.context.get(f"key:{year}:{r}") for r in refs)
        keys = {k for k in found if k is not None}
        return [
            f"plan:{year}",
            f"category:{year}:{category}",
            f"item:{year}:{number}",
            *(f"project:{year}:{r}" for r in refs),
            *(f"key:{year}:{k}" for k in sorted(keys)),
            *(f"unit:{year}:{u}" for u in units),
        ]

    @derive.register
    def _amended(self, e: Plan.Amended) -> Entry:
        """An amendment of the plan (issue 15): public at once, with its basis and reason;
        its business date is the day it takes effect."""
        payload = {
            "number": e.number,
            "change_kind": e.kind,
            "item": e.item,
            "project": e.project,
            "change": e.change,
            "basis_number": e.basis_number,
            "basis_date": e.basis_date,
            "effective": e.effective,
            "reason": e.reason,
        }
        refs = [e.project] if e.project else []
        if e.kind == "project_merged":
            refs.append(e.change["into"])
        item = self.context[f"item:{item_id(e.year, e.item)}"]
        units = [*e.change.get("old", []), *e.change.get("new", [])] if e.kind == "units" else []
        subjects = [
            f"plan:{e.year}",
            f"amendments:{e.year}",
            *self._item_subjects(e.year, e.item, item["category"], refs, units),
        ]
        payload = marked(payload, simulated(e))
        return self._entry(e, "plan.amended", e.year, subjects, payload, e.effective)

    # Progress ------------------------------------------------------------------

    @derive.register
    def _report(self, e: Item.ProgressReported | Item.ReportCorrected) -> Entry:
        item = self.context[f"item:{e.originator_id}"]
        uuid = event_uuid(e.originator_id, e.originator_version)
        self.context[f"report:{e.report_id}"] = uuid
        correction = e if isinstance(e, Item.ReportCorrected) else None
        corrects = self.context.get(f"report:{correction.corrects}") if correction else None
        payload = {
            "item": e.item,
            "period": e.period,
            "unit": e.unit,
            "values": e.values,
            "narrative": e.narrative,
            "evidence": e.evidence,
        }
        if e.districts:  # only then: the entries of reports without one stay as they were
            payload["districts"] = e.districts
        if corrects and correction:
            payload["reason"] = correction.reason
        kind = "report.corrected" if corrects else "report.filed"
        subjects = self._item_subjects(e.year, e.item, item["category"], item["projects"], [e.unit])
        payload = marked(payload, simulated(e))
        return self._entry(e, kind, e.year, subjects, payload, e.period, corrects)

    @derive.register
    def _report_photos(self, e: Item.PhotosAttached) -> Entry:
        """A unit's photos of the work a report tells of: public at once, by their hashes."""
        item = self.context[f"item:{e.originator_id}"]
        payload = {
            "item": e.item,
            "report": self.context.get(f"report:{e.report_id}"),
            "unit": e.unit,
            "photos": e.photos,
        }
        subjects = self._item_subjects(e.year, e.item, item["category"], item["projects"], [e.unit])
        payload = marked(payload, simulated(e))
        return self._entry(e, "report.photos", e.year, subjects, payload)

    # Supervision ---------------------------------------------------------------

    @derive.register
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
        payload = marked(payload, simulated(e))
        return self._entry(e, "supervision.recorded", e.year, subjects, payload, e.held_on)

    @derive.register
    def _raised(self, e: Finding.Raised) -> Entry:
        self.context[f"finding:{e.originator_id}"] = {
            "year": e.year,
            "projects": e.projects,
            "unit": e.unit,
            "simulated": simulated(e),
        }
        return self._finding(e, "finding.raised", e.text)

    @derive.register
    def _rectified(self, e: Finding.RectificationReported) -> Entry:
        return self._finding(e, "finding.rectified", e.text)

    @derive.register
    def _finding_closed(self, e: Finding.Closed) -> Entry:
        return self._finding(e, "finding.closed", e.note)

    @derive.register
    def _reopened(self, e: Finding.Reopened) -> Entry:
        return self._finding(e, "finding.reopened", e.reason)

    def _finding(self, e: DomainEvent, kind: str, text: str) -> Entry:
        finding = self.context[f"finding:{e.originator_id}"]
        payload = {
            "finding": str(e.originator_id),
            "text": text,
            "unit": finding["unit"],
            "projects": finding["projects"],
        }
        payload = marked(payload, finding.get("simulated", False) or simulated(e))
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

    @derive.register
    def _case(self, e: Case.Event) -> Entry:
        key = f"case:{e.originator_id}"
        if isinstance(e, Case.Submitted):
            self.context[key] = {
                "number": e.number,
                "consent": e.consent,
                "district": e.district,
                "category": e.category,
                "year": e.year,
                "simulated": simulated(e),
            }
        case = dict(self.context[key])
        kind, stage, facts = f"case.{e.step}", e.state_after(), case_facts(e)
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
        payload = marked(payload, case.get("simulated", False) or simulated(e))
        subjects = ["cases", f"case:{case['number']}", f"district:{case['district']}"]
        if case.get("key"):
            subjects.append("cases:key")
        if case.get("unit"):
            subjects.append(f"case-unit:{case['unit']}")
        return self._entry(e, kind, case["year"], subjects, payload)

    @derive.register
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

    @derive.register
    def _cast(self, e: Ballot.Cast) -> Entry:
        self.context[f"ballot:{e.originator_id}"] = {"subject": e.subject, "quarter": e.quarter}
        return self._ballot(e, "rating.cast", {"level": e.level, "district": e.district})

    @derive.register
    def _recast(self, e: Ballot.Recast) -> Entry:
        return self._ballot(e, "rating.replaced", {"level": e.level, "district": e.district})

    @derive.register
    def _comment_approved(self, e: Ballot.CommentApproved) -> Entry:
        return self._ballot(e, "rating.comment_published", {})

    @derive.register
    def _comment_rejected(self, e: Ballot.CommentRejected) -> Entry:
        return self._ballot(e, "rating.comment_rejected", {"category": e.category})

    def _ballot(self, e: DomainEvent, kind: str, facts: dict[str, Any]) -> Entry:
        ballot = self.context[f"ballot:{e.originator_id}"]
        subject, year = ballot["subject"], subject_year(ballot["subject"])
        payload = {
            "ballot": str(e.originator_id),
            "subject": subject,
            "quarter": ballot["quarter"],
            "simulated": is_simulated(getattr(e, "actor", "")) or None,
            **facts,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        return self._entry(e, kind, year, ["ratings", f"ratings:{subject}"], payload)

    # Awards ----------------------------------------------------------------------

    @derive.register
    def _award_opened(self, e: Award.Opened) -> None:
        self.context[f"award:{e.originator_id}"] = {"name": e.name}

    @derive.register
    def _nominated(self, e: Award.Nominated) -> Entry:
        return self._award(e, "award.nominated", {"note": e.note})

    @derive.register
    def _selected(self, e: Award.Selected) -> Entry:
        return self._award(e, "award.selected", {"note": e.note})

    @derive.register
    def _withdrawn(self, e: Award.Withdrawn) -> Entry:
        return self._award(e, "award.withdrawn", {"decision": e.decision, "reason": e.reason})

    def _award(
        self,
        e: Award.Nominated | Award.Selected | Award.Withdrawn,
        kind: str,
        facts: dict[str, Any],
    ) -> Entry:
        name = self.context.get(f"award:{e.originator_id}", {}).get("name", e.award)
        payload = {"award": e.award, "name": name, "candidate": e.candidate, **facts}
        subjects = [f"plan:{e.year}", "awards"]
        if e.candidate[:1].isdigit() and "." in e.candidate:
            subjects.append(f"project:{e.year}:{e.candidate}")
        else:
            subjects.append(f"case:{e.candidate}")
        return self._entry(e, kind, e.year, subjects, payload)

    # The cycle: conversions of cases, candidates, the congress vote ------------------

    @derive.register
    def _book_opened(self, e: CandidateBook.Opened) -> None:
        pass  # an empty list says nothing

    @derive.register
    def _converted(self, e: CandidateBook.CasesConverted) -> Entry:
        districts: dict[str, int] = {}
        units: dict[str, int] = {}
        for case in e.cases:
            districts[case["district"]] = districts.get(case["district"], 0) + 1
            unit = case["lead_unit"] or ""
            units[unit] = units.get(unit, 0) + 1
        payload = {
            "ref": e.ref,
            "title": e.title,
            "problem": e.problem,
            "cases": [case["number"] for case in e.cases],
            "districts": districts,
            "units": units,
        }
        subjects = [
            f"cycle:{e.year}",
            f"candidates:{e.year}",
            f"conversion:{e.year}:{e.ref[1:]}",
            *(f"case:{case['number']}" for case in e.cases),
        ]
        return self._entry(e, "cycle.converted", e.year, subjects, marked(payload, simulated(e)))

    @derive.register
    def _listed(self, e: CandidateBook.CandidateListed) -> Entry:
        payload = {
            "ref": e.ref,
            "title": e.title,
            "category": e.category,
            "description": e.description,
            "sources": e.sources,
            "targets": e.targets,
            "units": e.units,
        }
        subjects = [
            f"cycle:{e.year}",
            f"candidates:{e.year}",
            f"candidate:{e.year}:{e.ref[1:]}",
            *(
                f"conversion:{e.year}:{s[1:]}" if s.startswith("Z") else f"proposal:{e.year}:{s}"
                for s in e.sources
            ),
        ]
        entry = self._entry(e, "cycle.listed", e.year, subjects, marked(payload, simulated(e)))
        self.context[f"candidate:{e.year}:{e.ref}"] = entry.uuid
        return entry

    @derive.register
    def _candidate_corrected(self, e: CandidateBook.CandidateCorrected) -> Entry:
        payload = {
            "ref": e.ref,
            "title": e.title,
            "category": e.category,
            "description": e.description,
            "targets": e.targets,
            "units": e.units,
            "reason": e.reason,
        }
        subjects = [f"cycle:{e.year}", f"candidates:{e.year}", f"candidate:{e.year}:{e.ref[1:]}"]
        return self._entry(
            e,
            "cycle.candidate_corrected",
            e.year,
            subjects,
            marked(payload, simulated(e)),
            corrects=self.context.get(f"candidate:{e.year}:{e.ref}"),
        )

    @derive.register
    def _voted(self, e: CandidateBook.VoteRecorded) -> Entry:
        entry = self._vote(e, "cycle.voted", dict(e.vote))
        self.context[f"vote:{e.year}"] = entry.uuid
        return entry

    @derive.register
    def _vote_corrected(self, e: CandidateBook.VoteCorrected) -> Entry:
        corrects = self.context.get(f"vote:{e.year}")
        return self._vote(e, "cycle.vote_corrected", {**e.vote, "reason": e.reason}, corrects)

    def _vote(
        self,
        e: CandidateBook.VoteRecorded | CandidateBook.VoteCorrected,
        kind: str,
        payload: dict[str, Any],
        corrects: str | None = None,
    ) -> Entry:
        subjects = [
            f"cycle:{e.year}",
            f"candidates:{e.year}",
            *(f"candidate:{e.year}:{r['candidate'][1:]}" for r in e.vote["results"]),
        ]
        return self._entry(
            e,
            kind,
            e.year,
            subjects,
            marked(payload, simulated(e)),
            e.vote["held_on"],
            corrects,
        )

    # Proposals for next year's plan (who proposed or supported never enters the log) --------

    @derive.register
    def _solicitation_opened(self, e: Solicitation.Opened) -> Entry:
        self.context[f"solicitation:{e.originator_id}"] = e.year
        payload = marked({"last_day": e.last_day}, simulated(e))
        return self._entry(e, "solicitation.opened", e.year, _cycle(e.year), payload)

    @derive.register
    def _solicitation_closed(self, e: Solicitation.Closed) -> Entry:
        year = self.context[f"solicitation:{e.originator_id}"]
        payload = marked({}, simulated(e))
        return self._entry(e, "solicitation.closed", year, _cycle(year), payload)

    @derive.register
    def _proposal_submitted(self, e: Proposal.Submitted) -> Entry:
        self.context[f"proposal:{e.originator_id}"] = {
            "year": e.year,
            "number": e.number,
            "simulated": simulated(e),
        }
        facts = {"category": e.category, "district": e.district}
        return self._proposal(e, "proposal.submitted", facts, feed=False)

    @derive.register
    def _proposal_approved(self, e: Proposal.Approved) -> Entry:
        facts = {"title": e.title, "description": e.description, "edited": e.edited}
        return self._proposal(e, "proposal.approved", facts)

    @derive.register
    def _proposal_rejected(self, e: Proposal.Rejected) -> Entry:
        return self._proposal(e, "proposal.rejected", {"category": e.category}, feed=False)

    @derive.register
    def _proposal_adopted(self, e: Proposal.Adopted) -> Entry:
        facts = {"candidate": e.candidate, "note": e.note}
        return self._proposal(e, "proposal.adopted", facts)

    @derive.register
    def _proposal_merged(self, e: Proposal.Merged) -> Entry:
        facts = {"into": proposal_ref(e.into), "reason": e.reason}
        return self._proposal(e, "proposal.merged", facts)

    @derive.register
    def _proposal_declined(self, e: Proposal.NotAdopted) -> Entry:
        return self._proposal(e, "proposal.not_adopted", {"reason": e.reason})

    @derive.register
    def _supported(self, e: Support.Given) -> Entry:
        payload = marked({"proposal": proposal_ref(e.number)}, simulated(e))
        subjects = [f"cycle:{e.year}", f"proposal:{e.year}:{proposal_ref(e.number)}"]
        return self._entry(e, "proposal.supported", e.year, subjects, payload)

    def _proposal(
        self, e: DomainEvent, kind: str, facts: dict[str, Any], feed: bool = True
    ) -> Entry:
        """A proposal's entry: its ref and public facts; in the proposals feed (subject
        proposals:<year>) when it was published or answered."""
        proposal = self.context[f"proposal:{e.originator_id}"]
        year, ref = proposal["year"], proposal_ref(proposal["number"])
        payload = marked({"proposal": ref, **facts}, proposal["simulated"] or simulated(e))
        subjects = [f"cycle:{year}", f"proposal:{year}:{ref}"]
        if feed:
            subjects.append(f"proposals:{year}")
        return self._entry(e, kind, year, subjects, payload)

    @derive.register
    def _checkpoint(self, e: Checkpoint.Recorded) -> Entry:
        payload: dict[str, Any] = {"day": e.day, "entries": e.entries, "head": e.head}
        if e.store_head is not None:  # version 1 checkpoints keep the payload they were hashed with
            payload |= {"store_events": e.store_events, "store_head": e.store_head}
        return self._entry(e, "log.checkpoint", None, ["log"], payload, e.day)


def _cycle(year: int) -> list[str]:
    return [f"cycle:{year}", f"proposals:{year}"]


@singledispatch
def case_facts(e: Case.Event) -> dict[str, Any]:
    """The public facts of a case's event, shown with the citizen's consent: none by default."""
    return {}


@case_facts.register
def _submitted(e: Case.Submitted) -> dict[str, Any]:
    return {"channel": e.channel, "received_on": e.received_on}


@case_facts.register
def _declined(e: Case.Declined) -> dict[str, Any]:
    return {"reason": e.reason}


@case_facts.register
def _assigned(e: Case.Assigned) -> dict[str, Any]:
    return {
        "route": e.route,
        "lead_unit": e.lead_unit,
        "co_units": e.co_units,
        "working_days": e.working_days,
        "deadline": e.deadline,
    }


@case_facts.register
def _key_supervised(e: Case.KeySupervised) -> dict[str, Any]:
    return {"track": e.track}


@case_facts.register
def _replied(e: Case.Replied) -> dict[str, Any]:
    return {"unit": e.unit}


@case_facts.register
def _evaluated(e: Case.Evaluated) -> dict[str, Any]:
    return {"level": e.level, "deadline": e.new_deadline}


@case_facts.register
def _supervised(e: Case.SupervisionNoted) -> dict[str, Any]:
    return {"text": e.text, "deadline": e.new_deadline}


@case_facts.register
def _merged(e: Case.Merged) -> dict[str, Any]:
    return {"into": e.into_number}


@case_facts.register
def _linked(e: Case.LinkedToProject) -> dict[str, Any]:
    return {"project_year": e.project_year, "project": e.project, "note": e.note}


@case_facts.register
def _fix_checked(e: Case.FixChecked) -> dict[str, Any]:
    return {"answer": e.answer}


@case_facts.register
def _redacted(e: Case.ContentRedacted) -> dict[str, Any]:
    return {"title": e.public_title, "text": e.public_text, "reason": e.reason}


@case_facts.register
def _photos_added(e: Case.PhotosAttached) -> dict[str, Any]:
    """How many, and whose: a citizen's are public only once approved (never their hash
    here: the log is for good, and an erased person's photos go)."""
    facts: dict[str, Any] = {"photos": len(e.photos), "source": e.source}
    if e.source != "citizen":
        facts["unit"] = e.unit
    return facts


@case_facts.register
def _photo_rejected(e: Case.PhotoRejected) -> dict[str, Any]:
    return {"photo_rejection": e.reason}
