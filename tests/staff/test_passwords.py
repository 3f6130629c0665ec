"""How staff passwords are hashed: scrypt at werkzeug's cost unless PASSWORD_HASH says.

The rest of the suite signs in at a low cost (tests/conftest.py); these tests check
what a deployment gets when it sets nothing, and that changing the cost never locks
anyone out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from application.credentials import CredentialStore, credentials
from minsheng_site.composition import Settings
from minsheng_site.config import settings as config_settings
from tests.conftest import TEST_PASSWORD_HASH

PASSWORD = "a long enough password"


def stored_hash(store: CredentialStore, username: str) -> str:
    with store.engine.connect() as c:
        query = select(credentials.c.password_hash).where(credentials.c.username == username)
        return str(c.execute(query).scalar_one())


def test_a_deployment_that_sets_nothing_hashes_with_scrypt_at_werkzeugs_cost(
    tmp_path: Path,
) -> None:
    environ = {"INSTANCE_PATH": str(tmp_path)}  # no PASSWORD_HASH, as in production
    method = Settings.from_config(config_settings({}, environ)).password_hash
    store = CredentialStore(create_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}"), method)
    store.set("zjj.li", PASSWORD)
    assert stored_hash(store, "zjj.li").startswith("scrypt:32768:8:1$")
    assert store.verify("zjj.li", PASSWORD)
    assert not store.verify("zjj.li", PASSWORD + "!")


def test_the_setting_is_read_from_the_environment(tmp_path: Path) -> None:
    environ = {"INSTANCE_PATH": str(tmp_path), "PASSWORD_HASH": "scrypt:65536:8:1"}
    assert Settings.from_config(config_settings({}, environ)).password_hash == "scrypt:65536:8:1"


def test_a_changed_cost_keeps_every_existing_password_working(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    CredentialStore(engine, TEST_PASSWORD_HASH).set("zjj.li", PASSWORD)
    later = CredentialStore(engine, "scrypt:2048:8:1")  # a deployment raises the cost
    assert later.verify("zjj.li", PASSWORD)  # the old hash carries its own parameters
    assert not later.verify("zjj.li", "not the password")
    later.set("zjj.li", PASSWORD)  # a password changed from now on gets the new cost
    assert stored_hash(later, "zjj.li").startswith("scrypt:2048:8:1$")
    assert not later.verify("nobody", PASSWORD)  # unknown names are compared too


def test_a_method_werkzeug_does_not_know_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        CredentialStore(create_engine(f"sqlite:///{tmp_path / 'c.sqlite3'}"), "rot13")
