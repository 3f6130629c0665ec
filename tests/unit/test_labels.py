"""One vocabulary: every code the domain and the public log use has one label, translated,
and no template spells those labels itself any more."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate
from flask import Flask
from flask_babel import Babel, force_locale

from domain import access, cases, ratings, staff, supervision
from domain.schedule import Status, Timeliness
from minsheng_site import labels
from minsheng_site.cases.staff import ACTIONS
from minsheng_site.describe import describe

ROOT = Path(__file__).resolve().parents[2]
# A public log entry's kind is "<family>.<what happened>", written as a literal where it is made.
FAMILIES = "plan|item|key_project|report|supervision|finding|case|rating|award|cycle|log"
KIND = re.compile(rf"^({FAMILIES})\.[a-z_]+$")
HAN = re.compile(r"[\u3400-\u9fff]")


def events_of(aggregate: type) -> set[type]:
    return {
        value
        for value in vars(aggregate).values()
        if isinstance(value, type)
        and issubclass(value, Aggregate.Event)
        and value.__name__ not in ("Event", "Created")  # the bases every aggregate gets
    }


def public_kinds() -> set[str]:
    """Every kind the public log derives: the literals in the read models and the domain, and
    case.<step> for every case event (the deriver names a case entry by its event's step)."""
    found = {f"case.{event.step}" for event in events_of(cases.Case)}
    for folder in ("projections", "domain"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and KIND.match(str(node.value)):
                    found.add(node.value)
    return found


def test_every_case_state_has_a_label() -> None:
    assert set(labels.CASE_STATES) == set(cases.STATES)


def test_every_supervision_kind_and_search_kind_has_a_label() -> None:
    from projections.search.index import KINDS as SEARCH_KINDS

    assert set(labels.SUPERVISION_KINDS) == set(supervision.KINDS)
    assert set(labels.SEARCH_KINDS) == set(SEARCH_KINDS)


def test_every_case_event_is_a_step_with_a_label() -> None:
    steps = [event.step for event in events_of(cases.Case)]
    assert len(set(steps)) == len(steps) == len(labels.CASE_STEPS)
    assert set(steps) == set(labels.CASE_STEPS)


def test_every_staff_action_on_a_case_has_a_label() -> None:
    assert set(labels.CASE_ACTIONS) == set(ACTIONS)


def test_case_evaluations_and_ratings_share_the_labelled_levels() -> None:
    assert set(labels.LEVELS) == set(cases.LEVELS) == set(ratings.LEVELS)


def test_every_moderation_reason_has_a_label() -> None:
    assert set(labels.REJECTIONS) == set(ratings.REJECTIONS)


def test_every_finding_state_and_step_has_a_label() -> None:
    assert set(labels.FINDING_STATES) == {
        supervision.OPEN,
        supervision.RECTIFYING,
        supervision.CLOSED,
    }
    assert len(events_of(supervision.Finding)) == len(labels.FINDING_STEPS)
    finding_kinds = {k for k in public_kinds() if k.startswith("finding.")}
    assert len(finding_kinds) == len(labels.FINDING_STEPS)


def test_every_project_status_and_report_timeliness_has_a_label() -> None:
    assert set(labels.PROJECT_STATUSES) == {s.value for s in Status}
    assert set(labels.TIMELINESS) == {t.value for t in Timeliness}


def test_every_role_and_access_basis_has_a_label() -> None:
    assert set(labels.ROLES) == set(staff.ROLES)
    assert set(labels.ACCESS_BASES) == set(access.PERSONAL_BASES)


def test_every_public_event_kind_has_a_label() -> None:
    kinds = public_kinds()
    assert len(kinds) > 25  # the scan finds the literals (31 kinds when this was written)
    assert kinds == set(labels.EVENT_KINDS)


@pytest.fixture
def english() -> Iterator[None]:
    app = Flask(__name__)
    Babel(app, default_translation_directories=str(ROOT / "translations"))
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.mark.parametrize("vocabulary", sorted(labels.VOCABULARIES))
def test_every_label_has_an_english_translation(english: None, vocabulary: str) -> None:
    untranslated = {
        code: str(words)
        for code, words in labels.VOCABULARIES[vocabulary].items()
        if not str(words).strip() or HAN.search(str(words))
    }
    assert untranslated == {}


def test_the_label_filter_names_a_code_and_keeps_an_unknown_one_readable(english: None) -> None:
    assert labels.label("rehandling", "case_state") == "Sent back for rehandling"
    assert labels.label(Status.BEHIND, "project_status") == "Behind schedule"
    assert labels.label(None, "level") == ""
    assert labels.label("teleported", "case_state") == "teleported"


def test_a_case_step_without_a_sentence_of_its_own_is_titled_by_its_label(english: None) -> None:
    for kind in (k for k in labels.EVENT_KINDS if k.startswith("case.")):
        title, _summary = describe(kind, {"number": "2023-0001"})
        assert title != kind and not HAN.search(title)
    labels.EVENT_KINDS["case.teleported"] = labels.EVENT_KINDS["case.merged"]
    try:
        assert describe("case.teleported", {"number": "2023-0001"})[0] == ("Merged: case 2023-0001")
    finally:
        del labels.EVENT_KINDS["case.teleported"]


# Vocabularies whose words mean nothing else: a template spelling one has a copy of a label.
# (Roles and access bases are not here: 督查, 管理, 主办单位 are also headings and field names.)
SPELLED_ONCE = (
    "case_state",
    "case_step",
    "case_action",
    "level",
    "rejection",
    "finding_state",
    "finding_step",
    "finding_action",
    "project_status",
    "milestone",
    "timeliness",
)
# The same words meaning something else: 市民评价 also heads the ratings panel of a project.
OTHER_MEANINGS = {"市民评价"}


def test_no_template_spells_a_label_of_the_vocabulary() -> None:
    msgids = {
        str(words._args[0])  # the msgid the lazy string translates
        for vocabulary in SPELLED_ONCE
        for words in labels.VOCABULARIES[vocabulary].values()
    } - OTHER_MEANINGS
    copies = {}
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        spelled = {m for m in msgids if f'_("{m}")' in text or f"_('{m}')" in text}
        if spelled:
            copies[str(template.relative_to(ROOT))] = sorted(spelled)
    assert copies == {}
