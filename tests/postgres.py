"""A throwaway PostgreSQL cluster for the test session (initdb + pg_ctl, ~1.5 s).

Runs as the `postgres` system user when the tests run as root (initdb refuses
root). Listens on 127.0.0.1 only, on a free port; fsync off.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql


class PostgresUnavailable(RuntimeError):
    pass


class Cluster:
    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise PostgresUnavailable(
                "no initdb under /usr/lib/postgresql/*/bin (apt install postgresql)"
            )
        self.bin = Path(found[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="minsheng-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
            "-o",
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            # A cluster that held every test's database is tens of thousands of files
            # (~12 s to delete): removed in the background, so the session need not wait.
            subprocess.run(
                ["sh", "-c", 'rm -rf -- "$0" &', str(self.root)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        # In SQL rather than with createdb: no runuser and createdb processes for each test.
        return self.clone_database("template1", name)

    def clone_database(self, template: str, name: str, replace: bool = False) -> str:
        """A new database `name` copied from `template` (which nobody may be connected to);
        `replace`: dropping the empty database of that name first."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            if replace:
                admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        return self.url(name)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise PostgresUnavailable(f"{program} failed: {done.stderr or done.stdout}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
