"""The solicitation's rules through the ledger and the read model, on both stores: the open
period at the edges of a Wuxi day, one support per person, moderation, answers, erasure."""

from __future__ import annotations

from datetime import date

import pytest

from domain.proposals import ProposalError
from minsheng_site.services import Services
from projections.cycle import proposal_queries as pq
from tests.clock import Clock
from tests.cycle.helpers import CATEGORY, YEAR, listed, person, propose

GOV = "staff:gov.chen"


def refused(code: str, step: object) -> None:
    with pytest.raises(ProposalError) as error:
        step()  # type: ignore[operator]
    assert error.value.code == code, error.value


def opened(site: Services, last_day: date = date(2023, 10, 31)) -> None:
    site.ledger.open_solicitation(YEAR, last_day, GOV)


def test_proposing_before_the_solicitation_opens_is_refused(site: Services) -> None:
    refused("not_open", lambda: propose(site.ledger, person(site.ledger, 1)))
    opened(site)
    assert propose(site.ledger, person(site.ledger, 1)) == 1


def test_the_last_day_accepts_until_wuxi_midnight_and_not_a_moment_after(
    site: Services, wuxi: Clock
) -> None:
    opened(site)
    wuxi.set("2023-10-31T23:59")  # 15:59 UTC
    assert propose(site.ledger, person(site.ledger, 1)) == 1
    wuxi.set("2023-11-01T00:00")  # 16:00 UTC of 31 October: already the next Wuxi day
    refused("closed", lambda: propose(site.ledger, person(site.ledger, 2)))
    site.caught_up()
    with site.read() as c:
        assert pq.solicitation(c, YEAR).received == 1  # type: ignore[union-attr]
        assert pq.counts(c, YEAR).pending == 1


def test_closed_early_by_the_task_force_then_refused_and_not_closed_twice(
    site: Services,
) -> None:
    opened(site)
    propose(site.ledger, person(site.ledger, 1))
    site.ledger.close_solicitation(YEAR, GOV)
    refused("closed", lambda: propose(site.ledger, person(site.ledger, 2)))
    refused("closed", lambda: site.ledger.close_solicitation(YEAR, GOV))
    refused("not_open", lambda: site.ledger.close_solicitation(YEAR + 1, GOV))


def test_opening_twice_or_with_a_last_day_past_is_refused(site: Services) -> None:
    refused("last_day", lambda: opened(site, date(2023, 8, 31)))
    refused("last_day", lambda: opened(site, date(2025, 1, 1)))  # after the year itself
    opened(site)
    refused("opened", lambda: opened(site))


def test_what_a_proposal_must_say(site: Services) -> None:
    opened(site)
    who = person(site.ledger, 1)
    refused("title", lambda: propose(site.ledger, who, title="  "))
    refused("title", lambda: propose(site.ledger, who, title="长" * 61))
    refused("description", lambda: propose(site.ledger, who, description=""))
    refused("description", lambda: propose(site.ledger, who, description="长" * 2001))
    refused("category", lambda: propose(site.ledger, who, category="不存在的方面"))
    refused("district", lambda: propose(site.ledger, who, district="南京市"))
    assert propose(site.ledger, who, district="全市") == 1  # numbers only what it records


def test_numbers_run_within_the_year_and_words_stay_sealed_until_approved(
    site: Services,
) -> None:
    opened(site)
    ledger = site.ledger
    first = propose(ledger, person(ledger, 1), title="加装电梯")
    second = propose(ledger, person(ledger, 2, email=True), title="社区食堂")
    assert (first, second) == (1, 2)
    site.caught_up()
    with site.read() as c:
        assert pq.proposal(c, YEAR, 1) is None  # not public before approval
        assert [r.number for r in pq.queue(c, YEAR)] == [1, 2]
    words = ledger.proposal_words(ledger.proposal(YEAR, 1))
    assert words == {
        "title": "加装电梯",
        "description": "希望在梁溪区更多老旧小区加装电梯，方便老人出行。",
    }
    ledger.approve_proposal(YEAR, 1, GOV)
    ledger.reject_proposal(YEAR, 2, "off_topic", GOV)
    refused("moderated", lambda: ledger.approve_proposal(YEAR, 2, GOV))
    site.caught_up()
    with site.read() as c:
        shown = pq.proposal(c, YEAR, 1)
        assert shown is not None and shown.title == "加装电梯" and not shown.edited
        assert shown.category == CATEGORY and shown.district == "梁溪区"
        assert pq.proposal(c, YEAR, 2) is None
        assert pq.rejected_counts(c, YEAR) == {"off_topic": 1}
        assert pq.counts(c, YEAR).approved == 1


def test_approval_refuses_a_phone_number_and_may_edit_the_words(site: Services) -> None:
    opened(site)
    ledger = site.ledger
    who = person(ledger, 1)
    propose(ledger, who, description=f"请联系我 {who.address.value[:3]} {who.address.value[3:]}")
    refused("personal", lambda: ledger.approve_proposal(YEAR, 1, GOV))
    ledger.approve_proposal(YEAR, 1, GOV, description="希望为老旧小区加装电梯。")
    site.caught_up()
    with site.read() as c:
        shown = pq.proposal(c, YEAR, 1)
        assert shown is not None and shown.edited
        assert shown.description == "希望为老旧小区加装电梯。"


def test_one_support_per_person_not_their_own_and_only_while_unanswered(
    site: Services,
) -> None:
    opened(site)
    ledger = site.ledger
    proposer, other = person(ledger, 1), person(ledger, 2)
    propose(ledger, proposer)
    refused("not_approved", lambda: ledger.support_proposal(other, YEAR, 1))
    ledger.approve_proposal(YEAR, 1, GOV)
    refused("own", lambda: ledger.support_proposal(proposer, YEAR, 1))
    ledger.support_proposal(other, YEAR, 1)
    refused("twice", lambda: ledger.support_proposal(other, YEAR, 1))
    # anyone else verified supports once too, by e-mail as by phone
    ledger.support_proposal(person(ledger, 3, email=True), YEAR, 1)
    ledger.decline_proposal(YEAR, 1, "已列入2023年计划", GOV)
    refused("answered", lambda: ledger.support_proposal(person(ledger, 4), YEAR, 1))
    refused("not_found", lambda: ledger.support_proposal(other, YEAR, 99))
    site.caught_up()
    with site.read() as c:
        assert pq.proposal(c, YEAR, 1).supports == 2  # type: ignore[union-attr]
        assert pq.counts(c, YEAR).supports == 2
    assert ledger.supports(other, YEAR, 1) and not ledger.supports(proposer, YEAR, 1)


def test_answers_once_with_their_rules(site: Services) -> None:
    opened(site)
    ledger = site.ledger
    for n in range(1, 6):
        propose(ledger, person(ledger, n), title=f"建议{n}")
    for n in range(1, 5):
        ledger.approve_proposal(YEAR, n, GOV)
    refused("not_approved", lambda: ledger.adopt_proposal(YEAR, 5, "C1", "", GOV))
    refused("candidate", lambda: ledger.adopt_proposal(YEAR, 1, "第一", "", GOV))
    refused("reason", lambda: ledger.decline_proposal(YEAR, 1, "  ", GOV))
    refused("into", lambda: ledger.merge_proposal(YEAR, 2, 2, "重复", GOV))
    refused("into", lambda: ledger.merge_proposal(YEAR, 2, 5, "重复", GOV))  # not approved
    refused("into", lambda: ledger.merge_proposal(YEAR, 2, 77, "重复", GOV))
    listed(ledger, 3, GOV)
    ledger.adopt_proposal(YEAR, 1, "c3", "与转化的诉求一并列为候选项目", GOV)
    ledger.merge_proposal(YEAR, 2, 1, "与P1内容相同", GOV)
    refused("into", lambda: ledger.merge_proposal(YEAR, 3, 2, "重复", GOV))  # merged itself
    ledger.decline_proposal(YEAR, 3, "不属于政府投资范围", GOV)
    refused("answered", lambda: ledger.adopt_proposal(YEAR, 1, "C4", "", GOV))
    ledger.support_proposal(person(ledger, 9), YEAR, 4)
    ledger.merge_proposal(YEAR, 4, 1, "同类", GOV)
    site.caught_up()
    with site.read() as c:
        p1 = pq.proposal(c, YEAR, 1)
        assert p1 is not None and p1.answer == "adopted" and p1.candidate == "C3"
        assert (p1.supports, p1.merged_supports, p1.total_supports) == (0, 1, 1)
        assert [m.ref for m in pq.merged_into(c, YEAR, 1)] == ["P2", "P4"]
        p4 = pq.proposal(c, YEAR, 4)
        assert p4 is not None and p4.merged_into == 1 and p4.supports == 1
        assert pq.counts(c, YEAR).answers == {
            "adopted": 2,  # P1 and the source of the listed candidates
            "merged": 2,
            "not_adopted": 1,
            "none": 0,
        }
        assert [p.ref for p in pq.proposals(c, YEAR, answer="merged")] == ["P4", "P2"]


def test_erasing_the_proposer_leaves_nothing_sealed_readable(site: Services) -> None:
    opened(site)
    ledger = site.ledger
    who = person(ledger, 1)
    propose(ledger, who, title="待审核的建议")
    propose(ledger, who, title="已公开的建议")
    ledger.approve_proposal(YEAR, 2, GOV)
    erased = ledger.erase_person(who.address.value, "本人申请", GOV)
    assert sorted(erased) == sorted(str(ledger.proposal(YEAR, n).id) for n in (1, 2))
    assert ledger.proposal_words(ledger.proposal(YEAR, 1)) is None
    refused("erased", lambda: ledger.approve_proposal(YEAR, 1, GOV))
    ledger.reject_proposal(YEAR, 1, "personal", GOV)
    assert ledger.is_proposal(erased[0]) and not ledger.is_ballot(erased[0])
    site.caught_up()
    with site.read() as c:
        assert [r.number for r in pq.queue(c, YEAR)] == []
        assert pq.proposal(c, YEAR, 2).title == "已公开的建议"  # type: ignore[union-attr]


def test_adopting_names_a_candidate_of_the_same_cycle(site: Services) -> None:
    """An unknown candidate is refused and nothing is recorded."""
    opened(site)
    ledger = site.ledger
    propose(ledger, person(ledger, 1))
    ledger.approve_proposal(YEAR, 1, GOV)
    refused("candidate_unknown", lambda: ledger.adopt_proposal(YEAR, 1, "C1", "", GOV))
    assert ledger.proposal(YEAR, 1).answer is None
    listed(ledger, 1, GOV)
    ledger.adopt_proposal(YEAR, 1, "c1", "", GOV)
    assert ledger.proposal(YEAR, 1).candidate == "C1"
