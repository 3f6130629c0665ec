"""The `projections` worker: the composition root without Flask, as the Procfile runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from domain.plan_spec import PlanSpec
from minsheng_site.composition import Services, Settings, compose
from tests.clock import Clock

ROOT = Path(__file__).resolve().parents[2]
PEPPER = "worker-test-pepper"


def _environment(database_url: str, folder: Path) -> dict[str, str]:
    """What the Procfile's processes read: the same settings for web and worker."""
    bin_folder = Path(sys.executable).parent
    return {
        **os.environ,
        "PATH": f"{bin_folder}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "DATABASE_URL": database_url,
        "KEY_STORE_URL": f"sqlite:///{folder / 'keys.sqlite3'}",
        "PII_PEPPER": PEPPER,
        "INSTANCE_PATH": str(folder),
        "PYTHONUNBUFFERED": "1",
    }


def _procfile_line(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        key, sep, command = line.partition(":")
        if sep and key.strip() == name:
            return command.strip()
    raise AssertionError(f"no {name} in the Procfile")


def _written(database_url: str, folder: Path, plan_spec: PlanSpec) -> Services:
    """A store with the plan and a case written, and no read model caught up."""
    env = _environment(database_url, folder)
    services = compose(Settings.from_environment(env), Clock("2023-09-04T09:00"))
    services.ledger.register_plan(plan_spec, "test")
    services.ledger.open_account("zjj.li", "李工", "cli:test")
    return services


@pytest.mark.slow
def test_the_worker_builds_its_services_and_projects_without_importing_flask(
    database_url: str, tmp_path: Path, plan_spec: PlanSpec
) -> None:
    services = _written(database_url, tmp_path, plan_spec)
    head = services.ledger.recorder.max_notification_id()
    services.close()
    program = (
        "import sys\n"
        "from minsheng_site import worker\n"
        "from minsheng_site.composition import Settings, compose\n"
        "services = compose(Settings.from_environment())\n"
        "services.projector.catch_up()\n"
        "print(min(services.projector.positions().values()))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'flask_babel', 'flask_limiter', 'flask_login', 'flask_wtf', 'jinja2'}))\n"
        "services.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=_environment(database_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    position, imported = done.stdout.splitlines()
    assert int(position) == head
    assert imported == "[]"


@pytest.mark.slow
def test_the_procfile_worker_catches_up_a_store_and_stops_on_sigterm(
    database_url: str, tmp_path: Path, plan_spec: PlanSpec
) -> None:
    services = _written(database_url, tmp_path, plan_spec)
    head = services.ledger.recorder.max_notification_id() or 0
    assert min(services.projector.positions().values()) < head
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            ["bash", "-c", "exec " + _procfile_line("projections")],
            cwd=ROOT,
            env=_environment(database_url, tmp_path),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while min(services.projector.positions().values()) < head:
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the worker did not catch up in 60 s"
            time.sleep(0.1)
        # and it goes on: a write made while it runs is projected without anyone asking
        services.ledger.open_account("gov.chen", "陈工", "cli:test")
        later = services.ledger.recorder.max_notification_id() or 0
        while min(services.projector.positions().values()) < later:
            assert time.monotonic() < deadline, "the worker did not project a later write"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        returncode = worker.wait(timeout=30)
        services.close()
    assert returncode == 0, log.read_text()
    assert "projection worker stopped" in log.read_text()
