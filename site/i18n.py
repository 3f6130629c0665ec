"""Languages: Simplified Chinese by default, 繁體中文 and English as choices.

Interface strings go through Flask-Babel (msgids are the Simplified Chinese
text). Content — the document's own words — is converted to Traditional
characters with OpenCC (Taiwan standard characters: closest to the
government's own traditional copy), and stays in Chinese under English.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import opencc
from flask import Blueprint, Flask, abort, current_app, g, redirect, request
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.wrappers import Response

from minsheng_site.labels import label

LANGUAGES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
DEFAULT = "zh_Hans"
COOKIE = "lang"
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}

bp = Blueprint("i18n", __name__)


def init_app(app: Flask) -> None:
    Babel(
        app,
        default_locale=DEFAULT,
        default_timezone="Asia/Shanghai",
        default_translation_directories=str(app.config["TRANSLATIONS"]),
        locale_selector=select_locale,
    )
    app.register_blueprint(bp)
    # Templates call gettext a few hundred times a page: fetch the catalog once per request.
    # jinja2's i18n extension adds this method to the environment at run time (Environment.
    # extend), so the Environment class mypy reads does not have it.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True
    )
    app.add_template_filter(_per_reader(content), "content")
    app.add_template_filter(_per_reader(label), "label")  # {{ case.state|label("case_state") }}
    app.add_template_global(locale_code, "locale_code")
    app.add_template_global(html_lang, "html_lang")
    app.jinja_env.globals["languages"] = LANGUAGES  # a value: add_template_global takes callables


def _per_reader(words: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose result depends on the reader's language. Jinja computes a filter over
    constants ("on_time"|label("timeliness")) once, when it compiles the template, in the
    language of whoever asked first; it never does so for a filter that takes the context."""

    @pass_context
    def filtered(_context: Context, value: Any, *args: Any) -> Any:
        return words(value, *args)

    return filtered


def _translations() -> Any:
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def _gettext(string: str, **variables: Any) -> str:
    text = _translations().ugettext(string)
    return text % variables if variables else text


def _ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def select_locale() -> str:
    if request.path.startswith("/feeds"):  # feeds are Chinese (xml:lang zh-CN), one per URL
        return DEFAULT
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for tag, _quality in request.accept_languages:
        if (found := _match(tag.lower())) is not None:
            return found
    return DEFAULT


def _match(tag: str) -> str | None:
    if tag.startswith("zh"):
        traditional = ("hant", "tw", "hk", "mo")
        return (
            "zh_Hant"
            if any(part in traditional for part in tag.replace("_", "-").split("-"))
            else "zh_Hans"
        )
    if tag.startswith("en"):
        return "en"
    return None


def locale_code() -> str:
    found = g.get("_locale_code")
    if found is None:
        found = g._locale_code = str(get_locale() or DEFAULT)
    return found


def html_lang() -> str:
    return HTML_LANG.get(locale_code(), "zh-Hans")


@lru_cache(maxsize=1)
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")


def content(text: object) -> Markup | str:
    """The document's Chinese text in the reader's script (never translated).

    Under English it stays Chinese and says so, for screen readers and search.
    """
    value = "" if text is None else str(text)
    locale = locale_code()
    if locale == "zh_Hant":
        return _to_traditional().convert(value)
    if locale == "en":
        return Markup('<span lang="zh-Hans">%s</span>') % value
    return value


@bp.get("/lang/<code>")
def switch(code: str) -> Response:
    """Remember the chosen language and go back to the page the reader was on."""
    if code not in LANGUAGES:
        abort(404)
    return back_remembering(COOKIE, code)


def back_remembering(cookie: str, value: str) -> Response:
    """Back to the page the reader was on (`next`, a local path only), remembering a choice
    of theirs (language, reading mode) in a cookie for a year. No script reads it: the
    server renders what it says."""
    response = redirect(local_path(request.args.get("next", "/")) or "/")
    response.set_cookie(
        cookie,
        value,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def local_path(target: str) -> str:
    """`target` if it is a path on this site, else "" (never an open redirect).

    No whitespace or control character may pass: a newline in a Location
    header is a 500 (or, elsewhere, a header injection).
    """
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return ""
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return ""
    return target
