"""The 2023 data file against the document itself, parsed here independently of the loader."""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest

from domain.plan_spec import PlanSpec

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "plans" / "2023" / "source.zh-Hans.txt").read_text(encoding="utf-8")
ORIGINAL = (ROOT / "plans" / "2023" / "source.zh-Hant.txt").read_text(encoding="utf-8")
LINES = SOURCE.splitlines()
ANNEX1 = LINES[LINES.index("附件1") + 1 : LINES.index("附件2")]
ANNEX2 = LINES[LINES.index("附件2") + 1 :]

ITEM = re.compile(r"^(\d+)\.(.+。)([〔(])责任单位:(.+)([〕)])$")
CATEGORY = re.compile(r"^[一二三四五六七八九十]+、(.+方面)$")
KEY = re.compile(r"^(\d+)\.(.+?工程)。(.+。)[〔(]分管领导:(.+?);责任单位:(.+)[〕)]$")


def split_units(clause: str) -> list[str]:
    return re.split(r"[、,]", clause)


def document_items() -> dict[int, tuple[int, str, list[str]]]:
    """Item number -> (category number, text, units), straight from 附件2."""
    found, category = {}, 0
    for line in ANNEX2:
        if CATEGORY.match(line):
            category += 1
        elif m := ITEM.match(line):
            found[int(m[1])] = (category, m[2], split_units(m[4]))
    return found


def test_the_document_states_the_counts_the_data_has(plan_spec: PlanSpec) -> None:
    assert "今年安排实施10大类60项118个具体项目(含人大票决的42个重点民生实事项目)" in SOURCE
    assert "十项人代会票决产生的重点民生实事项目(共42个具体项目)" in SOURCE
    key_members = {ref for key in plan_spec.key_projects for ref in key.projects}
    assert (len(plan_spec.categories), len(plan_spec.items), len(plan_spec.projects)) == (
        10,
        60,
        118,
    )
    assert (len(plan_spec.key_projects), len(key_members)) == (10, 42)
    declared = plan_spec.declared
    assert (declared.categories, declared.items, declared.projects) == (10, 60, 118)
    assert (declared.key_projects, declared.key_project_projects) == (10, 42)


def test_categories_are_the_documents_in_order(plan_spec: PlanSpec) -> None:
    names = [m[1] for line in ANNEX2 if (m := CATEGORY.match(line))]
    assert [c.name for c in plan_spec.categories] == names
    assert names[0] == "生态环境方面" and names[-1] == "智慧城市方面"


def test_every_item_has_the_documents_text_units_and_category(plan_spec: PlanSpec) -> None:
    expected = document_items()
    assert sorted(expected) == list(range(1, 61))
    for item in plan_spec.items:
        category, text, units = expected[item.number]
        assert item.text == text, item.number
        assert list(item.units) == units, item.number
        assert item.category == category, item.number


def test_every_key_project_has_the_documents_name_text_leaders_and_units(
    plan_spec: PlanSpec,
) -> None:
    expected = {int(m[1]): m for line in ANNEX1 if (m := KEY.match(line))}
    assert sorted(expected) == list(range(1, 11))
    for key in plan_spec.key_projects:
        m = expected[key.number]
        assert (key.name, key.text) == (m[2], m[3])
        assert list(key.leaders) == m[4].split("、")
        assert list(key.units) == split_units(m[5])


def test_projects_quote_their_item_and_targets_quote_their_project(plan_spec: PlanSpec) -> None:
    for item in plan_spec.items:
        for project in item.projects:
            assert project.text in item.text, project.number
            for target in project.targets:
                assert f"{target.amount}{target.unit}" in project.text, project.number
                if target.unit.startswith("万"):
                    assert f"{target.amount}万" in project.text  # never converted to units of one


# Numbers in item texts that are not targets, and why.
NOT_TARGETS = {
    (22, "40"): "scope: the 40 schools whose pupils' glasses are checked",
    (26, "6"): "name: 地铁6号线",
    (26, "312"): "names: 312国道, G312",
    (45, "2023"): "name: 2023太湖文化艺术季",
    (53, "45"): "scope: aged 45 and over",
}


def test_every_number_in_an_item_is_a_target_or_a_known_exception(plan_spec: PlanSpec) -> None:
    for item in plan_spec.items:
        amounts = {str(t.amount) for p in item.projects for t in p.targets}
        for number in re.findall(r"\d+(?:\.\d+)?", item.text):
            assert number in amounts or (item.number, number) in NOT_TARGETS, (item.number, number)


def test_at_least_marks_exactly_the_targets_the_document_says_以上_for(plan_spec: PlanSpec) -> None:
    for project in plan_spec.projects:
        for target in project.targets:
            said = re.search(re.escape(target.as_written) + r"以上", project.text) is not None
            # 各成立5家以上: one 以上 covers the four centres of 52.1
            shared = project.number == "52.1" and target.label.endswith("中心")
            assert target.at_least == (said or shared), (project.number, target.label)


def test_key_projects_are_made_of_projects_of_the_items_they_quote(plan_spec: PlanSpec) -> None:
    projects = {p.number: p for p in plan_spec.projects}
    for key in plan_spec.key_projects:
        for ref in key.projects:
            for target in projects[ref].targets:
                assert target.as_written in key.text, (key.number, ref, target.as_written)


def test_the_simplified_copy_is_the_published_traditional_one_converted() -> None:
    """The site shows the Simplified copy; it must say what the published copy says."""
    converted = opencc.OpenCC("t2s").convert(ORIGINAL)
    same = sum(a == b for a, b in zip(converted, SOURCE, strict=True))
    assert len(converted) == len(SOURCE)
    assert same / len(SOURCE) > 0.995


@pytest.mark.parametrize(
    "number, title, amount, unit",
    [
        ("8.1", "老旧小区改造", "570", "万平方米"),
        ("9.1", "既有住宅加装电梯", "300", "台"),
        ("10.1", None, "3.05", "万套(间)"),
        ("21.2", None, "60", "万户"),
    ],
)
def test_examples_from_the_issue(
    plan_spec: PlanSpec, number: str, title: str | None, amount: str, unit: str
) -> None:
    project = next(p for p in plan_spec.projects if p.number == number)
    if title:
        assert project.title == title
    assert any(str(t.amount) == amount and t.unit == unit for t in project.targets)
