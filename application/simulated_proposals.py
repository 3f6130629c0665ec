"""A simulated solicitation of proposals for next year's plan, through the real commands,
labelled as simulated (actors "sim:...").

For the cycle of `year` (2024: the plan of 2024), in the autumn before it: the task force
opens the solicitation on 1 September and it ends with 31 October (closed on 1 November);
about forty simulated citizens propose (a few of them rejected on moderation), some four
hundred supports come in, duplicates are merged in November and most of the rest are
answered "not adopted" with a reason. The dozen most supported stay approved and
unanswered: the candidates' simulation adopts them (their refs are returned). Phone
numbers are made up, sealed like real ones and never shown.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from application.ledger import Ledger
from application.sim_schedule import SimSchedule
from application.verification import Address, Verified
from domain.districts import DISTRICTS
from domain.proposals import WHOLE_CITY

SEED = 20230901
STAFF = "sim:sim.gov"  # the simulated task force (市政府办公室)
CITIZEN = "sim:citizen"
LEFT_FOR_CANDIDATES = 12
SUPPORTS = 400
SUPPORTERS = 320  # simulated people who support (each a proposal at most once)
# (category number in the latest plan, title, description): ideas people send in.
IDEAS: tuple[tuple[int, str, str], ...] = (
    (2, "老旧小区加装电梯", "多层老旧小区老人上下楼困难，建议加大加装电梯补贴，简化审批。"),
    (2, "老旧小区楼道渗漏整治", "不少老小区楼道顶部渗水、墙面发霉，建议集中整治。"),
    (9, "社区助餐点全覆盖", "建议每个社区都有老年助餐点，方便独居和高龄老人就餐。"),
    (5, "公交站台加装遮雨棚", "部分公交站台没有遮雨棚，雨天候车困难。"),
    (3, "背街小巷路灯补亮", "一些背街小巷路灯缺失或损坏，夜间出行不安全。"),
    (7, "中小学课后服务提质", "建议丰富课后服务内容，增加体育和艺术课程。"),
    (9, "社区卫生服务中心延时门诊", "上班族看病难，建议社区卫生服务中心开设晚间门诊。"),
    (8, "口袋公园和健身步道", "建议利用边角地建设口袋公园和健身步道。"),
    (1, "黑臭河道长效治理", "部分小河道夏季仍有异味，建议长效治理。"),
    (4, "电动自行车集中充电设施", "小区电动车充电难、飞线充电多，建议增设集中充电桩。"),
    (5, "学校周边接送停车区", "上下学高峰学校门口拥堵，建议设置临时停车接送区。"),
    (6, "残疾人无障碍设施改造", "公共场所无障碍设施不完善，建议系统改造。"),
    (9, "家庭医生签约服务扩面", "建议扩大家庭医生签约服务，提供上门服务。"),
    (10, "政务服务一网通办适老化", "老年人使用政务服务网站和手机应用困难，建议适老化改造。"),
    (7, "托育机构普惠托位", "婴幼儿托育费用高、托位少，建议增加普惠托位。"),
    (2, "小区停车位挖潜", "老小区停车难，建议利用闲置地块增设停车位。"),
    (3, "农贸市场改造提升", "部分农贸市场环境脏乱，建议标准化改造。"),
    (8, "社区图书室延长开放", "建议社区图书室晚上和周末开放。"),
    (5, "慢行道和自行车道连通", "自行车道时断时续，建议连通成网。"),
    (4, "老旧燃气管道更新", "老小区燃气管道老化，建议加快更新。"),
    (6, "困难家庭就业帮扶", "建议为困难家庭提供更多公益性岗位和技能培训。"),
    (1, "垃圾分类投放点升级", "部分投放点异味大、无洗手池，建议升级改造。"),
    (9, "社区心理健康服务站", "建议在社区设置心理健康服务站，提供咨询。"),
    (3, "城郊公厕新建改建", "城郊和公园公厕少，建议新建改建。"),
    (8, "全民健身场地夜间开放", "建议学校体育场地在夜间和假期向居民开放。"),
    (10, "12345热线诉求办理进度查询", "建议市民能随时查询诉求办理进度。"),
    (7, "中小学午休课桌椅", "建议为中小学生配备可躺式午休课桌椅。"),
    (5, "公交线路优化加密", "新建小区公交线路少，建议加密班次。"),
    (2, "物业服务质量提升", "建议对老小区物业服务开展考核并公开结果。"),
    (9, "居家养老上门服务", "建议为失能老人提供助浴、助洁等上门服务。"),
    (4, "防汛排涝设施改造", "部分路段雨后积水严重，建议改造排水设施。"),
    (6, "新就业形态劳动者驿站", "建议为外卖、快递员设置休息驿站。"),
    (1, "城市绿道和滨水空间", "建议沿河建设绿道，开放滨水空间。"),
    (8, "社区文化活动中心", "建议每个街道都有综合性文化活动中心。"),
    (3, "菜市场和便民服务点", "新建小区周边缺少菜市场和便民服务点。"),
)
# Sent again in other words by someone else: merged into the idea they repeat.
DUPLICATES: tuple[tuple[int, str, str], ...] = (
    (0, "多层住宅加装电梯补贴", "家里住六楼，老人下楼困难，希望政府补贴加装电梯。"),
    (1, "楼道漏水墙面发霉", "我们小区楼道漏水多年，希望列入改造计划。"),
    (2, "老年食堂", "希望家门口有老年食堂，价格实惠。"),
    (3, "候车亭遮阳挡雨", "公交站没有候车亭，夏天晒冬天冷。"),
    (9, "电动车充电桩", "小区里电动车充电桩太少，晚上排队。"),
)
# Not published on moderation: (title, description, reason category).
REJECTED: tuple[tuple[str, str, str], ...] = (
    ("低价装修找我", "专业装修，价格实惠，欢迎咨询。", "advertising"),
    ("投诉邻居", "楼上邻居每天很吵，他叫某某某，住几零几室。", "personal"),
    ("建议取消限行", "建议取消所有交通管制措施。", "off_topic"),
    ("某某小区问题", "某某物业经理不作为，希望曝光他。", "abusive"),
)
NOT_ADOPTED = (
    "已列入现有年度计划或部门常规工作，将在日常工作中推进。",
    "涉及面较小，建议通过12345热线或所在街道解决。",
    "需进一步论证可行性和资金来源，暂不列入下一年度计划。",
    "属于市场化经营范围，不宜作为政府民生实事项目。",
    "与其他候选项目内容相近，在相关候选项目中统筹考虑。",
)


@dataclass(frozen=True)
class ProposalSummary:
    year: int
    proposals: int
    approved: int
    rejected: int
    supports: int
    merged: int
    not_adopted: int
    unanswered: list[str]  # the refs left for the candidates' simulation to adopt ("P3"...)
    refused: list[str] = field(default_factory=list)  # codes of steps the rules refused


class SimulatedProposals:
    def __init__(self, ledger: Ledger, year: int = 2024, seed: int = SEED) -> None:
        self.ledger, self.year = ledger, year
        self.rng = random.Random(seed)
        self.schedule = SimSchedule(self.rng)
        autumn = year - 1
        self.opens, self.last_day = date(autumn, 9, 1), date(autumn, 10, 31)
        self.numbers: dict[str, int] = {}  # idea key -> proposal number, once submitted
        self.planned: dict[str, int] = {}  # idea key -> supports planned
        self.public_on: dict[str, date] = {}  # idea key -> the day it is approved
        self.supported = 0

    def write(self) -> ProposalSummary:
        categories = self.ledger.proposal_categories(self.year)
        if not categories:
            raise ValueError(f"no plan up to {self.year} gives the categories to propose in")
        self.schedule.at(self.opens, 9, self._open)
        submissions = [(f"i{n}", idea) for n, idea in enumerate(IDEAS)]
        submissions += [(f"d{n}", (IDEAS[n][0], t, d)) for n, t, d in DUPLICATES]
        order = list(range(len(submissions) + len(REJECTED)))
        self.rng.shuffle(order)
        span = (self.last_day - self.opens).days - 3
        days = sorted(self.opens + timedelta(days=1 + self.rng.randrange(span)) for _ in order)
        for slot, day in zip(order, days, strict=True):
            if slot < len(submissions):
                key, (category, title, text) = submissions[slot]
                name = categories[min(category, len(categories)) - 1]
                self._submission(key, day, name, title, text, None)
            else:
                title, text, reason = REJECTED[slot - len(submissions)]
                self._submission(f"r{slot}", day, categories[0], title, text, reason)
        self._supports()
        self.schedule.at(self.last_day + timedelta(days=1), 9, self._close)
        self._answers()
        refused = self.schedule.run(self.ledger)
        unanswered = sorted(
            (f"P{self.numbers[k]}" for k in self._kept() if k in self.numbers),
            key=lambda ref: int(ref[1:]),
        )
        return ProposalSummary(
            year=self.year,
            proposals=len(self.numbers),
            approved=len(self.numbers) - len(REJECTED),
            rejected=len(REJECTED),
            supports=self.supported,
            merged=len(DUPLICATES),
            not_adopted=len(IDEAS) - LEFT_FOR_CANDIDATES,
            unanswered=unanswered,
            refused=refused,
        )

    # Steps --------------------------------------------------------------------------------

    def _open(self) -> None:
        self.ledger.open_solicitation(self.year, self.last_day, STAFF)

    def _close(self) -> None:
        self.ledger.close_solicitation(self.year, STAFF)

    def _person(self, n: int) -> Verified:
        address = Address("phone", f"1370000{n:04d}")
        return Verified(self.ledger.vault.contact(f"phone:{address.value}"), address)

    def _submission(
        self, key: str, day: date, category: str, title: str, text: str, reject: str | None
    ) -> None:
        district = self.rng.choice((*DISTRICTS, WHOLE_CITY, WHOLE_CITY))
        proposer = self._person(5000 + len(self.public_on))  # nobody who supports
        moderated = day + timedelta(days=self.rng.randint(1, 3))
        self.public_on[key] = moderated

        def submit() -> None:
            receipt = self.ledger.propose(
                proposer, self.year, title, text, category, district, actor=CITIZEN
            )
            self.numbers[key] = receipt.number
            self.schedule.at(moderated, 10, moderate)

        def moderate() -> None:
            number = self.numbers[key]
            if reject:
                self.ledger.reject_proposal(self.year, number, reject, STAFF)
            else:
                self.ledger.approve_proposal(self.year, number, STAFF)

        self.schedule.at(day, 9 + self.rng.randrange(10), submit)

    def _supports(self) -> None:
        """About SUPPORTS supports, more for some ideas than others, each person once per idea,
        between the day after the idea's approval and the last day."""
        keys = [f"i{n}" for n in range(len(IDEAS))] + [f"d{n}" for n, _t, _d in DUPLICATES]
        weights = [self.rng.paretovariate(1.2) for _ in keys]
        self.planned = {k: 0 for k in keys}
        given: set[tuple[int, str]] = set()
        while sum(self.planned.values()) < SUPPORTS:
            key = self.rng.choices(keys, weights)[0]
            who = self.rng.randrange(SUPPORTERS)
            if (who, key) in given:
                continue
            given.add((who, key))
            self.planned[key] += 1
            public = self.public_on[key]
            span = max((self.last_day - public).days, 1)
            day = min(public + timedelta(days=1 + self.rng.randrange(span)), self.last_day)
            self.schedule.at(day, 8 + self.rng.randrange(14), self._support(key, who))

    def _support(self, key: str, who: int) -> Callable[[], None]:
        def support() -> None:
            number = self.numbers.get(key)
            if number is None:
                return  # not proposed yet on that day: that person did not come back
            self.ledger.support_proposal(self._person(who), self.year, number, actor=CITIZEN)
            self.supported += 1

        return support

    def _kept(self) -> list[str]:
        """The ideas left for candidates: the most supported, counting their duplicates."""
        totals = {f"i{n}": self.planned[f"i{n}"] for n in range(len(IDEAS))}
        for n, _t, _d in DUPLICATES:
            totals[f"i{n}"] += self.planned[f"d{n}"]
        ranked = sorted(totals, key=lambda k: (-totals[k], k))
        return ranked[:LEFT_FOR_CANDIDATES]

    def _answers(self) -> None:
        november = self.last_day + timedelta(days=1)
        for n, _t, _d in DUPLICATES:
            self.schedule.at(november + timedelta(days=5), 10, self._merge(f"d{n}", f"i{n}"))
        kept = set(self._kept())
        for n in range(len(IDEAS)):
            if f"i{n}" not in kept:
                reason = self.rng.choice(NOT_ADOPTED)
                day = november + timedelta(days=8 + self.rng.randrange(20))
                self.schedule.at(day, 15, self._decline(f"i{n}", reason))

    def _merge(self, key: str, into: str) -> Callable[[], None]:
        def merge() -> None:
            self.ledger.merge_proposal(
                self.year, self.numbers[key], self.numbers[into], "与已公开的建议内容相同", STAFF
            )

        return merge

    def _decline(self, key: str, reason: str) -> Callable[[], None]:
        def decline() -> None:
            self.ledger.decline_proposal(self.year, self.numbers[key], reason, STAFF)

        return decline


def write_simulated_proposals(
    ledger: Ledger, year: int = 2024, seed: int = SEED
) -> ProposalSummary:
    """Write the labelled simulated solicitation of `year`'s cycle (needs a registered plan
    up to that year: its categories); `unanswered` names the proposals left to adopt."""
    return SimulatedProposals(ledger, year, seed).write()
