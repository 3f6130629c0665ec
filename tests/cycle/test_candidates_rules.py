"""The candidates' and the congress vote's rules (domain/candidates.py), without a store."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.candidates import (
    CandidateBook,
    CandidateError,
    Result,
    VoteSpec,
    check_vote,
    checked_target,
)

AT = datetime(2024, 1, 10, 2, 0, tzinfo=UTC)
ACTOR = "staff:gov.chen"


def book(candidates: int = 0) -> CandidateBook:
    b = CandidateBook.open(2024, ACTOR, AT)
    b.convert(
        "楼道漏水集中整治",
        "老旧小区楼道漏水",
        [
            {"number": f"2023-{i:05d}", "district": "梁溪区", "lead_unit": "市住房城乡建设局"}
            for i in (1, 2)
        ],
        ACTOR,
        AT,
    )
    for n in range(candidates):
        b.list_candidate(
            f"候选{n + 1}", "住房保障", "说明", ["Z1"], [], ["市住房城乡建设局"], ACTOR, AT
        )
    return b


def spec(refs: list[str], chosen: list[str], voting: int = 500, **changes: object) -> VoteSpec:
    fields: dict[str, object] = {
        "session": "无锡市第十七届人民代表大会第三次会议",
        "held_on": date(2024, 1, 12),
        "document_number": "锡人大〔2024〕1号",
        "document_url": "https://www.wxrd.gov.cn/doc/2024/01/12/1.shtml",
        "voting": voting,
        "declared": len(chosen),
        "results": tuple(Result(r, 400, 60, voting - 460) for r in refs),
        "chosen": tuple(chosen),
    }
    fields.update(changes)
    return VoteSpec(**fields)  # type: ignore[arg-type]


def refused(code: str, fn, *args: object) -> CandidateError:  # type: ignore[no-untyped-def]
    with pytest.raises(CandidateError) as error:
        fn(*args)
    assert error.value.code == code, str(error.value)
    return error.value


def test_conversions_and_candidates_are_numbered_in_order() -> None:
    b = book(3)
    assert b.conversions == {"Z1": ("2023-00001", "2023-00002")}
    assert b.candidates == ("C1", "C2", "C3")
    assert b.converted["2023-00002"] == "Z1"


def test_a_case_is_in_one_conversion_of_a_year() -> None:
    b = book()
    case = {"number": "2023-00002", "district": "锡山区", "lead_unit": None}
    error = refused("converted", b.convert, "另一类", "问题", [case], ACTOR, AT)
    assert error.subject == "2023-00002" and "Z1" in str(error)
    twice = {"number": "2023-00009", "district": "锡山区", "lead_unit": None}
    refused("cases", b.convert, "另一类", "问题", [twice, twice], ACTOR, AT)
    refused("cases", b.convert, "另一类", "问题", [], ACTOR, AT)


def test_sources_must_be_proposals_or_existing_conversions() -> None:
    b = book()
    add = b.list_candidate
    refused("sources", add, "T", "类", "说明", ["Z2"], [], ["市民政局"], ACTOR, AT)
    refused("sources", add, "T", "类", "说明", ["X9"], [], ["市民政局"], ACTOR, AT)
    refused("sources", add, "T", "类", "说明", [], [], ["市民政局"], ACTOR, AT)
    refused("units", add, "T", "类", "说明", ["P3"], [], [" "], ACTOR, AT)
    refused("title", add, " ", "类", "说明", ["P3"], [], ["市民政局"], ACTOR, AT)
    refused("description", add, "T", "类", "请打13912345678", ["P3"], [], ["市民政局"], ACTOR, AT)
    assert add("T", "类", "说明", ["p3", "Z1", "P3"], [], ["市民政局"], ACTOR, AT) == "C1"
    assert b.pending_events[-1].sources == ["P3", "Z1"]  # type: ignore[attr-defined]


def test_targets_are_positive_amounts() -> None:
    assert checked_target("改造楼道", "1,200", "个").amount == "1200"
    assert checked_target("覆盖率", "95.50", "%").amount == "95.5"
    for bad in ("", "abc", "0", "-3", "NaN", "Infinity"):
        refused("targets", checked_target, "改造楼道", bad, "个")


def test_each_candidates_figures_add_up_to_those_voting() -> None:
    refs = [f"C{n}" for n in range(1, 4)]
    results = (Result("C1", 400, 60, 40), Result("C2", 400, 60, 41), Result("C3", 400, 60, 40))
    error = refused("sum", check_vote, spec(refs, ["C1"], results=results), refs)
    assert error.subject == "C2" and "501" in str(error)


def test_every_candidate_has_one_result_and_no_other() -> None:
    refs = ["C1", "C2"]
    only_one = (Result("C1", 400, 60, 40),)
    assert (
        refused("missing", check_vote, spec(refs, ["C1"], results=only_one), refs).subject == "C2"
    )
    extra = (*spec(refs, []).results, Result("C9", 400, 60, 40))
    assert refused("unknown", check_vote, spec(refs, ["C1"], results=extra), refs).subject == "C9"
    twice = (Result("C1", 400, 60, 40), Result("C1", 400, 60, 40), Result("C2", 400, 60, 40))
    refused("twice", check_vote, spec(refs, ["C1"], results=twice), refs)
    negative = (Result("C1", 600, -60, -40), Result("C2", 400, 60, 40))
    refused("negative", check_vote, spec(refs, ["C1"], results=negative), refs)


def test_exactly_the_declared_number_is_chosen_among_the_candidates() -> None:
    refs = [f"C{n}" for n in range(1, 13)]
    chosen = refs[:10]
    assert check_vote(spec(refs, chosen), refs)["chosen"] == chosen
    error = refused("count", check_vote, spec(refs, refs[:9], declared=10), refs)
    assert "9" in str(error) and "10" in str(error)
    refused("count", check_vote, spec(refs, refs[:11], declared=10), refs)
    unknown = refused("unknown", check_vote, spec(refs, [*refs[:9], "C13"]), refs)
    assert unknown.subject == "C13"
    refused("chosen", check_vote, spec(refs, [*refs[:9], "C1"]), refs)
    refused("declared", check_vote, spec(refs, [], declared=0), refs)


def test_a_chosen_candidate_has_more_than_half_of_those_voting_for_it() -> None:
    refs = ["C1", "C2"]
    half = (Result("C1", 400, 60, 40), Result("C2", 250, 200, 50))
    error = refused("majority", check_vote, spec(refs, ["C2"], results=half), refs)
    assert error.subject == "C2"
    just = (Result("C1", 400, 60, 40), Result("C2", 251, 200, 49))
    assert check_vote(spec(refs, ["C2"], results=just), refs)["chosen"] == ["C2"]


def test_the_source_document_is_named_and_linked() -> None:
    refs = ["C1"]
    refused(
        "document_url", check_vote, spec(refs, ["C1"], document_url="javascript:alert(1)"), refs
    )
    refused("document_url", check_vote, spec(refs, ["C1"], document_url=""), refs)
    refused("document_number", check_vote, spec(refs, ["C1"], document_number=" "), refs)
    refused("session", check_vote, spec(refs, ["C1"], session=""), refs)
    refused("voting", check_vote, spec(refs, ["C1"], voting=0), refs)


def test_the_vote_is_recorded_once_then_only_corrected_with_a_reason() -> None:
    b = book(2)
    refused("not_recorded", b.correct_vote, spec(["C1", "C2"], ["C1"]), "原因", ACTOR, AT)
    b.record_vote(spec(["C1", "C2"], ["C1"]), ACTOR, AT)
    assert b.vote is not None and b.vote["chosen"] == ["C1"]
    refused("recorded", b.record_vote, spec(["C1", "C2"], ["C1"]), ACTOR, AT)
    refused("voted", b.list_candidate, "T", "类", "说明", ["P1"], [], ["市民政局"], ACTOR, AT)
    refused("unchanged", b.correct_vote, spec(["C1", "C2"], ["C1"]), "原因", ACTOR, AT)
    refused("reason", b.correct_vote, spec(["C1", "C2"], ["C2"]), " ", ACTOR, AT)
    b.correct_vote(spec(["C1", "C2"], ["C2"]), "录入有误，以公告为准", ACTOR, AT)
    assert b.vote["chosen"] == ["C2"]


def test_no_candidate_no_vote() -> None:
    refused("results", CandidateBook.open(2024, ACTOR, AT).record_vote, spec([], []), ACTOR, AT)


def test_a_candidate_is_corrected_before_the_vote_with_a_reason_and_its_sources_kept() -> None:
    b = book(2)
    lead = checked_target("楼道", "300", "个")
    words = ("楼道漏水治理", "住房保障", "更正后的说明", [lead], ["市住房城乡建设局", "梁溪区"])
    b.correct_candidate("C1", *words, "名称和责任单位有误", ACTOR, AT)
    assert b.listed["C1"] == {
        "title": "楼道漏水治理",
        "category": "住房保障",
        "description": "更正后的说明",
        "targets": [lead.as_dict()],
        "units": ["市住房城乡建设局", "梁溪区"],
    }
    assert b.candidates == ("C1", "C2")  # still two, in their order
    corrected = b.collect_events()[-1]
    assert isinstance(corrected, CandidateBook.CandidateCorrected)
    assert corrected.reason == "名称和责任单位有误" and not hasattr(corrected, "sources")
    # Every refusal: a candidate not listed, nothing changed, no reason, a bad title, a unit
    # missing, and any correction once the vote is recorded.
    refused("unknown", b.correct_candidate, "C3", *words, "理由", ACTOR, AT)
    refused("unchanged", b.correct_candidate, "C1", *words, "再次更正", ACTOR, AT)
    refused("reason", b.correct_candidate, "C1", "新名称", *words[1:], " ", ACTOR, AT)
    refused("title", b.correct_candidate, "C1", "", *words[1:], "理由", ACTOR, AT)
    refused("units", b.correct_candidate, "C1", *words[:4], [" "], "理由", ACTOR, AT)
    b.record_vote(spec(["C1", "C2"], ["C1"]), ACTOR, AT)
    refused("voted", b.correct_candidate, "C2", "新名称", *words[1:], "理由", ACTOR, AT)


def test_a_corrected_book_is_the_same_when_read_back_from_its_events() -> None:
    b = book(1)
    b.correct_candidate(
        "C1", "新名称", "住房保障", "说明", [], ["市住房城乡建设局"], "名称有误", ACTOR, AT
    )
    events = b.collect_events()
    copy = None
    for e in events:
        copy = e.mutate(copy)
    assert isinstance(copy, CandidateBook)
    assert copy.listed == b.listed and copy.listed["C1"]["title"] == "新名称"
