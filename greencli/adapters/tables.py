"""Tables that fit the terminal: numbers, codes, verdicts and 乡街 names never wrap or get cut.

A table is fitted in steps, keeping the first that fits the width: as it is; with less space between columns;
with headers on two lines; the same again letting names wrap (a column marked `whole`: a community's name is read
whole, so it wraps only when nothing else makes room); then without its least important columns, one at a time (a
column of a `group` goes with the whole group: category scores that must add up to 总分 are shown all or none); and
when even the essential columns cannot fit, as a list (one block of "标题：值" lines per row), which fits any width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich import box
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from greencli.core.text import display_width, wrap

# On a console that is not UTF-8 (a Chinese Windows console is GBK), box-drawing characters are drawn two cells wide
# and would break every line: there the header rule is plain dashes and columns are separated by spaces only.
ASCII_SIMPLE_HEAD = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
NARROWEST_WRAP = 8  # a wrapping column (names, paths, messages) keeps at least four Chinese characters a line
NARROWEST_HEADER = 4  # a header may fold to two characters a line, on two lines


@dataclass(frozen=True)
class Column:
    """One column: `keep` 0 is essential; the highest `keep` is dropped first when the table is too wide."""

    header: str
    justify: str = "left"
    wrap: bool = False  # text that may wrap (names, paths); everything else stays on one line
    keep: int = 0
    min_width: int = NARROWEST_WRAP
    whole: bool = False  # a wrapping column that is kept on one line while any other step makes room (names)
    group: str | None = None  # columns dropped together (the category scores and the bonus that make up 总分)
    # A column drawn to the width left over (a bar): called with that width and the row, it returns the cell.
    fill: Callable[[int, int], str] | None = None
    fill_range: tuple[int, int] = (10, 20)


@dataclass
class FittedTable:
    """A table fitted to the terminal's width: its columns, its rows as rich markup, the rows sections start at."""

    columns: list[Column]
    rows: list[list[str]]  # cells as rich markup
    sections: set[int] = field(default_factory=set)  # row indexes a new section starts at
    title: str | None = None


def cell_width(markup: str) -> int:
    return max((display_width(line) for line in Text.from_markup(markup).plain.split("\n")), default=0)


def _natural(column: Column, cells: Sequence[str], names_whole: bool = False) -> int:
    """The width a column needs: its longest unbreakable cell, or its minimum when it may wrap (a `whole` column,
    while `names_whole`, needs its longest cell)."""
    widest = max((cell_width(c) for c in cells), default=0)
    if column.wrap and not (column.whole and names_whole):
        return min(widest, column.min_width)
    return widest


def _layout(
    columns: list[Column], rows: list[list[str]], width: int, pad: int, fold_headers: bool, names_whole: bool = False
) -> list[int] | None:
    """Column widths (headers included) that fit `width`, or None. The fill column gets what is left."""
    widths = []
    for n, column in enumerate(columns):
        if column.fill is not None:
            widths.append(max(column.fill_range[0], display_width(column.header)))
            continue
        content = _natural(column, [r[n] for r in rows], names_whole)
        header = display_width(column.header)
        if fold_headers:
            header = max(display_width(p) for p in wrap(column.header, _fold_width(column.header)))
        widths.append(max(content, header))
    gaps = (len(columns) - 1) * (1 + 2 * pad)
    spare = width - sum(widths) - gaps
    if spare < 0:
        return None
    for n, column in enumerate(columns):
        if column.fill is not None:
            grown = max(widths[n], min(column.fill_range[1], widths[n] + spare))
            spare -= grown - widths[n]
            widths[n] = grown
    # what is left widens the wrapping columns, up to their longest text, the one with most to gain first
    wrapping = [n for n, c in enumerate(columns) if c.wrap and c.fill is None]
    longest = {n: max((cell_width(r[n]) for r in rows), default=0) for n in wrapping}
    while spare > 0 and wrapping:
        n = max(wrapping, key=lambda k: (longest[k] - widths[k], -k))
        if longest[n] <= widths[n]:
            break
        widths[n] += 1
        spare -= 1
    return widths


def _fold_width(header: str) -> int:
    """Two balanced lines: 是否达到 → 是否 / 达到 (a Chinese character is two cells, so the half is rounded up to even)."""
    half = -(-display_width(header) // 2)
    return max(NARROWEST_HEADER, half + half % 2)


def _header(column: Column, width: int, folded: bool) -> str:
    if not folded or display_width(column.header) <= width:
        return column.header
    return "\n".join(wrap(column.header, min(width, _fold_width(column.header))))


def render_table(console: Console, table: FittedTable) -> None:
    """Print the table fitted to the console's width (see the module's docstring)."""
    width = console.width
    columns, rows = list(table.columns), [list(r) for r in table.rows]
    steps = [(whole, pad, fold) for whole in (True, False) for pad, fold in ((1, False), (0, False), (0, True))]
    while True:
        for names_whole, pad, fold in steps:
            widths = _layout(columns, rows, width, pad, fold, names_whole)
            if widths is not None:
                console.print(_rich_table(console, table, columns, rows, widths, pad, fold))
                return
        droppable = [n for n, c in enumerate(columns) if c.keep > 0]
        if not droppable:
            break
        chosen = columns[max(droppable, key=lambda n: (columns[n].keep, n))]
        drop = {n for n, c in enumerate(columns) if c is chosen or (chosen.group and c.group == chosen.group)}
        columns = [c for n, c in enumerate(columns) if n not in drop]
        rows = [[cell for n, cell in enumerate(r) if n not in drop] for r in rows]
    _print_list(console, table)


def unicode_console(console: Console) -> bool:
    """Whether the console takes UTF-8 (box drawing and bars are drawn one cell wide, as laid out)."""
    return console.encoding.lower().replace("-", "").startswith("utf")


def _rich_table(
    console: Console,
    table: FittedTable,
    columns: list[Column],
    rows: list[list[str]],
    widths: list[int],
    pad: int,
    fold: bool,
) -> RenderableType:
    out = Table(box=box.SIMPLE_HEAD if unicode_console(console) else ASCII_SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, pad), header_style="bold",
                title=table.title, title_justify="left")  # fmt: skip
    for column, w in zip(columns, widths, strict=True):
        out.add_column(_header(column, w, fold), justify=column.justify, no_wrap=True, min_width=w,  # type: ignore[arg-type]
                       max_width=w)  # fmt: skip
    for n, row in enumerate(rows):
        if n in table.sections and n:
            out.add_section()
        cells = [
            column.fill(w, n) if column.fill is not None else (_wrapped(cell, w) if column.wrap else cell)
            for column, w, cell in zip(columns, widths, row, strict=True)
        ]
        out.add_row(*cells)
    return out


def _wrapped(cell: str, width: int) -> str:
    """Text wrapped here rather than by rich, so Chinese punctuation never starts a line (标点禁则)."""
    plain = Text.from_markup(cell).plain
    if display_width(plain) <= width:
        return cell
    return escape("\n".join(wrap(plain, width)))


def _print_list(console: Console, table: FittedTable) -> None:
    """One block per row: the first two cells as its heading, then each other non-empty cell under its header."""
    if table.title:
        console.print(table.title)
    for n, row in enumerate(table.rows):
        cells = [(c, cell) for c, cell in zip(table.columns, row, strict=True) if c.fill is None]
        head = " ".join(cell for _, cell in cells[:2] if cell)
        console.print(("\n" if n else "") + head)
        for column, cell in cells[2:]:
            if Text.from_markup(cell).plain.strip():
                console.print(f"  {column.header.replace(chr(10), '')}：{cell}")
