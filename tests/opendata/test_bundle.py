"""The open-data bundle (/data/minsheng.sqlite), its datapackage.json and the stdlib-only
log verifier (/data/verify_log.py), on both stores, over real HTTP.

The SQLite file is opened with sqlite3 and counted against the API; the datapackage is
validated by the `frictionless` command line against the CSVs the server answers; the
verifier runs in the system Python without site-packages, as a journalist would run it.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from minsheng_site.opendata import datapackage
from minsheng_site.services import Services
from projections.publiclog.verify import SavedCheckpoint, verify_export
from tests.web.staff_helpers import post_form

SYSTEM_PYTHON = "/usr/bin/python3"
VERIFIER = Path(__file__).parents[2] / "site" / "opendata" / "verify_log.py"
CANARY_NAME, CANARY_PHONE = "金丝雀庚辛壬", "13811112222"
CANARY_WORDS = "不公开的话KANARIEBUNDLE"


def _fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, Any]:
    """The body and headers of a GET over real HTTP (the connection closed)."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return answer.read(), answer.headers


def _read(url: str) -> bytes:
    return _fetch(url)[0]


def _json(url: str) -> Any:
    return json.loads(_read(url))


def _download(server: str, older: str | None = None) -> tuple[bytes, Any, list[int]]:
    """The bundle once a build other than `older` is there: the statuses seen on the way
    (503 while the first is built; 200 with the older one while the next is)."""
    seen: list[int] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            body, headers = _fetch(f"{server}/data/minsheng.sqlite")
        except urllib.error.HTTPError as refused:
            seen.append(refused.code)
            assert refused.code == 503 and refused.headers["Retry-After"] == "60"
            refused.close()
        else:
            seen.append(200)
            if headers["ETag"] != older:
                return body, headers, seen
        time.sleep(0.3)
    raise AssertionError(f"no new bundle in 300 s: {seen}")


@pytest.fixture(scope="module")
def first_download(server: str) -> tuple[bytes, Any, list[int]]:
    return _download(server)


@pytest.fixture(scope="module")
def bundle(
    first_download: tuple[bytes, Any, list[int]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("bundle") / "minsheng.sqlite"
    path.write_bytes(first_download[0])
    yield path


@pytest.fixture(scope="module")
def db(bundle: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{bundle}?mode=ro", uri=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def exported_log(server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("log") / "log.jsonl"
    path.write_bytes(_read(f"{server}/api/v1/log.jsonl"))
    return path


def _count(db: sqlite3.Connection, table: str, where: str = "1") -> int:
    found: int = db.execute(f'SELECT count(*) FROM "{table}" WHERE {where}').fetchone()[0]
    return found


def test_the_bundle_opens_in_sqlite3_and_its_counts_equal_the_apis(
    server: str, db: sqlite3.Connection
) -> None:
    plan = _json(f"{server}/api/v1/plans/2023")
    assert _count(db, "projects", "year = 2023") == len(plan["projects"]) == 118
    assert _count(db, "cases") == _json(f"{server}/api/v1/cases?limit=1")["total"] > 0
    heads = _json(f"{server}/api/v1/log?limit=1")["heads"]["public"]
    assert _count(db, "public_log") == heads["entries"]
    last = db.execute("SELECT hash FROM public_log ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert last == heads["head"]
    reports = sum(
        len(_json(f"{server}/api/v1/plans/2023/projects/{p['ref']}/history")["reports"])
        for p in plan["projects"]
    )
    assert _count(db, "reports") == reports > 0
    months = [r[0] for r in db.execute("SELECT DISTINCT as_of FROM progress ORDER BY as_of")]
    assert months[0] == "2023-01-31" and months[11] == "2023-12-31"
    for as_of in (months[5], months[-1]):
        answer = _json(f"{server}/api/v1/plans/2023/progress?as_of={as_of}")["projects"]
        rows = db.execute(
            "SELECT ref, status, completion FROM progress WHERE as_of = ? ORDER BY ref", (as_of,)
        ).fetchall()
        assert sorted(rows) == sorted((p["ref"], p["status"], p["completion"]) for p in answer)
    raised = [
        json.loads(line)["entry"]
        for line in _read(f"{server}/api/v1/log.jsonl").decode().splitlines()
    ]
    assert _count(db, "findings") == sum(e["kind"] == "finding.raised" for e in raised) > 0


def test_the_bundles_tables_hold_the_csv_exports_row_for_row_with_typed_columns(
    server: str, db: sqlite3.Connection
) -> None:
    for table, url in (
        ("satisfaction", "/open-data/plans/2023/satisfaction.csv"),
        ("evaluation", "/open-data/plans/2023/evaluation.csv"),
        ("cases", "/open-data/cases.csv"),
    ):
        lines = _read(server + url).decode("utf-8-sig").strip().splitlines()
        assert _count(db, table) == len(lines) - 1, table
    types = {row[1]: row[2] for row in db.execute("PRAGMA table_info(satisfaction)")}
    assert (types["total"], types["rate"], types["ranked"]) == ("INTEGER", "REAL", "INTEGER")
    assert db.execute("SELECT typeof(completion) FROM projects LIMIT 1").fetchone() == ("real",)
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        keys = [row for row in db.execute(f'PRAGMA table_info("{table}")') if row[5]]
        assert keys, f"{table} has no primary key"


def test_simulated_rows_say_so_in_the_bundle(db: sqlite3.Connection) -> None:
    # the module's site holds only the plan and its simulated year
    assert _count(db, "reports", "simulated = 0") == 0 < _count(db, "reports")
    assert _count(db, "cases", "simulated = 0") == 0 < _count(db, "cases")
    assert _count(db, "findings", "simulated = 0") == 0 < _count(db, "findings")
    assert _count(db, "progress", "simulated IS NULL") == 0
    assert _count(db, "progress", "simulated = 1 AND as_of = '2023-12-31'") > 0
    # January's progress is made of nothing reported yet where no report was recorded by then
    january = "as_of = '2023-01-31' AND latest_period IS NULL"
    assert _count(db, "progress", f"{january} AND simulated = 1") == 0
    assert _count(db, "public_log", "kind = 'plan.registered' AND simulated = 1") == 0


def test_the_bundle_log_rows_hash_as_the_chain_says(db: sqlite3.Connection) -> None:
    previous = "0" * 64
    for canonical, prev_hash, digest in db.execute(
        "SELECT canonical, prev_hash, hash FROM public_log ORDER BY seq"
    ):
        assert prev_hash == previous
        assert hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest() == digest
        previous = digest


def test_the_first_download_is_asked_to_come_back_while_the_first_build_runs(
    first_download: tuple[bytes, Any, list[int]],
) -> None:
    _body, _headers, seen = first_download
    assert seen[0] == 503 and seen[-1] == 200


def test_the_bundle_is_served_with_its_etag_and_last_modified_and_answers_304(
    server: str, bundle: Path
) -> None:
    _body, first = _fetch(f"{server}/data/minsheng.sqlite")
    tag, modified = first["ETag"], first["Last-Modified"]
    assert tag and modified and first["Content-Type"] == "application/vnd.sqlite3"
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        _fetch(f"{server}/data/minsheng.sqlite", {"If-None-Match": tag})
    assert unchanged.value.code == 304
    unchanged.value.close()
    _description, package = _fetch(f"{server}/data/datapackage.json")
    assert package["ETag"] == tag  # one build: the file and its description


def test_frictionless_validates_the_datapackage_against_the_served_csvs(
    server: str, tmp_path: Path
) -> None:
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(frictionless), "validate", "--json", f"{server}/data/datapackage.json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, ensure_ascii=False)[:3000]
    assert result.returncode == 0
    names = {task["name"] for task in report["tasks"]}
    assert {"cases", "projects-2023", "satisfaction-2023", "evaluation-2023"} <= names
    rows = {task["name"]: task["stats"].get("rows", 0) for task in report["tasks"]}
    assert rows.pop("amendments-2023") == 0  # described though this plan is not amended
    assert all(n > 0 for n in rows.values()), rows


def test_every_column_of_every_csv_export_is_described(server: str) -> None:
    package = _json(f"{server}/data/datapackage.json")
    assert package["licenses"] and package["sources"] and package["title"]
    for resource in package["resources"]:
        export = resource["name"].rsplit("-", 1)[0] if "-" in resource["name"] else "cases"
        header = [f["name"] for f in resource["schema"]["fields"]]
        assert datapackage.undescribed(export, header) == [], resource["name"]
        assert all(f["description"] for f in resource["schema"]["fields"])


def _verify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The verifier in the system Python, isolated (-I) and without site-packages (-S):
    the standard library and nothing of ours."""
    return subprocess.run(
        [SYSTEM_PYTHON, "-I", "-S", str(VERIFIER), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_the_verifier_is_the_file_served_for_download(server: str) -> None:
    served = _read(f"{server}/data/verify_log.py")
    assert served == VERIFIER.read_bytes()
    imports = [
        line for line in served.decode().splitlines() if line.startswith(("import ", "from "))
    ]
    assert not [line for line in imports if "minsheng" in line or "projections" in line]


def test_the_verifier_verifies_the_live_export_against_a_saved_checkpoint(
    server: str, exported_log: Path, tmp_path: Path
) -> None:
    heads = _json(f"{server}/api/v1/log?limit=1")["heads"]["public"]
    checkpoint = f"{heads['entries']}:{heads['head']}"
    from_file = _verify(str(exported_log), "--checkpoint", checkpoint, cwd=tmp_path)
    assert from_file.returncode == 0, from_file.stdout + from_file.stderr
    assert f"verified: {heads['entries']} entries, head {heads['head']}" in from_file.stdout
    from_url = _verify(f"{server}/api/v1/log.jsonl", "--checkpoint", checkpoint, cwd=tmp_path)
    assert from_url.returncode == 0, from_url.stdout + from_url.stderr
    # a checkpoint saved as the API publishes an entry: the middle one's head, as a file
    middle = _json(f"{server}/api/v1/log?after={heads['entries'] // 2 - 1}&limit=1")
    saved = tmp_path / "checkpoint.json"
    row = middle["entries"][0]
    saved.write_text(json.dumps({"payload": {"entries": row["seq"], "head": row["hash"]}}))
    assert _verify(str(exported_log), "--checkpoint", str(saved), cwd=tmp_path).returncode == 0


def test_the_verifier_rejects_an_export_with_one_character_changed(
    exported_log: Path, tmp_path: Path
) -> None:
    lines = exported_log.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if '"kind":"finding.raised"' in line)
    record = json.loads(lines[n])
    text = record["entry"]["payload"]["text"]
    record["entry"]["payload"]["text"] = text[:-1] + ("乙" if text[-1] != "乙" else "甲")
    lines[n] = json.dumps(record, ensure_ascii=False)
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _verify(str(edited), cwd=tmp_path)
    assert result.returncode == 1
    assert f"entry {record['seq']}: its hash does not match its content" in result.stdout


def test_the_verifier_rejects_a_truncated_export_against_a_saved_checkpoint(
    server: str, exported_log: Path, tmp_path: Path
) -> None:
    heads = _json(f"{server}/api/v1/log?limit=1")["heads"]["public"]
    lines = exported_log.read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.jsonl"
    short.write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    alone = _verify(str(short), cwd=tmp_path)
    assert alone.returncode == 0  # a shorter log is a consistent log: only a checkpoint knows
    result = _verify(
        str(short), "--checkpoint", f"{heads['entries']}:{heads['head']}", cwd=tmp_path
    )
    assert result.returncode == 1
    assert "truncated" in result.stdout


def test_no_personal_data_of_a_new_case_reaches_the_bundle_nor_outlives_an_erasure(
    year_app: Flask, server: str, db: sqlite3.Connection, tmp_path: Path
) -> None:
    """Two cases with a made-up name and phone (one consenting, its words naming the
    citizen; one not): the bundle built after them holds neither, nor the words; once
    the citizen is erased, no bundle built before is kept or served."""
    older = _fetch(f"{server}/data/minsheng.sqlite")[1]["ETag"]
    kept = Path(year_app.instance_path) / "opendata"
    killed = kept / ".0123abcd.99999"  # what a build killed midway leaves
    killed.mkdir()
    (killed / "minsheng.sqlite").write_bytes(b"half")
    client = year_app.test_client()
    for consent, words in (("y", f"{CANARY_NAME}反映：{CANARY_WORDS}"), ("", CANARY_WORDS)):
        form = {
            "title": "路面破损",
            "category": "城市管理",
            "district": "梁溪区",
            "content": words,
            "name": CANARY_NAME,
            "phone": CANARY_PHONE,
            **({"consent": consent} if consent else {}),
        }
        status, location, _ = post_form(client, "/cases/new", form)
        assert (status, location) == (303, "/cases/mine")
    services: Services = year_app.extensions["minsheng"]
    services.caught_up()
    before = _json(f"{server}/api/v1/cases?limit=1")["total"]
    body, headers, seen = _download(server, older)
    assert seen[0] == 200  # the older bundle, while the new one was built
    # the new build replaced the old one and the killed one's leftovers
    assert sorted(p.name for p in kept.iterdir()) == [".lock", headers["ETag"].strip('"')]
    for canary in (CANARY_NAME, CANARY_PHONE, "138 1111 2222", CANARY_WORDS, "KANARIEBUNDLE"):
        assert canary.encode() not in body, canary
    (tmp_path / "after.sqlite").write_bytes(body)
    rebuilt = sqlite3.connect(tmp_path / "after.sqlite")
    # a new build (the log moved), which holds both cases: their public facts are there
    assert _count(rebuilt, "cases") == before == _count(db, "cases") + 2
    rebuilt.close()
    runner = year_app.test_cli_runner()
    erased = runner.invoke(
        args=["cases", "erase", "--phone", CANARY_PHONE, "--reason", "本人申请删除"]
    )
    assert erased.exit_code == 0, erased.output
    assert [p.name for p in kept.iterdir()] == [".lock"]
    assert _download(server)[2][0] == 503  # built anew, from the log after the erasure


def _shown(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.DOTALL)
    assert found, pattern
    return html.unescape(found.group(1))


def test_the_journalists_page_works_its_example_as_the_verifier_does(
    server: str, tmp_path: Path
) -> None:
    """The page's worked example: the canonical text it shows hashes (after 64 zeros and a
    line break) to the hash it shows, Python's default json.dumps does not, and the
    verifier accepts a log made of that one entry."""
    page = _read(f"{server}/journalists").decode()
    canonical = _shown(page, r'<pre id="canonical-text"><code>(.*?)</code></pre>')
    shown_hash = _shown(page, r'<code id="canonical-hash">([0-9a-f]{64})</code>')
    assert hashlib.sha256(("0" * 64 + "\n" + canonical).encode()).hexdigest() == shown_hash
    entry = json.loads(canonical)
    assert json.dumps(entry) != canonical and "整改到位" in canonical and ", " not in canonical
    assert list(entry) == sorted(entry)
    record = {"seq": 1, "entry": entry, "prev_hash": "0" * 64, "hash": shown_hash}
    (tmp_path / "one.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = _verify("one.jsonl", "--checkpoint", f"1:{shown_hash}", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    for link in ("/data/verify_log.py", "/data/minsheng.sqlite", "/data/datapackage.json"):
        assert f'href="{link}"' in page, link


def test_the_verifier_agrees_with_flask_log_verify_on_every_kind_of_export(
    exported_log: Path, tmp_path: Path
) -> None:
    """The independent verifier and projections.publiclog.verify (what `flask log verify
    --export` runs) give the same verdict on the export, an edited one (a payload, a
    previous hash, the order of two lines), one with a line that is not an entry, and a
    truncated one held against a checkpoint."""
    lines = exported_log.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[5])
    full = f"{len(lines)}:{json.loads(lines[-1])['hash']}"
    variants: dict[str, tuple[list[str], list[str]]] = {
        "as exported": (lines, [full]),
        "a payload edited": (
            [*lines[:5], lines[5].replace('"payload":{', '"payload":{"x":1,', 1), *lines[6:]],
            [],
        ),
        "a previous hash edited": (
            [*lines[:5], json.dumps({**record, "prev_hash": "1" * 64}), *lines[6:]],
            [],
        ),
        "two lines swapped": ([*lines[:5], lines[6], lines[5], *lines[7:]], []),
        "not an entry": ([*lines[:5], "{}", *lines[5:]], []),
        "truncated": (lines[:-1], [full]),
    }
    for name, (text, checkpoints) in variants.items():
        path = tmp_path / "variant.jsonl"
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        saved = [SavedCheckpoint.parse(c) for c in checkpoints]
        ours = verify_export(path.read_text(encoding="utf-8").splitlines(), saved).ok
        args = [a for c in checkpoints for a in ("--checkpoint", c)]
        theirs = _verify(str(path), *args, cwd=tmp_path).returncode == 0
        assert ours == theirs == (name == "as exported"), name
