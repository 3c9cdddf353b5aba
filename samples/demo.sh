#!/usr/bin/env bash
# The main job on the bundled sample district: blank forms for every urban community, score two years of
# inspections, then the 2022 standing against its target. `make demo` runs this; README.md shows its output.
# `greencli score` exits 1 here on purpose: the samples include workbooks with the mistakes inspectors make.
set -u
out="${1:-demo-out}"
cd "$(dirname "$0")/.."
rm -rf "$out"
mkdir -p "$out"

step() {
  printf '\n$ %s\n' "$*"
  "$@"
  local rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "demo: '$*' failed with exit code $rc" >&2
    exit "$rc"
  fi
}

step greencli template --roster samples/roster.xlsx --year 2022 --out "$out/评分表"
step greencli score samples/inspections/2021 --roster samples/roster.xlsx --db "$out/greencli.db" --out "$out/绿色社区汇总2021.xlsx"
step greencli score samples/inspections/2022 --roster samples/roster.xlsx --db "$out/greencli.db" --out "$out/绿色社区汇总2022.xlsx"
step greencli progress --year 2022 --roster samples/roster.xlsx --db "$out/greencli.db" --out "$out/绿色社区汇总2022.xlsx"
printf '\n演示完成。全区汇总工作簿：%s\n' "$out/绿色社区汇总2022.xlsx"
