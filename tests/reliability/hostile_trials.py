"""Trials: one corpus entry in one field, what the site answered, and whether it came back.

A form's prose fields are first tried together (one write instead of one per
field); when the site refuses that, each field is tried alone, so every
(field, entry) pair has an answer of its own and a refusal in one field
cannot hide what another field does with the same text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from markupsafe import escape

from domain.contacts import normalise_phone
from domain.text import clean_line, clean_text
from tests.hostile import Entry, received_by_form
from tests.reliability.hostile_site import Answer

Place = tuple[str, str]  # (role, url) of a page that should show an accepted text
# How a refusal says why: a field's error, the form's summary, the error page, a JSON error.
EXPLAINED = ('class="error', 'role="alert"', '"error":')

# How a field turns what it received into what it keeps (the site's own rules).
KEEPS: dict[str, Callable[[str], str]] = {
    "line": clean_line,
    "text": clean_text,
    "phone": lambda value: normalise_phone(value) or "",
    "none": lambda value: "",  # nothing to find again (a redirect target, a version)
    # one item per line, each a line (an added project's milestones)
    "lines": lambda value: "\n".join(
        clean_line(line) for line in clean_text(value).split("\n") if clean_line(line)
    ),
    # a list of units: each is shown (site/case_staff.py splits on , ， and 、)
    "units": lambda value: "\n".join(re.split("[,，、]", clean_line(value))),
}
# What a field receives from each transport.
RECEIVES: dict[str, Callable[[Entry], str]] = {
    "form": received_by_form,
    "json": lambda entry: entry.text,
    "csv": lambda entry: entry.utf8().decode("utf-8", "replace"),
    "cli": lambda entry: entry.utf8().decode("utf-8", "surrogateescape"),
}


@dataclass(frozen=True)
class Sent:
    """What one submission got: its status, whether it was taken, where it shows."""

    status: int
    refused: bool = False  # a 2xx/3xx that says no (a flash message after a redirect)
    places: tuple[Place, ...] = ()
    explained: bool = True  # a refusal says why (a form error, a JSON error, a message)

    @classmethod
    def of(cls, answer: Answer, **kwargs: Any) -> Sent:
        """What an HTTP answer says; a 4xx must carry a message (a form's or the error page's)."""
        explained = answer.status < 400 or any(m in answer.body for m in EXPLAINED)
        return cls(answer.status, **{"explained": explained, **kwargs})

    @property
    def accepted(self) -> bool:
        return self.status < 400 and not self.refused


@dataclass
class Trial:
    surface: str
    field: str
    entry: Entry
    sent: Sent
    expect: str  # what must be found again ("" when nothing is)
    found: bool | None = None

    @property
    def outcome(self) -> str:
        if self.sent.status >= 500:
            return "5xx"
        if not self.sent.accepted:
            return "refused"
        return "lost" if self.found is False else "accepted"


Send = Callable[[Mapping[str, Entry]], Sent]


@dataclass
class Trials:
    all: list[Trial] = field(default_factory=list)

    def attempt(
        self,
        surface: str,
        fields: Mapping[str, str],  # field -> what it keeps ("line", "text", ...)
        entry: Entry,
        send: Send,
        via: str = "form",
        together: bool = True,  # False: fields that can never all accept an entry at once
    ) -> None:
        if together and len(fields) > 1:
            sent = send({name: entry for name in fields})
            if sent.accepted:
                for name, keeps in fields.items():
                    self._record(surface, name, keeps, entry, sent, via)
                return
        for name, keeps in fields.items():
            self._record(surface, name, keeps, entry, send({name: entry}), via)

    def each(
        self,
        surface: str,
        fields: Mapping[str, str],
        entries: Iterable[Entry],
        send: Send,
        together: bool = True,
    ) -> None:
        for entry in entries:
            self.attempt(surface, fields, entry, send, together=together)

    def _record(
        self, surface: str, name: str, keeps: str, entry: Entry, sent: Sent, via: str
    ) -> None:
        kind, _, roles = keeps.partition("@")  # "line@task": shown to the task force only
        expect = KEEPS[kind](RECEIVES[via](entry)) if sent.accepted else ""
        if roles:
            shown = roles.split(",")
            sent = replace(sent, places=tuple(p for p in sent.places if p[0] in shown))
        self.all.append(Trial(surface, name, entry, sent, expect))

    def unsettled(self) -> list[Trial]:
        """Accepted trials whose text has not been looked for yet."""
        return [t for t in self.all if t.expect and t.found is None]

    # Figures -----------------------------------------------------------------

    def figures(self) -> Counter[str]:
        counts = Counter(t.outcome for t in self.all)
        counts["tried"] = len(self.all)
        return counts

    def where(self, want: str) -> list[str]:
        return [f"{t.surface}.{t.field} <- {t.entry.name}" for t in self.all if t.outcome == want]

    def unexplained(self) -> list[str]:
        return [
            f"{t.surface}.{t.field} <- {t.entry.name}: {t.sent.status}"
            for t in self.all
            if t.outcome == "refused" and not t.sent.explained
        ]


def shows(body: str, text: str) -> bool:
    """Whether an HTML page shows the text (escaped, line by line)."""
    return all(str(escape(line.strip())) in body for line in text.split("\n") if line.strip())


def form_fields(values: Mapping[str, object]) -> dict[str, str]:
    """Percent-encoded form values: entries as their (possibly invalid) bytes."""
    return {
        name: value.form_value() if isinstance(value, Entry) else quote(str(value))
        for name, value in values.items()
    }
