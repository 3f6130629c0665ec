"""Public log entries in words: a title and a summary, for event pages and feeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from domain.cases import ROUTES, TRACKS
from minsheng_site.labels import EVENT_KINDS, label
from minsheng_site.services import services
from projections.plans import queries as q

# What a project's reported amounts are amounts of: its targets (label, amount, unit,
# at_least) and its milestones, by project ref. Anything with those attributes will do.
Targets = Mapping[str, Any]


def describe(kind: str, p: dict[str, Any], targets: Targets | None = None) -> tuple[str, str]:
    """(title, summary) of an entry, in the reader's language where the interface has words.
    With `targets` (the plan's projects by ref), a report's amounts carry their labels and
    units: 累计完成 自然村生活污水治理新改建工程 279个（目标300个）."""
    k = kind
    if k == "plan.registered":
        return _("登记%(doc)s《%(title)s》", doc=p["document"], title=p["title"]), _(
            "计划登记，成文日期%(d)s。", d=p["date"]
        )
    if k == "item.registered":
        return _("登记第%(n)s项", n=p["number"]), p["text"]
    if k == "key_project.registered":
        return _("登记重点民生实事项目：%(name)s", name=p["name"]), p["text"]
    if k in ("report.filed", "report.corrected"):
        title = _("第%(n)s项%(period)s月度报告", n=p["item"], period=p["period"])
        if k == "report.corrected":
            title = _("更正：%(title)s", title=title)
        amounts = "；".join(_amounts(v, (targets or {}).get(v["ref"])) for v in p["values"])
        summary = _("%(unit)s报告累计完成数 %(amounts)s。", unit=p["unit"], amounts=amounts)
        if p.get("districts"):  # only reports that break their amounts down carry it
            parts = "、".join(
                f"{d['ref']} {d['district']} {d['amount']}{_unit(targets, d)}"
                for d in p["districts"]
            )
            summary += _("按市(县)区：%(parts)s。", parts=parts)
        if p.get("reason"):
            summary += _("更正原因：%(reason)s", reason=p["reason"])
        return title, summary + (" " + p["narrative"] if p.get("narrative") else "")
    if k == "report.photos":
        title = _("第%(n)s项月度报告的照片", n=p["item"])
        return title, _("%(unit)s上传照片%(n)s张。", unit=p["unit"], n=len(p["photos"]))
    if k == "supervision.recorded":
        return _("督查：%(title)s", title=p["title"]), _(
            "%(body)s，%(day)s。", body=p["body"], day=p["held_on"]
        ) + p.get("summary", "")
    if k.startswith("finding."):
        step = label(k, "event_kind")
        return f"{step}（{'、'.join(p['projects'])}）", f"{p['text']}（{p['unit']}）"
    if k.startswith("case."):
        return _case(k, p)
    if k.startswith("rating."):
        return _rating(k, p)
    if k == "award.nominated":
        return _("%(award)s提名：%(c)s", award=p["name"], c=p["candidate"]), p["note"]
    if k == "award.selected":
        return _("%(award)s评选：%(c)s获奖", award=p["name"], c=p["candidate"]), p["note"]
    if k == "award.withdrawn":
        if p["decision"] == "selection":
            title = _("%(award)s：撤回%(c)s的获奖评选", award=p["name"], c=p["candidate"])
        else:
            title = _("%(award)s：撤回对%(c)s的提名", award=p["name"], c=p["candidate"])
        return title, _("撤回原因：%(r)s", r=p["reason"])
    if k == "plan.amended":
        return amendment_words(p)
    if k.startswith("cycle."):
        return _cycle(k, p)
    if k.startswith(("proposal.", "solicitation.")):
        return _proposal(k, p)
    if k == "log.checkpoint":
        summary = _("截至当日共%(n)s条记录，链头哈希%(h)s。", n=p["entries"], h=p["head"])
        if "store_head" in p:
            summary += _(
                "全部存储记录链共%(n)s条，链头哈希%(h)s。", n=p["store_events"], h=p["store_head"]
            )
        return _("公开记录检查点：%(day)s", day=p["day"]), summary
    return k, ""


def _cycle(k: str, p: dict[str, Any]) -> tuple[str, str]:
    """A conversion, a candidate, the congress vote and its correction, in words."""
    if k == "cycle.converted":
        districts = "、".join(f"{d} {n}" for d, n in p["districts"].items())
        title = _("转化%(ref)s：%(title)s", ref=p["ref"], title=p["title"])
        summary = _(
            "%(problem)s 共%(n)s件诉求（按市(县)区：%(districts)s）。",
            problem=p["problem"],
            n=len(p["cases"]),
            districts=districts,
        )
        return title, summary
    if k == "cycle.candidate_corrected":
        title = _("更正：候选项目%(ref)s：%(title)s", ref=p["ref"], title=p["title"])
        summary = _("责任单位：%(units)s。", units="、".join(p["units"]))
        reason = _("更正原因：%(reason)s", reason=p["reason"])
        return title, summary + " " + p["description"] + " " + reason
    if k == "cycle.listed":
        title = _("候选项目%(ref)s：%(title)s", ref=p["ref"], title=p["title"])
        summary = _(
            "来源：%(sources)s；责任单位：%(units)s。",
            sources="、".join(p["sources"]),
            units="、".join(p["units"]),
        )
        return title, summary + " " + p["description"]
    chosen = "、".join(p["chosen"])
    figures = "；".join(
        _(
            "%(c)s 赞成%(f)s 反对%(a)s 弃权%(b)s",
            c=r["candidate"],
            f=r["for"],
            a=r["against"],
            b=r["abstain"],
        )
        for r in p["results"]
    )
    summary = _(
        "%(session)s（%(doc)s，%(day)s），参加表决%(n)s人，票决产生%(k)s个重点项目：%(chosen)s。",
        session=p["session"],
        doc=p["document_number"],
        day=p["held_on"],
        n=p["voting"],
        k=p["declared"],
        chosen=chosen,
    )
    if k == "cycle.vote_corrected":
        title = _("更正：人代会票决结果")
        return title, summary + figures + "。" + _("更正原因：%(reason)s", reason=p["reason"])
    return _("人代会票决结果"), summary + figures + "。"


def _amounts(values: dict[str, Any], project: Any) -> str:
    """One project's reported amounts: bare numbers without the plan, labelled with it."""
    ref, amounts = values["ref"], values.get("amounts", [])
    if project is None:
        return f"{ref}：{'、'.join(amounts) or '—'}"
    parts = [
        _target_amount(t, amounts[i] if i < len(amounts) else None)
        for i, t in enumerate(project.targets)
    ]
    done = sum(1 for m in values.get("milestones", []) if m)
    if project.milestones:
        parts.append(_("完成节点%(done)s/%(all)s个", done=done, all=len(project.milestones)))
    return f"{ref} {'，'.join(parts) or '—'}"


def _unit(targets: Targets | None, part: dict[str, Any]) -> str:
    """The unit of a district's share of a target ("" without the plan)."""
    project = (targets or {}).get(part["ref"])
    index = part.get("target", 0)
    if project is None or not isinstance(index, int) or index >= len(project.targets):
        return ""
    return str(project.targets[index].unit)


def _target_amount(target: Any, amount: str | None) -> str:
    goal = f"{target.amount}{target.unit}"
    if target.at_least:
        goal = _("%(goal)s以上", goal=goal)
    return _(
        "%(label)s：%(amount)s（目标%(goal)s）",
        label=target.label,
        amount=f"{amount}{target.unit}" if amount is not None else "—",
        goal=goal,
    )


def amendment_words(amendment: Any) -> tuple[str, str]:
    """(title, summary) of an amendment of a plan: a public-log payload or a row of
    projections.plans.amendments (`change_kind` or `kind`), old → new, basis and reason."""
    p = amendment if isinstance(amendment, Mapping) else vars(amendment)
    kind = p.get("change_kind") or p["kind"]
    change, ref, item = p["change"], p["project"], p["item"]
    number = p["number"]
    if kind == "target":
        title = _("修改%(n)s：具体项目%(ref)s目标调整", n=number, ref=ref)
        what = _(
            "%(label)s：%(old)s%(unit)s → %(new)s%(unit)s",
            label=change["label"],
            old=change["old"],
            new=change["new"],
            unit=change["unit"],
        )
    elif kind == "project_added":
        title = _("修改%(n)s：第%(item)s项新增具体项目%(ref)s", n=number, item=item, ref=ref)
        added = change["project"]
        targets = "、".join(f"{t['label']}{t['amount']}{t['unit']}" for t in added["targets"])
        what = added["title"] + (f"（{targets}）" if targets else "")
    elif kind == "project_merged":
        title = _("修改%(n)s：具体项目%(ref)s并入%(into)s", n=number, ref=ref, into=change["into"])
        what = _(
            "%(title)s并入具体项目%(into)s，不再单独计算完成情况",
            title=change["title"],
            into=change["into"],
        )
    elif kind == "project_withdrawn":
        title = _("修改%(n)s：撤销具体项目%(ref)s", n=number, ref=ref)
        what = _("%(title)s撤销，自生效之日起不计入完成情况", title=change["title"])
    else:
        title = _("修改%(n)s：第%(item)s项责任单位调整", n=number, item=item)
        what = "、".join(change["old"]) + " → " + "、".join(change["new"])
    summary = _(
        "%(what)s。依据%(basis)s（%(date)s），%(effective)s起生效。理由：%(reason)s",
        what=what,
        basis=p["basis_number"],
        date=str(p["basis_date"]),
        effective=str(p["effective"]),
        reason=p["reason"],
    )
    return title, summary


def plan_targets(projects: Sequence[Any]) -> dict[str, Any]:
    """`targets` for describe(): the plan's projects by ref."""
    return {p.ref: p for p in projects}


def entry_words(c: Any, row: Any) -> tuple[str, str]:
    """describe() of a public-log row, a report's amounts labelled from its plan's targets."""
    targets = None
    year = row.year
    if row.kind.startswith("report.") and year:
        targets = services().once(("plan-targets", year), lambda: plan_targets(q.projects(c, year)))
    return describe(row.kind, row.payload, targets)


def _proposal(k: str, p: dict[str, Any]) -> tuple[str, str]:
    """Proposals for next year's plan: who proposed or supported never reaches the log."""
    if k == "solicitation.opened":
        return _("开始征集民生实事项目建议"), _("截止日期%(d)s。", d=p["last_day"])
    if k == "solicitation.closed":
        return _("结束征集民生实事项目建议"), ""
    ref = p.get("proposal", "")
    if k == "proposal.submitted":
        return _("收到项目建议%(ref)s", ref=ref), f"{p['category']} · {p['district']}"
    if k == "proposal.approved":
        return _("项目建议%(ref)s公开：%(t)s", ref=ref, t=p["title"]), p["description"]
    if k == "proposal.rejected":
        why = label(p.get("category"), "proposal_rejection")
        return _("项目建议%(ref)s未予公开（%(why)s）", ref=ref, why=why), ""
    if k == "proposal.supported":
        return _("项目建议%(ref)s获得一条附议", ref=ref), _("每人对同一建议只能附议一次。")
    if k == "proposal.adopted":
        title = _("项目建议%(ref)s采纳为候选项目%(c)s", ref=ref, c=p["candidate"])
        return title, p.get("note", "")
    if k == "proposal.merged":
        return _("项目建议%(ref)s合并到%(into)s", ref=ref, into=p["into"]), p["reason"]
    if k == "proposal.not_adopted":
        return _("项目建议%(ref)s未予采纳", ref=ref), _("理由：%(r)s", r=p["reason"])
    return label(k, "event_kind"), ""


def _rating(k: str, p: dict[str, Any]) -> tuple[str, str]:
    """Who rated and what they wrote never reach the log: only the level and the subject."""
    link = subject_link(p["subject"])
    about = link[0] if link else p["subject"]
    level = label(p.get("level"), "level")
    if k == "rating.cast":
        title = _("%(s)s收到满意度评价：%(l)s", s=about, l=level)
    elif k == "rating.replaced":
        title = _("%(s)s的一条评价被评价人本季度的新评价替换：%(l)s", s=about, l=level)
    elif k == "rating.comment_published":
        title = _("%(s)s的一条评价意见审核后公开", s=about)
    else:
        why = label(p.get("category"), "rejection")
        title = _("%(s)s的一条评价意见未予公开（%(why)s）", s=about, why=why)
    return title, _("%(q)s；每人每季度对同一对象只计一次评价。", q=p["quarter"])


def _case(k: str, p: dict[str, Any]) -> tuple[str, str]:
    number = p.get("number", "")
    stage = label(p.get("stage"), "case_state")
    title = _CASE_TITLES.get(k)
    heading = title(number) if title else _fallback_title(k, number)
    facts = [f"{p.get('category', '')} · {p.get('district', '')}"] if "category" in p else []
    if stage:
        facts.append(stage)
    if p.get("lead_unit"):
        facts.append(
            _(
                "主办：%(u)s，限%(d)s前办结（%(r)s）",
                u=p["lead_unit"],
                d=p["deadline"],
                r=ROUTES.get(p["route"], ""),
            )
        )
    if p.get("track"):
        facts.append(TRACKS.get(p["track"], ""))
    if p.get("level"):
        facts.append(label(p["level"], "level"))
    if p.get("photos"):
        whose = label(p.get("source"), "photo_source")
        facts.append(_("照片%(n)s张（%(whose)s）", n=p["photos"], whose=whose))
    if p.get("photo_rejection"):
        facts.append(label(p["photo_rejection"], "photo_rejection"))
    for key in ("reason", "text", "note"):
        if p.get(key):
            facts.append(str(p[key]))
    if p.get("into"):
        facts.append(_("并入%(n)s", n=p["into"]))
    if p.get("cases"):
        facts.append("、".join(p["cases"]))
    return heading, "；".join(f for f in facts if f)


# Looked up per entry (a feed has 50): translating all thirteen each time cost 25 ms a feed.
_CASE_TITLES: dict[str, Any] = {
    "case.submitted": lambda n: _("收到诉求%(n)s", n=n),
    "case.accepted": lambda n: _("受理诉求%(n)s", n=n),
    "case.declined": lambda n: _("不予受理诉求%(n)s", n=n),
    "case.assigned": lambda n: _("交办诉求%(n)s", n=n),
    "case.key_supervised": lambda n: _("诉求%(n)s列为市级重点督办", n=n),
    "case.replied": lambda n: _("答复诉求%(n)s", n=n),
    "case.evaluated": lambda n: _("诉求%(n)s获得市民评价", n=n),
    "case.supervised": lambda n: _("督办诉求%(n)s", n=n),
    "case.merged": lambda n: _("诉求%(n)s并单", n=n),
    "case.closed": lambda n: _("诉求%(n)s销号", n=n),
    "case.linked": lambda n: _("诉求%(n)s转化为民生实事项目", n=n),
    "case.redacted": lambda n: _("诉求%(n)s公开内容处理", n=n),
    "case.erased": lambda _n: str(EVENT_KINDS["case.erased"]),
    "case.note_added": lambda n: _("诉求%(n)s：市民补充材料", n=n),
    "case.withdrawn": lambda n: _("诉求%(n)s已由市民撤回", n=n),
    "case.photos_added": lambda n: _("诉求%(n)s添加照片", n=n),
    "case.photo_approved": lambda n: _("诉求%(n)s的一张照片审核后公开", n=n),
    "case.photo_rejected": lambda n: _("诉求%(n)s的一张照片未予公开", n=n),
}


def _fallback_title(kind: str, number: str) -> str:
    """A step without a sentence of its own is still named: by its one label."""
    return _("%(step)s：诉求%(n)s", step=label(kind, "event_kind"), n=number)


def subject_link(subject: str) -> tuple[str, str] | None:
    """The page a subject is about: (label, url)."""
    kind, _sep, rest = subject.partition(":")
    try:
        if kind == "plan":
            return _("%(y)s年计划", y=rest), url_for("plans.pages.overview", year=int(rest))
        year, _s, key = rest.partition(":")
        if kind == "item":
            return _("第%(n)s项", n=key), url_for(
                "plans.pages.item", year=int(year), number=int(key)
            )
        if kind == "project":
            return _("具体项目%(ref)s", ref=key), url_for(
                "plans.pages.project", year=int(year), ref=key
            )
        if kind == "category":
            return _("第%(n)s方面", n=key), url_for(
                "plans.pages.category", year=int(year), number=int(key)
            )
        if kind == "key":
            return _("重点项目%(n)s", n=key), url_for(
                "plans.pages.key_project", year=int(year), number=int(key)
            )
        if kind == "unit":
            return key, url_for("plans.pages.unit", year=int(year), name=key)
        if kind == "amendments":
            return _("%(y)s年计划的修改", y=rest), url_for("cycle.amendments.index", year=int(rest))
        if kind == "case":
            return _("诉求%(n)s", n=rest), url_for("cases.pages.case", number=rest)
        if kind == "candidates":
            return _("%(y)s年候选项目", y=rest), url_for("cycle.candidates.index", year=int(rest))
        if kind == "candidate":
            return _("候选项目C%(n)s", n=key), url_for(
                "cycle.candidates.candidate", year=int(year), number=int(key)
            )
        if kind == "conversion":
            return _("转化Z%(n)s", n=key), url_for(
                "cycle.candidates.conversion", year=int(year), number=int(key)
            )
        if kind in ("cycle", "proposals"):
            return _("%(y)s年民生实事项目征集", y=rest), url_for(
                "cycle.proposals.overview", year=int(rest)
            )
        if kind == "proposal" and key[:1] == "P" and key[1:].isdigit():
            return _("项目建议%(ref)s", ref=key), url_for(
                "cycle.proposals.proposal", year=int(year), number=int(key[1:])
            )
    except ValueError:
        return None
    return None
