"""The rule for published staff text: no mobile number, not the case's own name or phone."""

from __future__ import annotations

import pytest

from domain.public_text import mentions_contact, mentions_mobile_number


@pytest.mark.parametrize(
    "text",
    [
        "请联系13900001111",
        "电话 139 0000 1111。",
        "139-0000-1111",
        "(139) 0000.1111",
        "１３９００００１１１１",  # full width
        "1397777186٤",  # an Arabic-Indic digit at the end
        "139\u200b0000\u200b1111",  # zero-width spaces
        "+8613900001111",
        "008613900001111",
        "+86 139 0000 1111",
        "工单2023 13900001111",
    ],
)
def test_a_mobile_number_is_found_however_it_is_written(text: str) -> None:
    assert mentions_mobile_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "请于12345热线工单期限内办结",
        "0510-12345678",  # a landline is not a mobile (the case's own is caught by name/phone)
        "2023年9月30日前完成",
        "工单号 20230904123456789",  # a longer number holds no mobile number
        "320211199001011234",  # an identity card number
        "12900001111",  # 12x is not a mobile prefix
        "1390000111",  # ten digits
        "",
    ],
)
def test_other_numbers_are_not_mobile_numbers(text: str) -> None:
    assert not mentions_mobile_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "王小明反映的问题",
        "王 小明反映的问题",
        "已回电0510-8234 5678",
        "已回电 051082345678。",
        "已回电（０５１０）８２３４５６７８",
    ],
)
def test_the_cases_own_name_and_phone_are_found_in_any_spacing(text: str) -> None:
    assert mentions_contact(text, "王小明", "051082345678")


def test_names_compare_after_nfkc_and_case_folding() -> None:
    assert mentions_contact("Reported by ＬＩ Ｎａ", "Li Na", "13900001111")
    assert not mentions_contact("王先生反映的问题", "王", "13900001111")  # one character: ignored
    assert not mentions_contact("小明已搬走", "王小明", "13900001111")
