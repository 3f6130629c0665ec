"""Failed sign-ins stop guessing, and no one can use them to keep a member of staff out.

Counted in a real Redis, on both stores; every limit is the app's documented
setting, tried exactly: N failures are answered 401, the next attempt 429.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse
from sqlalchemy import select

from application.credentials import sign_in_networks
from tests.clock import Clock
from tests.conftest import AppFactory
from tests.web.staff_helpers import add_staff, sign_in

OWNER_ADDRESS = "198.51.100.7"
WRONG = "not the password, a guess"


@pytest.fixture
def app(app_factory: AppFactory, redis_url: str) -> Flask:
    created = app_factory(clock=Clock("2023-07-05T10:00"), RATELIMIT_STORAGE_URI=redis_url)
    add_staff(created, "zjj.li", ("reporter", "市住房城乡建设局"))
    return created


def allowed(app: Flask, setting: str) -> int:
    return parse(app.config[setting]).amount


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attacker(i: int) -> str:
    return f"203.0.{i // 250}.{i % 250 + 1}"


def test_one_address_failing_for_one_account_is_refused_after_the_documented_number(
    app: Flask,
) -> None:
    n = allowed(app, "LOGIN_LIMIT_PER_USERNAME_ADDRESS")
    guesser = client_at(app, attacker(0))
    assert [sign_in(guesser, "zjj.li", WRONG) for _ in range(n)] == [401] * n
    assert sign_in(guesser, "zjj.li") == 429  # even the right password, from that address
    assert sign_in(client_at(app, OWNER_ADDRESS), "zjj.li") == 303  # not from the owner's


def test_one_address_trying_many_accounts_is_refused_after_the_documented_number(
    app: Flask,
) -> None:
    n = allowed(app, "LOGIN_LIMIT_PER_ADDRESS")
    guesser = client_at(app, attacker(0))
    assert [sign_in(guesser, f"user{i}", WRONG) for i in range(n)] == [401] * n
    assert sign_in(guesser, "zjj.li") == 429


def test_an_attacker_from_many_addresses_cannot_keep_the_owner_out(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    assert sign_in(client_at(app, OWNER_ADDRESS), "zjj.li") == 303  # the owner's usual network
    alarm = allowed(app, "LOGIN_LIMIT_PER_USERNAME")
    per_pair = allowed(app, "LOGIN_LIMIT_PER_USERNAME_ADDRESS")
    statuses = []
    with caplog.at_level(logging.WARNING):
        for i in range(alarm + 2 * per_pair):  # more than every limit, from ever more addresses
            statuses.append(sign_in(client_at(app, attacker(i // per_pair)), "zjj.li", WRONG))
    assert statuses == [401] * alarm + [429] * (2 * per_pair)
    assert sign_in(client_at(app, attacker(99)), "zjj.li") == 429  # no more guesses, right or not
    assert sign_in(client_at(app, attacker(0)), "zjj.li") == 429  # an attacker's address
    owner = client_at(app, OWNER_ADDRESS)
    assert sign_in(owner, "zjj.li") == 303
    assert "测试zjj.li" in owner.get("/staff/").get_data(as_text=True)

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "zjj.li" in warnings[0]
    assert WRONG not in warnings[0] and "203.0." not in warnings[0]


def test_the_owner_fails_too_from_their_network_only_up_to_its_own_limit(app: Flask) -> None:
    assert sign_in(client_at(app, OWNER_ADDRESS), "zjj.li") == 303
    for i in range(allowed(app, "LOGIN_LIMIT_PER_USERNAME")):
        sign_in(client_at(app, attacker(i)), "zjj.li", WRONG)
    owner = client_at(app, OWNER_ADDRESS)
    n = allowed(app, "LOGIN_LIMIT_PER_USERNAME_ADDRESS")
    assert [sign_in(owner, "zjj.li", WRONG) for _ in range(n)] == [401] * n
    assert sign_in(owner, "zjj.li") == 429


def test_a_network_not_signed_in_from_for_the_documented_days_is_no_longer_known(
    app: Flask,
) -> None:
    assert sign_in(client_at(app, OWNER_ADDRESS), "zjj.li") == 303
    days = app.config["LOGIN_KNOWN_NETWORK_DAYS"]
    clock: Clock = app.extensions["minsheng"].ledger.clock
    clock.now += timedelta(days=days, seconds=1)
    for i in range(allowed(app, "LOGIN_LIMIT_PER_USERNAME")):
        sign_in(client_at(app, attacker(i)), "zjj.li", WRONG)
    assert sign_in(client_at(app, OWNER_ADDRESS), "zjj.li") == 429


def test_an_ipv6_network_counts_as_one_address(app: Flask) -> None:
    n = allowed(app, "LOGIN_LIMIT_PER_USERNAME_ADDRESS")
    statuses = [
        sign_in(client_at(app, f"2001:db8:5:6::{i + 1:x}"), "zjj.li", WRONG) for i in range(n + 1)
    ]
    assert statuses == [401] * n + [429]


def test_networks_signed_in_from_are_kept_as_keyed_hashes_only(app: Flask) -> None:
    assert sign_in(client_at(app, OWNER_ADDRESS), "zjj.li") == 303
    with app.extensions["minsheng"].read() as c:
        rows = c.execute(select(sign_in_networks)).all()
    assert len(rows) == 1
    assert OWNER_ADDRESS not in repr(rows) and "198.51.100" not in repr(rows)
    assert len(rows[0].network) == 64
