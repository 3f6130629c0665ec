"""The files that hold the event store, the read models, the keys and the instance secrets
are readable by their owner only (0600), WAL and shared-memory files too."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from application.case_commands import Intake
from minsheng_site import create_app
from minsheng_site.services import Services
from tests.clock import Clock

CASE = Intake(
    year=2023,
    channel="online",
    category="文体旅游",
    district="滨湖区",
    title="公园健身器材损坏",
    content="公园内健身器材损坏多日无人维修。",
    name="测试者",
    phone="13900001111",
    consent=True,
    received_on=date(2023, 9, 4),
)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """What a shell usually has: new files 0644 unless the site says otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def served_once(instance: Path) -> dict[str, int]:
    """Start the site with every default under `instance`, write a case, and stop: the mode of
    each file in `instance` while the site ran (its WAL files go when the last connection does)."""
    app = create_app(
        {"INSTANCE_PATH": str(instance), "PUBLIC_BASE_URL": "http://localhost"},
        Clock("2023-09-04T09:00"),
    )
    services: Services = app.extensions["minsheng"]
    try:
        services.ledger.submit_case(CASE, actor="citizen")
        services.caught_up()
        assert app.test_client().get("/cases/").status_code == 200
        files = {p.name: mode(p) for p in instance.iterdir() if p.is_file()}
    finally:
        services.close()
    return files


@pytest.mark.usefixtures("permissive_umask")
def test_store_key_and_secret_files_are_created_owner_only(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    files = served_once(instance)
    expected = {"minsheng.sqlite3", "keys.sqlite3", "secret_key", "pii_pepper"}
    assert expected | {"minsheng.sqlite3-wal", "minsheng.sqlite3-shm"} <= set(files)
    assert {name: oct(m) for name, m in files.items()} == {name: "0o600" for name in files}
    assert mode(instance) == 0o700


@pytest.mark.usefixtures("permissive_umask")
def test_files_an_older_version_left_readable_are_made_owner_only(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    served_once(instance)
    for path in instance.iterdir():
        path.chmod(0o644)
    files = served_once(instance)
    assert {name: oct(m) for name, m in files.items()} == {name: "0o600" for name in files}
