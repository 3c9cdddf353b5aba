"""Every bound greencli puts on what a file may make it do, in one place, each with the reason for its number.

These are checked from the zip directory and the first bytes of each sheet, before any parser runs, so a hostile
file is refused in milliseconds. The readers themselves never decompress past a part's declared size (measured:
python-calamine and Python's zipfile both stop there), so the declared sizes are what must be bounded.

Two kinds of part are told apart. A *read* part (XML: sheets, shared strings, styles, relationships, properties, and
anything the workbook's relationships name) is decompressed and parsed, so its own size is bounded. Any other part
(a pasted photo under xl/media/, an embedded object) is never decompressed by greencli: it is judged by the zip
directory alone, by how far it claims to expand relative to its compressed size and by the package's total. A 20 MB
photo is stored at about 1:1 and passes; a part built to expand does not.

Sizes shown to people are in MB of 1,048,576 bytes, as Windows Explorer shows file sizes.
"""

from typing import Final

MB: Final = 1024 * 1024  # the MB of every size limit and message (Windows Explorer's)
# A filled scoring workbook is about 40 KB zipped and 250 KB unzipped (its largest sheet about 110 KB). The bounds
# below leave a hundredfold room for very large districts, and no more; pictures pasted as evidence are bounded by
# the file's own size.
MAX_FILE_BYTES: Final = 50 * MB  # on disk
MAX_PART_BYTES: Final = 16 * MB  # one read part: a million-row sheet needs about 30 MB, so it stops here
MAX_READ_BYTES: Final = 64 * MB  # all read parts together, as declared in the zip directory
# All parts together, as declared: pictures stored up to the whole file size beside read parts up to their own cap.
MAX_UNZIPPED_BYTES: Final = MAX_FILE_BYTES + MAX_READ_BYTES
# A workbook has a few dozen parts; thousands means a crafted file.
MAX_PARTS: Final = 2_000
# XML compresses about 10:1 (our sheets: 8:1), photos about 1:1. A part over 1 MB that claims to expand past 200:1
# is built to expand (deflate's own limit is about 1000:1, reached only by repeating the same bytes).
MAX_RATIO: Final = 200
RATIO_CHECK_FROM: Final = 1 * MB
# The 评分表 has about 80 rows and the 小区 sheet a few hundred; a sheet whose <dimension> declares more rows or
# columns than these is not a scoring workbook (checked from the sheet's first bytes, and again after reading).
MAX_ROWS: Final = 20_000
MAX_COLUMNS: Final = 200
# How much of each XML part is read to find a DOCTYPE and, in a sheet, its <dimension>: both precede any data
# (measured at about 200 bytes in files written by Excel, WPS, LibreOffice, openpyxl and xlsxwriter).
DIMENSION_PROBE_BYTES: Final = 1024
# A part up to this size is inflated whole for that look (a form's parts are under 200 KB, and the reader wants most
# of them whole); only a larger one is probed by its head alone.
WHOLE_PART_BYTES: Final = 4 * 1024 * 1024

# Evidence files (佐证材料) beside a workbook are hashed, never parsed, so only reading them costs: a binder's scans
# and photos are a few MB each (a scanned 100-page PDF about 30 MB), a few hundred files and some hundred MB in all.
# A file over 100 MB (a video), more than 2,000 files, or 2 GB in all is no binder a person compiled; nesting
# deeper than 8 folders is a copied directory tree, not an item's documents.
MAX_EVIDENCE_FILE_BYTES: Final = 100 * MB
MAX_EVIDENCE_FILES: Final = 2_000
MAX_EVIDENCE_BYTES: Final = 2048 * MB
MAX_EVIDENCE_DEPTH: Final = 8

# How long a writer (score, void, confer, rescore --apply) waits for another program's write to the ledger before it
# gives up with exit 3, having changed nothing; `score --wait` overrides it. Write transactions last well under a
# second (a batch is spooled while its workbooks are read), so half a minute only runs out when something holds the
# ledger for far longer than any greencli run does.
LEDGER_WAIT_SECONDS: Final = 30.0
