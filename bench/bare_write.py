"""The floor for `template`: xlsxwriter writing the same cells (values only) for each community of a roster."""

import json
import sys
from pathlib import Path

import xlsxwriter

cells = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))  # {sheet: [[row, col, value], ...]}
out = Path(sys.argv[2])
count = int(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
for i in range(count):
    wb = xlsxwriter.Workbook(str(out / f"{i:05d}.xlsx"), {"strings_to_formulas": False, "strings_to_numbers": False})
    for sheet, values in cells.items():
        ws = wb.add_worksheet(sheet)
        for row, col, value in values:
            if isinstance(value, str):
                ws.write_string(row, col, value)
            else:
                ws.write_number(row, col, value)
    wb.close()
