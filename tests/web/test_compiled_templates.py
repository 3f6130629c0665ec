"""Templates are compiled once per process, whichever app renders them first."""

from __future__ import annotations

import jinja2
import pytest

from tests.conftest import AppFactory


def test_a_second_app_renders_what_the_first_compiled_without_compiling_again(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = app_factory(plan=True).test_client().get("/plans/2023/")
    assert first.status_code == 200

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)
    again = app_factory().test_client().get("/plans/2023/")
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
