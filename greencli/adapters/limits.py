"""Every bound greencli puts on what a file may make it do, in one place, each with the reason for its number."""

from typing import Final

# A filled scoring workbook is about 40 KB zipped and under 1 MB unzipped; a district roster is smaller still.
# Thirty times the largest real file leaves room for pictures pasted as evidence, and stops a zip bomb cold.
MAX_FILE_BYTES: Final = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES: Final = 200 * 1024 * 1024
MAX_PART_BYTES: Final = 100 * 1024 * 1024
# A workbook has a few dozen parts; thousands means a crafted file.
MAX_PARTS: Final = 2_000
# Compressed XML shrinks about 10:1; beyond 200:1 a part is built to expand, not to hold data.
MAX_RATIO: Final = 200
# The 评分表 has about 80 rows, the 小区 sheet a few hundred; a sheet used past these is not a scoring workbook.
MAX_ROWS: Final = 20_000
MAX_COLUMNS: Final = 200
