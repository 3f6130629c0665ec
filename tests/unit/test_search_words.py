"""How text becomes search terms, and how a query is read (projections/search/words.py)."""

from __future__ import annotations

import pytest

from projections.search.words import (
    MAX_WORDS,
    Synonyms,
    excerpt,
    fold,
    highlight,
    parse,
    synonyms,
    terms,
)


def test_chinese_is_cut_into_pairs_and_a_last_character() -> None:
    assert terms("加装电梯") == {"加装", "装电", "电梯", "梯"}
    assert terms("梯") == {"梯"}


def test_traditional_full_width_and_upper_case_fold_to_one_spelling() -> None:
    assert terms("電梯") == terms("电梯")
    assert terms("ＡＥＤ") == terms("aed") == {"aed"}
    assert fold("發展").text == "发展"


def test_latin_tokens_keep_inner_dots_and_hyphens() -> None:
    assert {"9.1", "2023-abcdef", "300"} <= terms("项目9.1 编号2023-ABCDEF 300台")


def test_punctuation_and_spaces_part_runs() -> None:
    assert "梯公" not in terms("电梯，公厕")
    assert "梯公" not in terms("电梯 公厕")


def test_a_query_word_needs_all_its_pairs_and_a_single_character_is_a_prefix() -> None:
    query = parse("加装电梯 桥")
    ((needed, prefix),) = query.words[0].alternatives()
    assert needed == {"加装", "装电", "电梯"} and prefix is None
    ((needed, prefix),) = query.words[1].alternatives()
    assert needed == frozenset() and prefix == "桥"


def test_synonyms_add_spellings_and_traditional_queries_use_them_too() -> None:
    groups = Synonyms([["加装电梯", "加梯"], ["公厕", "厕所"]])
    assert parse("加梯", groups).words[0].spellings == ("加梯", "加装电梯")
    assert parse("廁所", groups).words[0].spellings == ("厕所", "公厕")
    assert parse("小区加梯", groups).words[0].spellings == ("小区加梯", "小区加装电梯")


def test_the_shipped_synonyms_load_and_name_the_plan_s_words() -> None:
    assert "加装电梯" in synonyms().of("加梯")


def test_queries_are_bounded_and_junk_has_no_words() -> None:
    assert len(parse(" ".join(f"词{i}" for i in range(50))).words) == MAX_WORDS
    assert not parse("！？…… \x00\u202e")
    assert not parse("")
    # lone surrogates, controls and a huge string: no error, no words from the junk
    assert [w.spellings for w in parse("\ud800电梯\x07" + "。" * 100_000).words] == [("电梯",)]


def test_highlight_marks_the_text_as_written() -> None:
    query = parse("电梯")
    pieces = highlight("既有住宅加装電梯300台", query)
    assert [(p.text, p.marked) for p in pieces] == [
        ("既有住宅加装", False),
        ("電梯", True),
        ("300台", False),
    ]


def test_highlight_maps_back_through_characters_that_fold_longer() -> None:
    # ㈠ folds (NFKC) to three characters "(一)": the marks still land on the original
    query = parse("一")
    pieces = highlight("第㈠项", query)
    assert "".join(p.text for p in pieces) == "第㈠项"
    assert [p.text for p in pieces if p.marked] == ["㈠"]


@pytest.mark.parametrize("text", ["", "电梯", "x" * 500])
def test_an_excerpt_is_a_window_of_the_text(text: str) -> None:
    cut = excerpt(text, parse("电梯"), width=80)
    assert cut.strip("…") in text


def test_an_excerpt_centres_on_the_first_match() -> None:
    text = "前" * 200 + "电梯" + "后" * 200
    cut = excerpt(text, parse("电梯"), width=40)
    assert "电梯" in cut and cut.startswith("…") and cut.endswith("…")
