"""A clock the tests set by hand (the ledger asks it for every recorded time)."""

from __future__ import annotations

from datetime import datetime

from domain.progress import LOCAL


class Clock:
    def __init__(self, start: str = "2023-03-20T10:00") -> None:
        self.now = self.parse(start)

    @staticmethod
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=LOCAL)

    def set(self, text: str) -> None:
        self.now = self.parse(text)

    def __call__(self) -> datetime:
        return self.now
