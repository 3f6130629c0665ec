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
CONVERSIONS = 4  # the most frequent classes of problem
CANDIDATES = 16
CHOSEN = 10
DELEGATES = 548  # delegates voting (made up)

# What a class of problem (a case's public title) becomes as a candidate: title, category,
# a target and the lead unit.
CLASSES: dict[str, tuple[str, str, tuple[str, str, str], str]] = {
    "老旧小区楼道漏水": (
        "老旧小区楼道渗漏治理",
        "住房保障",
        ("治理渗漏楼道", "600", "个"),
        "市住房城乡建设局",
    ),
    "小区门口路灯不亮": (
        "背街小巷和小区周边路灯补亮",
        "城市管理",
        ("新增和修复路灯", "3000", "盏"),
        "市城管局",
    ),
    "公交站台缺少遮雨棚": (
        "公交候车亭改造",
        "交通出行",
        ("改造候车亭", "200", "座"),
        "市交通运输局",
    ),
    "人行道被占用": ("人行道通行秩序整治", "城市管理", ("整治路段", "80", "条"), "市城管局"),
    "路口红绿灯时间过短": (
        "路口行人过街信号优化",
        "交通出行",
        ("优化路口", "120", "个"),
        "市公安局",
    ),
    "加装电梯进展缓慢": (
        "既有住宅加装电梯",
        "住房保障",
        ("加装电梯", "500", "台"),
        "市住房城乡建设局",
    ),
    "河道有异味": ("城区河道水环境提升", "生态环境", ("整治河道", "30", "条"), "市水利局"),
    "夜间施工噪音扰民": (
        "夜间施工噪声治理",
        "生态环境",
        ("巡查工地", "1000", "次"),
        "市生态环境局",
    ),
    "学校门口接送拥堵": ("校园周边交通护学", "教育", ("设置护学岗", "150", "个"), "市公安局"),
    "社区卫生服务中心挂号难": (
        "社区卫生服务能力提升",
        "卫生健康",
        ("增设号源", "100000", "个"),
        "市卫生健康委",
    ),
    "希望增设社区助餐点": (
        "社区老年助餐点建设",
        "养老服务",
        ("新增助餐点", "100", "个"),
        "市民政局",
    ),
    "公园健身器材损坏": ("公园健身器材更新", "文体旅游", ("更新器材", "2000", "件"), "市园林局"),
    "菜场电子秤不准": (
        "农贸市场公平秤设置",
        "市场监管",
        ("设置公平秤", "300", "台"),
        "市市场监管局",
    ),
}
# Candidates from citizens' proposals (the proposals' owner writes those; their refs come in).
FROM_PROPOSALS: tuple[tuple[str, str, tuple[str, str, str], str], ...] = (
    ("口袋公园建设", "城市管理", ("新建口袋公园", "50", "个"), "市园林局"),
    ("中小学课后服务提质", "教育", ("覆盖学校", "400", "所"), "市教育局"),
    ("婴幼儿托育服务扩容", "养老服务", ("新增托位", "3000", "个"), "市卫生健康委"),
    ("社区嵌入式服务设施", "社会保障", ("建设设施", "40", "处"), "市民政局"),
    ("充电桩进小区", "城市管理", ("新增充电桩", "5000", "个"), "市发展改革委"),
    ("慢行步道连通", "交通出行", ("新建步道", "100", "公里"), "市自然资源规划局"),
    ("老年人助浴服务", "养老服务", ("服务人次", "20000", "人次"), "市民政局"),
    ("菜市场标准化改造", "市场监管", ("改造菜市场", "30", "家"), "市商务局"),
    ("困难家庭适老化改造", "养老服务", ("改造家庭", "2000", "户"), "市民政局"),
    ("全民健身场地补短板", "文体旅游", ("新建场地", "100", "处"), "市体育局"),
    ("15分钟就业服务圈", "社会保障", ("建设服务站", "60", "个"), "市人力资源社会保障局"),
    ("城市内涝点整治", "城市管理", ("整治内涝点", "40", "处"), "市水利局"),
    ("社区心理服务站", "卫生健康", ("建设服务站", "80", "个"), "市卫生健康委"),
)


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
    """Conversions of the simulated cases of `year - 1`, ~16 candidates (those conversions and
    the given proposals'), and the congress vote of January `year` choosing 10."""
    rng = random.Random(seed)
    schedule = SimSchedule(rng)
    classes = classes_of_cases(ledger, year - 1)
    biggest = sorted((t for t in classes if t in CLASSES), key=lambda t: (-len(classes[t]), t))[
        :CONVERSIONS
    ]
    conversions: list[str] = []
    converted: dict[str, str] = {}  # class of problem -> its conversion's ref
    candidates: list[str] = []

    def convert(title: str) -> None:
        converted[title] = ledger.convert_cases(
            year,
            f"{title}（{len(classes[title])}件）",
            f"{year - 1}年诉求中反映“{title}”的共{len(classes[title])}件，分布在多个市(县)区，"
            "属于同一类问题，宜作为一个项目统一解决。",
            classes[title],
            STAFF,
        )
        conversions.append(converted[title])

    def listing(
        spec: tuple[str, str, tuple[str, str, str], str], sources: list[str], why: str
    ) -> None:
        title, category, (label, amount, unit), lead = spec
        candidates.append(
            ledger.list_candidate(
                year,
                title=title,
                category=category,
                description=f"{why}拟由{lead}牵头实施。",
                sources=sources,
                targets=[checked_target(label, amount, unit)],
                units=[lead, "各市(县)区人民政府"],
                actor=STAFF,
            )
        )

    def from_conversion(title: str) -> None:
        z = converted.get(title)
        if z is None:  # its conversion was refused (counted in `refused`)
            return
        listing(CLASSES[title], [z], f"由诉求转化{z}（{title}）提出。")

    for n, title in enumerate(biggest):
        schedule.at(date(year - 1, 11, 24 + n), 10, partial(convert, title))
        schedule.at(date(year - 1, 12, 4), 10 + n, partial(from_conversion, title))
    refs = list(proposal_refs)
    for n, spec in enumerate(FROM_PROPOSALS[: max(0, CANDIDATES - len(biggest))] if refs else ()):
        ref = refs[n % len(refs)]
        why = f"根据市民建议{ref}提出。"
        schedule.at(date(year - 1, 12, 5 + n // 4), 9 + n % 4, partial(listing, spec, [ref], why))
    chosen: list[str] = []

    def vote() -> None:
        results = []
        for ref in candidates:
            votes_for = rng.randint(int(DELEGATES * 0.45), int(DELEGATES * 0.97))
            against = rng.randint(0, DELEGATES - votes_for)
            results.append(Result(ref, votes_for, against, DELEGATES - votes_for - against))
        top = sorted(results, key=lambda r: (-r.votes_for, r.candidate))
        picked = [r.candidate for r in top if 2 * r.votes_for > DELEGATES][:CHOSEN]
        spec = VoteSpec(
            session=f"无锡市第十七届人民代表大会第{year - 2021}次会议（模拟）",
            held_on=date(year, 1, 12),
            document_number=f"模拟〔{year}〕1号",
            document_url="https://example.org/simulated/congress-vote.html",
            voting=DELEGATES,
            declared=len(picked),
            results=tuple(results),
            chosen=tuple(picked),
        )
        ledger.record_vote(year, spec, STAFF)
        chosen.extend(picked)

    schedule.at(date(year, 1, 12), 16, vote)
    refused = schedule.run(ledger)
    return CandidateSummary(conversions, candidates, chosen, refused)
