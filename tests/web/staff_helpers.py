"""Signing staff in through the real forms (CSRF token and all)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from domain.staff import Role
from minsheng_site.services import Services

PASSWORD = "correct horse battery"


def add_staff(app: Flask, username: str, *roles: tuple[str, str], password: str = PASSWORD) -> None:
    services: Services = app.extensions["minsheng"]
    services.ledger.open_account(username, f"测试{username}", "cli:test")
    for name, scope in roles:
        services.ledger.grant_role(username, Role(name, scope), "cli:test")
    services.credentials.set(username, password)
    services.caught_up()


def csrf(client: FlaskClient, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert found, f"no CSRF token on {url}"
    return found[1]


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> int:
    token = csrf(client, "/staff/login")
    response = client.post(
        "/staff/login", data={"csrf_token": token, "username": username, "password": password}
    )
    return response.status_code


def post_form(client: FlaskClient, url: str, data: dict[str, str]) -> tuple[int, str, str]:
    token = csrf(client, url)
    response = client.post(url, data={"csrf_token": token, **data})
    return (
        response.status_code,
        response.headers.get("Location", ""),
        response.get_data(as_text=True),
    )
