"""The simulated cycle's candidates, through the real commands, labelled as simulated.

After the simulated cases of the year before (application/simulated_cases.py), the
simulated task force converts the classes of problem that came up most (the cases whose
words are public, grouped by their public title: 楼道漏水, 路灯不亮...) into conversions,
lists about 16 candidates from the given proposals and those conversions, and records the
People's Congress vote of January choosing 10. Everything it writes is simulated (actors
"sim:..."), recorded at times of the simulated year (the ledger's clock is set per step).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from application.ledger import Ledger
from application.sim_schedule import SimSchedule
from domain.candidates import Result, VoteSpec, checked_target
from domain.cases import DECLINED, MERGED, WITHDRAWN, Case, CaseError

SEED = 20240112
STAFF = "sim:sim.gov"  # the simulated task force (as the simulated cases')
DELEGATES = 548  # delegates voting (made up)

# The simulated list, in its order (C1, C2...): title, category, an estimated target, the lead
# unit, the class of problem among the simulated cases it converts (their public title; None:
# from a citizen's proposal alone), and whether the simulated vote chooses it as a key
# project. C1-C15 are the candidates plans/2024/plan.yaml (the labelled simulated 2024 plan)
# names; the ten chosen are its ten key projects. C16 is listed but left out of the plan.
Spec = tuple[str, str, tuple[str, str, str], str, str | None, bool]
LIST: tuple[Spec, ...] = (
    (
        "美丽幸福河湖建设",
        "生态环境",
        ("美丽幸福河湖", "200", "条"),
        "市水利局",
        "河道有异味",
        False,
    ),
    ("城市黑臭水体整治", "生态环境", ("城市黑臭水体整治", "10", "条"), "市生态环境局", None, False),
    (
        "老旧小区改造",
        "宜居住区",
        ("老旧小区改造", "400", "万平方米"),
        "市住房城乡建设局",
        None,
        True,
    ),
    (
        "老旧住宅渗漏维修",
        "宜居住区",
        ("老旧住宅楼道及屋面渗漏维修", "1000", "幢"),
        "市住房城乡建设局",
        "老旧小区楼道漏水",
        True,
    ),
    (
        "既有住宅加装电梯",
        "宜居住区",
        ("既有住宅加装电梯", "300", "台"),
        "市住房城乡建设局",
        "加装电梯进展缓慢",
        True,
    ),
    (
        "背街小巷路灯补亮",
        "城乡面貌",
        ("背街小巷及老旧小区路灯", "5000", "盏"),
        "市城管局",
        "小区门口路灯不亮",
        True,
    ),
    (
        "公园健身器材更新",
        "城乡面貌",
        ("公园健身器材", "1000", "件"),
        "市市政园林局",
        "公园健身器材损坏",
        False,
    ),
    (
        "路口行人过街信号配时优化",
        "城市安全",
        ("路口行人过街信号配时优化", "50", "个"),
        "市公安局",
        "路口红绿灯时间过短",
        False,
    ),
    ("公共场所AED配置", "城市安全", ("AED", "50", "台"), "市红十字会", None, True),
    (
        "公交候车亭建设",
        "交通出行",
        ("公交候车亭", "300", "个"),
        "市交通运输局",
        "公交站台缺少遮雨棚",
        True,
    ),
    (
        "学校周边护学通道和接送点",
        "科技教育",
        ("学校周边护学通道和家长接送点", "30", "个"),
        "市教育局",
        "学校门口接送拥堵",
        True,
    ),
    (
        "社区(村)助餐点",
        "卫生养老",
        ("社区(村)助餐点", "100", "个"),
        "市民政局",
        "希望增设社区助餐点",
        True,
    ),
    (
        "社区卫生服务中心夜间门诊",
        "卫生养老",
        ("开设夜间门诊的社区卫生服务中心", "30", "家"),
        "市卫生健康委",
        "社区卫生服务中心挂号难",
        True,
    ),
    (
        "新能源汽车公共充电桩",
        "智慧城市",
        ("新能源汽车公共充电桩", "3000", "个"),
        "市工业和信息化局",
        None,
        True,
    ),
    (
        "诉求办理一体化平台",
        "智慧城市",
        ("12345热线与“市长在线”诉求办理一体化平台", "1", "个"),
        "市大数据管理局",
        None,
        False,
    ),
    ("人行道通行秩序整治", "城乡面貌", ("整治路段", "80", "条"), "市城管局", "人行道被占用", False),
)
MIN_CASES = 2  # a class with fewer cases is not converted (the candidate rests on proposals)


@dataclass(frozen=True)
class CandidateSummary:
    conversions: list[str]  # "Z1"...
    candidates: list[str]  # "C1"...
    chosen: list[str]
    refused: list[str]  # codes of the steps the rules refused (none, normally)


def classes_of_cases(ledger: Ledger, case_year: int) -> dict[str, list[str]]:
    """The case numbers of `case_year` whose words are public (consent), by their public title,
    in the order they were received; declined, merged and withdrawn ones left out."""
    found: dict[str, list[str]] = defaultdict(list)
    start = 1
    while True:
        notifications = ledger.recorder.select_notifications(
            start, 500, topics=[_topic(Case.Submitted)]
        )
        if not notifications:
            break
        for n in notifications:
            event = ledger.mapper.to_domain_event(n)
            if event.year != case_year or not event.consent:  # type: ignore[attr-defined]
                continue
            case_id = str(event.originator_id)
            words = ledger.vault.open(event.key_id, event.sealed, case_id)  # type: ignore[attr-defined]
            if words and words.get("title"):
                found[str(words["title"])].append(str(event.number))  # type: ignore[attr-defined]
        start = notifications[-1].id + 1
    kept: dict[str, list[str]] = {}
    for title, numbers in found.items():
        live = []
        for number in numbers:
            try:
                state = ledger.case_by_number(number).state
            except CaseError:
                continue
            if state not in (DECLINED, MERGED, WITHDRAWN):
                live.append(number)
        if live:
            kept[title] = live
    return kept


def _topic(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def write_simulated_candidates(
    ledger: Ledger, year: int = 2024, proposal_refs: Sequence[str] = (), seed: int = SEED
) -> CandidateSummary:
    """Conversions of the simulated cases of `year - 1` (every class of problem of the list
    with at least MIN_CASES cases), the list's 16 candidates (from those conversions and the
    given proposals, dealt in turn), and the congress vote of 12 January `year` choosing the
    list's ten. A candidate with neither a conversion nor a proposal to come from is left out
    (then the later ones take lower numbers: pass proposal refs)."""
    rng = random.Random(seed)
    schedule = SimSchedule(rng)
    classes = classes_of_cases(ledger, year - 1)
    converting = [
        spec[4] for spec in LIST if spec[4] and len(classes.get(spec[4], ())) >= MIN_CASES
    ]
    conversions: list[str] = []
    converted: dict[str, str] = {}  # class of problem -> its conversion's ref
    candidates: list[str] = []
    to_choose: list[str] = []

    def convert(title: str) -> None:
        numbers = classes[title]
        converted[title] = ledger.convert_cases(
            year,
            f"{title}（{len(numbers)}件）",
            f"{year - 1}年诉求中反映“{title}”的共{len(numbers)}件，分布在多个市(县)区，"
            "属于同一类问题，宜作为一个项目统一解决。",
            numbers,
            STAFF,
        )
        conversions.append(converted[title])

    refs = iter(list(proposal_refs) * len(LIST))

    def listing(spec: Spec) -> None:
        title, category, (label, amount, unit), lead, problem, chosen = spec
        sources = [converted[problem]] if problem in converted else []
        proposal = next(refs, None)
        if proposal and (not sources or rng.random() < 0.5):
            sources.append(proposal)  # a citizen proposed it too
        if not sources:
            return
        why = "、".join(
            f"诉求转化{s}（{problem}）" if s.startswith("Z") else f"市民建议{s}" for s in sources
        )
        ref = ledger.list_candidate(
            year,
            title=title,
            category=category,
            description=f"根据{why}提出，拟由{lead}牵头实施。",
            sources=sources,
            targets=[checked_target(label, amount, unit)],
            units=[lead, "各市(县)区人民政府"],
            actor=STAFF,
        )
        candidates.append(ref)
        if chosen:
            to_choose.append(ref)

    for n, title in enumerate(converting):
        schedule.at(date(year - 1, 11, 22 + n // 3), 10 + n % 3, partial(convert, title))

    def correct_first() -> None:
        """The task force adds a unit it left out of the first candidate (before the vote:
        a correction with a public reason, as the list's own entries are)."""
        if not candidates:
            return
        book = ledger.candidate_book(year)
        listed = book.listed[candidates[0]] if book else None
        if listed is None:
            return
        ledger.correct_candidate(
            year,
            candidates[0],
            title=listed["title"],
            category=listed["category"],
            description=listed["description"],
            targets=[checked_target(**t) for t in listed["targets"]],
            units=[*listed["units"], "市财政局"],
            reason="补充遗漏的责任单位市财政局（模拟）。",
            actor=STAFF,
        )

    def last_listing(spec: Spec) -> None:
        listing(spec)
        correct_first()  # at the same time: no draw of its own, the vote's figures stay

    for n, spec in enumerate(LIST):
        step = last_listing if n == len(LIST) - 1 else listing
        schedule.at(date(year - 1, 12, 4 + n // 4), 9 + n % 4, partial(step, spec))

    def vote() -> None:
        results = []
        for ref in candidates:
            share = rng.uniform(0.82, 0.96) if ref in to_choose else rng.uniform(0.38, 0.72)
            votes_for = int(DELEGATES * share)
            against = rng.randint(0, DELEGATES - votes_for)
            results.append(Result(ref, votes_for, against, DELEGATES - votes_for - against))
        spec = VoteSpec(
            session=f"无锡市第十七届人民代表大会第{year - 2021}次会议（模拟）",
            held_on=date(year, 1, 12),
            document_number=f"模拟〔{year}〕1号",
            document_url="https://example.org/simulated/congress-vote.html",
            voting=DELEGATES,
            declared=len(to_choose),
            results=tuple(results),
            chosen=tuple(to_choose),
        )
        ledger.record_vote(year, spec, STAFF)

    schedule.at(date(year, 1, 12), 16, vote)
    refused = schedule.run(ledger)
    return CandidateSummary(conversions, candidates, list(to_choose), refused)
