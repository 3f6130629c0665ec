"""Synthetic plans for other years, made from the real one (for volume and multi-year tests)."""

from __future__ import annotations

from dataclasses import replace

from domain.plan_spec import PlanSpec


def plan_for_year(plan: PlanSpec, year: int) -> PlanSpec:
    shift = year - plan.year
    schedule = plan.schedule
    return replace(
        plan,
        year=year,
        document=replace(plan.document, number=f"{plan.document.number}（{year}年测试副本）"),
        schedule=replace(
            schedule,
            midyear_date=schedule.midyear_date.replace(year=schedule.midyear_date.year + shift),
            deadline=schedule.deadline.replace(year=schedule.deadline.year + shift),
        ),
    )
