"""The site's one vocabulary: the words for every code the domain and the public log use.

Each state, step, level, reason, status, role and public event kind has exactly one
label here, keyed by the domain's own constants and translated when shown (lazy
gettext, msgids in Simplified Chinese). Pages, feeds, event pages and staff screens
read them from here: templates through the `label` filter
(`{{ case.state|label("case_state") }}`), Python through `label()` or the dicts.
tests/unit/test_labels.py fails when a code has no label or a label no translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from domain import access, cases, proposals, supervision
from domain.schedule import Status, Timeliness

Labels = dict[str, LazyString]

CASE_STATES: Labels = {
    cases.SUBMITTED: _l("待受理"),
    cases.ACCEPTED: _l("已受理"),
    cases.HANDLING: _l("办理中"),
    cases.REPLIED: _l("已答复"),
    cases.REHANDLING: _l("发回重办"),
    cases.CLOSED: _l("已销号"),
    cases.DECLINED: _l("不予受理"),
    cases.MERGED: _l("已并单"),
    cases.WITHDRAWN: _l("已撤回"),
}

# One per Case event, keyed by its step (domain.cases): the case_steps read model's step
# names and the log's case.<step>.
CASE_STEPS: Labels = {
    cases.Case.Submitted.step: _l("收到诉求"),
    cases.Case.Accepted.step: _l("受理"),
    cases.Case.Declined.step: _l("不予受理"),
    cases.Case.Assigned.step: _l("交办"),
    cases.Case.KeySupervised.step: _l("列为市级重点督办"),
    cases.Case.Replied.step: _l("答复"),
    cases.Case.Evaluated.step: _l("市民评价"),
    cases.Case.SupervisionNoted.step: _l("督办"),
    cases.Case.Merged.step: _l("并单"),
    cases.Case.Closed.step: _l("销号"),
    cases.Case.LinkedToProject.step: _l("转化为民生实事项目"),
    cases.Case.ContentRedacted.step: _l("内容处理"),
    cases.Case.FixChecked.step: _l("回访：问题是否解决"),
    cases.Case.NoteAdded.step: _l("市民补充"),
    cases.Case.Withdrawn.step: _l("市民撤回"),
    cases.Case.PhotosAttached.step: _l("添加照片"),
    cases.Case.PhotoApproved.step: _l("照片审核后公开"),
    cases.Case.PhotoRejected.step: _l("照片未予公开"),
}

# Whose photos (domain.cases.PHOTO_SOURCES): the citizen's, or the lead unit's before or after.
PHOTO_SOURCES: Labels = {
    "citizen": _l("市民拍摄"),
    "before": _l("办理前"),
    "after": _l("办理后"),
}

# Why a citizen's photo is not published (domain.cases.PHOTO_REJECTIONS).
PHOTO_REJECTIONS: Labels = {
    "faces": _l("含有可辨认的人脸"),
    "plates": _l("含有车牌号"),
    "personal": _l("含有其他个人信息"),
    "off_topic": _l("与诉求无关"),
    "unclear": _l("无法辨认"),
}

# What staff may do to a case (the keys of case_staff.ACTIONS), as its forms are headed.
CASE_ACTIONS: Labels = {
    "accept": _l("受理"),
    "decline": _l("不予受理"),
    "assign": _l("交办"),
    "track": _l("列为市级重点督办"),
    "reply": _l("答复"),
    "note": _l("督办"),
    "merge": _l("并单"),
    "close": _l("销号"),
    "link": _l("转化为民生实事项目"),
    "redact": _l("处理公开内容"),
}

# A citizen's evaluation of a case and a satisfaction rating share their levels.
LEVELS: Labels = {
    "satisfied": _l("满意"),
    "basically": _l("基本满意"),
    "unsatisfied": _l("不满意"),
}

# Why a comment was not published (domain.ratings.REJECTIONS): shown as counts, never text.
REJECTIONS: Labels = {
    "personal": _l("含有个人信息"),
    "abusive": _l("辱骂、攻击他人"),
    "off_topic": _l("与本项目无关"),
    "advertising": _l("广告或垃圾信息"),
    "illegal": _l("违法或不实信息"),
}

# Why a proposal was not published (domain.proposals.REJECTIONS): shown as counts, never text.
PROPOSAL_REJECTIONS: Labels = {
    "personal": _l("含有个人信息"),
    "abusive": _l("辱骂、攻击他人"),
    "off_topic": _l("不属于民生实事项目"),
    "advertising": _l("广告或垃圾信息"),
    "illegal": _l("违法或不实信息"),
}

# The task force's answer to a published proposal (domain.proposals.ANSWERS), and "none yet".
PROPOSAL_ANSWERS: Labels = {
    proposals.ADOPTED: _l("采纳为候选项目"),
    proposals.MERGED: _l("已合并"),
    proposals.NOT_ADOPTED: _l("未予采纳"),
    "none": _l("待答复"),
}

FINDING_STATES: Labels = {
    supervision.OPEN: _l("待整改"),
    supervision.RECTIFYING: _l("整改中"),
    supervision.CLOSED: _l("已销号"),
}

# One per Finding event: the step names of the supervision_finding_steps read model.
FINDING_STEPS: Labels = {
    "raised": _l("督查发现问题"),
    "rectification": _l("整改情况"),
    "closed": _l("问题整改到位，销号"),  # a finding step: not a case state
    "reopened": _l("问题重新打开"),
}

# What staff may do to a finding (the actions of the staff.finding_step route).
FINDING_ACTIONS: Labels = {
    "rectify": _l("报告整改情况"),
    "close": _l("确认整改到位"),
    "reopen": _l("重新打开问题"),
}

PROJECT_STATUSES: Labels = {
    Status.NOT_STARTED.value: _l("尚未开始"),
    Status.ON_TRACK.value: _l("按进度推进"),
    Status.BEHIND.value: _l("进度滞后"),
    Status.DONE.value: _l("已完成"),
    Status.OVERDUE.value: _l("逾期未完成"),
}

# A milestone of a project, as its lead unit reported it (done or not).
MILESTONES: dict[bool, LazyString] = {True: _l("已完成"), False: _l("未完成")}

# A month's report as the schedule judges it (a late one says how late beside this label).
TIMELINESS: Labels = {
    Timeliness.ON_TIME.value: _l("按时"),
    Timeliness.LATE.value: _l("迟报"),
    Timeliness.MISSING.value: _l("未报"),
    Timeliness.NOT_DUE.value: _l("未到期"),
}

ROLES: Labels = {
    "admin": _l("管理"),
    "reporter": _l("填报"),
    "supervisor": _l("督查"),
}

# On what grounds staff opened a citizen's personal data (the access log).
ACCESS_BASES: Labels = {
    access.TASK_FORCE: _l("诉求专班"),
    access.LEAD_UNIT: _l("主办单位"),
    access.CO_UNIT: _l("协办单位"),
}

# Every kind of public log entry (projections/public_entries.py), as its event page names it.
EVENT_KINDS: Labels = {
    "plan.registered": _l("登记计划"),
    "item.registered": _l("登记条目"),
    "key_project.registered": _l("登记重点民生实事项目"),
    "report.filed": _l("月度报告"),
    "report.corrected": _l("报告更正"),
    "report.photos": _l("月度报告的照片"),
    "supervision.recorded": _l("督查"),
    "finding.raised": FINDING_STEPS["raised"],
    "finding.rectified": FINDING_STEPS["rectification"],
    "finding.closed": FINDING_STEPS["closed"],  # not a case state
    "finding.reopened": FINDING_STEPS["reopened"],
    **{f"case.{step}": words for step, words in CASE_STEPS.items()},
    "case.erased": _l("按当事人要求删除个人信息"),
    "rating.cast": _l("收到满意度评价"),
    "rating.replaced": _l("满意度评价被替换"),
    "rating.comment_published": _l("评价意见审核后公开"),
    "rating.comment_rejected": _l("评价意见未予公开"),
    "award.nominated": _l("评奖提名"),
    "award.selected": _l("评奖结果"),
    "award.withdrawn": _l("撤回评奖决定"),
    "plan.amended": _l("计划修改"),
    "cycle.converted": _l("诉求转化为候选项目来源"),
    "cycle.listed": _l("列入候选项目"),
    "cycle.candidate_corrected": _l("候选项目更正"),
    "cycle.voted": _l("人代会票决结果"),
    "cycle.vote_corrected": _l("票决结果更正"),
    "solicitation.opened": _l("开始征集民生实事项目建议"),
    "solicitation.closed": _l("结束征集民生实事项目建议"),
    "proposal.submitted": _l("收到项目建议"),
    "proposal.approved": _l("项目建议审核后公开"),
    "proposal.rejected": _l("项目建议未予公开"),
    "proposal.supported": _l("项目建议获得附议"),
    "proposal.adopted": _l("项目建议采纳为候选项目"),
    "proposal.merged": _l("项目建议合并"),
    "proposal.not_adopted": _l("项目建议未予采纳"),
    "log.checkpoint": _l("公开记录每日检查点"),
}

# The kinds of amendment of a plan (domain.plan_amendments.KINDS).
AMENDMENT_KINDS: Labels = {
    "target": _l("目标调整"),
    "project_added": _l("新增具体项目"),
    "project_merged": _l("具体项目合并"),
    "project_withdrawn": _l("撤销具体项目"),
    "units": _l("责任单位调整"),
}

# The entries of a progress timeline (projections/timeline.py): reports, visits, findings.
TIMELINE_ENTRIES: Labels = {
    "report": EVENT_KINDS["report.filed"],
    "correction": EVENT_KINDS["report.corrected"],
    "visit": EVENT_KINDS["supervision.recorded"],
    **FINDING_STEPS,
}

# The kinds of supervision record (domain.supervision.KINDS), the People's Congress "四个一"
# in the document's own words, and the government inspection office's.
SUPERVISION_KINDS: Labels = {
    "monthly_contact": _l("一月一联系"),
    "quarterly_inspection": _l("一季一督查"),
    "half_year_report": _l("半年一报告+询问"),
    "annual_review": _l("全年一评议"),
    "inspection": _l("督查室督查"),
}

# What site search finds (projections.search.index.KINDS), each group's heading.
SEARCH_KINDS: Labels = {
    "project": _l("具体项目"),
    "item": _l("项目条目"),
    "key_project": _l("重点民生实事项目"),
    "unit": _l("责任单位"),
    "category": _l("方面"),
    "case": _l("民生诉求"),
    "finding": _l("督查发现的问题"),
    "visit": _l("督查记录"),
    "report": _l("进展报告"),
    "proposal": _l("项目建议"),
    "candidate": _l("候选项目"),
    "conversion": _l("诉求转化"),
    "amendment": _l("计划修改"),
}

# The citizen's answer to "is it fixed?" (domain.cases.FIX_ANSWERS), in 12345's words.
FIX_ANSWERS: Labels = {"yes": _l("问题已解决"), "no": _l("问题未解决"), "unsure": _l("不确定")}

VOCABULARIES: dict[str, Mapping[Any, LazyString]] = {
    "fix_answer": FIX_ANSWERS,
    "case_state": CASE_STATES,
    "case_step": CASE_STEPS,
    "case_action": CASE_ACTIONS,
    "photo_source": PHOTO_SOURCES,
    "photo_rejection": PHOTO_REJECTIONS,
    "level": LEVELS,
    "rejection": REJECTIONS,
    "proposal_rejection": PROPOSAL_REJECTIONS,
    "proposal_answer": PROPOSAL_ANSWERS,
    "finding_state": FINDING_STATES,
    "finding_step": FINDING_STEPS,
    "finding_action": FINDING_ACTIONS,
    "project_status": PROJECT_STATUSES,
    "milestone": MILESTONES,
    "timeliness": TIMELINESS,
    "role": ROLES,
    "access_basis": ACCESS_BASES,
    "event_kind": EVENT_KINDS,
    "timeline_entry": TIMELINE_ENTRIES,
    "search_kind": SEARCH_KINDS,
    "supervision_kind": SUPERVISION_KINDS,
    "amendment_kind": AMENDMENT_KINDS,
}


def label(code: Any, vocabulary: str) -> str:
    """The words for `code` in the reader's language; "" for no code, the code itself if unknown.

    An unknown code shows as itself rather than failing the page: a newer event than
    this vocabulary knows is still readable (the label tests keep that from shipping).
    """
    if isinstance(code, Enum):
        code = code.value
    if code is None or code == "":
        return ""
    words = VOCABULARIES[vocabulary].get(code)
    return str(code) if words is None else str(words)


def translated(vocabulary: str) -> dict[Any, str]:
    """A whole vocabulary in the reader's language (for forms' choices and page data)."""
    return {code: str(words) for code, words in VOCABULARIES[vocabulary].items()}
