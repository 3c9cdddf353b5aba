"""Shared fixtures, the hypothesis profiles, and the slow groups.

`make test` and CI run everything; `make check` leaves out the groups marked `slow` here (one list, so a test file
never has to remember to mark itself): the wheelhouse, the tests that kill or signal real processes, the console
encodings, and everything that drives LibreOffice.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from greencli.adapters.rubric_file import load_rubric
from greencli.core.rubric import Rubric
from hypothesis import settings

from tests.builders import FIRST_READING
from tests.district import SampleDistrict, score_sample_district

pytest_plugins = ["tests.postgres"]  # postgres_server, postgres_url: a real server, started when a test asks

# Bounded and reproducible in `make test`; `make fuzz` runs the long profile.
settings.register_profile("ci", max_examples=150, derandomize=True, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)  # `make fuzz`: random seed, many more inputs
settings.register_profile("quick", max_examples=25, derandomize=True, deadline=None)  # `make check`: the quick loop
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Whole files that are slow by nature: building wheelhouses, killing and signalling real processes, running every
# command under other console encodings and locales.
SLOW_FILES = frozenset({"test_wheelhouse.py", "test_processes.py", "test_interrupts.py", "test_portability.py",
                        "test_shared_concurrency.py"})  # fmt: skip
# Single slow tests in otherwise quick files (by the words in their names).
SLOW_NAMES = ("killed_at_any_moment", "two_real_processes", "any_pasted_name_goes_through")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow groups (and every LibreOffice test, known by its skip condition) `slow`; LibreOffice tests
    also `libreoffice`, so `-m libreoffice` runs just those."""
    for item in items:
        libreoffice = any("LibreOffice" in str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif"))
        if libreoffice:
            item.add_marker(pytest.mark.libreoffice)
        if libreoffice or item.path.name in SLOW_FILES or any(n in item.name for n in SLOW_NAMES):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric(version=FIRST_READING)


@pytest.fixture(scope="session")
def sample_district(tmp_path_factory: pytest.TempPathFactory) -> SampleDistrict:
    """The sample district, scored once per session (see tests/district.py)."""
    return score_sample_district(tmp_path_factory.mktemp("sample-district"))


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty ledger on each backend: an SQLite file's name, or a fresh PostgreSQL database's URL (its district
    named by GREENCLI_DISTRICT, which an SQLite ledger does not need)."""
    monkeypatch.setenv("GREENCLI_DISTRICT", "130302")
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    server = request.getfixturevalue("postgres_server")
    return str(server.new_database())


@pytest.fixture
def sample_ledger(sample_district: SampleDistrict, ledger_db: str, tmp_path: Path) -> str:
    """The sample district's three years in a ledger of each backend (copied in, as an office moves over)."""
    if not ledger_db.startswith("postgresql://"):
        return str(sample_district.copy_ledger(tmp_path / "copy"))
    from greencli import api

    api.ledger_copy(sample_district.db, ledger_db)
    return ledger_db
