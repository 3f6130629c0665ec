"""Open311 through a real GeoReport client; the log's chain, its export, and tampering."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from georeport import GeoReport
from sqlalchemy import text

from application.store import store_settings


def test_the_georeport_client_lists_services_and_requests_and_reads_one(server: str) -> None:
    client = GeoReport(f"{server}/open311/v2")
    services = client.get_service_list()
    assert {s["service_name"] for s in services} >= {"城市管理", "交通出行"}
    requests = client.get_service_requests(status="closed")
    assert requests and all(r["status"] == "closed" for r in requests)
    one = client.get_service_request(requests[0]["service_request_id"])
    assert one["service_request_id"] == requests[0]["service_request_id"]
    assert {"stage", "route", "deadline", "key_supervised", "district"} <= set(one)
    code = services[0]["service_code"]
    assert all(r["service_code"] == code for r in client.get_service_requests(service_code=code))


def test_the_georeport_client_reads_the_same_in_xml(server: str) -> None:
    as_json, as_xml = GeoReport(f"{server}/open311/v2"), GeoReport(f"{server}/open311/v2", "xml")
    services = as_xml.get_service_list()
    assert [(s["service_code"], s["service_name"]) for s in services] == [
        (s["service_code"], s["service_name"]) for s in as_json.get_service_list()
    ]
    requests = as_xml.get_service_requests(status="closed")
    expected = as_json.get_service_requests(status="closed")
    assert [r["service_request_id"] for r in requests] == [
        r["service_request_id"] for r in expected
    ]
    one = as_xml.get_service_request(requests[0]["service_request_id"])
    first = expected[0]
    assert (one["stage"], one["district"], one["requested_datetime"]) == (
        first["stage"],
        first["district"],
        first["requested_datetime"],
    )
    assert one["lat"] is None  # empty elements for nulls


def test_open311_errors_and_pages_keep_the_format_asked_for(server: str) -> None:
    import xml.etree.ElementTree as ET

    try:
        urllib.request.urlopen(f"{server}/open311/v2/requests/NOPE.xml")
    except urllib.error.HTTPError as error:
        assert error.code == 404 and error.headers["Content-Type"].startswith("text/xml")
        root = ET.fromstring(error.read())
        assert root.tag == "errors" and root.find("error/code").text == "404"  # type: ignore[union-attr]
    else:
        raise AssertionError("an unknown request is a 404")
    with urllib.request.urlopen(f"{server}/open311/v2/requests.xml?page_size=50") as response:
        assert "/requests.xml?" in response.headers["Link"]
        assert len(ET.fromstring(response.read()).findall("request")) == 50
    with urllib.request.urlopen(f"{server}/open311/v2/discovery.xml") as response:
        formats = [f.text for f in ET.fromstring(response.read()).iter("format")]
    assert formats == ["application/json", "text/xml"]
    with urllib.request.urlopen(f"{server}/open311/v2/requests.json?page_size=1") as response:
        number = json.loads(response.read())[0]["service_request_id"]
    with urllib.request.urlopen(f"{server}/open311/v2/requests/{number}/history.xml") as response:
        steps = ET.fromstring(response.read())
    assert steps.tag == "history" and steps.find("step/step").text == "submitted"  # type: ignore[union-attr]


def test_open311_filters_and_errors(server: str) -> None:
    def get(path: str) -> tuple[int, object]:
        try:
            with urllib.request.urlopen(f"{server}/open311/v2/{path}") as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, recent = get("requests.json?updated_after=2023-11-01T00:00:00Z")
    assert status == 200 and all(r["updated_datetime"] > "2023-11-01" for r in recent)  # type: ignore[union-attr]
    assert get("requests.json?status=maybe")[0] == 400
    assert get("requests.json?start_date=yesterday")[0] == 400
    assert get("requests.json?page_size=1001")[0] == 400
    assert get("requests.json?page=0")[0] == 400
    assert get("requests/NOPE.json")[0] == 404
    number = recent[0]["service_request_id"]  # type: ignore[index]
    status, history = get(f"requests/{number}/history.json")
    assert status == 200 and history[0]["step"] == "submitted"  # type: ignore[index]


def test_open311_lists_page_by_link_headers(server: str) -> None:
    def page(url: str) -> tuple[list[str], str | None]:
        with urllib.request.urlopen(url) as response:
            link = response.headers.get("Link")
            numbers = [r["service_request_id"] for r in json.loads(response.read())]
        return numbers, link.split(">")[0].lstrip("<") if link else None

    everything, last = page(f"{server}/open311/v2/requests.json?page_size=1000")
    assert len(everything) == 120 and last is None
    walked, url = [], f"{server}/open311/v2/requests.json?page_size=50&status=open,closed"
    while url:
        numbers, url = page(url)  # type: ignore[assignment]
        assert len(numbers) <= 50
        walked += numbers
    assert walked == everything  # newest first, every case once, nothing skipped
    default, _link = page(f"{server}/open311/v2/requests.json")
    assert default == everything[:100]
    closed, _ = page(f"{server}/open311/v2/requests.json?status=closed&page_size=1000")
    opened, _ = page(f"{server}/open311/v2/requests.json?status=open&page_size=1000")
    assert sorted(closed + opened) == sorted(everything)


def test_a_next_page_link_ignores_query_args_that_name_url_for_options(server: str) -> None:
    # fmt is the path's format; url_for takes _scheme, _anchor... as options, not query args.
    asked = "page_size=50&fmt=xml&_scheme=ftp&_anchor=top&_external=0&_method=POST"
    with urllib.request.urlopen(f"{server}/open311/v2/requests.json?{asked}") as response:
        assert response.status == 200
        link = response.headers["Link"].split(">")[0].lstrip("<")
    assert link.startswith(f"{server}/open311/v2/requests.json?") and "#" not in link
    assert "page=2" in link and "page_size=50" in link


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_an_untouched_store_and_a_fresh_export_verify(year_app: Flask, tmp_path: Path) -> None:
    code, output = run(year_app, "log", "verify")
    assert code == 0 and output.startswith("verified:")
    export = tmp_path / "log.jsonl"
    assert run(year_app, "log", "export", str(export))[0] == 0
    code, output = run(year_app, "log", "verify", "--export", str(export))
    public_line = run(year_app, "log", "verify")[1].splitlines()[0]
    assert code == 0 and output.splitlines() == [public_line]


def test_a_checkpoint_is_part_of_the_chain_and_verified(year_app: Flask, tmp_path: Path) -> None:
    code, output = run(year_app, "log", "checkpoint")
    assert code == 0 and "checkpoint" in output
    assert run(year_app, "log", "checkpoint")[0] == 1  # once a day
    export = tmp_path / "log.jsonl"
    run(year_app, "log", "export", str(export))
    lines = export.read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1])
    assert last["entry"]["kind"] == "log.checkpoint"
    forged = dict(last)
    forged["entry"] = {**last["entry"], "payload": {**last["entry"]["payload"], "head": "0" * 64}}
    (tmp_path / "forged.jsonl").write_text(
        "\n".join([*lines[:-1], json.dumps(forged, ensure_ascii=False)]), encoding="utf-8"
    )
    code, output = run(year_app, "log", "verify", "--export", str(tmp_path / "forged.jsonl"))
    assert code == 1 and f"entry {last['seq']}" in output


def test_one_changed_byte_of_an_export_is_found_and_named(year_app: Flask, tmp_path: Path) -> None:
    export = tmp_path / "log.jsonl"
    run(year_app, "log", "export", str(export))
    lines = export.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if '"kind":"report.filed"' in line)
    seq = json.loads(lines[target])["seq"]
    lines[target] = lines[target].replace('"amounts":["', '"amounts":["9', 1)
    export.write_text("\n".join(lines), encoding="utf-8")
    code, output = run(year_app, "log", "verify", "--export", str(export))
    assert code == 1 and f"entry {seq} " in output and "hash does not match" in output


@pytest.mark.slow
def test_one_changed_byte_of_one_stored_event_is_found_and_named(year_app: Flask) -> None:
    url = store_settings(_database_url(year_app)).sqlalchemy_url
    from sqlalchemy import create_engine

    engine = create_engine(url)
    table = "stored_events" if url.startswith("sqlite") else "minsheng_events"
    id_column = "rowid" if url.startswith("sqlite") else "notification_id"
    with engine.begin() as c:
        row = c.execute(
            text(
                f"SELECT {id_column} AS id, state FROM {table}"
                " WHERE topic LIKE '%ProgressReported'"
                f" ORDER BY {id_column} LIMIT 1 OFFSET 7"
            )
        ).one()
        state = bytes(row.state)
        at = state.index(b'"period"') + 12  # a digit of the reporting month
        changed = state[:at] + bytes([state[at] ^ 1]) + state[at + 1 :]
        c.execute(
            text(f"UPDATE {table} SET state = :s WHERE {id_column} = :i"),
            {"s": changed, "i": row.id},
        )
    try:
        code, output = run(year_app, "log", "verify")
        assert code == 1 and f"notification {row.id}" in output
    finally:
        with engine.begin() as c:
            c.execute(
                text(f"UPDATE {table} SET state = :s WHERE {id_column} = :i"),
                {"s": state, "i": row.id},
            )
        engine.dispose()
    assert run(year_app, "log", "verify")[0] == 0


def _database_url(app: Flask) -> str:
    return app.config["DATABASE_URL"]


def test_xml_answers_stay_well_formed_whatever_a_citizen_typed(year_app: Flask) -> None:
    import xml.etree.ElementTree as ET

    from minsheng_site.opendata.open311 import answer

    with year_app.test_request_context():
        body = answer([{"description": "积水\x0b严重\x00"}], "xml", "service_requests", "request")
    assert ET.fromstring(body.get_data()).find("request/description").text == "积水严重"  # type: ignore[union-attr]
