"""Conversions, candidates and the vote through the ledger, the read model and the public log
(both stores)."""

from __future__ import annotations

from datetime import date

import pytest

from application.case_commands import Intake
from domain.candidates import CandidateError, Result, VoteSpec, checked_target
from domain.plan_spec import PlanSpec
from minsheng_site.services import Services
from projections.cycle import candidate_queries as cq
from projections.publiclog import log_queries as lq
from tests.clock import Clock
from tests.cycle.helpers import person, propose

ADMIN = "staff:gov.chen"
NAME, PHONE = "王小明", "13900001111"


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-09-27T09:00")


def submit(services: Services, district: str, unit: str | None) -> str:
    ledger = services.ledger
    receipt = ledger.submit_case(
        Intake(
            year=2023,
            channel="online",
            category="住房物业",
            district=district,
            title="老旧小区楼道漏水",
            content=f"楼道顶部漏水，联系{NAME}。",
            name=NAME,
            phone=PHONE,
            consent=True,
            received_on=date(2023, 9, 27),
        ),
        "citizen",
    )
    if unit:
        ledger.accept_case(receipt.case_id, "staff:gov")
        ledger.assign_case(receipt.case_id, "hotline", unit, [], 5, "staff:gov")
    return receipt.number


def vote(refs: list[str], chosen: list[str], **changes: object) -> VoteSpec:
    fields: dict[str, object] = {
        "session": "无锡市第十七届人民代表大会第三次会议",
        "held_on": date(2024, 1, 12),
        "document_number": "锡人大〔2024〕1号",
        "document_url": "https://example.org/vote.html",
        "voting": 480,
        "declared": len(chosen),
        "results": tuple(Result(r, 450, 20, 10) for r in refs),
        "chosen": tuple(chosen),
    }
    fields.update(changes)
    return VoteSpec(**fields)  # type: ignore[arg-type]


def test_from_cases_to_a_chosen_candidate(
    services: Services, clock: Clock, plan_spec: PlanSpec
) -> None:
    ledger = services.ledger
    ledger.register_plan(plan_spec, "test")  # its categories are the proposals'
    ledger.open_solicitation(2024, date(2023, 10, 31), ADMIN)
    for n in (1, 2, 3):
        propose(ledger, person(ledger, n), title=f"建议{n}")
        ledger.approve_proposal(2024, n, ADMIN)
    numbers = [
        submit(services, "梁溪区", "市住房城乡建设局"),
        submit(services, "梁溪区", "市住房城乡建设局"),
        submit(services, "锡山区", "锡山区人民政府"),
        submit(services, "滨湖区", None),
    ]
    clock.set("2023-11-20T23:59")  # 15:59 UTC: still the 20th in Wuxi
    z1 = ledger.convert_cases(
        2024,
        "老旧小区楼道漏水集中整治",
        "楼道漏水，多区反映",
        [n.lower() for n in numbers[:3]],
        ADMIN,
    )
    assert z1 == "Z1"
    with pytest.raises(CandidateError) as error:
        ledger.convert_cases(2024, "再转一次", "重复", [numbers[3], numbers[0]], ADMIN)
    assert error.value.code == "converted" and error.value.subject == numbers[0]
    with pytest.raises(CandidateError) as error:
        ledger.convert_cases(2024, "未知", "未知", ["2023-99999"], ADMIN)
    assert error.value.code == "unknown_case" and error.value.subject == "2023-99999"
    # another year's cycle may take the same case again
    assert ledger.convert_cases(2025, "下一年", "仍有反映", [numbers[0]], ADMIN) == "Z1"

    c1 = ledger.list_candidate(
        2024,
        title="老旧小区楼道渗漏治理",
        category="住房保障",
        description="对反映集中的老旧小区楼道渗漏进行治理。",
        sources=["Z1", "P2"],
        targets=[checked_target("治理楼道", "300", "个")],
        units=["市住房城乡建设局", "各市(县)区人民政府"],
        actor=ADMIN,
    )
    c2 = ledger.list_candidate(
        2024,
        title="增设社区助餐点",
        category="养老服务",
        description="新增助餐点。",
        sources=["P3"],
        targets=[],
        units=["市民政局"],
        actor=ADMIN,
    )
    assert (c1, c2) == ("C1", "C2")
    with pytest.raises(CandidateError) as error:
        ledger.list_candidate(
            2024,
            title="T",
            category="类",
            description="说明",
            sources=["Z9"],
            targets=[],
            units=["市民政局"],
            actor=ADMIN,
        )
    assert error.value.code == "sources"

    clock.set("2024-01-12T16:00")
    bad = vote(["C1", "C2"], ["C1"], results=(Result("C1", 450, 20, 10), Result("C2", 1, 1, 1)))
    with pytest.raises(CandidateError) as error:
        ledger.record_vote(2024, bad, ADMIN)
    assert (error.value.code, error.value.subject) == ("sum", "C2")
    ledger.record_vote(2024, vote(["C1", "C2"], ["C1"]), ADMIN)
    with pytest.raises(CandidateError) as error:
        ledger.record_vote(2024, vote(["C1", "C2"], ["C1"]), ADMIN)
    assert error.value.code == "recorded"

    with services.read() as c:
        services.caught_up()
    with services.read() as c:
        rows = cq.candidates(c, 2024)
        assert [(r.number, r.votes_for, r.chosen) for r in rows] == [
            (1, 450, True),
            (2, 450, False),
        ]
        assert rows[0].sources == ["Z1", "P2"] and rows[0].targets[0]["amount"] == "300"
        conversion = cq.conversion(c, 2024, 1)
        assert conversion is not None and conversion.cases == 3 and not conversion.simulated
        cases = cq.conversion_cases(c, 2024, 1)
        assert [r.case_number for r in cases] == numbers[:3]
        by_district, by_unit = cq.conversion_counts(c, 2024, 1)
        assert by_district == [("梁溪区", 2), ("锡山区", 1)]
        assert by_unit == [("市住房城乡建设局", 2), ("锡山区人民政府", 1)]
        assert cq.fed(c, 2024, "P2") == [1] and cq.fed(c, 2024, "Z1") == [1]
        found = cq.candidate_of_case(c, numbers[0])
        assert [(f.year, f.conversion, f.candidates) for f in found] == [
            (2024, 1, ((1, "老旧小区楼道渗漏治理", True),)),
            (2025, 1, ()),
        ]
        assert cq.candidate_of_case(c, numbers[3]) == []
        recorded = cq.vote(c, 2024)
        assert recorded is not None and recorded.voting == 480 and recorded.corrections == 0

        entries = lq.latest(c, "candidates:2024")
        kinds = [e.kind for e in reversed(entries)]
        assert kinds == ["cycle.converted", "cycle.listed", "cycle.listed", "cycle.voted"]
        converted = entries[-1]
        assert converted.business_date == "2023-11-20"  # 23:59 Wuxi
        assert converted.payload["districts"] == {"梁溪区": 2, "锡山区": 1}
        assert entries[0].business_date == "2024-01-12"  # the session's day
        assert lq.latest(c, f"case:{numbers[1]}")[0].kind == "cycle.converted"
        everything = " ".join(str(e.payload) for e in lq.latest(c, None, 500))
        assert NAME not in everything and PHONE not in everything

    clock.set("2024-01-15T10:00")
    with pytest.raises(CandidateError) as error:
        ledger.correct_vote(2024, vote(["C1", "C2"], ["C2"]), "", ADMIN)
    assert error.value.code == "reason"
    ledger.correct_vote(2024, vote(["C1", "C2"], ["C2"]), "按公告更正", ADMIN)
    services.caught_up()
    with services.read() as c:
        assert [r.chosen for r in cq.candidates(c, 2024)] == [False, True]
        recorded = cq.vote(c, 2024)
        assert recorded is not None and recorded.corrections == 1
        assert recorded.correction_reason == "按公告更正"
        latest = lq.latest(c, "candidates:2024")[0]
        assert latest.kind == "cycle.vote_corrected"
        voted = lq.latest(c, "candidates:2024")[1]
        assert latest.corrects == voted.uuid


def test_a_vote_without_candidates_is_refused(services: Services) -> None:
    with pytest.raises(CandidateError) as error:
        services.ledger.record_vote(2024, vote([], []), ADMIN)
    assert error.value.code == "results"


def test_a_candidate_names_only_published_proposals_and_adopts_them(
    services: Services, plan_spec: PlanSpec
) -> None:
    """A proposal source must exist and be published, and not be merged away or declined;
    one not answered yet is answered "adopted as" the candidate in the same transaction."""
    ledger = services.ledger
    ledger.register_plan(plan_spec, "test")
    ledger.open_solicitation(2024, date(2023, 10, 31), ADMIN)
    for n in range(1, 6):
        propose(ledger, person(ledger, n), title=f"建议{n}")
    for n in (1, 2, 3, 4):
        ledger.approve_proposal(2024, n, ADMIN)
    ledger.merge_proposal(2024, 3, 2, "重复", ADMIN)
    ledger.decline_proposal(2024, 4, "不属于民生实事范围", ADMIN)
    fields = {
        "title": "T",
        "category": "类",
        "description": "说明",
        "targets": [],
        "units": ["市民政局"],
    }
    for source, why in (
        ("p9", "there is no proposal P9"),
        ("P5", "proposal P5 is not published"),
        ("P3", "proposal P3 was merged into P2"),
        ("P4", "proposal P4 was answered: not adopted"),
    ):
        with pytest.raises(CandidateError) as error:
            ledger.list_candidate(2024, sources=["P1", source], actor=ADMIN, **fields)
        assert (error.value.code, error.value.subject) == ("sources", source.upper())
        assert why in str(error.value)
        assert ledger.proposal(2024, 1).answer is None  # nothing of a refused listing stands
    assert ledger.list_candidate(2024, sources=["P1", "P2"], actor=ADMIN, **fields) == "C1"
    assert [ledger.proposal(2024, n).candidate for n in (1, 2)] == ["C1", "C1"]
    # Already adopted: it may feed another candidate, and keeps its first answer.
    assert ledger.list_candidate(2024, sources=["P1"], actor=ADMIN, **fields) == "C2"
    assert ledger.proposal(2024, 1).candidate == "C1"
    assert ledger.candidate_exists(2024, "c2") and not ledger.candidate_exists(2024, "C3")
