"""The corpus through every staff step on a case that takes text, the citizen's lookup
and the citizen's evaluation."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from application.case_commands import CaseReceipt
from minsheng_site.case_forms import (
    AssignForm,
    DeclineForm,
    EvaluationForm,
    LinkForm,
    LookupForm,
    MergeForm,
    NoteForm,
    RedactForm,
    TextForm,
)
from tests.hostile import CORPUS, Entry
from tests.reliability.hostile_intake import keeps
from tests.reliability.hostile_site import Site
from tests.reliability.hostile_trials import Sent, Trials, form_fields


class Pool:
    """An object in the state an action needs, replaced once an action has used it."""

    def __init__(self, make: Callable[[], CaseReceipt]) -> None:
        self.make, self.current = make, None

    def take(self) -> CaseReceipt:
        if self.current is None:
            self.current = self.make()  # type: ignore[assignment]
        return self.current  # type: ignore[return-value]

    def spent(self) -> None:
        self.current = None


def _places(case: CaseReceipt, *roles: str) -> tuple[tuple[str, str], ...]:
    urls = {"public": f"/cases/{case.number}", "task": f"/staff/cases/{case.case_id}"}
    return tuple((role, urls[role]) for role in roles)


def _action(
    site: Site,
    trials: Trials,
    action: str,
    pool: Pool,
    fields: Mapping[str, str],
    normal: Mapping[str, str],
    role: str = "task",
    shown: tuple[str, ...] = ("public", "task"),
    keep: bool = False,  # the same case takes every entry (notes, links)
    vary: Callable[[], Mapping[str, str]] = dict,
) -> None:
    def send(values: Mapping[str, Entry]) -> Sent:
        case = pool.take()
        data = {**normal, **vary(), **values}
        answer = site.post(
            role,
            f"/staff/cases/{case.case_id}/{action}",
            form_fields({f"{action}-{k}": v for k, v in data.items()}),
            prefix=f"{action}-",
        )
        if answer.status != 303:
            return Sent.of(answer)
        if not keep:
            pool.spent()
        return Sent(303, places=_places(case, *shown))

    trials.each(f"staff.cases.{action}", fields, CORPUS, send)


def staff_steps(site: Site, trials: Trials) -> None:
    _action(site, trials, "decline", Pool(site.case), keeps(DeclineForm, "reason"), {})
    assign = {**keeps(AssignForm, "lead_unit"), "co_units": "units"}
    normal = {"route": "hotline", "lead_unit": "市城管局", "co_units": "", "working_days": "5"}
    _action(site, trials, "assign", Pool(site.accepted), assign, normal)
    _action(
        site,
        trials,
        "reply",
        Pool(site.handled),
        keeps(TextForm, "text"),
        {},
        role="unit",
        shown=("task",),
    )
    _action(site, trials, "note", Pool(site.handled), keeps(NoteForm, "text"), {}, keep=True)
    _action(site, trials, "merge", Pool(site.case), keeps(MergeForm, "into"), {})
    projects = iter([p.number for p in site.spec.projects])
    _action(
        site,
        trials,
        "link",
        Pool(site.handled),
        keeps(LinkForm, "project", "note"),
        {"note": "与该项目有关"},
        keep=True,
        vary=lambda: {"project": next(projects)},
    )
    redact = keeps(RedactForm, "title", "text", "reason")
    normal = {"title": "路灯问题", "text": "已隐去个人信息。", "reason": "隐去个人信息"}
    _action(site, trials, "redact", Pool(site.case), redact, normal, shown=("public",))


def lookup(site: Site, trials: Trials) -> None:
    known = site.case()

    def send(values: Mapping[str, Entry]) -> Sent:
        site.client("citizen")
        data: dict[str, Any] = {"number": known.number, "code": "00000000", **values}
        answer = site.post("citizen", "/cases/lookup", form_fields(data))
        return Sent.of(answer)

    trials.each("cases.lookup", keeps(LookupForm, "number", "code"), CORPUS, send)


def evaluation(site: Site, trials: Trials) -> None:
    pool = Pool(site.replied)

    def send(values: Mapping[str, Entry]) -> Sent:
        case = pool.take()
        site.client("citizen")
        proof = {"number": case.number, "code": case.query_code or ""}
        assert site.post("citizen", "/cases/lookup", form_fields(proof)).status == 303
        data = {"level": "unsatisfied", **values}
        answer = site.post("citizen", "/cases/mine", form_fields(data))
        if answer.status != 303:
            return Sent.of(answer)
        pool.spent()
        return Sent(303, places=_places(case, "task"))

    trials.each("cases.mine", keeps(EvaluationForm, "reason"), CORPUS, send)


def number_on(page: str) -> str:
    return re.findall(r'class="code">([^<]+)<', page)[0]
