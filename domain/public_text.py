"""Published text must not carry a citizen's contact: pure rules, no I/O.

Staff write text that goes public for good (a 督办 note, a decline reason, a
redaction, a link note, a reply to a consented case): the public log, the
feeds and the exports keep it, and erasing a person cannot take it back. So
such text is refused when it holds a mainland mobile number (anyone's) or the
case's own name or phone number. Both sides are compared in one normal form:
NFKC (full-width digits and letters become ASCII), every decimal digit as an
ASCII digit, invisible format characters removed, case folded; numbers are
matched with spaces, hyphens, dots or brackets between their digits.
"""

from __future__ import annotations

import re
import unicodedata

_BETWEEN_DIGITS = r"[\s\-‐‑‒–—―−.·()]*"
_MOBILE = re.compile(
    # not glued to a longer number, except behind the country code (+86, 0086)
    r"(?:(?<![0-9])|(?<=\+86)|(?<=0086))1" + _BETWEEN_DIGITS + r"[3-9]"
    rf"(?:{_BETWEEN_DIGITS}[0-9]){{9}}(?![0-9])"
)
_JOIN_DIGITS = re.compile(r"(?<=[0-9])" + _BETWEEN_DIGITS + r"(?=[0-9])")
_SPACE = re.compile(r"\s+")


def normal_form(text: str) -> str:
    """NFKC, ASCII digits, no format characters (zero-width spaces, bidi marks), case folded."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
        for ch in folded
        if unicodedata.category(ch) != "Cf"
    ).casefold()


def mentions_mobile_number(text: str) -> bool:
    """Whether the text holds a mainland mobile number (1[3-9] and nine digits)."""
    return _MOBILE.search(normal_form(text)) is not None


def mentions_contact(text: str, name: str, phone: str) -> bool:
    """Whether the text names this person or gives their phone number, in any spacing.

    A name shorter than two characters is not looked for: it would refuse
    every text that happens to hold that character.
    """
    normal = normal_form(text)
    plain_name = _SPACE.sub("", normal_form(name))
    if len(plain_name) >= 2 and plain_name in _SPACE.sub("", normal):
        return True
    digits = _JOIN_DIGITS.sub("", normal_form(phone))
    return len(digits) >= 7 and digits in _JOIN_DIGITS.sub("", normal)
