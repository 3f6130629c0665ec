"""`make serve` (what `make run` ends with): its gunicorn workers share one count.

Real processes: make, tools/with-redis and its redis-server, gunicorn with two
workers. Two keep-alive connections, each held by a different worker (the
access log names the worker's pid), take turns at failing lookups: the
documented limit holds for both together, then everything stops and the
socket is gone.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from limits import parse

from minsheng_site.config import from_environment
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@dataclass
class Served:
    port: int
    access_log: Path
    socket: Path

    def pid_of(self, probe: str) -> str | None:
        """The pid of the worker that logged the request carrying `probe`, once logged.

        Only whole lines are read (a line being written may be read as "<65"), and a
        request is known by its own probe, not by its place in the log: gunicorn logs
        after answering, so the fixture's last health check may be logged late.
        """
        if not self.access_log.exists():
            return None
        *whole, _being_written = self.access_log.read_text().split("\n")
        for line in whole:
            fields = line.split()
            if f"probe={probe}" in fields:
                return fields[0]
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, redis_server: object) -> Iterator[Served]:
    """`make serve` on an empty SQLite store (redis_server: fail here if Redis is missing)."""
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    make_app(database, tmp_path).extensions["minsheng"].close()  # tables exist before workers
    port, log = _free_port(), tmp_path / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "make-serve-test",
    }
    # Keep-alive pins each client to one worker; gunicorn's sync workers close every
    # connection, so the test runs two threaded workers (the limit store is the same).
    flags = (
        f"--workers 2 --threads 2 --keep-alive 60 --access-logfile {log}"
        " --access-logformat '%(p)s %(m)s %(U)s %(q)s %(s)s'"
    )
    make = subprocess.Popen(
        ["make", "-s", "-C", str(ROOT), "serve", f"PORT={port}", f"GUNICORN_FLAGS={flags}"],
        env=env,
        start_new_session=True,  # its own process group: stopped as Ctrl-C would stop it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    served = Served(port, log, tmp_path / "limits.sock")
    try:
        _wait_for(lambda: _answers(port), make)
        yield served
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)
        assert make.stderr is not None
        make.stderr.close()
    _wait_for(lambda: not served.socket.exists(), None)  # with-redis stopped its server


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _wait_for(ready: object, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ready():  # type: ignore[operator]
            return
        if process is not None and process.poll() is not None:
            raise AssertionError(process.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
        time.sleep(0.1)
    raise AssertionError("timed out")


class Connection:
    """One keep-alive connection: gunicorn serves all of it from the worker that accepted it."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.http = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)

    def send(self, method: str, path: str, cookie: str = "", body: str = "") -> tuple[int, str]:
        """(status, the pid of the worker that answered)."""
        probe = uuid.uuid4().hex
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.http.request(method, f"{path}?probe={probe}", body=body or None, headers=headers)
        response = self.http.getresponse()
        self.last = response
        self.text = response.read().decode()
        _wait_for(lambda: self.served.pid_of(probe) is not None, None)
        return response.status, str(self.served.pid_of(probe))


def test_make_serve_counts_each_limit_once_for_both_workers(served: Served) -> None:
    first = Connection(served)
    status, first_pid = first.send("GET", "/cases/lookup")
    assert status == 200
    cookie = first.last.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', first.text)
    assert token and cookie
    # The other worker, on purpose: which worker accepts a connection is the kernel's choice
    # (50 tries in a row once all went to one), so the first worker is paused until the
    # second connection has been accepted and answered; only the other can accept it.
    worker = int(first_pid.strip("<>"))  # as the access log writes it: <pid>
    os.kill(worker, signal.SIGSTOP)
    second = Connection(served)
    try:
        second_pid = second.send("GET", "/healthz")[1]
    finally:
        os.kill(worker, signal.SIGCONT)
    assert second_pid != first_pid

    allowed = parse(from_environment(os.environ)["LOOKUP_LIMIT"]).amount
    answers = []
    for i in range(allowed + 2):
        body = urlencode({"csrf_token": token[1], "number": f"2023-{i:06d}", "code": "12345678"})
        answers.append((first, second)[i % 2].send("POST", "/cases/lookup", cookie, body))
    first.http.close()
    second.http.close()
    assert [status for status, _ in answers] == [401] * allowed + [429, 429]
    assert len({pid for _, pid in answers}) == 2  # both workers answered, one count
