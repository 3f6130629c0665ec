"""The case statistics, as published on /cases/stats: functions over the cases' facts.

- received: every case; handled: those accepted (neither still waiting to be
  accepted, nor declined, nor merged into another, nor withdrawn by the citizen);
- 办结率 = closed ÷ handled;
- 按时办结率 = closed whose last reply came within the time limit ÷ closed;
- 满意率（首次评价）= cases whose first evaluation was 满意 or 基本满意 ÷ evaluated;
- 满意率（最终评价）= (满意 + 基本满意) ÷ evaluated, by each case's latest evaluation
  (销号 needs 满意 or 基本满意, so once every evaluated case is closed this reaches 100%:
  the first evaluation is the figure that tells units apart);
- 发回重办率 = evaluated cases sent back (不满意) at least once ÷ evaluated;
- 回访解决率 = cases whose citizen answered "is it fixed?" 是 ÷ those answered (是, 否,
  不确定), by each case's latest answer (a 否 reopens the case);
- the median of the days from assignment to the first reply, over handled cases;
- overdue: handled cases past their time limit on the day (`domain.cases.is_overdue`).

Every share keeps its counts (`Rate`), so a page shows "p% (n / d)" and its
formula. The counters set the handled cases against the document's yearly targets.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

from domain.cases import CLOSED, DECLINED, MERGED, SUBMITTED, WITHDRAWN, is_overdue
from domain.satisfaction import is_content

NOT_HANDLED = (SUBMITTED, DECLINED, MERGED, WITHDRAWN)


class CaseFacts(Protocol):
    """What the statistics read of a case (a row of the case board has all of it)."""

    @property
    def state(self) -> str: ...

    @property
    def deadline(self) -> date | None: ...

    @property
    def track(self) -> str | None: ...

    @property
    def assigned_on(self) -> date | None: ...

    @property
    def first_reply_on(self) -> date | None: ...

    @property
    def last_reply_on_time(self) -> bool | None: ...

    @property
    def evaluation(self) -> str | None: ...

    @property
    def first_evaluation(self) -> str | None: ...

    @property
    def rehandled(self) -> int: ...

    @property
    def fix_answer(self) -> str | None: ...


@dataclass(frozen=True)
class Rate:
    """A share with its counts: shown as 'p% (n / d)' and the formula beside it."""

    numerator: int
    denominator: int

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.numerator) / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Stats:
    label: str
    received: int
    handled: int  # accepted (not declined, not merged)
    closed: Rate  # 办结率: closed / handled
    on_time: Rate  # 按时办结率: closed with the last reply on time / closed
    first_satisfied: Rate  # 满意率（首次评价）: first evaluation 满意/基本满意 / evaluated
    satisfied: Rate  # 满意率（最终评价）: (满意 + 基本满意) / evaluated, by the latest evaluation
    rehandled: Rate  # 发回重办率: sent back at least once / evaluated
    fixed: Rate  # 回访解决率: "is it fixed?" answered 是 / answered (是, 否, 不确定)
    median_days_to_reply: float | None
    overdue: int


def is_handled(case: CaseFacts) -> bool:
    return case.state not in NOT_HANDLED


def stats(cases: Iterable[CaseFacts], today: date, label: str = "") -> Stats:
    """The figures of a group of cases on `today` (a Wuxi business date)."""
    cases = list(cases)
    handled = [r for r in cases if is_handled(r)]
    closed = [r for r in handled if r.state == CLOSED]
    evaluated = [r for r in handled if r.evaluation is not None]
    answered = [r for r in handled if r.fix_answer is not None]
    days = [
        (r.first_reply_on - r.assigned_on).days
        for r in handled
        if r.first_reply_on and r.assigned_on
    ]
    return Stats(
        label=label,
        received=len(cases),
        handled=len(handled),
        closed=Rate(len(closed), len(handled)),
        on_time=Rate(sum(1 for r in closed if r.last_reply_on_time), len(closed)),
        first_satisfied=Rate(
            sum(1 for r in evaluated if is_content(r.first_evaluation)), len(evaluated)
        ),
        satisfied=Rate(sum(1 for r in evaluated if is_content(r.evaluation)), len(evaluated)),
        rehandled=Rate(sum(1 for r in evaluated if r.rehandled), len(evaluated)),
        fixed=Rate(sum(1 for r in answered if r.fix_answer == "yes"), len(answered)),
        median_days_to_reply=statistics.median(days) if days else None,
        overdue=sum(1 for r in handled if is_overdue(r, today)),
    )


C = TypeVar("C", bound=CaseFacts)


def grouped(cases: Iterable[C], key: Callable[[C], str | None], today: date) -> list[Stats]:
    """The figures by group (cases without a group are left out), the most received first."""
    groups: dict[str, list[C]] = defaultdict(list)
    for case in cases:
        value = key(case)
        if value:
            groups[value].append(case)
    return sorted(
        (stats(g, today, label) for label, g in groups.items()), key=lambda s: -s.received
    )


@dataclass(frozen=True)
class Counters:
    """Against the document's yearly targets: ≥1500 handled, of them key-supervised
    ≥520 "微幸福" and ≥120 "市长在线"."""

    handled: int
    weixingfu: int
    shizhang: int


def counters(cases: Iterable[CaseFacts]) -> Counters:
    handled = [r for r in cases if is_handled(r)]
    return Counters(
        len(handled),
        sum(1 for r in handled if r.track == "weixingfu"),
        sum(1 for r in handled if r.track == "shizhang"),
    )
