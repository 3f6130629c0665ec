"""A ballot's rules, the Wilson interval, and one-time codes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from application.vault import Vault
from application.verification import Address, Outbox, Router, Verifier
from domain.ratings import Ballot, RatingError, ballot_id, quarter_of, wilson
from domain.wuxi import WUXI
from projections.ratings.satisfaction_queries import MIN_RANKED, Tally

AT = datetime(2023, 8, 1, 10, tzinfo=WUXI)


def cast(**changes: object) -> Ballot:
    fields = {
        "subject": "project:2023:9.1",
        "quarter": "2023Q3",
        "voter": "v" * 64,
        "key_id": "k",
        "sealed": "s",
        "level": "satisfied",
        "comment_length": 4,
        "district": None,
        "network": "n",
        "actor": "citizen",
        "at": AT,
    }
    fields.update(changes)
    return Ballot.cast(**fields)  # type: ignore[arg-type]


def test_one_ballot_per_person_subject_and_quarter() -> None:
    assert cast().id == ballot_id("v" * 64, "project:2023:9.1", "2023Q3")
    assert cast(quarter="2023Q4").id != cast().id
    assert cast(subject="item:2023:9").id != cast().id
    assert cast(voter="w" * 64).id != cast().id
    assert [quarter_of(date(2023, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        "2023Q1", "2023Q1", "2023Q2", "2023Q2", "2023Q3", "2023Q3", "2023Q4", "2023Q4",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"subject": "project:2023:9"}, "subject"),
        ({"subject": "plan:2023"}, "subject"),
        ({"level": "great"}, "level"),
        ({"comment_length": 501}, "comment"),
    ],
)
def test_bad_ratings_are_refused_by_name(changes: dict[str, object], code: str) -> None:
    with pytest.raises(RatingError) as refused:
        cast(**changes)
    assert refused.value.code == code


def test_recasting_replaces_the_level_and_puts_a_new_comment_up_for_moderation() -> None:
    ballot = cast()
    assert ballot.comment_version == 1
    ballot.recast(
        sealed="s2", level="unsatisfied", comment_length=0, district="梁溪区", network="n",
        actor="citizen", at=AT,
    )  # fmt: skip
    assert (ballot.level, ballot.comment_version, ballot.version) == ("unsatisfied", None, 2)
    with pytest.raises(RatingError) as nothing:
        ballot.approve_comment(1, "mod", AT)
    assert nothing.value.code == "nothing_pending"
    ballot.recast(
        sealed="s3", level="basically", comment_length=8, district=None, network="n",
        actor="citizen", at=AT,
    )  # fmt: skip
    with pytest.raises(RatingError) as stale:
        ballot.approve_comment(1, "mod", AT)  # the moderator saw the first comment
    assert stale.value.code == "superseded"
    ballot.reject_comment(3, "personal", "mod", AT)
    with pytest.raises(RatingError):
        ballot.approve_comment(3, "mod", AT)  # moderated once


def test_a_rejection_needs_a_known_category() -> None:
    with pytest.raises(RatingError) as refused:
        cast().reject_comment(1, "boring", "mod", AT)
    assert refused.value.code == "category"


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        (0, 10, 0.0, 0.2775),  # published values of the Wilson score interval
        (5, 10, 0.2366, 0.7634),
        (3, 3, 0.4385, 1.0),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_interval(k: int, n: int, low: float, high: float) -> None:
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_a_tally_ranks_only_from_the_minimum() -> None:
    few = Tally(satisfied=3)
    assert few.rate == 1.0 and not few.ranked and few.interval[0] < 0.5
    enough = Tally(satisfied=MIN_RANKED - 5, basically=3, unsatisfied=2)
    assert enough.ranked and enough.rate == pytest.approx((MIN_RANKED - 2) / MIN_RANKED)
    assert Tally().rate is None and Tally().as_dict()["interval_95"] is None


@pytest.mark.parametrize(
    "raw, parsed",
    [
        ("138 1234 5678", Address("phone", "13812345678")),
        ("+86 138-1234-5678", Address("phone", "13812345678")),
        ("Li.Ming@Example.ORG", Address("email", "li.ming@example.org")),
        ("0510-12345678", None),  # a landline cannot receive an SMS
        ("12345", None),
        ("a@b", None),
        ("", None),
    ],
)
def test_contacts_are_normalised_or_refused(raw: str, parsed: Address | None) -> None:
    assert Address.parse(raw) == parsed


class Clock:
    def __init__(self) -> None:
        self.now = AT

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def codes() -> tuple[Verifier, Outbox, Clock]:
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    outbox, clock = Outbox(engine), Clock()
    return Verifier(engine, Vault(engine, b"pepper"), Router(outbox, outbox), clock), outbox, clock


def sent_code(outbox: Outbox) -> str:
    return outbox.latest(1)[0][1].split("验证码是 ")[1][:6]


def test_a_code_works_once(codes: tuple[Verifier, Outbox, Clock]) -> None:
    verifier, outbox, _clock = codes
    phone = Address("phone", "13812345678")
    verifier.request(phone)
    code = sent_code(outbox)
    proof = verifier.confirm(phone, code)
    assert proof is not None and proof.voter == verifier.voter(phone)
    assert verifier.confirm(phone, code) is None  # used up
    assert "13812345678" not in proof.voter


def test_a_code_expires(codes: tuple[Verifier, Outbox, Clock]) -> None:
    verifier, outbox, clock = codes
    mail = Address("email", "a@example.org")
    verifier.request(mail)
    clock.now = AT + timedelta(minutes=10, seconds=1)
    assert verifier.confirm(mail, sent_code(outbox)) is None


def test_five_wrong_guesses_void_the_code(codes: tuple[Verifier, Outbox, Clock]) -> None:
    verifier, outbox, _clock = codes
    phone = Address("phone", "13812345678")
    verifier.request(phone)
    right = sent_code(outbox)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _attempt in range(5):
        assert verifier.confirm(phone, wrong) is None
    assert verifier.confirm(phone, right) is None  # void: a guesser gets five tries per code


def test_a_new_request_replaces_the_pending_code(codes: tuple[Verifier, Outbox, Clock]) -> None:
    verifier, outbox, _clock = codes
    phone = Address("phone", "13812345678")
    verifier.request(phone)
    first = sent_code(outbox)
    verifier.request(phone)
    second = sent_code(outbox)
    if first != second:
        assert verifier.confirm(phone, first) is None
    assert verifier.confirm(phone, second) is not None


def test_codes_are_kept_only_as_keyed_hashes(codes: tuple[Verifier, Outbox, Clock]) -> None:
    verifier, outbox, _clock = codes
    phone = Address("phone", "13812345678")
    verifier.request(phone)
    with verifier.engine.connect() as c:
        stored = str(c.exec_driver_sql("SELECT * FROM verification_codes").all())
    assert sent_code(outbox) not in stored and "13812345678" not in stored
