"""A real PostgreSQL server for the tests, never a mock: initdb and pg_ctl on a temporary data directory, as a
non-root user (PostgreSQL refuses to run as root: as root, the tests run it as the `postgres` user Debian's package
creates), listening on 127.0.0.1 on a free port. One server per test process; each test that asks gets a database of
its own. Where no PostgreSQL is installed the tests that need it skip, saying why; `.ci/run` installs it."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "greencli_test"


def _bin_dir() -> Path | None:
    """The server's programs: pg_config's bindir, else the newest of Debian's /usr/lib/postgresql/N/bin."""
    config = shutil.which("pg_config")
    if config:
        done = subprocess.run([config, "--bindir"], capture_output=True, text=True, check=False)
        found = Path(done.stdout.strip())
        if done.returncode == 0 and (found / "initdb").exists():
            return found
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    bin_dir: Path
    data: Path
    port: int
    user: str | None  # the account the server runs as when the tests run as root

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        program = [str(self.bin_dir / command[0]), *command[1:]]
        if self.user is not None:
            program = ["runuser", "-u", self.user, "--", *program]
        return subprocess.run(program, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> str | None:
        """Initialise and start the server; None when it runs, else why it could not."""
        made = self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                         "--locale=C", "--no-sync")  # fmt: skip
        if made.returncode != 0:
            return f"initdb failed: {made.stderr.strip()[-500:]}"
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.data} -c fsync=off"
        )
        started = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-o", options, "-w",
                            "start")  # fmt: skip
        if started.returncode != 0:
            log = self.data / "server.log"
            tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
            return f"pg_ctl start failed: {started.stderr.strip()[-300:]} {tail}"
        return None

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _runner() -> str | bool | None:
    """Who runs the server: None for the current user, a name when the tests run as root; False when nobody can."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return "postgres" if shutil.which("runuser") else False


def start_server() -> Server | str:
    """A started server on a fresh temporary data directory, or why there can be none here."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        return "PostgreSQL is not installed here (.ci/run installs Debian's postgresql)"
    user = _runner()
    if user is False:
        return "running as root without a postgres account to run the server as"
    assert user is None or isinstance(user, str)
    data = Path(tempfile.mkdtemp(prefix="greencli-pg-"))
    if user is not None:
        account = pwd.getpwnam(user)
        os.chown(data, account.pw_uid, account.pw_gid)
    server = Server(bin_dir, data / "data", _free_port(), user)
    failed = server.start()
    if failed is not None:
        shutil.rmtree(data, ignore_errors=True)
        raise RuntimeError(f"a PostgreSQL server is installed but could not be started: {failed}")
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    server = start_server()
    if isinstance(server, str):
        pytest.skip(server)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.data.parent, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: Server) -> str:
    """A fresh database of its own on the test process's server."""
    return postgres_server.new_database()
