"""One person, one normalised phone number: every spelling of it, and nothing else."""

from __future__ import annotations

import pytest

from application.verification import Address
from domain.contacts import normalise_email, normalise_mobile, normalise_phone

MOBILE = "13977771864"


@pytest.mark.parametrize(
    "spelling",
    [
        "13977771864",
        "139 7777 1864",
        "139-7777-1864",
        "+86 139 7777 1864",
        "0086-13977771864",
        "１３９７７７７１８６４",  # full-width digits, as Chinese input methods type them
        "(139)77771864",
        "139\u30007777\u30001864",  # ideographic spaces
    ],
)
def test_every_spelling_of_a_mobile_is_the_same_number(spelling: str) -> None:
    assert normalise_mobile(spelling) == MOBILE
    assert normalise_phone(spelling) == MOBILE
    assert Address.parse(spelling) == Address("phone", MOBILE)


@pytest.mark.parametrize(
    "impostor",
    [
        "1397777186٤",  # an Arabic-Indic four: its own key, a second vote, no limits
        "139777718६४",  # Devanagari digits
        "1397777186𝟒",  # a mathematical bold four (NFKC makes it ASCII: accepted below)
        "12345678901",
        "1397777186",
        "139777718644",
        "13977771864\x00",
    ],
)
def test_anything_else_is_not_a_mobile(impostor: str) -> None:
    expected = MOBILE if impostor == "1397777186𝟒" else None
    assert normalise_mobile(impostor) == expected
    assert (Address.parse(impostor) is not None) == (expected is not None)


def test_landlines_need_their_area_code_and_ascii_digits() -> None:
    assert normalise_phone("0510-12345678") == "051012345678"
    assert normalise_phone("０５１０－１２３４５６７８") == "051012345678"
    assert normalise_phone("0510-1234567٨") is None
    assert normalise_mobile("0510-12345678") is None


def test_e_mail_addresses_fold_case_and_compatibility_forms() -> None:
    assert normalise_email("Li.Ming@Example.CN") == "li.ming@example.cn"
    assert normalise_email("li@ｅｘａｍｐｌｅ.cn") == "li@example.cn"
    assert normalise_email("not an address") is None
    assert Address.parse("LI@EXAMPLE.CN") == Address("email", "li@example.cn")


def test_an_email_address_with_characters_headers_would_have_to_escape_is_refused() -> None:
    from domain.contacts import normalise_email

    for bad in ("<script>@x.org", 'a"b@x.org', "a,b@x.org", "a\\b@x.org", "a b@x.org"):
        assert normalise_email(bad) is None, bad
    for good in ("a.b+c@example.org", "o'neil@example.org", "中文@example.cn"):
        assert normalise_email(good) == good.lower()
