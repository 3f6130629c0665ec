"""The site search index: a read model of what the public can read, cut into terms.

One row per searchable thing (`search_docs`: a category, item, specific project, key
project, unit, progress report, supervision visit or finding, a case's public words, or of
the yearly cycle a published proposal, a candidate, a conversion or a plan's amendment),
and one row per (term, thing) (`search_terms`), weighted 3 in a title and 1 elsewhere.
The same tables on SQLite and PostgreSQL, so both answer alike: a query finds the things
holding all of its terms (see projections/search/words.py for how text becomes terms).

Personal data never enters: a case's words are indexed only as the case board shows them
(the citizen's consent, nothing naming them, or the task force's redaction), and an
erasure takes them out again. Statuses that change every day (a project's completion, a
case's state) are not kept here: results look them up where they live.

A proposal is found once published (`Proposal.Approved`: the task force's version) and as
long as its page shows it: an erasure of its proposer leaves the published words, as
projections/cycle/proposals.py does (a pending or rejected one is never here).

Every row's id is derived from the log position of the event that made it (position ×
1000 + its place in the event), so a rebuild gives the same rows as the increments did.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    delete,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.actors import is_simulated
from domain.candidates import CandidateBook
from domain.cases import Case, Erasure
from domain.districts import DISTRICTS, district_named, districts_of
from domain.plan import Item, KeyProject, Plan
from domain.proposals import ADOPTED, MERGED, NOT_ADOPTED, Proposal
from domain.supervision import CLOSED, OPEN, RECTIFYING, Finding, SupervisionRecord
from projections.cases.cases import Opener, public_words
from projections.database import ReadModel
from projections.projection import Projection, unhandled
from projections.search.words import terms

TITLE, BODY = 3, 1  # a term's weight in a thing's title and elsewhere
# The plan's kinds (as many as the plan has), the cycle's that are as few (a year's
# candidates, conversions and amendments: ranked like the plan's) and the log's (they grow
# with every year of proposals, reports, supervision and cases), in the order results are
# grouped in.
PLAN_KINDS = ("project", "item", "key_project", "unit", "category")
CYCLE_KINDS = ("candidate", "conversion", "amendment")
RANKED_KINDS = PLAN_KINDS + CYCLE_KINDS
LOG_KINDS = ("case", "proposal", "finding", "visit", "report")
KINDS = PLAN_KINDS + CYCLE_KINDS + LOG_KINDS


class SearchDoc(ReadModel):
    __tablename__ = "search_docs"
    __table_args__ = (Index("ix_search_docs_kind", "kind", "year"),)

    doc_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # e.g. project:2023:9.1
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    ref: Mapped[str] = mapped_column(String(64))  # what its URL needs: 9.1, 12, a name, an id
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # per kind: item, state, period...


class SearchPlace(ReadModel):
    """Where a thing takes place: the districts an item or project names (every district for
    各市(县)区), a case's district, a district's own unit page. The district filter."""

    __tablename__ = "search_places"

    doc_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    district: Mapped[str] = mapped_column(String(16), primary_key=True)


class SearchCase(ReadModel):
    """What a case's public words are filed under (all of it public on the case board)."""

    __tablename__ = "search_cases"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    district: Mapped[str] = mapped_column(String(16))


class SearchProposal(ReadModel):
    """Where a proposal belongs, from its submission (nothing of its words: those are
    indexed only once published)."""

    __tablename__ = "search_proposals"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    district: Mapped[str] = mapped_column(String(16))
    simulated: Mapped[bool] = mapped_column(Boolean)


class SearchTerm(ReadModel):
    """A term of a thing. Keyed (term, kind, doc_id): a term's things of one kind come
    newest first straight from the key (ids grow with the log), so the kinds that grow with
    the log (cases, reports...) are answered without reading all of them."""

    __tablename__ = "search_terms"
    __table_args__ = (Index("ix_search_terms_doc", "doc_id", "term"),)

    # Byte order on PostgreSQL too, so that a one-character query is a range of the key
    # (every pair starting with it): a locale's collation does not keep prefixes together.
    term: Mapped[str] = mapped_column(
        String(32).with_variant(String(32, collation="C"), "postgresql"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    doc_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    weight: Mapped[int] = mapped_column(SmallInteger)


_DOC = SearchDoc.__table__
_TERM = SearchTerm.__table__
_CASE = SearchCase.__table__
_PLACE = SearchPlace.__table__
_PROPOSAL = SearchProposal.__table__


class SearchIndex(Projection):
    name = "search"
    # 2: terms keyed by (term, kind, doc_id); places. 3: no district column. 4: the cycle
    version = 4
    tables = (SearchDoc, SearchTerm, SearchCase, SearchPlace, SearchProposal)

    def __init__(self, opener: Opener) -> None:
        self.opener = opener

    @singledispatchmethod
    def process_event(self, event: object, c: Connection, position: int) -> None:
        unhandled(self, event)

    @process_event.register
    def _plan(self, e: Plan.Registered, c: Connection, position: int) -> None:
        for i, category in enumerate(e.categories):
            _put(
                c,
                position * 1000 + i,
                f"category:{e.year}:{category['number']}",
                {
                    "kind": "category",
                    "year": e.year,
                    "ref": str(category["number"]),
                    "title": category["name"],
                    "body": "",
                    "category": category["number"],
                },
            )

    @process_event.register
    def _item(self, e: Item.Registered, c: Connection, position: int) -> None:
        units = "、".join(e.units)
        places = districts_of(e.units)
        _put(
            c,
            position * 1000,
            f"item:{e.year}:{e.number}",
            {
                "kind": "item",
                "year": e.year,
                "ref": str(e.number),
                "title": e.text,
                "body": units,
                "category": e.category,
                "detail": {"projects": [p["number"] for p in e.projects]},
            },
            places,
        )
        for i, p in enumerate(e.projects, start=1):
            # The project's own words (they state its targets), its milestones where they
            # say more, and who carries it out.
            said = [m for m in p.get("milestones", []) if m not in p["text"]]
            body = " · ".join(x for x in (p["text"], *said, units) if x)
            _put(
                c,
                position * 1000 + i,
                f"project:{e.year}:{p['number']}",
                {
                    "kind": "project",
                    "year": e.year,
                    "ref": p["number"],
                    "title": p["title"],
                    "body": body,
                    "category": e.category,
                    "detail": {"item": e.number},
                },
                places,
            )
        for i, unit in enumerate(e.units, start=500):
            key = f"unit:{e.year}:{unit}"
            if c.execute(select(_DOC.c.doc_id).where(_DOC.c.key == key)).first() is None:
                district = district_named(unit)
                _put(
                    c,
                    position * 1000 + i,
                    key,
                    {
                        "kind": "unit",
                        "year": e.year,
                        "ref": unit,
                        "title": unit,
                        "body": "",
                    },
                    [district] if district else [],
                )

    @process_event.register
    def _key_project(self, e: KeyProject.Registered, c: Connection, position: int) -> None:
        body = " · ".join((e.text, "、".join(e.leaders), "、".join(e.units)))
        places = districts_of(e.units)
        _put(
            c,
            position * 1000,
            f"key_project:{e.year}:{e.number}",
            {
                "kind": "key_project",
                "year": e.year,
                "ref": str(e.number),
                "title": e.name,
                "body": body,
                "detail": {"projects": list(e.projects)},
            },
            places,
        )
        # A project is also the districts' its key project names (domain.districts).
        for ref in e.projects:
            doc_id = c.execute(
                select(_DOC.c.doc_id).where(_DOC.c.key == f"project:{e.year}:{ref}")
            ).scalar()
            if doc_id is None:
                continue
            known = set(
                c.execute(select(_PLACE.c.district).where(_PLACE.c.doc_id == doc_id)).scalars()
            )
            new = [{"doc_id": doc_id, "district": d} for d in places if d not in known]
            if new:
                c.execute(insert(_PLACE), new)

    @process_event.register
    def _reported(self, e: Item.ProgressReported, c: Connection, position: int) -> None:
        self._report(c, e, position)

    @process_event.register
    def _corrected(self, e: Item.ReportCorrected, c: Connection, position: int) -> None:
        _drop(c, f"report:{e.corrects}")  # the month's report in force is the new one
        self._report(c, e, position)

    def _report(
        self, c: Connection, e: Item.ProgressReported | Item.ReportCorrected, position: int
    ) -> None:
        if not e.narrative.strip():
            return
        category = c.execute(
            select(_DOC.c.category).where(_DOC.c.key == f"item:{e.year}:{e.item}")
        ).scalar()
        _put(
            c,
            position * 1000,
            f"report:{e.report_id}",
            {
                "kind": "report",
                "year": e.year,
                "ref": e.report_id,
                "title": e.period,
                "body": e.narrative,
                "category": category,
                "detail": {
                    "item": e.item,
                    "period": e.period,
                    "unit": e.unit,
                    "projects": [v["ref"] for v in e.values],
                },
            },
        )

    @process_event.register
    def _visit(self, e: SupervisionRecord.Recorded, c: Connection, position: int) -> None:
        _put(
            c,
            position * 1000,
            f"visit:{e.originator_id}",
            {
                "kind": "visit",
                "year": e.year,
                "ref": str(e.originator_id),
                "title": e.title,
                "body": e.summary,
                "detail": {"held_on": e.held_on, "body": e.body, "projects": list(e.projects)},
            },
        )

    @process_event.register
    def _raised(self, e: Finding.Raised, c: Connection, position: int) -> None:
        _put(
            c,
            position * 1000,
            f"finding:{e.originator_id}",
            {
                "kind": "finding",
                "year": e.year,
                "ref": str(e.originator_id),
                "title": e.text,
                "body": e.unit,
                "detail": {"state": OPEN, "projects": list(e.projects), "unit": e.unit},
            },
        )

    @process_event.register
    def _rectified(self, e: Finding.RectificationReported, c: Connection, p: int) -> None:
        self._finding_state(c, e, RECTIFYING, e.text)

    @process_event.register
    def _closed(self, e: Finding.Closed, c: Connection, position: int) -> None:
        self._finding_state(c, e, CLOSED, e.note)

    @process_event.register
    def _reopened(self, e: Finding.Reopened, c: Connection, position: int) -> None:
        self._finding_state(c, e, OPEN, e.reason)

    def _finding_state(
        self,
        c: Connection,
        e: Finding.RectificationReported | Finding.Closed | Finding.Reopened,
        state: str,
        text: str,
    ) -> None:
        """The finding's state, and the public words of its steps added to what is found."""
        key = f"finding:{e.originator_id}"
        row = c.execute(select(_DOC).where(_DOC.c.key == key)).first()
        if row is None:
            return
        body = " · ".join(x for x in (row.body, text.strip()) if x)
        _put(
            c,
            row.doc_id,
            key,
            {
                "kind": row.kind,
                "year": row.year,
                "ref": row.ref,
                "title": row.title,
                "body": body,
                "detail": {**row.detail, "state": state},
            },
        )

    @process_event.register
    def _submitted(self, e: Case.Submitted, c: Connection, position: int) -> None:
        case_id = str(e.originator_id)
        c.execute(
            insert(_CASE).values(case_id=case_id, number=e.number, year=e.year, district=e.district)
        )
        words, _erased, _withheld = public_words(self.opener, e)
        if words is not None:  # else nothing of it is public to find but its number
            self._case(c, position * 1000, case_id, words["title"], words["content"], False)

    @process_event.register
    def _redacted(self, e: Case.ContentRedacted, c: Connection, position: int) -> None:
        """The task force's public version replaces whatever was indexed (or nothing)."""
        self._case(c, position * 1000, str(e.originator_id), e.public_title, e.public_text, True)

    def _case(
        self, c: Connection, doc_id: int, case_id: str, title: str, text: str, redacted: bool
    ) -> None:
        case = c.execute(select(_CASE).where(_CASE.c.case_id == case_id)).one()
        _put(
            c,
            doc_id,
            f"case:{case_id}",
            {
                "kind": "case",
                "year": case.year,
                "ref": case.number,
                "title": title or "",
                "body": text or "",
                "detail": {"redacted": redacted},
            },
            [case.district],
        )

    @process_event.register
    def _erased(self, e: Erasure.Recorded, c: Connection, position: int) -> None:
        """The person's words leave the index; a redaction (it holds none) stays."""
        for case_id in e.cases:
            key = f"case:{case_id}"
            detail = c.execute(select(_DOC.c.detail).where(_DOC.c.key == key)).scalar()
            if detail is not None and not detail.get("redacted"):
                _drop(c, key)

    # The yearly cycle ------------------------------------------------------------------

    @process_event.register
    def _proposed(self, e: Proposal.Submitted, c: Connection, position: int) -> None:
        c.execute(
            insert(_PROPOSAL).values(
                proposal_id=str(e.originator_id),
                year=e.year,
                number=e.number,
                district=e.district,
                simulated=is_simulated(e.actor),
            )
        )

    @process_event.register
    def _published(self, e: Proposal.Approved, c: Connection, position: int) -> None:
        p = c.execute(
            select(_PROPOSAL).where(_PROPOSAL.c.proposal_id == str(e.originator_id))
        ).one()
        _put(
            c,
            position * 1000,
            f"proposal:{e.originator_id}",
            {
                "kind": "proposal",
                "year": p.year,
                "ref": str(p.number),
                "title": e.title,
                "body": e.description,
                "detail": {"answer": None, "simulated": bool(p.simulated)},
            },
            [p.district] if p.district in DISTRICTS else [],
        )

    @process_event.register
    def _adopted(self, e: Proposal.Adopted, c: Connection, position: int) -> None:
        self._answered(c, e, ADOPTED, e.note)

    @process_event.register
    def _merged(self, e: Proposal.Merged, c: Connection, position: int) -> None:
        self._answered(c, e, MERGED, e.reason)

    @process_event.register
    def _declined(self, e: Proposal.NotAdopted, c: Connection, position: int) -> None:
        self._answered(c, e, NOT_ADOPTED, e.reason)

    def _answered(
        self,
        c: Connection,
        e: Proposal.Adopted | Proposal.Merged | Proposal.NotAdopted,
        answer: str,
        text: str,
    ) -> None:
        """The answer's state, and its public words added to what is found (its page shows
        both); the proposal keeps its place among the newest."""
        key = f"proposal:{e.originator_id}"
        row = c.execute(select(_DOC).where(_DOC.c.key == key)).first()
        if row is None:  # only a published proposal is answered
            return
        places = c.execute(select(_PLACE.c.district).where(_PLACE.c.doc_id == row.doc_id))
        _put(
            c,
            row.doc_id,
            key,
            {
                "kind": row.kind,
                "year": row.year,
                "ref": row.ref,
                "title": row.title,
                "body": " · ".join(x for x in (row.body, text.strip()) if x),
                "detail": {**row.detail, "answer": answer},
            },
            list(places.scalars()),
        )

    @process_event.register
    def _converted(self, e: CandidateBook.CasesConverted, c: Connection, position: int) -> None:
        _put(
            c,
            position * 1000,
            f"conversion:{e.year}:{e.ref}",
            {
                "kind": "conversion",
                "year": e.year,
                "ref": e.ref[1:],
                "title": e.title,
                "body": e.problem,
                "detail": {"code": e.ref, "simulated": is_simulated(e.actor)},
            },
            {case["district"] for case in e.cases if case.get("district") in DISTRICTS},
        )

    @process_event.register
    def _listed(self, e: CandidateBook.CandidateListed, c: Connection, position: int) -> None:
        self._candidate(c, position * 1000, e)

    @process_event.register
    def _recast(self, e: CandidateBook.CandidateCorrected, c: Connection, position: int) -> None:
        """The candidate's page shows the corrected words: so does the index, in its place."""
        key = f"candidate:{e.year}:{e.ref}"
        doc_id = c.execute(select(_DOC.c.doc_id).where(_DOC.c.key == key)).scalar()
        self._candidate(c, position * 1000 if doc_id is None else doc_id, e)

    def _candidate(
        self,
        c: Connection,
        doc_id: int,
        e: CandidateBook.CandidateListed | CandidateBook.CandidateCorrected,
    ) -> None:
        _put(
            c,
            doc_id,
            f"candidate:{e.year}:{e.ref}",
            {
                "kind": "candidate",
                "year": e.year,
                "ref": e.ref[1:],
                "title": e.title,
                "body": " · ".join(x for x in (e.description, "、".join(e.units)) if x),
                "detail": {"code": e.ref, "simulated": is_simulated(e.actor)},
            },
            districts_of(e.units),
        )

    @process_event.register
    def _amended(self, e: Plan.Amended, c: Connection, position: int) -> None:
        """An amendment by its reason and its basis (the document it rests on)."""
        _put(
            c,
            position * 1000,
            f"amendment:{e.year}:{e.number}",
            {
                "kind": "amendment",
                "year": e.year,
                "ref": str(e.number),
                "title": e.reason,
                "body": f"{e.basis_number} {e.basis_date}",
                "detail": {
                    "item": e.item,
                    "project": e.project,
                    "basis": e.basis_number,
                    "simulated": is_simulated(e.actor),
                },
            },
        )


def _put(
    c: Connection,
    doc_id: int,
    key: str,
    values: dict[str, Any],
    places: Iterable[str] = (),
) -> None:
    """Write one thing, its terms and its districts (replacing what was under its key)."""
    _drop(c, key)
    row = {"category": None, "detail": {}, **values}
    c.execute(insert(_DOC).values(doc_id=doc_id, key=key, **row))
    districts = sorted(set(places))
    if districts:
        c.execute(insert(_PLACE), [{"doc_id": doc_id, "district": d} for d in districts])
    title_terms = terms(row["title"])
    weights = {t: TITLE for t in title_terms}
    for t in terms(row["body"]) - title_terms:
        weights[t] = BODY
    if weights:
        c.execute(
            insert(_TERM),
            [
                {"term": t, "kind": row["kind"], "doc_id": doc_id, "weight": w}
                for t, w in sorted(weights.items())
            ],
        )


def _drop(c: Connection, key: str) -> None:
    doc_id = c.execute(select(_DOC.c.doc_id).where(_DOC.c.key == key)).scalar()
    if doc_id is not None:
        c.execute(delete(_TERM).where(_TERM.c.doc_id == doc_id))
        c.execute(delete(_PLACE).where(_PLACE.c.doc_id == doc_id))
        c.execute(delete(_DOC).where(_DOC.c.doc_id == doc_id))
