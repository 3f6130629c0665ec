"""What every CSV export's columns are: their types and meanings, for the Frictionless
datapackage.json and for the typed tables of the SQLite bundle.

A column is described once, by its export and name; the descriptor lists the columns
each CSV has (in its own order), so a case published without consent, a year without an
evaluation or a column added later is described as it is. A column with no entry here is
a string (any text is one) until it is described: tests/opendata/test_bundle.py fails on it.
"""

from __future__ import annotations

from typing import Any

Field = tuple[str, str]  # Table Schema type, description

SIMULATED: Field = ("boolean", "该行属于模拟数据（演示用，不是真实情况）")

FIELDS: dict[str, dict[str, Field]] = {
    "projects": {
        "ref": ("string", "具体项目编号（条目.序号）"),
        "item": ("integer", "条目编号"),
        "category": ("integer", "方面编号"),
        "title": ("string", "具体项目名称"),
        "key_project": ("integer", "所属重点民生实事项目编号（空：不属于）"),
        "targets": ("string", "量化目标：名称、数量、单位，以“；”分隔"),
        "status": ("string", "进度状态代码：not_started、on_track、behind、done、overdue"),
        "completion": ("number", "完成度，0 到 1"),
        "latest_period": ("yearmonth", "最近一次报告的月份"),
        "midyear_met": ("boolean", "是否达到年中（60%）节点；空：尚未到期"),
        "url": ("string", "项目页面的永久链接"),
        "simulated": SIMULATED,
    },
    "cases": {
        "number": ("string", "诉求编号"),
        "year": ("integer", "受理年份"),
        "category": ("string", "诉求类别"),
        "district": ("string", "所在市（县）区"),
        "stage": ("string", "办理阶段代码"),
        "consent": ("boolean", "市民是否同意公开诉求内容；否：只公开类别、区域和阶段"),
        "simulated": SIMULATED,
        "url": ("string", "诉求页面的永久链接"),
        "title": ("string", "公开的标题（同意公开时）"),
        "text": ("string", "公开的诉求内容（同意公开且不含个人信息时）"),
        "redacted": ("boolean", "内容是否经专班删改后公开"),
        "erased": ("boolean", "个人信息是否已按本人申请删除"),
        "received_on": ("date", "受理日期（无锡时间）"),
        "route": ("string", "办理路径（三个一批）"),
        "lead_unit": ("string", "主办单位"),
        "co_units": ("string", "协办单位，以“；”分隔"),
        "deadline": ("date", "办理时限（无锡日期）"),
        "overdue": ("boolean", "今天是否已超期未办结"),
        "key_supervised": ("string", "市级重点督办类别（空：非重点督办）"),
        "evaluation": ("string", "市民最近一次评价代码"),
        "first_evaluation": ("string", "市民第一次评价代码（满意率按首次评价另算）"),
        "rehandled": ("integer", "因不满意被发回重办的次数"),
        "replied_on_time": ("boolean", "最近一次答复是否在时限内"),
        "closed_on": ("date", "销号日期（无锡时间）"),
        "merged_into": ("string", "并入的诉求编号"),
        "projects": ("string", "关联的计划具体项目"),
    },
    "satisfaction": {
        "source": ("string", "ratings：市民对项目的评价；cases：市民对诉求办理的评价"),
        "dimension": ("string", "分组维度"),
        "key": ("string", "分组（项目编号、条目、单位、区域、季度……）"),
        "satisfied": ("integer", "满意条数"),
        "basically": ("integer", "基本满意条数"),
        "unsatisfied": ("integer", "不满意条数"),
        "total": ("integer", "全部评价条数"),
        "rate": ("number", "满意率 =（满意 + 基本满意）÷ 全部评价"),
        "interval_95_low": ("number", "满意率 Wilson 95% 区间下限"),
        "interval_95_high": ("number", "满意率 Wilson 95% 区间上限"),
        "ranked": ("boolean", "评价数是否达到排名所需的最少条数（1/0）"),
        "quarter": ("string", "季度（空：全年）"),
        "simulated": SIMULATED,
    },
    "evaluation": {
        "level": ("string", "project：具体项目；unit：牵头责任单位"),
        "rank": ("integer", "名次"),
        "key": ("string", "项目编号或单位名称"),
        "label": ("string", "名称"),
        "score": ("number", "得分 = 100 × Σ 权重 × 分项 ÷ Σ 权重"),
        "component_completion": ("number", "分项：完成度"),
        "component_timeliness": ("number", "分项：按时报告率"),
        "component_findings": ("number", "分项：督查问题整改率"),
        "component_satisfaction": ("number", "分项：满意率 Wilson 区间下限"),
        "completion": ("number", "输入：完成度"),
        "reports_due": ("integer", "输入：应报告次数"),
        "reports_on_time": ("integer", "输入：按时报告次数"),
        "findings_raised": ("integer", "输入：督查发现问题数"),
        "findings_open": ("integer", "输入：未整改到位问题数"),
        "ratings_content": ("integer", "输入：满意 + 基本满意条数"),
        "ratings_total": ("integer", "输入：全部评价条数"),
        "simulated": SIMULATED,
    },
    "candidates": {  # /cycle/<year>/candidates.csv (site/cycle/candidates.py CSV_FIELDS)
        "year": ("integer", "计划年度（该年度的候选项目）"),
        "ref": ("string", "候选项目编号（C + 序号）"),
        "title": ("string", "候选项目名称"),
        "category": ("string", "方面"),
        "sources": ("string", "来源：市民建议（P + 序号）和诉求转化（Z + 序号），以空格分隔"),
        "units": ("string", "责任单位，牵头单位在前，以“、”分隔"),
        "targets": ("string", "预计目标：名称、数量、单位，以“；”分隔"),
        "votes_for": ("integer", "人代会票决赞成票数（空：尚未票决）"),
        "votes_against": ("integer", "反对票数"),
        "votes_abstain": ("integer", "弃权票数"),
        "voting": ("integer", "参加表决人数"),
        "chosen": ("boolean", "是否票决入选重点项目（1/0；空：尚未票决）"),
        "simulated": SIMULATED,
    },
    "proposals": {  # /cycle/<year>/proposals.csv (site/cycle/proposals.py CSV_FIELDS)
        "year": ("integer", "计划年度（为该年度计划征集的建议）"),
        "ref": ("string", "建议编号（P + 序号）"),
        "title": ("string", "建议标题（经审核公开的文字）"),
        "description": ("string", "建议内容（经审核公开的文字）"),
        "category": ("string", "方面"),
        "district": ("string", "所涉市（县）区"),
        "edited": ("boolean", "公开前是否经专班删改（1/0）"),
        "submitted_at": ("datetime", "提出时间（UTC）"),
        "supports": ("integer", "附议人数"),
        "total_supports": ("integer", "附议人数，含并入本条的建议的附议"),
        "answer": ("string", "答复代码：adopted、merged、not_adopted；空：尚未答复"),
        "candidate": ("string", "采纳为的候选项目编号（C + 序号）"),
        "merged_into": ("string", "并入的建议编号（P + 序号）"),
        "answer_text": ("string", "答复内容"),
        "answered_at": ("datetime", "答复时间（UTC）"),
        "simulated": SIMULATED,
    },
    "conversions": {  # /cycle/<year>/conversions.csv (site/cycle/candidates.py)
        "year": ("integer", "计划年度（该年度的诉求转化）"),
        "ref": ("string", "诉求转化编号（Z + 序号）"),
        "title": ("string", "问题类别"),
        "problem": ("string", "问题描述"),
        "cases": ("integer", "转化的诉求件数（只含市民同意公开的诉求）"),
        "districts": ("string", "按市（县）区的诉求件数：区名 件数，以“；”分隔"),
        "simulated": SIMULATED,
    },
    "amendments": {  # /plans/<year>/amendments.csv (site/cycle/amendments.py CSV_FIELDS)
        "year": ("integer", "计划年度"),
        "number": ("integer", "修改序号"),
        "kind": (
            "string",
            "修改类型代码：target、project_added、project_merged、project_withdrawn、units",
        ),
        "item": ("integer", "所修改的条目编号"),
        "project": ("string", "所修改的具体项目编号（空：整个条目）"),
        "change": ("object", "修改内容（JSON）"),
        "basis_number": ("string", "依据文件的文号"),
        "basis_date": ("date", "依据文件的日期"),
        "effective": ("date", "生效日期（无锡日期）"),
        "reason": ("string", "修改原因"),
        "recorded_at": ("datetime", "记录时间（UTC）"),
        "simulated": SIMULATED,
        "url": ("string", "公开记录中这次修改的永久链接"),
    },
}

TITLES = {
    "projects": "具体项目与最新进展",
    "cases": "民生诉求（不含个人信息）",
    "satisfaction": "满意度评价结果",
    "evaluation": "年底考评",
    "candidates": "候选项目与人代会票决",
    "proposals": "征集的市民建议（不含提出人信息）",
    "conversions": "诉求转化（问题类别与件数）",
    "amendments": "计划的修改",
}

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}


def field(export: str, name: str) -> Field:
    return FIELDS[export].get(name, ("string", ""))


def undescribed(export: str, header: list[str]) -> list[str]:
    return [name for name in header if name not in FIELDS[export]]


def resource(name: str, export: str, url: str, header: list[str], year: int | None) -> dict:
    """One CSV export as a Frictionless tabular resource (UTF-8 with a byte-order mark)."""
    fields: list[dict[str, Any]] = []
    for column in header:
        kind, description = field(export, column)
        described: dict[str, Any] = {"name": column, "type": kind, "description": description}
        if kind == "boolean":  # Python's True/False, and 1/0 where a flag is counted
            described["trueValues"] = ["True", "1"]
            described["falseValues"] = ["False", "0"]
        fields.append(described)
    title = TITLES[export] + (f"（{year}年）" if year else "")
    return {
        "profile": "tabular-data-resource",
        "name": name,
        "title": title,
        "path": url,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "schema": {"fields": fields},
    }


def descriptor(site: str, resources: list[dict], sources: list[dict]) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": "minsheng-open-data",
        "title": "民生实事公开台开放数据",
        "description": (
            "无锡市民生服务“十百千”行动的公开数据：具体项目与进展、民生诉求（不含个人信息）、"
            "满意度评价、年底考评，以及年度征集的建议、诉求转化、候选项目与人代会票决和计划的修改。"
            "标注 simulated 的行是模拟数据，不是真实情况。"
        ),
        "homepage": site,
        "licenses": [LICENSE],
        "sources": sources,
        "resources": resources,
    }
