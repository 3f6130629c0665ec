"""Server-rendered SVG charts (pygal): expected against reported progress."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from domain.progress import Period
from domain.schedule import expected_share
from projections.plans import queries as q
from projections.plans.district_queries import TargetBreakdown
from projections.plans.progress_queries import ProjectProgress, schedule_of

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2329",
    foreground_strong="#1d2329",
    foreground_subtle="#4f5b66",
    colors=("#4f5b66", "#a4161a"),
    font_family='"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=16,
    title_font_size=18,
)
# A phone shows a chart about 350 px wide: drawn 800 px wide, its 14 px labels would be
# 6 px there. Phones get a drawing 400 px wide with larger text (<picture> in the pages).
SMALL_TEXT = {"label_font_size": 17, "major_label_font_size": 17, "legend_font_size": 17}


def _frame(small: bool, width: int, height: int, **style: Any) -> dict[str, Any]:
    """pygal's size and style options: the wide drawing, or the small one for phones."""
    if small:
        themed = Style(**{**STYLE.__dict__, **style, **SMALL_TEXT})
        return {
            "width": 400,
            "height": 360,
            "legend_at_bottom_columns": 1,
            "truncate_label": -1,  # 10月 in full, not "1…"
            "y_labels": [0, 20, 40, 60, 80, 100],  # six, not eleven, in the larger text
            "margin_right": 24,  # room for the last x label's second half
            "style": themed,
        }
    return {"width": width, "height": height, "style": Style(**{**STYLE.__dict__, **style})}


def expected_curve(plan: q.PlanView) -> list[tuple[Period, Decimal]]:
    """The document's expected share of the year's task at each month's end."""
    schedule = schedule_of(plan)
    return [
        (Period(plan.year, m), expected_share(schedule, Period(plan.year, m).last_day))
        for m in range(1, 13)
    ]


def progress_chart(plan: q.PlanView, progress: ProjectProgress, small: bool = False) -> bytes:
    months = [p for p, _share in expected_curve(plan)]
    reported = dict(progress.curve)
    chart = pygal.Line(
        **_frame(small, 800, 420),
        js=[],  # no remote script; the SVG is shown as an image
        range=(0, 100),
        # small: the names of months 1, 4, 7 and 10 only, so that they do not overlap
        x_labels_major_every=3 if small else None,
        show_minor_x_labels=not small,
        show_y_guides=True,
        legend_at_bottom=True,
        value_formatter=lambda v: f"{v:.0f}%",
        title=_("计划进度与实际进度（%）"),
        x_labels=[_("%(month)s月", month=p.month) for p in months],
    )
    chart.add(_("计划进度"), [float(share * 100) for _p, share in expected_curve(plan)])
    chart.add(
        _("实际进度（按月报告）"),
        [float(reported[p] * 100) if p in reported else None for p in months],
    )
    return chart.render()


def satisfaction_chart(
    quarters: dict[str, tuple[float, float | None, float | None]],
    small: bool = False,
    title: str = "",
) -> bytes:
    """满意率 by quarter with its 95% interval: {label: (rate, low, high)} in percent. A
    quarter's label carries its count (n); low and high are None where too few ratings
    make the interval mean little: it is not drawn there (the title says so)."""
    chart = pygal.Line(
        **_frame(small, 800, 380, colors=("#a4161a", "#9aa5b1", "#9aa5b1")),
        js=[],
        range=(0, 100),
        show_y_guides=True,
        legend_at_bottom=True,
        value_formatter=lambda v: f"{v:.1f}%",
        title=title or _("各季度满意率（%）与95%区间"),
        x_labels=list(quarters),
    )
    chart.add(_("满意率"), [rate for rate, _low, _high in quarters.values()])
    chart.add(
        _("区间下限"),
        [low for _rate, low, _high in quarters.values()],
        stroke_style={"dasharray": "4,4"},
    )
    chart.add(
        _("区间上限"),
        [high for _rate, _low, high in quarters.values()],
        stroke_style={"dasharray": "4,4"},
    )
    return chart.render()


def district_chart_height(bars: int) -> int:
    """In pixels (the page gives its <img> the same height)."""
    return 120 + 48 * max(bars, 1)


def district_chart(breakdown: TargetBreakdown | None) -> bytes:
    """A target's cumulative amounts by district, as bars (the figures are in a table beside)."""
    shares = breakdown.shares if breakdown else ()
    # Narrower than the other charts, with larger text: a phone shows it less scaled down.
    large = {"label_font_size": 18, "major_label_font_size": 18, "value_font_size": 18}
    chart = pygal.HorizontalBar(
        style=Style(**{**STYLE.__dict__, **large, "colors": ("#4f5b66",)}),
        js=[],
        width=600,
        height=district_chart_height(len(shares)),
        show_legend=False,
        show_y_guides=False,
        print_values=True,
        value_formatter=lambda v: f"{Decimal(str(v)).normalize():f}",
        title=_(
            "%(label)s：各市(县)区累计完成（%(unit)s）", label=breakdown.label, unit=breakdown.unit
        )
        if breakdown
        else "",
        no_data_text=_("尚无按市(县)区分解的数据"),
        x_labels=[name for name, _amount in reversed(shares)],
    )
    # pygal draws the first label at the bottom: reversed, the list reads top to bottom
    chart.add(breakdown.label if breakdown else "", [float(a) for _n, a in reversed(shares)])
    return chart.render()
