"""A clock the tests set by hand (the ledger asks it for every recorded time).

Tests speak Wuxi's wall-clock time ("2023-09-04T09:00"); the clock answers in
UTC, as the system clock does, so that code which takes an instant's .date()
for a Wuxi day fails here as it would in production.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.wuxi import WUXI


class Clock:
    def __init__(self, start: str = "2023-03-20T10:00") -> None:
        self.now = self.parse(start)

    @staticmethod
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=WUXI)

    def set(self, text: str) -> None:
        self.now = self.parse(text)

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)
