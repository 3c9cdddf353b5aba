"""Every bound greencli puts on what a file may make it do, in one place, each with the reason for its number.

These are checked from the zip directory and the first bytes of each sheet, before any parser runs, so a hostile
file is refused in milliseconds. The readers themselves never decompress past a part's declared size (measured:
python-calamine and Python's zipfile both stop there), so the declared sizes are what must be bounded.
"""

from typing import Final

# A filled scoring workbook is about 40 KB zipped and 250 KB unzipped (its largest sheet about 110 KB). The bounds
# below leave a hundredfold room for pictures pasted as evidence and for very large districts, and no more.
MAX_FILE_BYTES: Final = 50 * 1024 * 1024  # on disk
MAX_UNZIPPED_BYTES: Final = 64 * 1024 * 1024  # all parts together, as declared in the zip directory
MAX_PART_BYTES: Final = 16 * 1024 * 1024  # one part: a million-row sheet needs about 30 MB, so it stops here
# A workbook has a few dozen parts; thousands means a crafted file.
MAX_PARTS: Final = 2_000
# XML compresses about 10:1 (our sheets: 8:1). A part over 1 MB that compresses past 200:1 is built to expand.
MAX_RATIO: Final = 200
RATIO_CHECK_FROM: Final = 1 * 1024 * 1024
# The 评分表 has about 80 rows and the 小区 sheet a few hundred; a sheet whose <dimension> declares more rows or
# columns than these is not a scoring workbook (checked from the sheet's first bytes, and again after reading).
MAX_ROWS: Final = 20_000
MAX_COLUMNS: Final = 200
# How much of each XML part is read to find a DOCTYPE and, in a sheet, its <dimension>: both precede any data
# (measured at about 200 bytes in files written by Excel, WPS, LibreOffice, openpyxl and xlsxwriter).
DIMENSION_PROBE_BYTES: Final = 1024
