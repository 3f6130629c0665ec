"""Who an event says did it. The labelled simulated year's actors start with "sim:"
(`sim:citizen`, `sim:市住房城乡建设局`...): every read model, feed and export labels what
they did as simulated, and a simulated plan is registered only by them."""

from __future__ import annotations

SIMULATED_ACTOR = "sim:"


def is_simulated(actor: object) -> bool:
    """Whether `actor` (an event's actor, or None) is one of the labelled simulation's."""
    return str(actor or "").startswith(SIMULATED_ACTOR)
