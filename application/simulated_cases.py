"""A simulated year of citizens' cases, through the real commands, labelled as simulated.

Seeded like the simulated progress: about 1,700 cases from February to
November, routed by the three routes, replied (mostly on time), evaluated
(some 不满意 and sent back), some key-supervised, a few declined, merged,
linked to projects, two people erased. Names and numbers are made up; they
are sealed like real ones and never shown.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from application.case_commands import Intake
from application.ledger import Ledger
from application.sim_schedule import SimSchedule
from domain.cases import DISTRICTS
from domain.workdays import add_workdays
from domain.wuxi import business_date

SEED = 20230314
STAFF = "sim:sim.gov"  # the simulated case task force
UNITS = {
    "城市管理": "市城管局",
    "交通出行": "市交通运输局",
    "住房物业": "市住房城乡建设局",
    "环境保护": "市生态环境局",
    "教育": "市教育局",
    "医疗卫生": "市卫生健康委",
    "养老服务": "市民政局",
    "社会保障": "市人力资源社会保障局",
    "市场监管": "市市场监管局",
    "文体旅游": "市文广旅游局",
}
TOPICS = {
    "城市管理": [
        ("小区门口路灯不亮", "小区门口两盏路灯不亮已有两周，晚上出行不便。"),
        ("人行道被占用", "人行道长期被车辆占用，行人只能走机动车道。"),
    ],
    "交通出行": [
        ("公交站台缺少遮雨棚", "公交站台没有遮雨棚，老人下雨天候车困难。"),
        ("路口红绿灯时间过短", "行人绿灯时间太短，老人来不及通过。"),
    ],
    "住房物业": [
        ("老旧小区楼道漏水", "楼道顶部漏水，墙面发霉，希望纳入改造。"),
        ("加装电梯进展缓慢", "本单元加装电梯已签字同意，迟迟未开工。"),
    ],
    "环境保护": [
        ("河道有异味", "小区旁河道夏季有明显异味。"),
        ("夜间施工噪音扰民", "工地夜间施工噪音大，影响休息。"),
    ],
    "教育": [("学校门口接送拥堵", "放学时段学校门口拥堵严重，存在安全隐患。")],
    "医疗卫生": [("社区卫生服务中心挂号难", "社区卫生服务中心上午号源少，老人挂号难。")],
    "养老服务": [("希望增设社区助餐点", "附近没有老年助餐点，独居老人吃饭不方便。")],
    "社会保障": [("社保转移办理咨询", "外地社保转入手续不清楚，希望给予指导。")],
    "市场监管": [("菜场电子秤不准", "菜场部分摊位电子秤短斤少两。")],
    "文体旅游": [("公园健身器材损坏", "公园内健身器材损坏多日无人维修。")],
    "其他": [("其他建议", "希望在小区附近增设便民服务点。")],
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
REPLIES = (
    "经现场核查，已安排维修，目前问题已解决。",
    "已协调相关部门制定整改方案，预计本月底前完成。",
    "已联系来电人说明情况，并纳入下一阶段工作计划。",
)


@dataclass(frozen=True)
class CaseSummary:
    cases: int
    closed: int
    erased: int
    refused: int


class SimulatedCases:
    def __init__(self, ledger: Ledger, year: int, count: int = 1700, seed: int = SEED) -> None:
        self.ledger, self.year, self.count = ledger, year, count
        self.rng = random.Random(seed)
        self.schedule = SimSchedule(self.rng)
        self.numbers: list[str] = []
        self.order: dict[str, int] = {}  # a case's number (random) -> its place in the intake
        self.accepted: list[str] = []
        self.counts = {"cases": 0, "closed": 0, "erased": 0, "refused": 0}
        self.refusals: list[str] = []

    def write(self) -> CaseSummary:
        start = date(self.year, 2, 1)
        span = (date(self.year, 11, 20) - start).days
        for n in range(self.count):
            received = start + timedelta(days=self.rng.randrange(span))
            self._at(received, 9 + self.rng.randrange(9), self._intake(n, received))
        self.refusals = self.schedule.run(self.ledger)
        self.counts["refused"] = len(self.refusals)
        return CaseSummary(**self.counts)

    def _at(self, day: date, hour: int, action: Callable[[], object]) -> None:
        if day.year == self.year:  # what would happen next year is left out
            self.schedule.at(day, hour, action)

    def _later(self, day: date, low: int, high: int) -> date:
        days = self.rng.randint(low, high)
        return add_workdays(day, days, self.ledger.calendar) if days else day

    def _intake(self, n: int, received: date) -> Callable[[], object]:
        category = self.rng.choices(list(TOPICS), weights=(9, 7, 9, 6, 4, 4, 4, 3, 3, 3, 3))[0]
        title, content = self.rng.choice(TOPICS[category])
        district = self.rng.choice(DISTRICTS)
        phone = "139" + f"{self.rng.randrange(10**8):08d}"
        name = self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2))
        )
        consent = self.rng.random() < 0.6
        channel = self.rng.choice(("online", "hotline", "hotline"))

        def submit() -> None:
            receipt = self.ledger.submit_case(
                Intake(
                    year=self.year,
                    channel=channel,
                    category=category,
                    district=district,
                    title=title,
                    content=content,
                    name=name,
                    phone=phone,
                    consent=consent,
                    received_on=received,
                    external_id=f"SIM-{n:05d}" if channel == "hotline" else None,
                ),
                actor="sim:citizen" if channel == "online" else STAFF,
            )
            self.counts["cases"] += 1
            self.numbers.append(receipt.number)
            self.order[receipt.number] = n
            if self.counts["cases"] in (100, 900):  # two people ask to be forgotten
                self.counts["erased"] += 1
                erased_on = received + timedelta(days=60)
                self._at(
                    erased_on,
                    16,
                    lambda: self.ledger.erase_person(phone, "本人申请删除个人信息", STAFF),
                )
            self._handle(
                receipt.case_id,
                receipt.number,
                receipt.query_code or "",
                category,
                district,
                received,
                phone,
            )

        return submit

    def _handle(
        self,
        case_id: str,
        number: str,
        code: str,
        category: str,
        district: str,
        received: date,
        phone: str,
    ) -> None:
        ledger, rng = self.ledger, self.rng
        fate = rng.choices(("declined", "merged", "handled", "left_open"), weights=(4, 3, 90, 3))[0]
        accepted = self._later(received, 0, 1) if rng.random() < 0.5 else received
        if fate == "declined":
            self._at(
                accepted,
                10,
                lambda: ledger.decline_case(
                    case_id, "不属于本平台受理范围，已告知来电人向相关渠道反映。", STAFF
                ),
            )
            return
        if fate == "merged" and len(self.accepted) > 20:
            into = rng.choice(self.accepted[-20:])
            self._at(accepted, 10, lambda: ledger.merge_case(case_id, into, STAFF))
            return

        def accept() -> None:
            ledger.accept_case(case_id, STAFF)
            self.accepted.append(number)

        self._at(accepted, 10, accept)
        route = rng.choices(("hotline", "local", "task_force"), weights=(50, 35, 15))[0]
        unit = district if route == "local" or category == "其他" else UNITS[category]
        days = rng.choice((5, 10, 10, 15))
        assigned = accepted
        self._at(assigned, 11, lambda: ledger.assign_case(case_id, route, unit, [], days, STAFF))
        track = rng.choices((None, "weixingfu", "shizhang"), weights=(56, 36, 8))[0]
        if track:
            self._at(assigned, 12, lambda: ledger.supervise_case_key(case_id, track, STAFF))
        if fate == "left_open":
            return
        late = rng.random() < 0.12
        replied = (
            add_workdays(assigned, days + rng.randint(1, 6), ledger.calendar)
            if late
            else self._later(assigned, 1, days)
        )
        if late and rng.random() < 0.5:
            noted = add_workdays(assigned, days + 1, ledger.calendar)  # the day after the limit
            self._at(
                noted,
                9,
                lambda: ledger.note_case_supervision(
                    case_id, "已超时限，请加快办理并及时答复。", 3, STAFF
                ),
            )
        self._at(
            replied,
            15,
            lambda: ledger.reply_case(case_id, rng.choice(REPLIES), unit, f"sim:{unit}"),
        )
        self._evaluate(case_id, number, code, unit, replied, rounds=0)
        if rng.random() < 0.006:
            self._at(
                replied + timedelta(days=3),
                10,
                lambda: ledger.link_case_to_project(
                    case_id, self.year, "17.2", "同类诉求较多，纳入社区综合服务设施改造。", STAFF
                ),
            )

    def _evaluate(
        self, case_id: str, number: str, code: str, unit: str, replied: date, rounds: int
    ) -> None:
        ledger, rng = self.ledger, self.rng
        level = rng.choices(
            ("satisfied", "basically", "unsatisfied"), weights=(70, 20, 10 if rounds == 0 else 3)
        )[0]
        evaluated = replied + timedelta(days=rng.randint(1, 5))
        reason = "问题没有真正解决" if level == "unsatisfied" else ""

        def evaluate() -> None:
            ledger.evaluate_case(number, code, level, reason)
            if level == "unsatisfied":
                again = self._later(evaluated, 2, 8)
                self._at(
                    again,
                    15,
                    lambda: ledger.reply_case(
                        case_id, "已重新核查并处理到位。", unit, f"sim:{unit}"
                    ),
                )
                self._evaluate(case_id, number, code, unit, again, rounds + 1)
            else:
                self._at(self._later(evaluated, 0, 2), 17, close)

        def close() -> None:
            ledger.close_case(case_id, STAFF)
            self.counts["closed"] += 1
            self._ask_if_fixed(case_id, number, code, unit, business_date(ledger.clock()))

        self._at(evaluated, 20, evaluate)

    def _ask_if_fixed(self, case_id: str, number: str, code: str, unit: str, closed: date) -> None:
        """Some citizens answer "is it fixed?" 28 days after 销号; a 否 is assigned again to the
        same unit, replied to, rated and closed. Its own generator per case, so that the rest
        of the simulated year stays as it was before this step was simulated; seeded by the
        case's place in the intake, not by its number, which is random and would make each
        written year differ."""
        ledger, rng = self.ledger, random.Random(f"fix:{self.year}:{self.order[number]}")
        if rng.random() >= 0.4:
            return  # not answered
        answer = rng.choices(("yes", "unsure", "no"), weights=(80, 12, 8))[0]
        answered = closed + timedelta(days=28 + rng.randint(0, 3))
        words = "路灯又不亮了。" if answer == "no" else ""
        self._at(answered, 19, lambda: ledger.check_case_fix(case_id, answer, words))
        if answer != "no":
            return
        again = add_workdays(answered, 1, ledger.calendar)
        replied = add_workdays(again, rng.randint(2, 5), ledger.calendar)
        rated = replied + timedelta(days=rng.randint(1, 3))
        steps: list[tuple[date, int, Callable[[], object]]] = [
            (again, 10, lambda: ledger.assign_case(case_id, "hotline", unit, [], 5, STAFF)),
            (replied, 15, lambda: ledger.reply_case(case_id, "已再次维修。", unit, f"sim:{unit}")),
            (rated, 20, lambda: ledger.evaluate_case(number, code, "satisfied", "")),
            (rated + timedelta(days=1), 17, lambda: ledger.close_case(case_id, STAFF)),
        ]
        for day, hour, action in steps:
            self._at(day, hour, action)
