"""The corpus through the units' monthly reports and corrections, supervision records and
their findings' rectification, closing and reopening, and the award decisions."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from domain.candidates import Result, VoteSpec
from minsheng_site.cycle.amendment_staff import AmendmentForm
from minsheng_site.cycle.candidate_forms import (
    CandidateCorrectionForm,
    CandidateForm,
    ConversionForm,
    VoteFields,
)
from minsheng_site.plans.forms import Correction, NewReport
from minsheng_site.ratings.evaluation import DecisionForm
from minsheng_site.supervision.forms import StepForm, SupervisionForm
from tests.hostile import CORPUS, Entry
from tests.reliability.hostile_cases import Pool
from tests.reliability.hostile_intake import keeps
from tests.reliability.hostile_site import TODAY, UNIT_ITEMS, Site
from tests.reliability.hostile_trials import Sent, Trials, form_fields

REPORT = "/staff/plans/2023/items/{item}/report"


def _slots(site: Site) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(item, month, amounts) for every month each of the unit's items may still report."""
    for item in UNIT_ITEMS:
        page = site.get("unit", REPORT.format(item=item)).body
        amounts = dict.fromkeys(re.findall(r'name="(amount-[^"]+)"', page), "1")
        for period in re.findall(r'<option[^>]*value="(\d{4}-\d{2})"', page):
            yield item, period, amounts


def reports(site: Site, trials: Trials) -> None:
    slots = _slots(site)
    pool: Pool[tuple[int, str, dict[str, str]]] = Pool(lambda: next(slots))

    def send(values: Mapping[str, Entry]) -> Sent:
        item, period, amounts = pool.take()
        data = {"period": period, "narrative": "按计划推进", "evidence": "", **amounts, **values}
        answer = site.post("unit", REPORT.format(item=item), form_fields(data))
        if answer.status != 303:
            return Sent.of(answer)
        pool.spent()
        return Sent(303, places=(("public", f"/plans/2023/items/{item}"),))

    prose = {**keeps(NewReport, "narrative"), "expected_version": "none"}
    for entry in CORPUS:
        trials.attempt("plans.reporting.report", prose, entry, send)
        trials.attempt("plans.reporting.report", keeps(NewReport, "evidence"), entry, send)


def corrections(site: Site, trials: Trials) -> None:
    item, period, amounts = next(_slots(site))
    first = site.post(
        "unit",
        REPORT.format(item=item),
        form_fields({"period": period, "narrative": "按计划推进", **amounts}),
    )
    current = {"report": first.location.rsplit("#report-", 1)[-1]}
    serial = iter(range(1_000_000))

    def send(values: Mapping[str, Entry]) -> Sent:
        url = f"/staff/plans/2023/items/{item}/reports/{current['report']}/correct"
        data = {
            "narrative": f"更正后的说明（第{next(serial)}次）",  # a correction changes something
            "evidence": "",
            "reason": "数据录入有误",
            **amounts,
            **values,
        }
        answer = site.post("unit", url, form_fields(data))
        if answer.status != 303:
            return Sent.of(answer)
        current["report"] = answer.location.rsplit("#report-", 1)[-1]
        return Sent(303, places=(("public", f"/plans/2023/items/{item}"),))

    prose = {**keeps(Correction, "reason", "narrative"), "expected_version": "none"}
    for entry in CORPUS:
        trials.attempt("plans.reporting.correct", prose, entry, send)
        trials.attempt("plans.reporting.correct", keeps(Correction, "evidence"), entry, send)


FINDINGS = {0: "7.1", 1: "18.1", 2: "19.2"}  # projects of three items 市城管局 leads


def supervision(site: Site, trials: Trials) -> None:
    normal: dict[str, str] = {
        "kind": "quarterly_inspection",
        "held_on": TODAY.isoformat(),
        "title": "三季度督查",
        "summary": "",
    }
    for n, ref in FINDINGS.items():
        normal |= {f"finding-{n}-projects": ref, f"finding-{n}-text": f"进度滞后（{ref}）"}

    def send(values: Mapping[str, Entry]) -> Sent:
        answer = site.post(
            "supervisor", "/staff/plans/2023/supervision/new", form_fields({**normal, **values})
        )
        if answer.status != 303:
            return Sent.of(answer)
        return Sent(303, places=(("public", "/plans/2023/supervision"),))

    texts = {f"finding-{n}-text": "text" for n in FINDINGS}
    prose = {**keeps(SupervisionForm, "title", "summary"), **texts}
    for entry in CORPUS:
        trials.attempt("staff.supervision", prose, entry, send)
        for n in FINDINGS:
            trials.attempt("staff.supervision", {f"finding-{n}-projects": "none"}, entry, send)


def finding_steps(site: Site, trials: Trials) -> None:
    made = site.ledger.record_supervision(
        year=2023,
        kind="quarterly_inspection",
        held_on=date(2023, 11, 1),
        title="十一月督查",
        summary="",
        findings=[(["7.1"], "路灯改造进度滞后")],
        actor="rd.zhou",
    )
    finding = UUID(made.related[0])
    site.services.caught_up()  # the step pages read the finding from the read model
    page = (("public", f"/plans/2023/findings/{finding}"),)

    def step(action: str, role: str) -> Any:
        def send(values: Mapping[str, Entry]) -> Sent:
            data = {"text": "已整改", **values}
            url = f"/staff/findings/{finding}/{action}"
            answer = site.post(role, url, form_fields(data))
            return Sent.of(answer, places=page if answer.status == 303 else ())

        return send

    text = keeps(StepForm, "text")
    for entry in CORPUS:
        trials.attempt("staff.findings.rectify", text, entry, step("rectify", "unit"))
    for entry in CORPUS:
        _rectifying(site, finding)
        trials.attempt("staff.findings.close", text, entry, step("close", "supervisor"))
        trials.attempt("staff.findings.reopen", text, entry, step("reopen", "supervisor"))


def _rectifying(site: Site, finding: UUID) -> None:
    """Bring the finding back to 'rectification reported' (what closing needs)."""
    state = site.ledger.finding(finding).state
    if state == "closed":
        site.ledger.reopen_finding(finding, "复查未通过", "rd.zhou")
    if state != "rectifying":
        site.ledger.report_rectification(finding, "已整改", "市城管局", "cg.wang")


def awards(site: Site, trials: Trials) -> None:
    """Nominations for the 微幸福 award, each with a note (candidates: closed cases)."""
    candidates = iter([site.closed("weixingfu").number for _ in range(len(CORPUS) + 2)])
    site.services.caught_up()  # candidates are read from the read models
    pool: Pool[str] = Pool(lambda: next(candidates))
    url = "/staff/awards/2023/weixingfu/nominate"

    def send(values: Mapping[str, Entry]) -> Sent:
        data = {"candidate": pool.take(), "note": "", **values}
        answer = site.post("task", url, form_fields(data))
        said = site.flashes("task")
        if answer.status != 303 or "已记录。" not in said:
            return Sent.of(answer, refused=answer.status < 400, explained=bool(said))
        pool.spent()
        return Sent(303, places=(("public", "/plans/2023/evaluation"),))

    for entry in CORPUS:
        trials.attempt("staff.awards.nominate", keeps(DecisionForm, "note"), entry, send)
        trials.attempt("staff.awards.nominate", {"candidate": "none"}, entry, send)


def amendments(site: Site, trials: Trials) -> None:
    """Amendments of the plan by the task force: each accepted one adds a project to item 9
    (its title, text, target and milestones show on its page; basis and reason on the list).
    The fields the kind does not use are ignored (nothing of them is stored)."""
    url = "/staff/plans/2023/amendments/new"
    normal = {
        "kind": "project_added",
        "item": "9",
        "title": "加装电梯试点",
        "text": "",
        "target_label": "试点电梯",
        "target_amount": "20",
        "target_unit": "台",
        "milestones": "",
        "basis_number": "锡政办发〔2023〕40号",
        "basis_date": TODAY.isoformat(),
        "reason": "新增试点",
    }

    def send(values: Mapping[str, Entry]) -> Sent:
        answer = site.post("task", url, form_fields({**normal, **values}))
        if answer.status != 303:
            return Sent.of(answer)
        ref = site.ledger.plan_amendments(2023)[-1].project
        return Sent(
            303,
            places=(
                ("public", "/plans/2023/amendments"),
                ("public", f"/plans/2023/projects/{ref}"),
            ),
        )

    prose = {
        **keeps(AmendmentForm, "title", "text", "target_label", "target_unit", "basis_number"),
        "milestones": "lines",
        "reason": "line",  # one line as published, as every reason
    }
    ignored = dict.fromkeys(("project", "amount", "into", "units"), "none")
    for entry in CORPUS:
        trials.attempt("staff.amendments.new", prose, entry, send)
        trials.attempt("staff.amendments.new", ignored, entry, send)
        trials.attempt("staff.amendments.new", {"target_amount": "none"}, entry, send)


def cycle_candidates(site: Site, trials: Trials) -> None:
    """The cycle's conversions of cases and candidates (2024), and the congress vote: each
    vote in a year of its own (a year's vote is recorded once), on one candidate listed there."""
    cases: Pool[str] = Pool(lambda: site.case().number)
    # A candidate comes from a proposal or a conversion: one case of its own, converted in
    # each year a candidate is listed in (a case is in one conversion a year).
    source_case = site.case().number
    sources: dict[int, str] = {}

    def source(year: int) -> str:
        if year not in sources:
            sources[year] = site.ledger.convert_cases(
                year, "一类问题", "说明", [source_case], "gov.chen"
            )
        return sources[year]

    def conversion(values: Mapping[str, Entry]) -> Sent:
        data = {"title": "楼道漏水", "problem": "多区反映楼道漏水", "numbers": cases.take()}
        answer = site.post(
            "task", "/staff/cycle/2024/conversions/new", form_fields({**data, **values})
        )
        if answer.status != 303:
            return Sent.of(answer)
        cases.spent()
        return Sent(303, places=(("public", answer.location),))

    def candidate(values: Mapping[str, Entry]) -> Sent:
        data = {
            "title": "增设社区助餐点",
            "category": "养老服务",
            "description": "新增助餐点。",
            "sources": source(2024),
            "targets": "助餐点 | 10 | 个",
            "units": "市民政局",
        }
        answer = site.post(
            "task", "/staff/cycle/2024/candidates/new", form_fields({**data, **values})
        )
        return Sent.of(
            answer, places=(("public", answer.location),) if answer.status == 303 else ()
        )

    years = iter(y for y in range(2000, 2101) if y not in (2023, 2024))

    def listed() -> int:
        year = next(years)
        site.ledger.list_candidate(
            year,
            title="候选",
            category="养老服务",
            description="说明",
            sources=[source(year)],
            targets=[],
            units=["市民政局"],
            actor="gov.chen",
        )
        return year

    pool: Pool[int] = Pool(listed)

    def vote(values: Mapping[str, Entry]) -> Sent:
        year = pool.take()
        data = {
            "session": "人民代表大会",
            "held_on": "2024-01-12",
            "document_number": "锡人大〔2024〕1号",
            "document_url": "https://example.org/vote.html",
            "voting": "480",
            "declared": "1",
            "for_C1": "450",
            "against_C1": "20",
            "abstain_C1": "10",
            "chosen_C1": "y",
        }
        answer = site.post("task", f"/staff/cycle/{year}/vote", form_fields({**data, **values}))
        if answer.status != 303:
            return Sent.of(answer)
        pool.spent()
        return Sent(303, places=(("public", f"/cycle/{year}/vote"),))

    def voted() -> int:
        year = listed()
        spec = VoteSpec(
            "人民代表大会",
            date(2024, 1, 12),
            "锡人大〔2024〕1号",
            "https://example.org/vote.html",
            480,
            1,
            (Result("C1", 450, 20, 10),),
            ("C1",),
        )
        site.ledger.record_vote(year, spec, "gov.chen")
        return year

    recorded: Pool[int] = Pool(voted)

    def correction(values: Mapping[str, Entry]) -> Sent:
        year = recorded.take()
        data = {
            "session": "人民代表大会",
            "held_on": "2024-01-12",
            "document_number": "锡人大〔2024〕1号",
            "document_url": "https://example.org/vote.html",
            "voting": "481",
            "declared": "1",
            "for_C1": "450",
            "against_C1": "20",
            "abstain_C1": "11",
            "chosen_C1": "y",
            "reason": "按公告更正",
        }
        answer = site.post("task", f"/staff/cycle/{year}/vote", form_fields({**data, **values}))
        if answer.status != 303:
            return Sent.of(answer)
        recorded.spent()
        return Sent(303, places=(("public", f"/cycle/{year}/vote"),))

    correcting = next(years)  # its candidates, each corrected once (its page shows the last)

    def another() -> int:
        ref = site.ledger.list_candidate(
            correcting,
            title="候选",
            category="养老服务",
            description="说明",
            sources=[source(correcting)],
            targets=[],
            units=["市民政局"],
            actor="gov.chen",
        )
        return int(ref[1:])

    correctable: Pool[int] = Pool(another)

    def corrected(values: Mapping[str, Entry]) -> Sent:
        number = correctable.take()
        data = {
            "title": "增设社区助餐点",
            "category": "养老服务",
            "description": "新增助餐点。",
            "targets": "助餐点 | 10 | 个",
            "units": "市民政局",
            "reason": "名称有误",
        }
        url = f"/staff/cycle/{correcting}/candidates/{number}/correct"
        answer = site.post("task", url, form_fields({**data, **values}))
        if answer.status != 303:
            return Sent.of(answer)
        correctable.spent()
        return Sent(303, places=(("public", f"/cycle/{correcting}/candidates/{number}"),))

    structured = {"numbers": "none", "unit": "none"}
    listing = {"sources": "none", "targets": "none", "units": "none"}
    for entry in CORPUS:
        trials.attempt(
            "cycle.conversion", keeps(ConversionForm, "title", "problem"), entry, conversion
        )
        trials.attempt("cycle.conversion", structured, entry, conversion, together=False)
        trials.attempt(
            "cycle.candidate",
            keeps(CandidateForm, "title", "category", "description"),
            entry,
            candidate,
        )
        trials.attempt("cycle.candidate", listing, entry, candidate, together=False)
        words = keeps(CandidateCorrectionForm, "title", "category", "description", "reason")
        trials.attempt("cycle.candidate_correction", words, entry, corrected)
        trials.attempt(
            "cycle.candidate_correction",
            {"targets": "none", "units": "none"},
            entry,
            corrected,
            together=False,
        )
        trials.attempt("cycle.vote", keeps(VoteFields, "session", "document_number"), entry, vote)
        trials.attempt("cycle.vote", {"document_url": "none"}, entry, vote)
        fixed = {**keeps(VoteFields, "session", "document_number"), "reason": "text"}
        trials.attempt("cycle.vote_correction", fixed, entry, correction)
        trials.attempt("cycle.vote_correction", {"document_url": "none"}, entry, correction)
