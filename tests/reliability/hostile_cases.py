"""The corpus through every staff step on a case that takes text, the citizen's lookup
and the citizen's evaluation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from application.case_commands import CaseReceipt
from minsheng_site.cases.forms import (
    AssignForm,
    CaseNoteForm,
    CodeAgainForm,
    DeclineForm,
    EvaluationForm,
    FixCheckForm,
    LinkForm,
    LookupForm,
    MergeForm,
    NoteForm,
    RedactForm,
    TextForm,
    WithdrawForm,
)
from tests.hostile import CANARY_PHONE, CORPUS, Entry
from tests.reliability.hostile_intake import keeps
from tests.reliability.hostile_site import UNIT, Site
from tests.reliability.hostile_trials import Sent, Trials, form_fields

T = TypeVar("T")


class Pool(Generic[T]):
    """An object in the state an action needs, replaced once an action has used it."""

    def __init__(self, make: Callable[[], T]) -> None:
        self.make: Callable[[], T] = make
        self.current: T | None = None

    def take(self) -> T:
        if self.current is None:
            self.current = self.make()
        return self.current

    def spent(self) -> None:
        self.current = None


@dataclass(frozen=True)
class Step:
    """A staff step on a case: its form's fields and what each keeps, the other fields'
    ordinary values, who takes it and on which case, who then sees the text."""

    action: str
    fields: Mapping[str, str]
    normal: Mapping[str, str]
    case: str = "case"  # the Site method that makes a case in the state the step needs
    role: str = "task"
    shown: tuple[str, ...] = ("public", "task")
    keep: bool = False  # one case takes every entry (notes, links)
    together: bool = True  # the fields tried together first


def staff_steps(site: Site, trials: Trials) -> None:
    projects = iter([p.number for p in site.spec.projects])
    reference = {"project": lambda: next(projects)}  # a project of the plan, each link anew
    steps = (
        Step("decline", keeps(DeclineForm, "reason"), {}),
        Step(
            "assign",
            {**keeps(AssignForm, "lead_unit"), "co_units": "units"},
            {"route": "hotline", "lead_unit": UNIT, "co_units": "", "working_days": "5"},
            case="accepted",
        ),
        Step("reply", keeps(TextForm, "text"), {}, "handled", "unit", ("task",)),
        Step("note", keeps(NoteForm, "text"), {}, "handled", keep=True),
        Step("merge", keeps(MergeForm, "into"), {}),
        Step(
            "link",
            keeps(LinkForm, "project", "note"),
            {"note": "与该项目有关"},
            "handled",
            keep=True,
            together=False,  # no entry is a project of the plan
        ),
        Step(
            "redact",
            keeps(RedactForm, "title", "text", "reason"),
            {"title": "路灯问题", "text": "已隐去个人信息。", "reason": "隐去个人信息"},
            shown=("public",),
        ),
    )
    for step in steps:
        _step(site, trials, step, reference if step.action == "link" else {})


def _step(site: Site, trials: Trials, step: Step, fresh: Mapping[str, Callable[[], str]]) -> None:
    pool: Pool[CaseReceipt] = Pool(getattr(site, step.case))

    def send(values: Mapping[str, Entry]) -> Sent:
        case = pool.take()
        data = {**step.normal, **{k: make() for k, make in fresh.items()}, **values}
        answer = site.post(
            step.role,
            f"/staff/cases/{case.case_id}/{step.action}",
            form_fields({f"{step.action}-{k}": v for k, v in data.items()}),
            prefix=f"{step.action}-",
        )
        if answer.status != 303:
            return Sent.of(answer)
        if not step.keep:
            pool.spent()
        urls = {"public": f"/cases/{case.number}", "task": f"/staff/cases/{case.case_id}"}
        return Sent(303, places=tuple((role, urls[role]) for role in step.shown))

    trials.each(f"staff.cases.{step.action}", step.fields, CORPUS, send, step.together)


def lookup(site: Site, trials: Trials) -> None:
    known = site.case()

    def send(values: Mapping[str, Entry]) -> Sent:
        data: dict[str, Any] = {"number": known.number, "code": "00000000", **values}
        answer = site.post("citizen", "/cases/lookup", form_fields(data))
        return Sent.of(answer)

    trials.each("cases.pages.lookup", keeps(LookupForm, "number", "code"), CORPUS, send)


def evaluation(site: Site, trials: Trials) -> None:
    pool: Pool[CaseReceipt] = Pool(site.replied)

    def send(values: Mapping[str, Entry]) -> Sent:
        case = pool.take()
        proof = {"number": case.number, "code": case.query_code or ""}
        assert site.post("citizen", "/cases/lookup", form_fields(proof)).status == 303
        data = {"level": "unsatisfied", **values}
        answer = site.post("citizen", "/cases/mine", form_fields(data))
        if answer.status != 303:
            return Sent.of(answer)
        pool.spent()
        return Sent(303, places=(("task", f"/staff/cases/{case.case_id}"),))

    trials.each("cases.pages.mine", keeps(EvaluationForm, "reason"), CORPUS, send)


def citizen_additions(site: Site, trials: Trials) -> None:
    """The citizen's own steps that take text: a note (one case takes every entry) and the
    reason to withdraw a case (a fresh case each time one is withdrawn). Both are sealed:
    they come back to the units' page."""
    proven: list[str] = []

    def prove(case: CaseReceipt) -> None:
        if proven[-1:] != [case.number]:
            proof = {"number": case.number, "code": case.query_code or ""}
            assert site.post("citizen", "/cases/lookup", form_fields(proof)).status == 303
            proven.append(case.number)

    def step(pool: Pool[CaseReceipt], url: str, prefix: str, keep: bool) -> Any:
        def send(values: Mapping[str, Entry]) -> Sent:
            case = pool.take()
            prove(case)
            data = form_fields({f"{prefix}-{k}": v for k, v in values.items()})
            answer = site.post("citizen", url, data, prefix=f"{prefix}-")
            if answer.status != 303:
                return Sent.of(answer)
            if not keep:
                pool.spent()
            return Sent(303, places=(("task", f"/staff/cases/{case.case_id}"),))

        return send

    notes = step(Pool(site.case), "/cases/mine/note", "note", keep=True)
    trials.each("cases.pages.add_note", keeps(CaseNoteForm, "note"), CORPUS, notes)
    withdrawals = step(Pool(site.case), "/cases/mine/withdraw", "withdraw", keep=False)
    trials.each("cases.pages.withdraw", keeps(WithdrawForm, "reason"), CORPUS, withdrawals)


def hearing_back(site: Site, trials: Trials) -> None:
    """The citizen's loop after the case: a lost code sent again (number and phone: both
    structured, so refused with a message or taken without a word back), and the words added
    to "is it fixed?" — sealed, they come back on the task force's page (a fresh closed case
    for each answer: a closure is answered once)."""
    known = site.case()

    def code_again(values: Mapping[str, Entry]) -> Sent:
        data: dict[str, Any] = {"number": known.number, "phone": CANARY_PHONE, **values}
        return Sent.of(site.post("citizen", "/cases/code", form_fields(data)))

    never_shown = {"number": "none", "phone": "none"}  # the page says the same either way
    assert set(never_shown) == set(keeps(CodeAgainForm, "number", "phone"))
    trials.each("cases.pages.code_again", never_shown, CORPUS, code_again)
    pool: Pool[CaseReceipt] = Pool(lambda: site.closed(None))

    def fixed(values: Mapping[str, Entry]) -> Sent:
        case = pool.take()
        site.services.projector.catch_up()  # closed through the ledger: the page reads it
        token = site.ledger.vault.case_token("fixed", case.case_id)
        data = form_fields({"answer": "no", **values})
        answer = site.post("citizen", f"/cases/{case.number}/fixed/{token}", data)
        if answer.status != 200 or "谢谢您的回答" not in answer.body:
            return Sent.of(answer, refused=answer.status < 400)
        pool.spent()
        return Sent(200, places=(("task", f"/staff/cases/{case.case_id}"),))

    trials.each("cases.pages.fixed", keeps(FixCheckForm, "words"), CORPUS, fixed)
