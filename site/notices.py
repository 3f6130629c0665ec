"""The texts of the messages sent to citizens about their cases: short, templated, translated.

Flask-free (the projections worker sends them too): the catalogs are read with
Babel directly. msgids are marked with N_ so that `make translations-update`
extracts them; each message is signed, names the case and ends with its links.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.support import NullTranslations, Translations


def N_(text: str) -> str:
    return text


TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SIGNATURE = N_("【无锡民生实事】")
TEXTS = {
    "receipt": N_("您的诉求已收到，编号%(number)s，查询码%(code)s，请妥善保存。"),
    "acceptance": N_("您的诉求%(number)s已受理。"),
    "refusal": N_("您的诉求%(number)s未予受理：%(reason)s"),
    "assignment": N_("您的诉求%(number)s已交%(unit)s办理，办理时限至%(deadline)s。"),
    "reply": N_("%(unit)s已答复您的诉求%(number)s，请查看答复并评价。"),
    "reminder": N_("您的诉求%(number)s已答复，您尚未评价，请查看并评价。"),
    "sent_back": N_("您的诉求%(number)s已发回%(unit)s重新办理，时限至%(deadline)s。"),
    "supervision": N_("您的诉求%(number)s已列入督办。"),
    "merger": N_("您的诉求%(number)s已并入%(into)s一并办理。"),
    "closure": N_("您的诉求%(number)s已办结销号，感谢您的参与。"),
    "follow_up": N_(
        "您的诉求%(number)s办结已%(days)s天，问题是否已解决？请点击回答（是／否／不确定）。"
    ),
    "withdrawal": N_("您已撤回诉求%(number)s。如问题仍在，欢迎再次反映。"),
    "reopening": N_("您的诉求%(number)s已按您的回访回答重新受理，将重新交办。"),
    "code": N_("您的诉求%(number)s的查询码是%(code)s，请妥善保存。"),
}
SEE = N_("查看：%(link)s")
ANSWER = N_("回答：%(link)s")
STOP = N_("不再接收本诉求的短信：%(stop)s")


@cache
def _catalog(language: str) -> NullTranslations:
    if language == "zh_Hans":
        return NullTranslations()  # the msgids are Simplified Chinese
    return Translations.load(str(TRANSLATIONS), [language])


def renderer(base_url: str) -> Callable[[str, dict[str, Any], str], str]:
    """Render a message of `kind` for `language`, with links under `base_url`."""
    base = base_url.rstrip("/")

    def render(kind: str, params: dict[str, Any], language: str) -> str:
        t = _catalog(language).gettext
        number = quote(str(params["number"]))
        links = {
            "link": f"{base}/cases/lookup?number={number}",
            "stop": f"{base}/cases/{number}/stop/{params.get('stop_token', '')}",
        }
        see = SEE
        if kind == "follow_up":
            links["link"] = f"{base}/cases/{number}/fixed/{params.get('fixed_token', '')}"
            see = ANSWER
        body = t(TEXTS[kind]) % {**params, **links}
        return f"{t(SIGNATURE)}{body}{t(see) % links} {t(STOP) % links}"

    return render
