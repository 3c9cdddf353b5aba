"""The PostgreSQL the shared-ledger tests run against is real: started here as a non-root user, a database per test,
and the server-side behaviour greencli's shared ledger relies on holds on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg

from tests.postgres import Server


def test_each_test_gets_its_own_empty_database(postgres_server: Server, postgres_url: str) -> None:
    other = postgres_server.new_database()
    assert other != postgres_url
    with psycopg.connect(postgres_url) as one, psycopg.connect(other) as two:
        one.execute("CREATE TABLE t (x integer)")
        one.commit()
        count = two.execute("SELECT count(*) FROM pg_tables WHERE tablename = 't'").fetchone()
        assert count is not None and count[0] == 0
    with psycopg.connect(postgres_url) as admin:
        owner = admin.execute("SELECT usename FROM pg_user WHERE usesuper").fetchall()
    assert owner  # the server runs with its own superuser, never as root
    if os.geteuid() == 0:
        done = subprocess.run(["pgrep", "-u", "postgres", "-f", str(postgres_server.data)], capture_output=True,
                              check=False)  # fmt: skip
        assert done.returncode == 0


def test_an_advisory_lock_of_a_killed_client_is_released_by_the_server(postgres_url: str) -> None:
    """What one-rollup-at-a-time rests on: a client killed with SIGKILL holds no lock once its session ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import psycopg, sys, time\n"
         f"c = psycopg.connect({postgres_url!r}); c.execute('SELECT pg_advisory_lock(42)'); print('held', flush=True)\n"
         "time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with psycopg.connect(postgres_url, autocommit=True) as other:
        taken = other.execute("SELECT pg_try_advisory_lock(42)").fetchone()
        assert taken is not None and taken[0] is False
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            taken = other.execute("SELECT pg_try_advisory_lock(42)").fetchone()
            if taken is not None and taken[0]:
                break
            time.sleep(0.05)
        assert taken is not None and taken[0] is True
