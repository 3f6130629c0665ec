"""Citizens writing at once: no lost message, one key per person, no "database is locked"."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from application.case_commands import Intake
from minsheng_site.services import Services
from tests.clock import Clock


@pytest.mark.slow
def test_concurrent_messages_all_land_and_each_person_has_one_key(
    database_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    keys = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    writers = [
        Services.open(database_url, keys, b"pepper", Clock("2023-09-04T09:00")) for _ in range(4)
    ]
    errors: list[BaseException] = []
    numbers: list[str] = []

    def write(services: Services, offset: int) -> None:
        try:
            for n in range(15):
                phone = f"139{(offset * 15 + n) % 20:08d}"  # 20 people, several messages each
                receipt = services.ledger.submit_case(
                    Intake(
                        2023,
                        "online",
                        "城市管理",
                        "梁溪区",
                        "标题",
                        "内容内容内容内容内容",
                        "某",
                        phone,
                        False,
                        date(2023, 9, 4),
                    ),
                    "citizen",
                )
                numbers.append(receipt.number)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w, i)) for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(set(numbers)) == 60
    vault = writers[0].ledger.vault
    assert {len(vault.keys_of(f"139{p:08d}")) for p in range(20)} == {1}
    assert writers[0].caught_up() is True
    head = writers[0].ledger.recorder.max_notification_id()
    assert set(writers[0].projector.positions().values()) == {head}  # every read model, at it
    with writers[0].read() as c:
        from projections.cases.case_queries import all_rows

        assert len(all_rows(c, 2023)) == 60
    for w in writers:
        w.close()
