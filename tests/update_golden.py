"""Renew the golden files (tests/data/golden/) from the sample district as greencli shows it today: `make golden`.

Only for a deliberate change of what users see: review the diff before committing it. tests/test_golden.py never
writes; it compares.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.district import score_sample_district
from tests.test_golden import GOLDEN, observe, serialise


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "district").mkdir()
        observed = observe(score_sample_district(folder / "district"), folder / "after")
    GOLDEN.mkdir(parents=True, exist_ok=True)
    stale = {p.name for p in GOLDEN.iterdir()} - set(observed)
    for name in stale:
        (GOLDEN / name).unlink()
    for name, value in sorted(observed.items()):
        (GOLDEN / name).write_text(serialise(value), encoding="utf-8")
    print(f"{len(observed)} golden files written to {GOLDEN}; {len(stale)} removed", file=sys.stderr)


if __name__ == "__main__":
    main()
