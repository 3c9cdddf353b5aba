"""`make bench`: how greencli's own work compares with the unavoidable cost of the file format.

    python bench/run.py [--n 1000] [--big 4000] [--repeat 3] [--json bench/results.json]

Builds a corpus of N filled workbooks through the real template and the contract's fill path (40 distinct filled
masters with varied answers and compounds, personalised per community exactly as `template` personalises its
skeleton), then measures, each as the median of --repeat runs:
  score     `greencli score` end to end (read, validate, score, ledger, workbook) against a bare python-calamine
            read of every sheet of the same files in one process;
  memory    peak resident memory of `score` at N and at --big;
  re-run    `greencli rollup` over the unchanged corpus, as a share of its first run;
  template  `greencli template` for an N-community roster against a bare xlsxwriter writing the same cells;
  readers   progress, history, export and notice, each run 10 times while `score` writes --readers workbooks into
            the same ledger: how long each took (they must never wait for the writer);
  start-up  `greencli --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import python_calamine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from greencli.adapters.rubric_file import load_rubric  # noqa: E402
from greencli.adapters.template import Identity, build_skeleton, personalise  # noqa: E402
from greencli.adapters.xlsx_fill import fill  # noqa: E402
from samples.generate import SUBDISTRICTS, Plan, answers  # noqa: E402

BIN = Path(sys.executable).parent
GREENCLI = str(BIN / "greencli")
SCENARIOS = ["pass", "pass", "pass", "near", "fail", "bonus", "na", "green", "veto:V1", "veto:V2", "veto:V3", "veto:V4"]


def build_corpus(folder: Path, n: int) -> tuple[Path, list[Path]]:
    rubric = load_rubric(version="2021.1")  # the samples generator answers the first reading (see samples/generate.py)
    skeleton = folder / "skeleton.xlsx"
    skeleton.write_bytes(build_skeleton(rubric, 2022))
    masters = []
    for k in range(40):
        plan = Plan(f"M{k:02d}", SCENARIOS[k % len(SCENARIOS)], f"2022-10-{k % 28 + 1:02d}")
        values, compounds, evidence, info = answers(rubric, plan, 2022)
        target = folder / "masters" / f"{k:02d}.xlsx"
        masters.append(fill(skeleton, target, values, evidence=evidence, compounds=compounds, info=info).read_bytes())
    subdistricts = list(SUBDISTRICTS)
    roster = folder / "roster.csv"
    lines = ["社区编码,社区名称,乡街,类型"]
    files = []
    for i in range(n):
        code, name, sub = f"C{i:05d}", f"第{i}社区", subdistricts[i % len(subdistricts)]
        lines.append(f"{code},{name},{sub},城市社区")
        path = folder / "corpus" / sub / f"{code}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(personalise(masters[i % len(masters)], Identity(code, name, sub)))
        files.append(path)
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return roster, files


def timed(command: list[str], **kwargs: Any) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of a command, via GNU time when present."""
    gnu_time = Path("/usr/bin/time")
    prefix = [str(gnu_time), "-f", "%M"] if gnu_time.exists() else []
    start = time.perf_counter()
    done = subprocess.run(prefix + command, capture_output=True, text=True, check=False, **kwargs)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command[:3]} failed ({done.returncode}): {done.stderr[-2000:]}")
    rss = int(done.stderr.strip().splitlines()[-1]) if prefix else 0
    return elapsed, rss


def median_run(make: Any, repeat: int) -> tuple[float, int]:
    runs = [make(i) for i in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def template_cells(folder: Path) -> Path:
    """Every value of one generated workbook, for the bare writer to write again."""
    one = next((folder / "tpl").rglob("*.xlsx"))
    book = python_calamine.CalamineWorkbook.from_path(str(one))
    cells: dict[str, list[list[Any]]] = {}
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells[name] = [[r, c, v] for r, row in enumerate(grid) for c, v in enumerate(row) if v not in ("", None)
                       and isinstance(v, str | int | float)]  # fmt: skip
    path = folder / "cells.json"
    path.write_text(json.dumps(cells, ensure_ascii=False), encoding="utf-8")
    return path


def measure(n: int, repeat: int, work: Path) -> dict[str, Any]:
    folder = work / f"n{n}"
    folder.mkdir()
    t0 = time.perf_counter()
    roster, files = build_corpus(folder, n)
    built = time.perf_counter() - t0
    corpus = str(folder / "corpus")
    names = [str(f) for f in files]

    bare, _ = median_run(lambda _i: timed([sys.executable, str(ROOT / "bench" / "bare_read.py"), *names]), repeat)
    score, score_rss = median_run(lambda i: timed([GREENCLI, "score", corpus, "--roster", str(roster),
                                                  "--db", str(folder / f"score{i}.db"),
                                                  "--out", str(folder / f"score{i}.xlsx"), "--json"]), repeat)  # fmt: skip
    first, _ = timed([GREENCLI, "rollup", "--inbox", corpus, "--year", "2022", "--roster", str(roster), "--db",
                      str(folder / "rollup.db"), "--out", str(folder / "rollup.xlsx"), "--json"])  # fmt: skip
    rerun, _ = median_run(lambda _i: timed([GREENCLI, "rollup", "--inbox", corpus, "--year", "2022", "--roster",
                                           str(roster), "--db", str(folder / "rollup.db"), "--out",
                                           str(folder / "rollup.xlsx"), "--json"]), repeat)  # fmt: skip
    template, _ = median_run(lambda i: timed([GREENCLI, "template", "--roster", str(roster), "--year", "2022",
                                             "--out", str(folder / ("tpl" if i == 0 else f"tpl{i}")), "--quiet",
                                             "--force"]), repeat)  # fmt: skip
    cells = template_cells(folder)
    bare_write, _ = median_run(lambda i: timed([sys.executable, str(ROOT / "bench" / "bare_write.py"), str(cells),
                                               str(folder / f"bare{i}"), str(n)]), repeat)  # fmt: skip
    return {
        "n": n, "corpus_build_seconds": round(built, 2),
        "score_seconds": round(score, 3), "bare_read_seconds": round(bare, 3), "score_vs_bare": round(score / bare, 2),
        "score_peak_rss_kb": score_rss,
        "rollup_first_seconds": round(first, 3), "rollup_rerun_seconds": round(rerun, 3),
        "rerun_share": round(rerun / first, 4),
        "template_seconds": round(template, 3), "bare_write_seconds": round(bare_write, 3),
        "template_vs_bare": round(template / bare_write, 2),
    }  # fmt: skip


def readers_during_score(n: int, work: Path, times: int = 10) -> dict[str, Any]:
    """Every reading command, `times` times each (the four side by side), while a score of n workbooks writes to
    the ledger they read: the seconds each call took, counting only calls that started while the score ran."""
    folder = work / f"readers{n}"
    folder.mkdir()
    roster, _ = build_corpus(folder, n)
    db, corpus = folder / "l.db", str(folder / "corpus")
    subprocess.run([GREENCLI, "score", corpus, "--roster", str(roster), "--db", str(db), "--out",
                    str(folder / "first.xlsx"), "--json"], capture_output=True, check=False)  # fmt: skip
    commands = {
        "progress": [GREENCLI, "progress", "--year", "2022", "--roster", str(roster), "--db", str(db), "--json"],
        "history": [GREENCLI, "history", "C00001", "--db", str(db), "--json"],
        "export": [GREENCLI, "export", "--year", "2022", "--db", str(db), "--out", str(folder / "e.xlsx"), "--json"],
        "notice": [GREENCLI, "notice", "--year", "2022", "--kind", "认定名单", "--roster", str(roster), "--db",
                   str(db), "--out", str(folder / "n.docx"), "--json"],
    }  # fmt: skip
    writer = subprocess.Popen([GREENCLI, "score", corpus, "--roster", str(roster), "--db", str(db), "--out",
                               str(folder / "second.xlsx"), "--json"], stdout=subprocess.DEVNULL)  # fmt: skip
    took: dict[str, list[float]] = {name: [] for name in commands}
    failed: list[str] = []

    def run(name: str) -> None:
        for _ in range(times):
            if writer.poll() is not None:
                return
            start = time.perf_counter()
            done = subprocess.run(commands[name], capture_output=True, check=False)
            took[name].append(time.perf_counter() - start)
            if done.returncode != 0:
                failed.append(f"{name}: exit {done.returncode}")

    threads = [threading.Thread(target=run, args=(name,)) for name in commands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.wait()
    # the same calls on a quiet machine: what is left over is sharing two cores with the score, not waiting for it
    alone = {name: statistics.median(timed(command)[0] for _ in range(3)) for name, command in commands.items()}
    return {
        "n": n, "failed": failed,
        "calls": {name: len(t) for name, t in took.items()},
        "max_seconds": {name: round(max(t), 3) if t else None for name, t in took.items()},
        "median_seconds": {name: round(statistics.median(t), 3) if t else None for name, t in took.items()},
        "alone_median_seconds": {name: round(t, 3) for name, t in alone.items()},
    }  # fmt: skip


def startup(repeat: int) -> float:
    return statistics.median(timed([GREENCLI, "--help"])[0] for _ in range(max(5, repeat)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--big", type=int, default=4000, help="the larger corpus, for the memory ratio (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--readers", type=int, default=2000, help="workbooks the score writes while readers run (0: skip)"
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greencli-bench-") as tmp:
        work = Path(tmp)
        small = measure(args.n, args.repeat, work)
        big = measure(args.big, 1, work) if args.big else None
        readers = readers_during_score(args.readers, work) if args.readers else None
    result = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "startup_seconds": round(startup(args.repeat), 3),
        "runs": [small, *([big] if big else [])],
        "memory_ratio_big_vs_n": round(big["score_peak_rss_kb"] / small["score_peak_rss_kb"], 2) if big else None,
        "readers_during_score": readers,
    }
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    rows = [
        ("cores", result["machine"]["cores"], ""),
        ("CLI start-up (greencli --help)", f"{result['startup_seconds']:.2f} s", "target < 0.5 s"),
        (
            f"score, N={small['n']}",
            f"{small['score_seconds']:.2f} s vs bare read {small['bare_read_seconds']:.2f} s",
            f"ratio {small['score_vs_bare']} (target ≤ 1.5)",
        ),
        (f"peak memory of score, N={small['n']}", f"{small['score_peak_rss_kb'] / 1024:.0f} MB", ""),
    ]
    if big:
        rows.append(
            (
                f"peak memory of score, N={big['n']}",
                f"{big['score_peak_rss_kb'] / 1024:.0f} MB",
                f"ratio {result['memory_ratio_big_vs_n']} (target ≤ 1.25)",
            )
        )
    rows += [
        (f"rollup, N={small['n']}", f"first {small['rollup_first_seconds']:.2f} s, unchanged re-run "
         f"{small['rollup_rerun_seconds']:.2f} s", f"share {small['rerun_share']:.1%} (target ≤ 5 %)"),
        (f"template, N={small['n']}", f"{small['template_seconds']:.2f} s vs bare writer {small['bare_write_seconds']:.2f} s",
         f"ratio {small['template_vs_bare']} (target ≤ 2)"),
    ]  # fmt: skip
    if readers:
        slowest = max((v for v in readers["max_seconds"].values() if v is not None), default=0.0)
        calls = sum(readers["calls"].values())
        rows.append((f"readers while score writes N={readers['n']}", f"{calls} calls, slowest {slowest:.2f} s",
                     f"{len(readers['failed'])} failed (target: none, each < 2 s)"))  # fmt: skip
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<48} {note}")
    print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
