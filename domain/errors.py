"""Named domain errors: each says which rule was broken, with the data to explain it."""

from __future__ import annotations

from collections.abc import Sequence

from domain.plan_spec import Problem


class DomainError(Exception):
    """A command broke a rule of the domain."""


class InvalidPlan(DomainError):
    """A plan breaks one or more of the rules in `domain.plan_rules`."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class PlanConflict(DomainError):
    """A plan for this year is registered already and differs from the one given.

    Amendments are separate events (later work); a changed file is refused.
    """

    def __init__(self, year: int, differences: Sequence[str]) -> None:
        self.year = year
        self.differences = tuple(differences)
        super().__init__(
            f"the {year} plan is registered already and differs: " + "; ".join(self.differences)
        )


class NotFound(DomainError):
    """No aggregate answers to this reference."""


class UnstorableText(DomainError):
    """An event would hold text that a store or XML cannot carry (NUL, surrogates, ...).

    Forms and APIs clean text at the boundary (domain/text.py); this is the
    ledger's last line, so that no path can write what would stop a read model.
    """

    def __init__(self, event: str, fields: Sequence[str]) -> None:
        self.event, self.fields = event, tuple(fields)
        super().__init__(f"{event}: {', '.join(fields)} hold characters that cannot be stored")
