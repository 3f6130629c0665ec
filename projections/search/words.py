"""Words for search: how text is folded, cut into index terms and matched again.

Chinese has no spaces, and everyday queries are two characters (电梯, 路灯, 公厕, 托育).
Text is cut into overlapping character pairs (bigrams), the unit every such query is made
of; a query matches a text holding all of its pairs. A run's last character is kept on its
own too, so that a one-character query finds every text holding it (each other character
starts a pair). No segmenter is needed, and none can miss a word it does not know.

Before cutting, text is folded the same way on both sides: NFKC (full-width letters and
digits, compatibility forms), lower case, and traditional characters made simplified with
OpenCC (電梯 finds 电梯). Folding keeps, for each folded character, where it came from in
the original, so matches can be highlighted in the text as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc
import yaml

TERM_LENGTH = 32  # longer Latin tokens (none in the plan) are cut: the column's width
_HAN = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U00030000-\U0003134f"
)
_HAN_RUN = re.compile(f"[{_HAN}]+")
# Letters and digits, joined by inner dots and hyphens: 9.1, 2023-ABCDEF, 300, wifi.
_TOKENS = re.compile(f"[{_HAN}]+|[0-9a-z]+(?:[.\\-][0-9a-z]+)*")


@lru_cache(maxsize=1)
def _simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Folded:
    """Text folded for matching, and where each folded character came from."""

    text: str
    origin: tuple[int, ...]  # origin[i]: the index in the original of folded character i


def fold(text: str) -> Folded:
    """NFKC, lower case and simplified characters, with a map back to the original."""
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        parts.append(folded)
        origin.extend([i] * len(folded))
    joined = "".join(parts)
    simplified = _simplified().convert(joined)
    if len(simplified) != len(joined):  # a phrase rule changed the length: char by char
        simplified = "".join(_simplified().convert(ch) or ch for ch in joined)
        if len(simplified) != len(joined):
            simplified = joined
    return Folded(simplified, tuple(origin))


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if unicodedata.category(ch) == "Cs":
        return " "  # a lone surrogate (a query may hold one): nothing, and not encodable
    return unicodedata.normalize("NFKC", ch).lower()


def terms(text: str) -> set[str]:
    """The index terms of a text: its character pairs, each run's last character, and its
    Latin/digit tokens."""
    return set(_cut(fold(text).text))


def _cut(folded: str) -> Iterator[str]:
    for token in _TOKENS.findall(folded):
        if _HAN_RUN.fullmatch(token):
            for i in range(len(token) - 1):
                yield token[i : i + 2]
            yield token[-1]
        else:
            yield token[:TERM_LENGTH]


@dataclass(frozen=True)
class Word:
    """One word of a query, in each of the spellings that count (itself and its synonyms)."""

    spellings: tuple[str, ...]  # folded; the first is the word as typed

    def alternatives(self) -> list[tuple[frozenset[str], str | None]]:
        """For each spelling: the terms a text must hold all of, or for a single Han
        character that character as a prefix (it starts a pair, or ends a run alone)."""
        found: list[tuple[frozenset[str], str | None]] = []
        for spelling in self.spellings:
            if len(spelling) == 1 and _HAN_RUN.fullmatch(spelling):
                found.append((frozenset(), spelling))
                continue
            cut = [t for t in _cut(spelling) if len(t) > 1 or not _HAN_RUN.fullmatch(t)]
            if cut:  # a run's last character is implied by its last pair: not required
                found.append((frozenset(cut), None))
        return found


@dataclass(frozen=True)
class Query:
    text: str
    words: tuple[Word, ...]

    def __bool__(self) -> bool:
        return bool(self.words)

    def needles(self) -> list[str]:
        """Every folded spelling to highlight, longest first."""
        found = {s for w in self.words for s in w.spellings if s}
        return sorted(found, key=len, reverse=True)


MAX_QUERY = 100  # characters: a query is a few words, not a document
MAX_WORDS = 8


def parse(text: str, synonyms: Synonyms | None = None) -> Query:
    """A query: its words (Han runs and Latin/digit tokens; spaces and punctuation part
    them), up to MAX_WORDS; a text must hold every word, in one of its spellings."""
    text = " ".join(text.split())[:MAX_QUERY]
    words = []
    for token in dict.fromkeys(_TOKENS.findall(fold(text).text)):
        token = token[:TERM_LENGTH]
        spellings = (token, *(synonyms.of(token) if synonyms else ()))
        words.append(Word(tuple(dict.fromkeys(spellings))))
    return Query(text, tuple(words[:MAX_WORDS]))


class Synonyms:
    """Groups of words that mean the same to a searcher (加梯 = 加装电梯), kept as data.

    A query word holding one spelling of a group also searches for the word with it
    replaced by each other spelling of the group.
    """

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self.groups = [tuple(dict.fromkeys(fold(w).text for w in group)) for group in groups]

    @classmethod
    def load(cls, path: Path) -> Synonyms:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(data.get("groups", []))

    def of(self, word: str) -> list[str]:
        found: list[str] = []
        for group in self.groups:
            for spelling in group:
                if spelling and spelling in word:
                    others = (o for o in group if o != spelling)
                    found.extend(word.replace(spelling, other) for other in others)
        return found


SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")


@lru_cache(maxsize=1)
def synonyms() -> Synonyms:
    return Synonyms.load(SYNONYMS_FILE)


@dataclass(frozen=True)
class Piece:
    text: str
    marked: bool


def highlight(text: str, query: Query) -> list[Piece]:
    """The text in pieces, the words of the query marked (found in folded form)."""
    if not text:
        return []
    folded = fold(text)
    marks = [False] * len(text)
    for needle in query.needles():
        start = folded.text.find(needle)
        while start != -1:
            end = start + len(needle)
            for i in range(folded.origin[start], folded.origin[end - 1] + 1):
                marks[i] = True
            start = folded.text.find(needle, end)
    pieces: list[Piece] = []
    for ch, marked in zip(text, marks, strict=True):
        if pieces and pieces[-1].marked == marked:
            pieces[-1] = Piece(pieces[-1].text + ch, marked)
        else:
            pieces.append(Piece(ch, marked))
    return pieces


def excerpt(text: str, query: Query, width: int = 80) -> str:
    """A window of the text around its first match (the whole text if short)."""
    if len(text) <= width:
        return text
    folded = fold(text)
    first = min((i for i in (folded.text.find(n) for n in query.needles()) if i != -1), default=-1)
    if first == -1:
        return text[:width] + "…"
    at = folded.origin[first]
    start = max(0, min(at - width // 4, len(text) - width))
    end = start + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
