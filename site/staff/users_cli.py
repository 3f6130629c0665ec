"""`flask users ...`: staff accounts and roles from the command line."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable

import click
from flask import Flask
from flask.cli import AppGroup

from application.credentials import WeakPassword
from domain.errors import DomainError
from domain.staff import Role
from domain.text import clean_line
from minsheng_site.services import services
from projections.plans import queries as q
from projections.staff.staff import staff_members

users_cli = AppGroup("users", help="Staff accounts and their roles.")
ACTOR = click.option(
    "--actor",
    default=lambda: f"cli:{getpass.getuser()}",
    show_default="cli:<login name>",
    help="Recorded on the event as who did it.",
)


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


def _set_password(username: str, password: str, actor: str) -> None:
    try:
        services().credentials.set(username, password)
    except WeakPassword as error:
        raise click.ClickException(f"password refused: {error}") from error
    services().ledger.record_password_change(username, actor)


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name staff see, e.g. 李工.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@ACTOR
def create(username: str, display_name: str, password_stdin: bool, actor: str) -> None:
    """Open an account (without roles) and set its password."""
    password = _password(password_stdin)
    try:
        services().credentials.check(password)  # before anything is written
    except WeakPassword as error:
        raise click.ClickException(f"password refused: {error}") from error
    try:
        services().ledger.open_account(username, clean_line(display_name), actor)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    _set_password(username, password, actor)
    services().caught_up()
    click.echo(f"account {username} opened")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True)
@ACTOR
def set_password(username: str, password_stdin: bool, actor: str) -> None:
    """Change an account's password."""
    _require(username)
    _set_password(username, _password(password_stdin), actor)
    click.echo(f"password of {username} changed")


@users_cli.command("grant")
@click.argument("username")
@click.argument("role", type=click.Choice(["admin", "reporter", "supervisor"]))
@click.argument("scope")
@ACTOR
def grant(username: str, role: str, scope: str, actor: str) -> None:
    """Grant ROLE for SCOPE: a task force, a responsible unit, or a supervising body."""
    _require(username)
    if role == "reporter":
        with services().read() as c:
            known = q.unit_names(c)
        if scope not in known:
            raise click.ClickException(f"{scope} is not a responsible unit of any registered plan")
    _command(lambda: services().ledger.grant_role(username, Role(role, scope), actor))
    click.echo(f"{username}: granted {role} for {scope}")


@users_cli.command("revoke")
@click.argument("username")
@click.argument("role")
@click.argument("scope")
@ACTOR
def revoke(username: str, role: str, scope: str, actor: str) -> None:
    """Revoke a role."""
    _require(username)
    _command(lambda: services().ledger.revoke_role(username, Role(role, scope), actor))
    click.echo(f"{username}: revoked {role} for {scope}")


@users_cli.command("list")
def list_users() -> None:
    """Every account and its roles."""
    with services().read() as c:
        for member in staff_members(c):
            roles = ", ".join(f"{r}:{s}" for r, s in sorted(member.roles)) or "(no roles)"
            click.echo(f"{member.username}\t{member.display_name}\t{roles}")


def _require(username: str) -> None:
    try:
        services().ledger.account(username)
    except DomainError as error:
        raise click.ClickException(f"no account {username}") from error


def _command(run: Callable[[], object]) -> None:
    try:
        run()
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    services().caught_up()
