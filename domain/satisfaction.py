"""Satisfaction levels (满意 / 基本满意 / 不满意): one scale for ratings and case evaluations.

满意率 counts 满意 and 基本满意 as content, everywhere it is published: the
ratings' results, the case statistics, the year-end evaluation and the case
awards.
"""

from __future__ import annotations

LEVELS = ("satisfied", "basically", "unsatisfied")  # 满意 / 基本满意 / 不满意
CONTENT = ("satisfied", "basically")  # what 满意率 counts


def is_content(level: str | None) -> bool:
    """满意 or 基本满意 (no level, e.g. a case not yet evaluated, is not content)."""
    return level in CONTENT
