"""The flask CLI: load the plan, refuse changed or malformed files, manage projections."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask

from minsheng_site.services import Services
from tests.conftest import PLAN_FILE


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def events(app: Flask) -> int:
    services: Services = app.extensions["minsheng"]
    return services.ledger.recorder.max_notification_id() or 0


def edited_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "edited"
    shutil.copytree(PLAN_FILE.parent, folder)
    path = folder / "plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def test_load_registers_the_plan_and_projects_it(app: Flask) -> None:
    code, output = run(app, "plan", "load", str(PLAN_FILE))
    assert (code, output) == (0, "plan 2023: registered as 71 events\n")
    assert app.test_client().get("/plans/2023/items/9").status_code == 200
    assert run(app, "projections", "status") == (
        0,
        "access_log: 71/71\nawards: 71/71\ncandidates: 71/71\ncases: 71/71\ncatalog: 71/71\n"
        "cycle_proposals: 71/71\nplan_amendments: 71/71\nprogress: 71/71\n"
        "public_log: 71/71\nreport_photos: 71/71\nsatisfaction: 71/71\nsearch: 71/71\n"
        "staff: 71/71\nstore_chain: 71/71\n"
        "supervision: 71/71\n",
    )


def test_loading_twice_changes_nothing(app: Flask) -> None:
    run(app, "plan", "load", str(PLAN_FILE))
    assert run(app, "plan", "load", str(PLAN_FILE)) == (
        0,
        "plan 2023: already registered, unchanged\n",
    )
    assert events(app) == 71


def test_a_changed_file_is_refused_naming_what_differs(app: Flask, tmp_path: Path) -> None:
    run(app, "plan", "load", str(PLAN_FILE))
    changed = edited_copy(tmp_path, "title: 既有住宅加装电梯", "title: 住宅加装电梯")
    code, output = run(app, "plan", "load", str(changed))
    assert code == 1
    assert "plan.items#9.projects#9.1.title: '既有住宅加装电梯' → '住宅加装电梯'" in output
    assert events(app) == 71


def test_a_malformed_file_is_refused_with_its_line_and_nothing_is_written(
    app: Flask, tmp_path: Path
) -> None:
    broken = edited_copy(tmp_path, 'amount: "4050"', 'amount: "-4050"')
    code, output = run(app, "plan", "load", str(broken))
    assert code == 1
    assert (
        f"{broken}:" in output
        and "project 59.1: targets[0]: amount -4050 is not positive" in output
    )
    assert events(app) == 0


def test_check_validates_without_writing(app: Flask) -> None:
    code, output = run(app, "plan", "check", str(PLAN_FILE))
    assert code == 0 and "10 categories, 60 items, 118 projects, 10 key projects" in output
    assert events(app) == 0


def test_rebuild_reports_and_refuses_unknown_read_models(app: Flask) -> None:
    run(app, "plan", "load", str(PLAN_FILE))
    # The catalog, the public log, the store chain and the search index each apply the
    # plan's 71 events.
    assert run(app, "projections", "rebuild") == (0, "rebuilt 15 read models: 284 events applied\n")
    assert run(app, "projections", "rebuild", "catalog") == (
        0,
        "rebuilt 1 read model: 71 events applied\n",
    )
    code, output = run(app, "projections", "rebuild", "nonsense")
    assert code == 2 and "unknown: nonsense" in output
