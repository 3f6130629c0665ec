"""Photos, notes, withdrawals and addresses through the ledger and the read models, on both
stores: what is kept, who sees what, and what an erasure leaves (nothing of the person)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from application.case_commands import CaseReceipt, Intake
from application.photos import Photo, clean
from domain.access import Viewer
from domain.cases import WITHDRAWN, CaseError
from domain.progress import ProjectValues
from minsheng_site.services import Services
from projections.cases import photo_queries as pq
from projections.cases.cases import CasePhotoRow, CaseRow, CaseStep
from projections.plans import report_photos as rp
from tests.clock import Clock
from tests.photos import phone_jpeg, plain

NAME, PHONE = "照片测试人", "13911112222"
ADDRESS = "梁溪区清扬路某小区3号楼东侧路灯ADDR7K"
UNIT = "市城管局"


@pytest.fixture
def clock() -> Clock:
    return Clock("2023-09-04T09:00")


@pytest.fixture
def services(database_url: str, clock: Clock, tmp_path: Path) -> Iterator[Services]:
    opened = Services.open(database_url, clock=clock, photo_dir=str(tmp_path / "photos"))
    yield opened
    opened.close()


def photos(*colours: tuple[int, int, int]) -> list[Photo]:
    return [clean(phone_jpeg(colour=c), f"IMG_{n}.jpg") for n, c in enumerate(colours)]


RED, GREEN, BLUE, GREY = (200, 0, 0), (0, 200, 0), (0, 0, 200), (90, 90, 90)


def intake(consent: bool = True, phone: str = PHONE, **more: Any) -> Intake:
    return Intake(
        year=2023,
        channel="online",
        category="城市管理",
        district="梁溪区",
        title="路灯不亮",
        content="小区门口两盏路灯不亮已两周。",
        name=NAME,
        phone=phone,
        consent=consent,
        received_on=date(2023, 9, 4),
        address=ADDRESS,
        **more,
    )


def submit(
    services: Services,
    consent: bool = True,
    shots: list[Photo] | None = None,
    photo_consent: bool = True,
    phone: str = PHONE,
) -> CaseReceipt:
    receipt = services.ledger.submit_case(
        intake(consent, phone), "citizen", shots or [], photo_consent
    )
    services.caught_up()
    return receipt


def rows(services: Services, table: Any) -> list[tuple[Any, ...]]:
    with services.engine.connect() as c:
        return sorted(tuple(r) for r in c.execute(select(table.__table__)))


def files(services: Services) -> set[str]:
    root = services.ledger.photos.root  # type: ignore[union-attr]
    return {p.name for p in root.rglob("*.jpg")} if root.exists() else set()


def test_a_citizens_photos_are_kept_by_hash_and_public_only_once_approved(
    services: Services,
) -> None:
    shots = photos(RED, GREEN)
    receipt = submit(services, shots=shots)
    assert files(services) == {f"{p.sha256}{end}" for p in shots for end in (".jpg", ".thumb.jpg")}
    with services.engine.connect() as c:
        assert pq.public_photos(c, receipt.case_id) == []
        queue, waiting = pq.moderation_queue(c)
        assert waiting == 2 and [r.number for r in queue] == [receipt.number] * 2
    ledger = services.ledger
    ledger.approve_case_photo(receipt.case_id, shots[0].sha256, "staff:gov")
    ledger.reject_case_photo(receipt.case_id, shots[1].sha256, "faces", "staff:gov")
    services.caught_up()
    with services.engine.connect() as c:
        assert [r.sha256 for r in pq.public_photos(c, receipt.case_id)] == [shots[0].sha256]
        assert pq.is_public(c, shots[0].sha256) and not pq.is_public(c, shots[1].sha256)
        assert pq.moderation_queue(c)[1] == 0
    details = ledger.details_for_citizen(receipt.number, receipt.query_code or "")
    assert [(p.sha256, p.moderation) for p in details.photos] == [
        (shots[0].sha256, "approved"),
        (shots[1].sha256, "rejected"),
    ]


def test_photos_of_a_case_or_of_photos_without_consent_are_never_queued_or_public(
    services: Services,
) -> None:
    private_case = submit(services, consent=False, shots=photos(RED))
    private_photo = submit(services, shots=photos(GREEN), photo_consent=False)
    with services.engine.connect() as c:
        assert pq.moderation_queue(c)[1] == 0
    for receipt in (private_case, private_photo):
        case = services.ledger.case_by_number(receipt.number)
        with pytest.raises(CaseError) as refused:
            services.ledger.approve_case_photo(receipt.case_id, case.citizen_photos[0], "gov")
        assert refused.value.code == "consent"


def test_a_fourth_photo_is_refused_and_no_file_of_it_is_kept(services: Services) -> None:
    receipt = submit(services, shots=photos(RED, GREEN))
    ledger, code = services.ledger, receipt.query_code or ""
    ledger.add_case_photos(receipt.number, code, photos(BLUE), True)
    kept = files(services)
    with pytest.raises(CaseError) as refused:
        ledger.add_case_photos(receipt.number, code, photos(GREY), True)
    assert refused.value.code == "photo_limit" and files(services) == kept
    with pytest.raises(CaseError):  # the same photo again: refused, and the first one stays
        ledger.add_case_photos(receipt.number, code, photos(RED), True)
    assert files(services) == kept


def test_after_acceptance_the_citizen_adds_notes_but_no_photos_and_cannot_withdraw(
    services: Services,
) -> None:
    receipt = submit(services)
    ledger, code = services.ledger, receipt.query_code or ""
    ledger.add_case_note(receipt.number, code, "补充：晚上七点后最暗。")
    ledger.accept_case(receipt.case_id, "staff:gov")
    ledger.add_case_note(receipt.number, code, "补充：今天又坏了一盏。")
    for refused in (
        lambda: ledger.add_case_photos(receipt.number, code, photos(RED), True),
        lambda: ledger.withdraw_case(receipt.number, code, "已自行解决"),
        lambda: ledger.add_case_note(receipt.number, code, "   "),
    ):
        with pytest.raises(CaseError):
            refused()
    assert files(services) == set()
    notes = ledger.details_for_citizen(receipt.number, code).notes
    assert [(n.text, n.to_unit) for n in notes] == [
        ("补充：晚上七点后最暗。", False),
        ("补充：今天又坏了一盏。", True),
    ]


def test_a_withdrawn_case_is_finished_and_shows_its_reason_only_with_consent(
    services: Services,
) -> None:
    public = submit(services)
    private = submit(services, consent=False, phone="13911113333")
    naming = submit(services, phone="13911114444")
    ledger = services.ledger
    ledger.withdraw_case(public.number, public.query_code or "", "问题已自行解决REASON1")
    ledger.withdraw_case(private.number, private.query_code or "", "不想公开的理由REASON2")
    ledger.withdraw_case(naming.number, naming.query_code or "", f"{NAME}本人撤回REASON3")
    services.caught_up()
    with services.engine.connect() as c:
        states = dict(c.execute(select(CaseRow.number, CaseRow.state)).all())
        texts = dict(
            c.execute(
                select(CaseStep.case_id, CaseStep.text).where(CaseStep.step == "withdrawn")
            ).all()
        )
    assert {states[r.number] for r in (public, private, naming)} == {WITHDRAWN}
    assert texts == {
        public.case_id: "问题已自行解决REASON1",
        private.case_id: None,
        naming.case_id: None,
    }
    with pytest.raises(CaseError):
        ledger.accept_case(public.case_id, "staff:gov")  # finished
    reason = ledger.details_for_citizen(private.number, private.query_code or "")
    assert reason.withdrawal_reason == "不想公开的理由REASON2"


def test_the_address_is_sealed_for_the_citizen_and_the_units_and_in_no_read_model(
    services: Services,
    database_url: str,
) -> None:
    receipt = submit(services)
    details = services.ledger.details_for_citizen(receipt.number, receipt.query_code or "")
    assert details.personal is not None and details.personal["address"] == ADDRESS
    for table in (CaseRow, CaseStep, CasePhotoRow):
        assert "ADDR7K" not in repr(rows(services, table))


def test_a_units_before_and_after_photos_are_public_with_a_consented_case_at_once(
    services: Services,
) -> None:
    public, private = submit(services), submit(services, consent=False, phone="13911115555")
    ledger = services.ledger
    for receipt, colour in ((public, RED), (private, GREEN)):
        ledger.accept_case(receipt.case_id, "staff:gov")
        ledger.assign_case(receipt.case_id, "hotline", UNIT, [], 5, "staff:gov")
        ledger.reply_case(receipt.case_id, "已修复。", UNIT, "staff:cg", photos(colour), "after")
    services.caught_up()
    with services.engine.connect() as c:
        shown = pq.public_photos(c, public.case_id)
        assert [(r.source, r.unit) for r in shown] == [("after", UNIT)]
        assert pq.public_photos(c, private.case_id) == []  # the case itself is not public


def test_replaying_the_log_builds_the_same_photo_rows_and_steps(services: Services) -> None:
    shots = photos(RED, GREEN)
    receipt = submit(services, shots=shots)
    ledger, code = services.ledger, receipt.query_code or ""
    ledger.approve_case_photo(receipt.case_id, shots[0].sha256, "staff:gov")
    ledger.add_case_note(receipt.number, code, "补充说明")
    ledger.withdraw_case(receipt.number, code, "已解决")
    services.caught_up()
    before = [rows(services, t) for t in (CaseRow, CaseStep, CasePhotoRow)]
    services.projector.rebuild(["cases"])
    assert [rows(services, t) for t in (CaseRow, CaseStep, CasePhotoRow)] == before


def test_erasure_destroys_the_persons_photo_files_and_rows_and_a_replay_shows_none(
    services: Services,
) -> None:
    shots = photos(RED, GREEN)
    mine = submit(services, shots=shots)
    other = submit(services, shots=photos(GREEN), phone="13911116666")  # the same picture
    ledger = services.ledger
    ledger.approve_case_photo(mine.case_id, shots[0].sha256, "staff:gov")
    ledger.accept_case(mine.case_id, "staff:gov")
    ledger.assign_case(mine.case_id, "hotline", UNIT, [], 5, "staff:gov")
    unit_shot = photos(BLUE)
    ledger.reply_case(mine.case_id, "已修复。", UNIT, "staff:cg", unit_shot, "after")
    services.caught_up()
    ledger.erase_person(PHONE, "本人申请删除", "cli:test")
    services.caught_up()
    left = files(services)
    assert f"{shots[0].sha256}.jpg" not in left and f"{shots[0].sha256}.thumb.jpg" not in left
    assert f"{shots[1].sha256}.jpg" in left  # the other person's case holds it too
    assert f"{unit_shot[0].sha256}.jpg" in left  # the unit's photo of the place is not theirs
    assert ledger.photo_file(shots[0].sha256) is None

    def citizen_rows() -> list[tuple[Any, ...]]:
        found = rows(services, CasePhotoRow)
        return [r for r in found if r[0] == mine.case_id and r[3] == "citizen"]

    assert citizen_rows() == []
    services.projector.rebuild()
    assert citizen_rows() == []
    with services.engine.connect() as c:
        assert not pq.is_public(c, shots[0].sha256)
        assert [r.sha256 for r in pq.public_photos(c, other.case_id)] == []  # not approved
    task_force = Viewer("staff:gov", None, task_force=True, supervisor=False)
    staff_view = ledger.open_case_for_staff(mine.case_id, task_force, "case")
    assert staff_view.details is not None
    assert [p.source for p in staff_view.details.photos] == ["after"]


def test_a_reports_photos_are_public_at_once_and_named_on_the_item(services: Services) -> None:
    from application.plan_file import load_plan_file
    from tests.conftest import PLAN_FILE

    services.ledger.register_plan(load_plan_file(PLAN_FILE), "system:test")
    shots = photos(RED, GREEN)
    receipt = services.ledger.report_progress(
        year=2023,
        item=9,
        period="2023-08",
        unit="市住房城乡建设局",
        values=(ProjectValues("9.1", (Decimal(10),), ()),),
        narrative="",
        evidence=(),
        actor="staff:zjj",
        photos=shots,
    )
    services.caught_up()
    with services.engine.connect() as c:
        assert rp.of_item(c, 2023, 9) == {receipt.id: [p.sha256 for p in shots]}
        assert rp.is_public(c, shots[0].sha256)
    before = rows(services, rp.ReportPhotoRow)
    services.projector.rebuild(["report_photos"])
    assert rows(services, rp.ReportPhotoRow) == before != []
    assert services.ledger.photo_file(shots[1].sha256, thumb=True) is not None


def test_png_and_webp_photos_are_kept_as_jpeg(services: Services) -> None:
    shots = [clean(plain("PNG"), "a.png"), clean(plain("WEBP"), "b.webp")]
    receipt = submit(services, shots=shots)
    path = services.ledger.photo_file(shots[0].sha256)
    assert path is not None and path.read_bytes()[:3] == b"\xff\xd8\xff"
    assert receipt.created
