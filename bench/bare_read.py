"""The floor: a bare python-calamine read of every sheet of the given files, in one process."""

import sys

import python_calamine

for path in sys.argv[1:]:
    book = python_calamine.CalamineWorkbook.from_path(path)
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    book.close()
