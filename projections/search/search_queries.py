"""Questions to the search index: what holds these words, grouped by kind.

A thing is found when it holds every word of the query (each word in one of its
spellings: as typed, or a synonym). When nothing holds them all, the plan's things holding
the most of the words' terms are offered as near results, and said to be so (a typo in a
project's name is the case for them; cases and reports are only ever exact).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import islice, product
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, select

from projections.search.index import (
    KINDS,
    LOG_KINDS,
    RANKED_KINDS,
    SearchCase,
    SearchDoc,
    SearchPlace,
    SearchTerm,
)
from projections.search.words import Query

_DOC = SearchDoc.__table__
_TERM = SearchTerm.__table__
_PLACE = SearchPlace.__table__
_LAST = "\U0010ffff"  # above every character: the end of a one-character prefix's range
PROJECT_REF = re.compile(r"\d{1,3}\.\d{1,3}")


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    year: int | None = None
    category: int | None = None
    district: str | None = None

    def where(self) -> list[Any]:
        """Conditions on the things' rows (the kinds are read from the terms' own key)."""
        found: list[Any] = []
        if self.year is not None:
            found.append(_DOC.c.year == self.year)
        if self.category is not None:
            found.append(_DOC.c.category == self.category)
        if self.district is not None:
            found.append(
                _DOC.c.doc_id.in_(select(_PLACE.c.doc_id).where(_PLACE.c.district == self.district))
            )
        return found


@dataclass(frozen=True)
class Hit:
    doc_id: int
    kind: str
    year: int
    ref: str
    title: str
    body: str
    category: int | None
    detail: dict[str, Any]
    score: int


@dataclass(frozen=True)
class Found:
    query: Query
    counts: dict[str, int]  # things found, per kind, in KINDS order
    hits: list[Hit]  # the ones to show: grouped by kind, best first in each
    near: bool  # nothing held every word: these hold the most of them
    capped: frozenset[str] = frozenset()  # log kinds with more than COUNT_CAP found

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def by_kind(self) -> list[tuple[str, list[Hit]]]:
        groups: dict[str, list[Hit]] = {}
        for hit in self.hits:
            groups.setdefault(hit.kind, []).append(hit)
        return [(kind, groups[kind]) for kind in KINDS if kind in groups]


Scores = dict[int, tuple[str, int]]  # doc id: (kind, score)
COUNT_CAP = 200  # things of a log kind counted at most (a page says "200+")
MAX_COMBINATIONS = 16  # spellings of several words together, tried at most


def search(
    c: Connection,
    query: Query,
    filters: Filters = Filters(),
    *,
    per_kind: int = 5,
    offset: int = 0,
) -> Found:
    """Things holding every word of the query; `per_kind` of each kind from `offset` on
    (one kind at a time pages through its results with `offset`).

    The plan's kinds, and the cycle's as few (candidates, conversions, amendments), are
    ranked by score (a word in a title counts three times); there are as many of them as
    the plans and cycles have. The log's kinds (cases, proposals, findings, visits, reports)
    come newest first and are counted up to COUNT_CAP: their cost does not grow with the
    log, as a full ranking of every case holding 电梯 would."""
    if not query:
        return Found(query, {}, [], False)
    wanted = filters.kinds or KINDS
    plan = replace(filters, kinds=tuple(k for k in wanted if k in RANKED_KINDS))
    scores = _every_word(c, query, plan) if plan.kinds else {}
    counts: Counter[str] = Counter()
    shown: list[int] = []
    capped: set[str] = set()
    near = False
    log_kinds = [k for k in wanted if k in LOG_KINDS]
    postings = _postings(c, query, log_kinds)
    for kind in log_kinds:
        newest = _newest(c, query, kind, filters, COUNT_CAP + 1, postings)
        if len(newest) > COUNT_CAP:
            capped.add(kind)
        newest = newest[:COUNT_CAP]  # pages go as far as the count
        counts[kind] = len(newest)
        shown.extend(newest[offset : offset + per_kind])
    if not scores and not +counts and plan.kinds:
        scores = _most_terms(c, query, plan)
        near = bool(scores)
    ranked = sorted(scores.items(), key=lambda x: (-x[1][1], x[0]))
    for kind in RANKED_KINDS:
        of_kind = [doc for doc, (k, _s) in ranked if k == kind]
        counts[kind] = len(of_kind)
        shown.extend(of_kind[offset : offset + per_kind])
    return Found(
        query,
        {k: counts[k] for k in KINDS if counts[k]},
        _hits(c, shown, scores),
        near,
        frozenset(capped),
    )


def _newest(
    c: Connection,
    query: Query,
    kind: str,
    filters: Filters,
    limit: int,
    postings: dict[tuple[str, str], int],
) -> list[int]:
    """The newest things of a log kind holding every word (in any of its spellings), at
    most `limit`: each combination of spellings walks one term's things of the kind newest
    first (the rarest term's) and keeps those holding the other terms too. A combination
    with a term no thing of the kind holds is not walked at all."""
    found: set[int] = set()
    spellings = [_fewest(w.alternatives()) for w in query.words]
    for combination in islice(product(*spellings), MAX_COMBINATIONS):
        terms = sorted({t for needed, _p in combination for t in needed})
        if any(postings.get((t, kind), 0) == 0 for t in terms):
            continue
        prefixes = sorted({p for _n, p in combination if p})
        driver = min(terms, key=lambda t: postings[(t, kind)]) if terms else None
        stmt = _walk(kind, driver, terms, prefixes, filters)
        found.update(c.execute(stmt.limit(limit)).scalars())
    return sorted(found, reverse=True)[:limit]


def _postings(c: Connection, query: Query, kinds: Sequence[str]) -> dict[tuple[str, str], int]:
    """How many things of each log kind hold each term of the query (one statement)."""
    needed = sorted({t for w in query.words for terms, _p in w.alternatives() for t in terms})
    if not needed or not kinds:
        return {}
    rows = c.execute(
        select(_TERM.c.term, _TERM.c.kind, func.count())
        .where(_TERM.c.term.in_(needed), _TERM.c.kind.in_(kinds))
        .group_by(_TERM.c.term, _TERM.c.kind)
    )
    return {(term, kind): int(n) for term, kind, n in rows}


def _fewest(
    alternatives: list[tuple[frozenset[str], str | None]],
) -> list[tuple[frozenset[str], str | None]]:
    """The spellings worth walking: one needing all the terms of another (加装电梯 needs
    those of 装电梯) finds nothing the other does not."""
    return [
        (needed, prefix)
        for needed, prefix in alternatives
        if prefix or not any(other < needed for other, p in alternatives if not p and other)
    ]


def _walk(
    kind: str, driver: str | None, terms: list[str], prefixes: list[str], filters: Filters
) -> Select[Any]:
    t0 = _TERM.alias("t0")
    if driver is not None:
        stmt = select(t0.c.doc_id).where(t0.c.term == driver, t0.c.kind == kind)
        others = [t for t in terms if t != driver]
    else:  # only one-character words: walk the first one's range
        first = prefixes[0]
        stmt = (
            select(t0.c.doc_id)
            .distinct()
            .where(t0.c.term >= first, t0.c.term < first + _LAST, t0.c.kind == kind)
        )
        others, prefixes = [], prefixes[1:]
    for term in others:
        x = _TERM.alias()
        stmt = stmt.where(
            exists().where(x.c.term == term, x.c.kind == kind, x.c.doc_id == t0.c.doc_id)
        )
    for prefix in prefixes:
        x = _TERM.alias()
        stmt = stmt.where(
            exists().where(x.c.doc_id == t0.c.doc_id, x.c.term >= prefix, x.c.term < prefix + _LAST)
        )
    where = filters.where()
    if where:
        docs = select(_DOC.c.doc_id).where(*where)
        stmt = stmt.where(t0.c.doc_id.in_(docs))
    return stmt.order_by(t0.c.doc_id.desc())


def _every_word(c: Connection, query: Query, filters: Filters) -> Scores:
    """The plan's things holding every word, with their scores: every posting of the
    query's terms among the plan's kinds read in one statement (at most as many as the
    plan has things), and the words' spellings matched here."""
    needed = sorted({t for w in query.words for terms, _p in w.alternatives() for t in terms})
    held: dict[str, dict[int, tuple[str, int]]] = {}
    if needed:
        stmt = select(_TERM.c.term, _TERM.c.doc_id, _TERM.c.kind, _TERM.c.weight).where(
            _TERM.c.term.in_(needed)
        )
        for term, doc_id, kind, weight in c.execute(_filtered(stmt, filters)):
            held.setdefault(term, {})[doc_id] = (kind, int(weight))
    found: Scores | None = None
    for word in query.words:
        of_word: Scores = {}
        for terms, prefix in word.alternatives():
            if prefix:
                matches = {d: (k, int(w)) for d, k, w in c.execute(
                    _filtered(_prefix(prefix), filters))}  # fmt: skip
            else:
                matches = _holding_all(held, terms)
            for doc_id, (kind, score) in matches.items():
                if score > of_word.get(doc_id, ("", -1))[1]:
                    of_word[doc_id] = (kind, score)
        if found is None:
            found = of_word
        else:
            found = {
                doc: (kind, score + of_word[doc][1])
                for doc, (kind, score) in found.items()
                if doc in of_word
            }
        if not found:
            return {}
    return found or {}


def _holding_all(held: dict[str, dict[int, tuple[str, int]]], terms: frozenset[str]) -> Scores:
    """The things holding every one of the terms, each scored by the terms' weights."""
    postings = [held.get(t, {}) for t in terms]
    if not postings or not all(postings):
        return {}
    fewest = min(postings, key=len)
    return {
        doc: (kind, sum(p[doc][1] for p in postings))
        for doc, (kind, _w) in fewest.items()
        if all(doc in p for p in postings)
    }


def _prefix(character: str) -> Select[Any]:
    return (
        select(_TERM.c.doc_id, _TERM.c.kind, func.max(_TERM.c.weight))
        .where(and_(_TERM.c.term >= character, _TERM.c.term < character + _LAST))
        .group_by(_TERM.c.doc_id, _TERM.c.kind)
    )


def _filtered(stmt: Select[Any], filters: Filters) -> Select[Any]:
    """The kinds from the terms' own key; the other filters through the things' rows."""
    if filters.kinds:
        stmt = stmt.where(_TERM.c.kind.in_(filters.kinds))
    where = filters.where()
    if where:
        stmt = stmt.where(_TERM.c.doc_id.in_(select(_DOC.c.doc_id).where(*where)))
    return stmt


def _most_terms(c: Connection, query: Query, filters: Filters) -> Scores:
    """Near results: things holding some of the query's terms, the most of them first
    (a typo spoils the pairs it is in, not the others)."""
    needed = sorted({t for w in query.words for terms, _p in w.alternatives() for t in terms})
    if not needed:
        return {}
    stmt = (
        select(
            _TERM.c.doc_id,
            _TERM.c.kind,
            func.count(),
            func.sum(_TERM.c.weight),
        )
        .where(_TERM.c.term.in_(needed))
        .group_by(_TERM.c.doc_id, _TERM.c.kind)
    )
    rows = c.execute(_filtered(stmt, filters)).all()
    if not rows:
        return {}
    best = max(n for _d, _k, n, _s in rows)
    # Only the closest: the things holding as many terms as the best one does.
    return {doc: (kind, int(score)) for doc, kind, n, score in rows if n == best}


def _hits(c: Connection, doc_ids: Sequence[int], scores: Scores) -> list[Hit]:
    if not doc_ids:
        return []
    rows = {r.doc_id: r for r in c.execute(select(_DOC).where(_DOC.c.doc_id.in_(doc_ids)))}
    return [
        Hit(
            doc_id=d,
            kind=rows[d].kind,
            year=rows[d].year,
            ref=rows[d].ref,
            title=rows[d].title,
            body=rows[d].body,
            category=rows[d].category,
            detail=rows[d].detail,
            score=scores.get(d, ("", 0))[1],  # the log's kinds: newest first, no score
        )
        for d in doc_ids
    ]


def case_number(c: Connection, text: str) -> str | None:
    """The case a query names by its number (any case: the board lists them all)."""
    wanted = text.strip().upper()
    if len(wanted) > 16:
        return None
    return c.execute(select(SearchCase.number).where(SearchCase.number == wanted)).scalar()


def project_ref(c: Connection, text: str, year: int) -> str | None:
    """The specific project a query names by its reference (9.1) in `year`."""
    wanted = text.strip()
    if not PROJECT_REF.fullmatch(wanted):
        return None
    return c.execute(select(_DOC.c.ref).where(_DOC.c.key == f"project:{year}:{wanted}")).scalar()


def years(c: Connection) -> list[int]:
    return list(c.execute(select(_DOC.c.year).distinct().order_by(_DOC.c.year)).scalars())
