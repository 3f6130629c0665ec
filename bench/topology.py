"""The Procfile's processes as real processes, on PostgreSQL, with Redis for rate limits.

The lines of the Procfile are run as they are written (through bash, with the
project's virtualenv first on PATH): `release` once, then `web` (one gunicorn
master with WEB_CONCURRENCY=2 workers and `--threads` from GUNICORN_CMD_ARGS,
which gunicorn reads beside its command line), `projections` and `alerts`.
The web line binds ${HOST:-0.0.0.0}; here HOST=127.0.0.1, loopback only.

One gunicorn master with two workers rather than two gunicorns: it is what the
Procfile's `web` line is in production, and a worker killed with -9 is
respawned by its master, as a platform's supervisor would restart a process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import BIN, ROOT, free_port

PROCFILE = ROOT / "Procfile"


def procfile(path: Path = PROCFILE) -> dict[str, str]:
    """The Procfile's process types and their command lines."""
    lines: dict[str, str] = {}
    for line in path.read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() and not name.lstrip().startswith("#"):
            lines[name.strip()] = command.strip()
    return lines


@dataclass
class Topology:
    """release, web and projections from the Procfile, in `folder` (their logs are there)."""

    env: dict[str, str]
    folder: Path
    web_workers: int = 2
    threads: int = 4
    port: int = field(default_factory=free_port)
    lines: dict[str, str] = field(default_factory=procfile)
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    alerts: subprocess.Popen[bytes] | None = None
    started: int = 0  # processes started, for the log file names
    worker_log: Path = Path("/dev/null")  # the latest projections worker's

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def process_env(self) -> dict[str, str]:
        return {
            **os.environ,
            **self.env,
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.web_workers),
            "GUNICORN_CMD_ARGS": f"--threads {self.threads} --log-level warning",
            "PROJECTOR_THREAD": "0",  # the projections worker runs instead
            "PYTHONUNBUFFERED": "1",  # their logs as they happen
        }

    def release(self) -> None:
        """The release step: read models set up, the plan loaded. Fails loudly."""
        done = subprocess.run(
            ["bash", "-c", self.lines["release"]],
            cwd=ROOT,
            env=self.process_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        (self.folder / "release.log").write_text(done.stdout + done.stderr)
        if done.returncode:
            raise RuntimeError(f"release failed ({done.returncode}): {done.stderr[-2000:]}")

    def start(self) -> None:
        self.web = self._spawn("web")
        self.worker = self._spawn("projections")
        if "alerts" in self.lines:  # the e-mail alerts (no sender here: it finds none due)
            self.alerts = self._spawn("alerts")
        self._wait_for_web()

    def _spawn(self, name: str) -> subprocess.Popen[bytes]:
        self.started += 1
        path = self.folder / f"{name}-{self.started}.log"
        if name == "projections":
            self.worker_log = path
        with path.open("wb") as log:
            # exec: the process killed is the program itself, not a shell around it.
            return subprocess.Popen(
                ["bash", "-c", "exec " + self.lines[name]],
                cwd=ROOT,
                env=self.process_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_for_web(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.web is not None
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.web.returncode}: see {self.folder}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).read()
                if len(self.web_pids()) == self.web_workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s: see {self.folder}")

    def web_pids(self) -> list[int]:
        """The gunicorn master's worker processes."""
        assert self.web is not None
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except FileNotFoundError:
            return []

    def kill_web_worker(self) -> int:
        """kill -9 one gunicorn worker (its master starts another); its pid."""
        victim = self.web_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_worker(self) -> None:
        """kill -9 the projections worker."""
        assert self.worker is not None
        self.worker.kill()
        self.worker.wait(timeout=10)

    def restart_worker(self) -> None:
        """What a supervisor does after the worker died."""
        self.worker = self._spawn("projections")

    def stop(self) -> None:
        for process in (self.web, self.worker, self.alerts):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.web, self.worker, self.alerts):
            if process is None:
                continue
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def tracebacks(self) -> int:
        """Tracebacks the processes logged (a 500 logs one)."""
        return sum(p.read_text(errors="replace").count("Traceback") for p in self.logs())

    def logs(self) -> list[Path]:
        return sorted(self.folder.glob("*.log"))
