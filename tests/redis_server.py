"""A throwaway redis-server for the test session (Debian's, on a unix socket, ~0.1 s).

Nothing is saved to disk; it listens on no TCP port. A missing redis-server is a
failure, never a silent skip: MINSHENG_TEST_REDIS=0 leaves Redis out explicitly.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis


class RedisUnavailable(RuntimeError):
    pass


class RedisServer:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable("no redis-server on PATH (apt-get install redis-server)")
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="minsheng-redis-"))
        self.socket = self.root / "r.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis+unix://{self.socket}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisUnavailable(f"redis-server exited: {self.process.stderr.read()!r}")  # type: ignore[union-attr]
            if self.socket.exists():
                try:
                    self.client().ping()
                    return
                except redis.ConnectionError:
                    pass
            time.sleep(0.02)
        raise RedisUnavailable("redis-server did not answer within 10 s")

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket))

    def flush(self) -> None:
        self.client().flushall()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            assert self.process.stderr is not None
            self.process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)
