"""`flask users ...`: accounts, passwords and audited roles from the command line."""

from __future__ import annotations

import pytest
from flask import Flask

from domain.plan_spec import PlanSpec
from minsheng_site.services import Services


@pytest.fixture
def loaded(app: Flask, plan_spec: PlanSpec) -> Flask:
    app.extensions["minsheng"].ledger.register_plan(plan_spec, "test")
    return app


def run(app: Flask, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args), input=stdin)
    return result.exit_code, result.output


def test_create_grant_list_revoke(loaded: Flask) -> None:
    assert run(
        loaded,
        "users",
        "create",
        "zjj.li",
        "--name",
        "李工",
        "--password-stdin",
        "--actor",
        "cli:ops",
        stdin="a long enough password\n",
    ) == (0, "account zjj.li opened\n")
    granted = run(
        loaded, "users", "grant", "zjj.li", "reporter", "市住房城乡建设局", "--actor", "cli:ops"
    )
    assert granted == (0, "zjj.li: granted reporter for 市住房城乡建设局\n")
    assert run(loaded, "users", "list")[1] == "zjj.li\t李工\treporter:市住房城乡建设局\n"
    assert run(loaded, "users", "revoke", "zjj.li", "reporter", "市住房城乡建设局")[0] == 0
    assert run(loaded, "users", "list")[1] == "zjj.li\t李工\t(no roles)\n"
    services: Services = loaded.extensions["minsheng"]
    account = services.ledger.account("zjj.li")
    assert account.version == 4  # created, password set, granted, revoked
    assert services.credentials.verify("zjj.li", "a long enough password")


def test_unknown_units_weak_passwords_and_duplicates_are_refused(loaded: Flask) -> None:
    create = ("users", "create", "zjj.li", "--name", "李工", "--password-stdin")
    code, output = run(loaded, *create, stdin="short\n")
    assert code == 1 and "at least 10 characters" in output
    assert run(loaded, "users", "list")[1] == ""  # nothing half-made
    assert run(loaded, *create, stdin="a long enough password\n")[0] == 0
    code, output = run(loaded, *create, stdin="a long enough password\n")
    assert code == 1 and "exists already" in output
    code, output = run(loaded, "users", "grant", "zjj.li", "reporter", "不存在的局")
    assert code == 1 and "not a responsible unit" in output
    code, output = run(loaded, "users", "grant", "zjj.li", "admin", "市公安局")
    assert code == 1 and "admins belong to" in output
    assert run(loaded, "users", "grant", "nobody", "admin", "市发展改革委")[0] == 1


def test_a_display_name_longer_than_the_staff_read_model_holds_is_refused(loaded: Flask) -> None:
    # On PostgreSQL a 65-character name stopped the staff read model for good
    create = ("users", "create", "zjj.li", "--password-stdin", "--name")
    code, output = run(loaded, *create, "李" * 65, stdin="a long enough password\n")
    assert code == 1 and "at most 64 characters" in output
    assert run(loaded, "users", "list")[1] == ""
    assert run(loaded, *create, "李" * 64, stdin="a long enough password\n")[0] == 0
    assert run(loaded, "users", "list")[1] == f"zjj.li\t{'李' * 64}\t(no roles)\n"
    services: Services = loaded.extensions["minsheng"]
    assert services.caught_up() and not services.projector.stuck()
