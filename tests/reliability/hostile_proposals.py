"""The corpus through the solicitation of proposals: a verified citizen's proposal (title and
text, seen by the task force before approval), and the task force's approval with edited
words, adoption note, merge reason and the reason a proposal is not adopted (public)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from itertools import count

from application.verification import Address, Verified
from minsheng_site.cycle.proposal_forms import (
    ProposalAdoptForm,
    ProposalApproveForm,
    ProposalDeclineForm,
    ProposalForm,
    ProposalMergeForm,
)
from tests.hostile import CORPUS, Entry
from tests.reliability.hostile_cases import Pool
from tests.reliability.hostile_intake import keeps
from tests.reliability.hostile_people import _code_for
from tests.reliability.hostile_site import Site
from tests.reliability.hostile_trials import Sent, Trials, form_fields

YEAR = 2024
CATEGORY = "宜居住区方面"
QUEUE = f"/staff/cycle/{YEAR}/proposals"


def _page(number: int) -> str:
    return f"/cycle/{YEAR}/proposals/{number}"


def proposals(site: Site, trials: Trials) -> None:
    """One verified person proposes with each entry as the title and the text; what is
    accepted waits, sealed, on the task force's queue (public once approved)."""
    site.ledger.open_solicitation(YEAR, date(2023, 12, 31), "test")
    site.services.caught_up()
    site.client("proposer")
    address = "proposer@example.org"
    assert site.post("proposer", "/ratings/verify", form_fields({"contact": address})).status == 303
    proof = {"code": _code_for(site, address), "next": "/"}
    assert site.post("proposer", "/ratings/verify/code", form_fields(proof)).status == 303

    def send(values: Mapping[str, Entry]) -> Sent:
        data = {
            "title": "加装电梯",
            "description": "建议加装电梯。",
            "category": CATEGORY,
            "district": "梁溪区",
            **values,
        }
        answer = site.post("proposer", f"/cycle/{YEAR}/proposals/new", form_fields(data))
        if answer.status != 303:
            return Sent.of(answer)
        return Sent(303, places=(("task", QUEUE),))

    for entry in CORPUS:
        trials.attempt(
            "cycle.proposals.new", keeps(ProposalForm, "title", "description"), entry, send
        )


def answers(site: Site, trials: Trials) -> None:
    """Each step on a proposal in the state it needs (made through the ledger, in ordinary
    words); what the task force writes shows on the proposal's public page."""
    people = count()

    def made(approved: bool) -> Callable[[], int]:
        def make() -> int:
            address = Address("phone", f"1366666{next(people):04d}")
            who = Verified(site.ledger.vault.contact(f"phone:{address.value}"), address)
            number = site.ledger.propose(
                who, YEAR, "社区食堂", "建议增设社区食堂。", CATEGORY, "梁溪区"
            ).number
            if approved:
                site.ledger.approve_proposal(YEAR, number, "staff:gov.chen")
            site.services.caught_up()
            return number

        return make

    target = made(True)()

    def step(action: str, pool: Pool[int], normal: Mapping[str, str]) -> Callable[..., Sent]:
        def send(values: Mapping[str, Entry]) -> Sent:
            number = pool.take()
            prefix = f"{action}{number}-"
            data = {f"{prefix}{k}": v for k, v in form_fields({**normal, **values}).items()}
            url = f"/staff/cycle/{YEAR}/proposals/{number}/{action}"
            answer = site.post("task", url, data, prefix)
            if answer.status != 303:
                return Sent.of(answer)
            pool.spent()
            return Sent(303, places=(("public", _page(number)),))

        return send

    pending, approved = Pool(made(False)), Pool(made(True))
    steps = (
        (
            "approve",
            pending,
            {"title": "", "description": ""},
            keeps(ProposalApproveForm, "title", "description"),
        ),
        ("adopt", approved, {"candidate": "C1", "note": ""}, keeps(ProposalAdoptForm, "note")),
        (
            "merge",
            approved,
            {"into": f"P{target}", "reason": "内容相同"},
            keeps(ProposalMergeForm, "reason"),
        ),
        ("decline", approved, {"reason": "已列入计划"}, keeps(ProposalDeclineForm, "reason")),
    )
    structured = {"adopt": "candidate", "merge": "into"}
    for action, pool, normal, prose in steps:
        send = step(action, pool, normal)
        for entry in CORPUS:
            trials.attempt(f"staff.proposals.{action}", prose, entry, send)
            if action in structured:
                trials.attempt(
                    f"staff.proposals.{action}", {structured[action]: "none"}, entry, send
                )
