"""Phone numbers and e-mail addresses as one person gives them, made into one form.

A person's key, their one vote per quarter and the per-phone limits all hang
on the normalised value, so every spelling of one number must become the same
string and nothing else may pass: compatibility forms are folded (NFKC: full-
width digits become ASCII), and only ASCII digits are accepted afterwards —
an Arabic-Indic or Devanagari digit is not a Chinese phone number.
"""

from __future__ import annotations

import re
import unicodedata

MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[0-9]{2,3}[0-9]{7,8}")  # with its area code, e.g. 0510 12345678
# The local part: RFC 5322's dot-atom characters (letters of any script too): no quotes,
# angle brackets, commas or backslashes, which mail headers and pages would have to escape.
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+")
_SEPARATORS = re.compile(r"[\s\-()]")


def _digits(raw: str) -> str:
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def normalise_mobile(raw: str) -> str | None:
    """A mainland mobile number as 11 ASCII digits, or None."""
    digits = _digits(raw)
    return digits if MOBILE.fullmatch(digits) else None


def normalise_phone(raw: str) -> str | None:
    """A mainland mobile, or a landline with its area code, as ASCII digits; else None."""
    digits = _digits(raw)
    return digits if MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits) else None


def normalise_email(raw: str) -> str | None:
    """An e-mail address in lower case (compatibility forms folded), or None."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    return text if len(text) <= 254 and EMAIL.fullmatch(text) else None
