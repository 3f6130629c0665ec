"""The store chain: every stored event record, public or not, is hash-chained; its head is
published; `flask log verify` finds and names any record changed, deleted or put in another's
place, directly in SQL on either store."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text

from application.store import store_settings
from minsheng_site.services import Services
from projections.publiclog import store_chain
from tests.conftest import BACKENDS, simulated_site


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """Reports, staff roles, eight cases (indexes, sealed data) and a checkpoint of both chains."""
    for app in simulated_site(request, tmp_path_factory, cases=8):
        assert run(app, "log", "checkpoint")[0] == 0
        yield app


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


class Store:
    """The event store's own table, read and changed in SQL behind the application's back."""

    def __init__(self, app: Flask) -> None:
        url = store_settings(app.config["DATABASE_URL"]).sqlalchemy_url
        self.engine: Engine = create_engine(url)
        sqlite = url.startswith("sqlite")
        # eventsourcing's tables: stored_events (rowid) on SQLite, <app>_events on PostgreSQL
        self.table = "stored_events" if sqlite else "minsheng_events"
        self.id = "rowid" if sqlite else "notification_id"

    def records(self) -> list[Any]:
        with self.engine.connect() as c:
            return c.execute(
                text(
                    f"SELECT {self.id} AS id, originator_id, originator_version, topic, state"
                    f" FROM {self.table} ORDER BY {self.id}"
                )
            ).all()

    def first(self, topic: str, where: str = "") -> Any:
        return next(r for r in self.records() if r.topic == topic and where.encode() in r.state)

    def set_state(self, record_id: int, state: bytes) -> None:
        with self.engine.begin() as c:
            c.execute(
                text(f"UPDATE {self.table} SET state = :s WHERE {self.id} = :i"),
                {"s": state, "i": record_id},
            )

    def delete(self, record_id: int) -> None:
        with self.engine.begin() as c:
            c.execute(text(f"DELETE FROM {self.table} WHERE {self.id} = :i"), {"i": record_id})

    def insert(self, record: Any, record_id: int | None = None) -> None:
        with self.engine.begin() as c:
            c.execute(
                text(
                    f"INSERT INTO {self.table}"
                    f" ({self.id}, originator_id, originator_version, topic, state)"
                    " VALUES (:i, :o, :v, :t, :s)"
                ),
                {
                    "i": record.id if record_id is None else record_id,
                    "o": record.originator_id,
                    "v": record.originator_version,
                    "t": record.topic,
                    "s": bytes(record.state),
                },
            )


@pytest.fixture
def store(site: Flask) -> Iterator[Store]:
    opened = Store(site)
    yield opened
    opened.engine.dispose()


def named(record: Any) -> str:
    """How verify names a record: notification id, originator id and version, topic."""
    originator = UUID(str(record.originator_id))
    return f"notification {record.id} ({originator} version {record.originator_version}, "


def edited(state: bytes, **changes: Any) -> bytes:
    fields = json.loads(state)
    fields.update(changes)
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@contextmanager
def restored(store: Store, record: Any) -> Iterator[None]:
    """Whatever a test does to `record`, it is put back as it was, and the store verifies."""
    try:
        yield
    finally:
        store.delete(record.id)
        store.insert(record)


def recomputed(records: list[Any]) -> list[str]:
    """The chain over raw rows, computed here from the formula, apart from the projection."""
    links, previous = [], "0" * 64
    for r in records:
        parts = [
            previous,
            str(r.id),
            str(UUID(str(r.originator_id))),
            str(r.originator_version),
            r.topic,
            hashlib.sha256(bytes(r.state)).hexdigest(),
        ]
        previous = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
        links.append(previous)
    return links


def test_every_stored_record_is_chained_in_notification_order(site: Flask, store: Store) -> None:
    records = store.records()
    services: Services = site.extensions["minsheng"]
    with services.read() as c:
        rows = store_chain.page(c, 0, 100_000)
        head = store_chain.head(c)
    assert {r.topic for r in records} >= {
        "domain.staff:StaffAccount.RoleGranted",
        "domain.cases:CaseIndex.Reserved",
        "domain.cases:Case.Submitted",
    }
    assert [r.notification_id for r in rows] == [r.id for r in records]
    assert [r.seq for r in rows] == list(range(1, len(records) + 1))
    assert [r.link for r in rows] == recomputed(records)
    assert head == (len(records), recomputed(records)[-1])


def test_each_public_entry_joins_the_store_chain_at_its_event(site: Flask, store: Store) -> None:
    services: Services = site.extensions["minsheng"]
    records = store.records()
    links = dict(zip((r.id for r in records), recomputed(records), strict=True))
    with services.read() as c:
        events = c.execute(text("SELECT event_id FROM public_log ORDER BY seq")).scalars().all()
        joined = [store_chain.link_at(c, event) for event in events]
    assert events and joined == [links[event] for event in events]


def test_the_head_is_published_in_the_footer_the_api_and_the_checkpoint(
    site: Flask, store: Store
) -> None:
    services: Services = site.extensions["minsheng"]
    with services.read() as c:
        events, head = store_chain.head(c)  # type: ignore[misc]
    client = site.test_client()
    page = client.get("/plans/2023/").get_data(as_text=True)
    assert f"第{events}条 · <code>{head[:16]}</code>" in page
    heads = client.get("/api/v1/log?limit=1").get_json()["heads"]
    assert heads["store"] == {"events": events, "head": head}
    assert head in client.get("/journalists").get_data(as_text=True)
    log = client.get("/api/v1/log?limit=500")
    entries = log.get_json()["entries"]
    while log.get_json()["next"]:
        log = client.get(log.get_json()["next"])
        entries += log.get_json()["entries"]
    [checkpoint] = [e for e in entries if e["kind"] == "log.checkpoint"]
    chained = recomputed(store.records())
    payload = checkpoint["payload"]
    assert chained[payload["store_events"] - 1] == payload["store_head"]
    assert set(payload) == {"day", "entries", "head", "store_events", "store_head"}


def test_an_untouched_store_verifies_both_chains(site: Flask, store: Store) -> None:
    code, output = run(site, "log", "verify")
    events = len(store.records())
    assert code == 0, output
    assert output.splitlines()[1].startswith(f"store chain verified: {events} events, head ")


def test_a_changed_role_scope_is_found_and_named(site: Flask, store: Store) -> None:
    grant = store.first("domain.staff:StaffAccount.RoleGranted", '"role":"reporter"')
    with restored(store, grant):
        store.set_state(grant.id, edited(grant.state, role="admin", scope="市政府办公室"))
        code, output = run(site, "log", "verify")
        assert code == 1 and f"{named(grant)}domain.staff:StaffAccount.RoleGranted) changed" in (
            output
        )
    assert run(site, "log", "verify")[0] == 0


def test_a_changed_case_number_index_is_found_and_named(site: Flask, store: Store) -> None:
    index = store.first("domain.cases:CaseIndex.Reserved", '"kind":"number"')
    own = json.loads(index.state)["case_id"]
    other = next(
        r
        for r in store.records()
        if r.topic == "domain.cases:Case.Submitted" and str(UUID(str(r.originator_id))) != own
    )
    with restored(store, index):
        hijacked = edited(index.state, case_id=str(UUID(str(other.originator_id))))
        assert hijacked != index.state
        store.set_state(index.id, hijacked)
        code, output = run(site, "log", "verify")
        assert code == 1 and f"{named(index)}domain.cases:CaseIndex.Reserved) changed" in output
    assert run(site, "log", "verify")[0] == 0


def test_one_changed_byte_of_sealed_personal_data_is_found_and_named(
    site: Flask, store: Store
) -> None:
    case = store.first("domain.cases:Case.Submitted")
    state = bytes(case.state)
    at = state.index(b'"sealed":"') + 20  # a base64 character inside the ciphertext
    flipped = b"A" if state[at : at + 1] != b"A" else b"B"
    with restored(store, case):
        store.set_state(case.id, state[:at] + flipped + state[at + 1 :])
        code, output = run(site, "log", "verify")
        assert code == 1 and f"{named(case)}domain.cases:Case.Submitted) changed" in output
    assert run(site, "log", "verify")[0] == 0


def test_a_deleted_record_is_found_and_named(site: Flask, store: Store) -> None:
    revoked = store.first("domain.staff:StaffAccount.RoleGranted")
    with restored(store, revoked):
        store.delete(revoked.id)
        code, output = run(site, "log", "verify")
        assert code == 1
        assert f"{named(revoked)}domain.staff:StaffAccount.RoleGranted) is in the published" in (
            output
        )
    assert run(site, "log", "verify")[0] == 0


def test_a_record_put_in_the_place_of_another_is_found_and_named(site: Flask, store: Store) -> None:
    grants = [r for r in store.records() if r.topic.endswith("RoleGranted")]
    victim, forged = grants[0], grants[1]
    with restored(store, victim):
        store.delete(victim.id)
        store.insert(SimpleNamespace(**{**forged._asdict(), "originator_version": 900}), victim.id)
        code, output = run(site, "log", "verify")
        assert code == 1 and f"notification {victim.id} (" in output
        assert "is not what was chained there" in output
    assert run(site, "log", "verify")[0] == 0


def test_a_rebuilt_store_chain_cannot_hide_a_change_from_the_checkpoint(
    site: Flask, store: Store
) -> None:
    """Rebuilding the read model over a changed record makes the links agree again; the
    checkpoint recorded before still holds the old head, and verify names the span."""
    grant = store.first("domain.staff:StaffAccount.RoleGranted", '"role":"reporter"')
    try:
        store.set_state(grant.id, edited(grant.state, role="admin", scope="市政府办公室"))
        assert run(site, "projections", "rebuild", "store_chain")[0] == 0
        code, output = run(site, "log", "verify")
        assert code == 1 and "the checkpoint of" in output
        assert "changed, deleted or inserted at or before notification" in output
    finally:
        store.set_state(grant.id, bytes(grant.state))
    assert run(site, "projections", "rebuild", "store_chain")[0] == 0
    assert run(site, "log", "verify")[0] == 0


def exported(site: Flask, folder: Path) -> list[str]:
    path = folder / "log.jsonl"
    assert run(site, "log", "export", str(path))[0] == 0
    return path.read_text(encoding="utf-8").splitlines()


def written(folder: Path, name: str, lines: list[str]) -> str:
    path = folder / name
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return str(path)


def saved_checkpoint(lines: list[str]) -> tuple[str, dict[str, Any]]:
    """The checkpoint entry of an export (its line) and what it says (its payload)."""
    line = next(x for x in lines if json.loads(x)["entry"]["kind"] == "log.checkpoint")
    return line, json.loads(line)["entry"]["payload"]


def rehashed(lines: list[str], changed: int) -> list[str]:
    """A thorough forger's export: entry `changed` altered, every later hash recomputed, and
    the checkpoints inside the export made to name the new heads."""
    previous, heads, out = "0" * 64, {0: "0" * 64}, []
    for line in lines:
        record = json.loads(line)
        entry = record["entry"]
        if record["seq"] == changed:
            entry["payload"] = {**entry["payload"], "forged": True}
        if entry["kind"] == "log.checkpoint":
            entry["payload"]["head"] = heads[entry["payload"]["entries"]]
        canonical = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()
        out.append(
            json.dumps(
                {"seq": record["seq"], "entry": entry, "prev_hash": previous, "hash": digest},
                ensure_ascii=False,
            )
        )
        previous = heads[record["seq"]] = digest
    return out


def test_an_export_holding_a_saved_checkpoint_is_accepted_in_every_form(
    site: Flask, tmp_path: Path
) -> None:
    lines = exported(site, tmp_path)
    line, payload = saved_checkpoint(lines)
    path = written(tmp_path, "log.jsonl", lines)
    seq = json.loads(line)["seq"]
    api = site.test_client().get(f"/api/v1/log?after={seq - 1}&limit=1").get_json()
    [api_entry] = api["entries"]
    assert api_entry["kind"] == "log.checkpoint"
    forms = [
        f"{payload['entries']}:{payload['head']}",
        written(tmp_path, "checkpoint-line.json", [line]),
        written(tmp_path, "checkpoint-api.json", [json.dumps(api_entry, ensure_ascii=False)]),
        written(tmp_path, "checkpoint-payload.json", [json.dumps(payload)]),
    ]
    for form in forms:
        code, output = run(site, "log", "verify", "--export", path, "--checkpoint", form)
        assert code == 0 and output.startswith(f"verified: {len(lines)} entries"), (form, output)


def test_an_export_cut_short_before_a_saved_checkpoint_is_refused(
    site: Flask, tmp_path: Path
) -> None:
    lines = exported(site, tmp_path)
    _line, payload = saved_checkpoint(lines)
    cut = written(tmp_path, "cut.jsonl", lines[: payload["entries"] - 1])
    assert run(site, "log", "verify", "--export", cut)[0] == 0  # consistent, as far as it goes
    saved = f"{payload['entries']}:{payload['head']}"
    code, output = run(site, "log", "verify", "--export", cut, "--checkpoint", saved)
    assert code == 1
    assert f"entry {payload['entries']}: missing" in output and "truncated" in output


def test_a_rehashed_export_is_refused_against_a_saved_checkpoint(
    site: Flask, tmp_path: Path
) -> None:
    lines = exported(site, tmp_path)
    line, payload = saved_checkpoint(lines)
    forged = written(tmp_path, "forged.jsonl", rehashed(lines, changed=5))
    assert run(site, "log", "verify", "--export", forged)[0] == 0  # it holds together...
    kept = written(tmp_path, "kept.json", [line])
    code, output = run(site, "log", "verify", "--export", forged, "--checkpoint", kept)
    assert code == 1  # ...but not against what a reader kept
    assert f"entry {payload['entries']}: its hash is " in output and "rewritten" in output
    assert f"the saved checkpoint says {payload['head']}" in output


def test_the_store_is_held_against_a_saved_checkpoint_of_both_chains(
    site: Flask, tmp_path: Path
) -> None:
    _line, payload = saved_checkpoint(exported(site, tmp_path))
    kept = written(tmp_path, "kept.json", [json.dumps(payload)])
    assert run(site, "log", "verify", "--checkpoint", kept)[0] == 0
    other = {**payload, "store_head": "f" * 64}
    code, output = run(
        site, "log", "verify", "--checkpoint", written(tmp_path, "other.json", [json.dumps(other)])
    )
    assert code == 1 and f"the saved checkpoint {payload['store_events']}:{'f' * 64}" in output
    code, output = run(site, "log", "verify", "--checkpoint", f"{payload['entries']}:{'e' * 64}")
    assert code == 1 and "the public log does not verify" in output
    assert run(site, "log", "verify", "--checkpoint", "not-a-checkpoint")[0] == 2


def recipe(page: str, name: str) -> str:
    found = re.search(rf'<pre id="{name}"><code>(.*?)</code></pre>', page, re.DOTALL)
    assert found, name
    return html.unescape(found.group(1))


def test_the_journalists_page_recipes_recompute_the_published_heads(
    site: Flask, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = site.test_client()
    page = client.get("/journalists").get_data(as_text=True)
    heads = client.get("/api/v1/log?limit=1").get_json()["heads"]
    (tmp_path / "log.jsonl").write_bytes(client.get("/api/v1/log.jsonl").get_data())
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(recipe(page, "recipe-public"), {})  # the page's own program, as a reader runs it
    assert printed.getvalue().split() == [str(heads["public"]["entries"]), heads["public"]["head"]]
    namespace: dict[str, Any] = {}
    exec(recipe(page, "recipe-store"), namespace)
    records = [
        (r.id, r.originator_id, r.originator_version, r.topic, bytes(r.state))
        for r in store.records()
    ]
    assert namespace["store_chain"](records) == (heads["store"]["events"], heads["store"]["head"])
