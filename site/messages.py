"""Domain problems, worded for the people who filed the form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from domain.cases import CaseError
from domain.progress import ReportProblem
from domain.supervision import SupervisionError

REPORT_PROBLEMS = {
    "not_begun": _l("%(period)s尚未开始，不能填报。"),
    "before_plan": _l("本计划从%(first)s起报告。"),
    "not_a_quantity": _l("请填写不小于0的数字。"),
    "below_earlier": _l(
        "累计数%(amount)s小于%(period)s已报告的%(reported)s。累计数不会减少；如前次报告有误，请先更正%(period)s的报告。"
    ),
    "above_later": _l("累计数%(amount)s大于%(period)s已报告的%(reported)s。"),
    "undone": _l("%(period)s已报告完成，不能改为未完成；如有误，请先更正该月报告。"),
    "done_before_later": _l("%(period)s报告为未完成，更早的月份不能报告为已完成。"),
    "too_long": _l("不能超过%(limit)s字。"),
    "too_many": _l("最多%(limit)s个链接。"),
    "not_a_web_address": _l("请填写以 http:// 或 https:// 开头的网址，每行一个。"),
    "required": _l("请说明更正原因。"),
    "unchanged": _l("更正内容与原报告相同，无需更正。"),
    "superseded": _l("该报告已被更正，请更正最新的版本。"),
    "no_such_report": _l("找不到要更正的报告。"),
    # a breakdown by district (domain.districts)
    "sum_differs": _l("各市(县)区合计为%(sum)s，与累计完成数%(amount)s不一致。"),
    "district_missing": _l("请填写%(district)s的累计数（没有的填0）：分解须填全各市(县)区。"),
    "unknown_district": _l("没有名为%(district)s的市(县)区。"),
    "not_its_district": _l("%(district)s不是本项目的责任单位。"),
    "twice": _l("%(district)s填写了不止一次。"),
    "no_districts": _l("本项目的责任单位中没有市(县)区，不能按市(县)区分解。"),
    "not_divisible": _l("比率类目标不能按市(县)区分解。"),
}


SUPERVISION_PROBLEMS = {
    "unknown_kind": _l("请选择督查类型。"),
    "no_title": _l("请填写标题。"),
    "outside_year": _l("日期须在%(year)s年内。"),
    "in_future": _l("日期不能晚于今天。"),
    "no_projects": _l("每个问题须写明涉及的具体项目编号。"),
    "no_text": _l("请填写说明。"),
    "not_rectifier": _l("只有整改责任单位可以报告整改情况。"),
    "closed": _l("该问题已销号。"),  # a finding's problem: not a case state
    "not_rectified": _l("整改情况报告后才能确认整改到位。"),
    "open": _l("该问题本来就未销号。"),
    "one_item": _l("一个问题涉及的具体项目须属于同一条目（如 9.1 或 11.1,11.2）。"),
    "unknown_projects": _l("没有编号为%(refs)s的具体项目。"),
}


def supervision_problem(error: SupervisionError) -> str:
    template = SUPERVISION_PROBLEMS.get(error.code)
    return str(template) % dict(error.params) if template else str(error)


def report_problem(problem: ReportProblem) -> str:
    template = REPORT_PROBLEMS.get(problem.code)
    if template is None:  # shape problems: the form and the item disagree
        return _("报告格式与本条目不符，请刷新页面后重试。")
    return str(template) % dict(problem.params)


CASE_PROBLEMS = {
    "transition": _l("当前阶段不能进行这一步。"),
    "reason": _l("请说明理由。"),
    "route": _l("请选择办理方式。"),
    "lead_unit": _l("请填写主办单位。"),
    "co_units": _l("主办单位不能同时是协办单位。"),
    "working_days": _l("时限为1至60个工作日。"),
    "track": _l("该诉求已列为重点督办，或督办类型有误。"),
    "unit": _l("只有主办单位可以答复。"),
    "text": _l("请填写内容。"),
    "evaluation": _l("市民评价为满意或基本满意后才能销号。"),
    "state": _l("该诉求已办结或已关闭。"),
    "deadline": _l("限时督办只能缩短办理时限，且只适用于办理中的诉求。"),
    "into": _l("请填写另一件已受理诉求的编号。"),
    "project": _l("该项目已关联。"),
    "unknown_projects": _l("没有编号为%(refs)s的具体项目。"),
    "consent": _l("当事人未同意公开，不能发布内容。"),
    "not_found": _l("找不到该诉求。"),
    "level": _l("请选择评价。"),
    "answer": _l("请选择一项。"),
    "answered": _l("您已经回答过了，谢谢。"),
    "received_on": _l("收到日期须在2000年1月1日至今天之间。"),
    "unstorable": _l("文字中含有无法保存的控制字符，已拒绝。请删除后重试。"),
    # published staff text stays public for good (log, feeds, exports): no personal data in it
    "personal": _l("这段文字将公开发布，不能包含当事人的姓名或联系电话。请删去后再提交。"),
    "mobile": _l("这段文字将公开发布，不能包含手机号码。请删去号码后再提交。"),
    "photo_limit": _l("照片数量超过上限：每件诉求最多%(limit)s张，每次答复最多%(limit)s张。"),
    "photos": _l("这些照片已经添加过，或无法识别。"),
    "photo": _l("该诉求没有这张照片。"),
    "moderated": _l("这张照片已经审核过。"),
    "source": _l("请选择照片拍摄于办理前还是办理后。"),
}


def case_problem(error: CaseError) -> str:
    template = CASE_PROBLEMS.get(error.code)
    return str(template) % dict(error.params) if template else _("操作未能完成。")
