"""Every interface string goes through Flask-Babel and is translated for 繁體 and English."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")
GETTEXT = re.compile(r"""_\(\s*(?:"[^"]*"|'[^']*')[^)]*\)""", re.S)
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


def catalog(locale: str):  # type: ignore[no-untyped-def]
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def extracted(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with open(pot, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_the_catalogs_hold_every_string_the_code_uses(tmp_path: Path) -> None:
    used = extracted(tmp_path)
    assert {
        "民生实事公开台",
        "用户名",
        "请填写累计完成数。",
    } <= used  # templates, forms, lazy strings
    for locale in ("zh_Hant", "en"):
        known = {m.id for m in catalog(locale) if m.id}
        assert used - known == set(), f"run make translations-update ({locale})"


@pytest.mark.parametrize("locale", ["zh_Hant", "en"])
def test_every_string_is_translated_with_the_same_placeholders(locale: str) -> None:
    for message in catalog(locale):
        if not message.id:
            continue
        assert message.string, message.id
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)
        ), message.id


def test_templates_have_no_chinese_outside_gettext() -> None:
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)
        leftover = GETTEXT.sub("", text)
        found = IDEOGRAPH.findall(leftover)
        assert not found, f"{template.name}: {''.join(found)[:40]}"
