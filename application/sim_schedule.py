"""The steps of a simulated year, run in the order of their (simulated) times."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from domain.errors import DomainError
from domain.wuxi import at_wuxi


class SimSchedule:
    """Steps to run at given local times; a step may schedule later ones.

    Each step runs with the ledger's clock set to its time, so what it
    records carries that time. A step the rules refuse is left out and its
    refusal counted (the simulation goes through the real commands).
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.heap: list[tuple[datetime, int, Callable[[], object]]] = []
        self.sequence = 0

    def at(self, day: date, hour: int, step: Callable[[], object]) -> None:
        self.sequence += 1
        when = at_wuxi(day, hour, self.rng.randrange(60))
        heapq.heappush(self.heap, (when, self.sequence, step))

    def run(self, ledger: Any) -> list[str]:
        """Run every step; return the codes of the refused ones."""
        refused: list[str] = []
        system = ledger.clock
        try:
            while self.heap:
                when, _order, step = heapq.heappop(self.heap)
                ledger.clock = lambda when=when: when
                try:
                    step()
                except DomainError as error:
                    refused.append(str(getattr(error, "code", type(error).__name__)))
        finally:
            ledger.clock = system
        return refused
