"""The base of every form: each text field is cleaned by the one text policy as it is read.

Multi-line fields (TextAreaField) keep their line breaks; every other text
field is one line without bidirectional controls (domain/text.py). Passwords
are left exactly as typed. A form that does not derive from `Form` fails
tests/web/test_hostile_text.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField

from domain.text import clean_line, clean_text


def _cleaning(clean: Callable[[str], str]) -> Callable[[Any], Any]:
    return lambda value: clean(value) if isinstance(value, str) else value


CLEAN_TEXT, CLEAN_LINE = _cleaning(clean_text), _cleaning(clean_line)


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                clean = CLEAN_TEXT if issubclass(kind, TextAreaField) else CLEAN_LINE
                options["filters"] = (*unbound_field.kwargs.get("filters", ()), clean)
            return unbound_field.bind(form=form, **options)
