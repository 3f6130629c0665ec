"""Shared by the benchmarks: a loaded instance, a gunicorn server, wrk."""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"


def machine() -> str:
    python = platform.python_version()
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {python}, {platform.platform()}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """The app under gunicorn, as the Procfile runs it (no projector thread)."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "minsheng_site:create_app()",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def worker_rss_mb(self) -> list[float]:
        """Each worker's resident memory (VmRSS), in MiB."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) != self.process.pid:  # the parent's pid
                    continue
                status = (stat.parent / "status").read_text()
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
            found.append(int(kib) / 1024)
        return sorted(found)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass(frozen=True)
class Load:
    url: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def wrk(
    url: str, seconds: int = 5, connections: int = 16, headers: dict[str, str] | None = None
) -> Load:
    header_args = [arg for k, v in (headers or {}).items() for arg in ("-H", f"{k}: {v}")]
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *header_args, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: .*", out)
    return Load(
        url,
        rps,
        _ms(out, "50%"),
        _ms(out, "99%"),
        int(errors[1]) if errors else 0 + (1 if socket_errors else 0),
    )


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def save(name: str, data: dict) -> Path:  # type: ignore[type-arg]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    return path


def report_posts(
    name: str, clients: int, measured: dict[str, float], baseline: dict[str, float]
) -> None:
    """Print POST throughput against the bare sqlite3 baseline, and save both."""
    print(f"machine: {machine()}")
    posts = f"{measured['requests']:.0f} POSTs of each kind"
    print(f"gunicorn 2 sync workers, SQLite, {clients} clients, {posts}\n")
    print(f"{'':28} {'POST/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
    for label, r in ((name, measured), ("bare sqlite3 insert POST", baseline)):
        figures = (
            f"{r['per_second']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['failures']:7.0f}"
        )
        print(f"{label:28} {figures}")
    print(f"\nratio ({name} / baseline): {measured['per_second'] / baseline['per_second']:.3f}")
    save(name.replace(" ", "-"), {"machine": machine(), "measured": measured, "baseline": baseline})


def loaded_instance(
    prefix: str,
    extra: dict[str, str] | None = None,
    ratings: bool = False,
    scale: int = 1,
    cycle: bool = False,
) -> dict[str, str]:
    """A fresh instance with the plan and the simulated year (and its ratings); its env.
    `scale`: that many times the simulated cases and raters, in the same year. `cycle`: then
    the simulated 2024 cycle and plan, as `flask simulation load` writes them."""
    from application.plan_file import load_plan_file
    from application.simulated_cases import SimulatedCases
    from application.simulated_ratings import SimulatedRatings
    from application.simulation import SimulatedYear
    from minsheng_site import create_app

    instance = Path(tempfile.mkdtemp(prefix=f"minsheng-bench-{prefix}-"))
    env = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "PROJECTOR_THREAD": "0"}
    env.update(extra or {})
    os.environ.update(env)  # configuration comes from the environment, here as under gunicorn
    app = create_app()
    services = app.extensions["minsheng"]
    plan = load_plan_file(ROOT / "plans" / "2023" / "plan.yaml")
    services.ledger.register_plan(plan, "bench")
    SimulatedYear(services.ledger, plan).write()  # the pages as make run shows them
    SimulatedCases(services.ledger, plan.year, count=1700 * scale).write()
    if ratings:
        SimulatedRatings(services.ledger, plan, people=2200 * scale).write()
    if cycle:
        from application.simulated_cycle import write_simulated_cycle

        following = load_plan_file(ROOT / "plans" / "2024" / "plan.yaml")
        write_simulated_cycle(services.ledger, 2024, following, seed=20230314)
    services.caught_up()
    services.close()
    return env


@dataclass(frozen=True)
class Versus:
    """One answer under wrk, and the same bytes as a static file from the same server."""

    label: str
    size: int
    dynamic: Load
    static: Load

    @property
    def ratio(self) -> float:
        return self.dynamic.requests_per_second / self.static.requests_per_second


def against_static(server: Gunicorn, answers: dict[str, str], seconds: int) -> list[Versus]:
    """wrk each answer (path by label) and a static copy of its bytes (static/bench/)."""
    folder = ROOT / "static" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for label, path in answers.items():
        body = urllib.request.urlopen(server.url + path).read()
        copy = folder / (re.sub(r"[^A-Za-z0-9._-]", "_", path.strip("/")) + ".bin")
        copy.write_bytes(body)
        static_url = f"{server.url}/static/bench/{copy.name}"
        assert urllib.request.urlopen(static_url).read() == body
        wrk(server.url + path, seconds=1)  # warm up: the first build of each answer
        rows.append(
            Versus(label, len(body), wrk(server.url + path, seconds), wrk(static_url, seconds))
        )
    return rows


def print_against_static(rows: list[Versus], name: str, heading: str) -> None:
    """Print the table (and save it as bench/results/<name>.json)."""
    width = max(len(r.label) for r in rows)
    print(heading + "\n")
    columns = f"{'bytes':>7} {'req/s':>7} {'p99 ms':>7} | {'static':>7} {'p99 ms':>7} | ratio"
    print(f"{'':{width}} {columns}")
    for r in rows:
        d, s = r.dynamic, r.static
        print(
            f"{r.label:{width}} {r.size:7d} {d.requests_per_second:7.0f} {d.p99_ms:7.1f} | "
            f"{s.requests_per_second:7.0f} {s.p99_ms:7.1f} | {r.ratio:.2f}"
        )
        if d.errors or s.errors:
            print(f"  errors: dynamic {d.errors}, static {s.errors}")
    save(
        name,
        {
            "machine": machine(),
            "rows": [
                {"answer": r.label, "bytes": r.size, "dynamic": r.dynamic.__dict__,
                 "static": r.static.__dict__}
                for r in rows
            ],
        },
    )  # fmt: skip
