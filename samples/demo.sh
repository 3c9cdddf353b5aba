#!/usr/bin/env bash
# The main job on the bundled sample district: blank forms for every urban community, score three years of
# inspections, then the 2022 and 2023 standings against their targets, and the 2023 provincial list as it stood on
# 30 September (titles of autumn 2022 reach their anniversary later), and the binder's index of the evidence files
# sent with three 2023 workbooks. `make demo` runs this; README.md shows its output.
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

step greencli template --roster samples/roster.xlsx --year 2023 --out "$out/评分表"
for year in 2021 2022 2023; do
  step greencli score "samples/inspections/$year" --roster samples/roster.xlsx --db "$out/greencli.db" --out "$out/绿色社区汇总$year.xlsx"
done
step greencli progress --year 2022 --roster samples/roster.xlsx --db "$out/greencli.db" --out "$out/绿色社区汇总2022.xlsx"
step greencli progress --year 2023 --roster samples/roster.xlsx --db "$out/greencli.db" --out "$out/绿色社区汇总2023.xlsx"
step greencli progress --year 2023 --as-of 2023-09-30 --roster samples/roster.xlsx --db "$out/greencli.db"
# the binder's index of the communities that sent evidence with their 2023 workbooks (HH-03's names one it lacks)
step greencli evidence --year 2023 ZJ-01 ZJ-03 HH-03 --db "$out/greencli.db" --out "$out/台账目录2023.docx"
printf '\n演示完成。全区汇总工作簿：%s\n' "$out/绿色社区汇总2023.xlsx"
