"""What text the site accepts and what XML can carry: one policy for every field.

Citizens paste from Word, phones and chat apps: vertical tabs for line breaks,
NULs, lone surrogates, invisible direction overrides. PostgreSQL refuses NUL,
XML 1.0 refuses most C0 controls, surrogates cannot be encoded as UTF-8, and
a right-to-left override in a title makes a list say something it does not.

- `clean_text` (multi-line fields): line breaks made uniform, characters no
  store or XML can carry removed, NFC.
- `clean_line` (titles, names, units, reasons): the same, on one line, and
  without bidirectional controls.
- `xml_safe`: for rendering what was stored before this policy existed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# Line and paragraph separators people paste: \r\n, \r, VT (Word), FF, NEL, LS, PS.
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 and C1 controls except tab and newline; noncharacters; lone surrogates.
_UNCARRIABLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]"
)
# Embeddings, overrides and isolates (LRE..RLO, LRI..PDI) and the marks LRM, RLM, ALM.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SPACES = re.compile(r"[\t\n ]+")
# What XML 1.0 cannot carry (its Char production), for text stored before this policy.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(value: str) -> str:
    """A multi-line text as stored: uniform line breaks, nothing a store or XML refuses."""
    text = _UNCARRIABLE.sub("", _BREAKS.sub("\n", value))
    return unicodedata.normalize("NFC", text).strip()


def clean_line(value: str) -> str:
    """A one-line text (title, name, unit, reason): also no bidi controls, spaces collapsed."""
    text = _BIDI.sub("", clean_text(value))
    return _SPACES.sub(" ", text).strip()


def is_clean(value: str, line: bool = False) -> bool:
    return value == (clean_line(value) if line else clean_text(value))


def xml_safe(value: str) -> str:
    """The text without the characters XML 1.0 cannot carry (rendering old events)."""
    return _NOT_XML.sub("", value)


def storable(value: str) -> bool:
    """Whether every store and XML can carry the text (what the ledger refuses otherwise)."""
    return _NOT_XML.search(value) is None


def unstorable_fields(fields: Mapping[str, object]) -> list[str]:
    """The names of the fields holding (at any depth) text that cannot be stored."""
    return [name for name, value in fields.items() if not _storable_value(value)]


def _storable_value(value: object) -> bool:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, Mapping):
        return all(_storable_value(k) and _storable_value(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return all(_storable_value(v) for v in value)
    return True
