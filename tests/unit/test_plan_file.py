"""A malformed plan file is refused with the file, the line and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from application.plan_file import PlanFileError, load_plan_file
from tests.conftest import PLAN_FILE

ORIGINAL = PLAN_FILE.read_text(encoding="utf-8")


def copy_with(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    assert ORIGINAL.count(old) >= count, old
    for name in ("source.zh-Hans.txt", "source.zh-Hant.txt"):
        shutil.copy(PLAN_FILE.parent / name, tmp_path / name)
    path = tmp_path / "plan.yaml"
    path.write_text(ORIGINAL.replace(old, new, count), encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def refused(path: Path) -> PlanFileError:
    with pytest.raises(PlanFileError) as raised:
        load_plan_file(path)
    return raised.value


def test_the_real_file_loads(plan_spec: object) -> None:
    assert load_plan_file(PLAN_FILE) == plan_spec


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = copy_with(tmp_path, "    name: 宜居住区方面", "    name: [宜居住区方面")
    error = refused(path)
    assert str(path) in str(error)
    assert error.problems[0].line is not None
    assert abs(error.problems[0].line - line_of(ORIGINAL, "宜居住区方面")) <= 2
    assert "not valid YAML" in str(error)


def test_a_wrong_type_names_the_field_and_its_line(tmp_path: Path) -> None:
    path = copy_with(tmp_path, 'amount: "570"', 'amount: "five hundred and seventy"')
    error = refused(path)
    [problem] = error.problems
    assert problem.line == line_of(ORIGINAL, 'amount: "570"')
    assert problem.field.endswith(".targets[0].amount")
    assert problem.field.startswith("categories[1].items[0].projects[0]")  # item 8


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = copy_with(tmp_path, "    name: 宜居住区方面", "    name: 宜居住区方面\n    colour: red")
    [problem] = refused(path).problems
    assert problem.field == "categories[1].colour"
    assert problem.line == line_of(ORIGINAL, "宜居住区方面") + 1


def test_a_broken_rule_names_its_subject_and_line(tmp_path: Path) -> None:
    path = copy_with(
        tmp_path, 'projects: ["8.1", "8.2", "8.3", "9.1"]', 'projects: ["8.1", "8.2", "8.3", "9.7"]'
    )
    error = refused(path)
    messages = [str(p) for p in error.problems]
    assert any("key_project 1: projects: no project 9.7" in m for m in messages), messages
    assert (
        error.problems[0].line == line_of(ORIGINAL, "  - number: 1\n    name: 宜居环境更新工程") + 0
    )


def test_a_missing_source_document_is_named(tmp_path: Path) -> None:
    path = copy_with(tmp_path, "source: source.zh-Hans.txt", "source: missing.txt")
    [problem] = refused(path).problems
    assert problem.field == "document.source"
    assert "missing.txt" in problem.message


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert refused(path).problems[0].line == 1


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "cannot read" in str(refused(tmp_path / "nope.yaml"))
