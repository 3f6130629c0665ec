"""The citizen's additions, withdrawal and photos, as rules of the Case aggregate
(given events / when a command / then events or a refusal)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.cases import (
    FINISHED_STATES,
    MAX_CITIZEN_PHOTOS,
    OPEN_STATES,
    WITHDRAWN,
    Case,
    CaseError,
)

AT = datetime(2023, 9, 4, 2, tzinfo=UTC)
UNIT = "市城管局"


def photo(n: int) -> str:
    return f"{n:064x}"


def submitted(consent: bool = True) -> Case:
    return Case.submit(
        id=uuid4(),
        year=2023,
        number="2023-ABCDEF",
        channel="online",
        external_id=None,
        category="城市管理",
        district="梁溪区",
        consent=consent,
        received_on=date(2023, 9, 4),
        key_id="key",
        sealed="sealed",
        actor="citizen",
        recorded_at=AT,
    )


def accepted() -> Case:
    case = submitted()
    case.accept("staff:gov", AT)
    return case


def handled() -> Case:
    case = accepted()
    case.assign("hotline", UNIT, [], 5, date(2023, 9, 11), "staff:gov", AT)
    return case


def refused(code: str, act: object) -> None:
    with pytest.raises(CaseError) as error:
        act()  # type: ignore[operator]
    assert error.value.code == code


def test_withdrawn_is_a_finished_state() -> None:
    assert WITHDRAWN in FINISHED_STATES and WITHDRAWN not in OPEN_STATES


def test_a_case_waiting_for_acceptance_is_withdrawn_with_a_sealed_reason() -> None:
    case = submitted()
    case.withdraw("sealed-reason", True, AT)
    event = case.collect_events()[-1]
    assert isinstance(event, Case.Withdrawn)
    assert (event.sealed_reason, event.key_id, event.actor) == ("sealed-reason", "key", "citizen")
    assert case.state == WITHDRAWN


def test_an_accepted_handled_or_finished_case_is_not_withdrawn() -> None:
    refused("transition", lambda: accepted().withdraw("s", True, AT))
    refused("transition", lambda: handled().withdraw("s", True, AT))
    declined = submitted()
    declined.decline("不属于受理范围", "staff:gov", AT)
    refused("transition", lambda: declined.withdraw("s", True, AT))
    twice = submitted()
    twice.withdraw("s", True, AT)
    refused("transition", lambda: twice.withdraw("s", True, AT))


def test_a_withdrawal_says_why() -> None:
    refused("reason", lambda: submitted().withdraw("", False, AT))


def test_a_note_is_added_to_an_open_case_before_and_after_acceptance_not_once_finished() -> None:
    for case in (submitted(), accepted(), handled()):
        case.add_note("sealed-note", True, AT)
        assert isinstance(case.collect_events()[-1], Case.NoteAdded) and case.notes == 1
    withdrawn = submitted()
    withdrawn.withdraw("s", True, AT)
    refused("transition", lambda: withdrawn.add_note("sealed", True, AT))


def test_an_empty_note_is_refused() -> None:
    refused("text", lambda: submitted().add_note("", False, AT))


def test_the_citizen_attaches_up_to_three_photos_before_acceptance() -> None:
    case = submitted()
    case.attach_citizen_photos([photo(1), photo(2)], True, AT)
    case.attach_citizen_photos([photo(3)], False, AT)
    assert case.citizen_photos == (photo(1), photo(2), photo(3))
    assert case.publishable == (photo(1), photo(2))  # the third without consent to publish
    refused("photo_limit", lambda: case.attach_citizen_photos([photo(4)], True, AT))  # a 4th
    refused(
        "photo_limit",
        lambda: submitted().attach_citizen_photos(
            [photo(n) for n in range(MAX_CITIZEN_PHOTOS + 1)], True, AT
        ),
    )
    refused("transition", lambda: accepted().attach_citizen_photos([photo(1)], True, AT))


def test_photos_are_named_by_their_hash_each_once() -> None:
    refused("photos", lambda: submitted().attach_citizen_photos(["../etc/passwd"], True, AT))
    refused("photos", lambda: submitted().attach_citizen_photos([photo(1), photo(1)], True, AT))
    refused("photos", lambda: submitted().attach_citizen_photos([], True, AT))
    case = submitted()
    case.attach_citizen_photos([photo(1)], True, AT)
    refused("photos", lambda: case.attach_citizen_photos([photo(1)], True, AT))


def test_the_lead_unit_attaches_before_and_after_photos_while_handling_or_replied() -> None:
    case = handled()
    case.attach_unit_photos([photo(7)], "before", UNIT, "staff:cg", AT)
    case.reply("sealed", True, UNIT, "staff:cg", AT)
    case.attach_unit_photos([photo(8)], "after", UNIT, "staff:cg", AT)
    event = case.collect_events()[-1]
    assert isinstance(event, Case.PhotosAttached)
    assert (event.source, event.unit, event.consent) == ("after", UNIT, True)
    assert case.citizen_photos == ()
    refused("unit", lambda: handled().attach_unit_photos([photo(7)], "after", "市公安局", "s", AT))
    refused("transition", lambda: accepted().attach_unit_photos([photo(7)], "after", UNIT, "s", AT))
    refused("source", lambda: handled().attach_unit_photos([photo(7)], "citizen", UNIT, "s", AT))


def test_only_a_consented_photo_of_a_consented_case_is_moderated_and_approved_once() -> None:
    case = submitted()
    case.attach_citizen_photos([photo(1), photo(2)], True, AT)
    case.approve_photo(photo(1), "staff:gov", AT)
    assert case.moderation == {photo(1): "approved"}
    refused("moderated", lambda: case.approve_photo(photo(1), "staff:gov", AT))
    case.reject_photo(photo(1), "faces", "staff:gov", AT)  # taken down again
    refused("moderated", lambda: case.reject_photo(photo(1), "faces", "staff:gov", AT))
    refused("moderated", lambda: case.approve_photo(photo(1), "staff:gov", AT))
    refused("reason", lambda: case.reject_photo(photo(2), "ugly", "staff:gov", AT))
    refused("photo", lambda: case.approve_photo(photo(9), "staff:gov", AT))
    private = submitted()
    private.attach_citizen_photos([photo(3)], False, AT)
    refused("consent", lambda: private.approve_photo(photo(3), "staff:gov", AT))
    unconsented_case = submitted(consent=False)
    unconsented_case.attach_citizen_photos([photo(4)], True, AT)
    refused("consent", lambda: unconsented_case.approve_photo(photo(4), "staff:gov", AT))


def test_a_unit_cannot_publish_the_citizens_own_photo_unmoderated() -> None:
    case = submitted()
    case.attach_citizen_photos([photo(1)], False, AT)
    case.accept("staff:gov", AT)
    case.assign("hotline", UNIT, [], 5, date(2023, 9, 11), "staff:gov", AT)
    refused("photos", lambda: case.attach_unit_photos([photo(1)], "before", UNIT, "s", AT))
