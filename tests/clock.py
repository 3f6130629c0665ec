"""A clock the tests set by hand (the ledger asks it for every recorded time)."""

from __future__ import annotations

from datetime import datetime

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
        return self.now
