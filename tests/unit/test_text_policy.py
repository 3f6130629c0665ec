"""The one text policy: what is cleaned at the boundary, what the ledger refuses, what XML gets."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm

from domain.errors import UnstorableText
from domain.text import clean_line, clean_text, storable, unstorable_fields, xml_safe
from minsheng_site.form_base import Form
from minsheng_site.services import Services


def test_pasted_line_breaks_become_newlines_and_uncarriable_characters_go() -> None:
    pasted = "第一行\r\n第二行\x0b第三行\x0c第四行\u2028第五行\x00\ufffe\ud800"
    assert clean_text(pasted) == "第一行\n第二行\n第三行\n第四行\n第五行"


def test_a_line_has_no_breaks_no_bidi_controls_and_single_spaces() -> None:
    assert clean_line("  小区\u202e路灯\n\t不亮  \u2066了\u2069 ") == "小区路灯 不亮 了"


def test_emoji_sequences_and_ordinary_text_are_kept_exactly() -> None:
    family = "家人👨\u200d👩\u200d👧很满意"
    assert clean_line(family) == family and clean_text(family) == family
    assert clean_text("=SUM(A1:A9)") == "=SUM(A1:A9)"  # formulas are a CSV matter, not text


def test_xml_safe_removes_what_xml_1_0_cannot_carry() -> None:
    assert xml_safe("a\x00b\x0bc\x1fd\ufffee\ud83d") == "abcde"
    assert xml_safe("tab\tnew\nline\r") == "tab\tnew\nline\r"


def test_the_store_check_looks_into_lists_and_mappings() -> None:
    assert storable("正常的文字\n")
    assert not storable("NUL\x00")
    fields = {"title": "ok", "values": [{"note": "bad\x0b"}], "n": 3}
    assert unstorable_fields(fields) == ["values"]


def test_the_ledger_refuses_unstorable_text_on_any_path(services: Services) -> None:
    before = services.ledger.recorder.max_notification_id()
    with pytest.raises(UnstorableText) as refused:
        services.ledger.open_account("zhang.san", "张\x00三", "cli:test")
    assert refused.value.fields == ("display_name",)
    assert services.ledger.recorder.max_notification_id() == before


def _forms(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_forms(direct))]


def test_every_form_of_the_site_cleans_its_text_fields(app) -> None:  # type: ignore[no-untyped-def]
    everything = [f for f in _forms(FlaskForm) if f.__module__.startswith("minsheng_site")]
    assert len(everything) > 15
    assert [f.__qualname__ for f in everything if not issubclass(f, Form)] == []
