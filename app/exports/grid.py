"""A paper form as a grid of cells: the one declaration the page, the
workbook and the Word document are drawn from.

A form (one module of :mod:`app.papers` each) builds a :class:`Grid` (title,
unit line, cells with their merges, footer); :mod:`app.exports.xlsx` writes it
as an A4 worksheet, :mod:`app.exports.docx` as an A4 Word table and the
``grid.html`` template draws it as a table, so page and print never differ.
"""
import math
import unicodedata
from dataclasses import dataclass, field

HEAD, LABEL, BODY, TOTAL = "head", "label", "body", "total"


@dataclass
class Cell:
    row: int
    col: int
    value: object
    rows: int = 1
    cols: int = 1
    kind: str = BODY
    link: str | None = None  # where a number drills down to, on the page


@dataclass
class Choices:
    """A drop-down list on the cells of one column (an import template's
    enumerated columns).  ``strict``: only a listed value may be typed; else
    the list is offered and other text (several values joined by 、) allowed."""
    first_row: int
    last_row: int
    col: int
    values: list[str]
    strict: bool = True
    prompt: str = ""


@dataclass
class Grid:
    title: str
    columns: list[float]                 # minimum width of each column, in characters
    subtitle: str = ""                   # e.g. 单位：示范县财政局
    footer: list[str] = field(default_factory=list)
    notes: str = ""                      # 填表说明
    cells: list[Cell] = field(default_factory=list)
    header_rows: int = 0                 # rows repeated on every printed page …
    header_from: int = 0                 # … starting at this row of the cells
    landscape: bool = True
    sheet: str = ""                      # worksheet name
    remarks: list[str] = field(default_factory=list)  # notes the paper lacks (验签 verdict), under the form
    choices: list[Choices] = field(default_factory=list)  # drop-downs of a template (Excel only)
    text_columns: set[int] = field(default_factory=set)   # cells kept as text in Excel (身份证号: 18 digits)
    _height: int = field(default=0, repr=False)  # rows used so far, kept as cells are added

    @property
    def height(self) -> int:
        """Rows used: a running maximum, so a grid of n rows is built in linear time."""
        return self._height

    def add(self, row, col, value, rows=1, cols=1, kind=BODY, link=None) -> "Grid":
        self.cells.append(Cell(row, col, value, rows, cols, kind, link))
        self._height = max(self._height, row + rows)
        return self

    def append(self, values, kind=BODY, spans=None) -> int:
        """Adds a row below the others; ``spans`` maps a column to its colspan."""
        row, col = self.height, 0
        spans = spans or {}
        for value in values:
            span = spans.get(col, 1)
            self.add(row, col, value, cols=span, kind=kind)
            col += span
        return row

    def choose(self, first_row, last_row, col, values, strict=True, prompt="") -> "Grid":
        self.choices.append(Choices(first_row, last_row, col, list(values), strict, prompt))
        return self

    def rows(self):
        """Cells by row, for the HTML table (cells covered by a merge are absent)."""
        table = [[] for _ in range(self.height)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            table[cell.row].append(cell)
        return table

    @property
    def page_width(self) -> int:
        """Characters of 11pt text an A4 line holds in the paper's orientation."""
        return 128 if self.landscape else 88

    def widths(self) -> list[float]:
        """Column widths that fit the text (a CJK character counts double), the
        growth beyond the declared widths shrunk so the table fits the page."""
        widths = list(self.columns)
        for cell in self.cells:
            if cell.cols == 1 and cell.value is not None:
                longest = max((display_width(line) for line in str(cell.value).split("\n")), default=0)
                widths[cell.col] = max(widths[cell.col], min(longest + 2, 40))
        base, room = sum(self.columns), self.page_width - sum(self.columns)
        grown = sum(widths) - base
        if grown > 0 and grown > room:
            share = max(room, 0) / grown
            widths = [c + (w - c) * share for c, w in zip(self.columns, widths)]
        return widths

    def line_counts(self, widths: list[float] | None = None) -> list[int]:
        """Lines of text each row needs at these widths, so wrapped text fits
        its row when printed (a merged cell's lines shared by its rows)."""
        widths = widths or self.widths()
        lines = [1] * self.height
        for cell in sorted(self.cells, key=lambda c: c.rows):
            need = text_lines(cell.value, sum(widths[cell.col:cell.col + cell.cols]))
            have = sum(lines[cell.row:cell.row + cell.rows])
            if need > have:
                lines[cell.row + cell.rows - 1] += need - have
        return lines


def text_lines(value, width: float) -> int:
    """Lines ``value`` wraps to in a column ``width`` characters wide."""
    if value is None or value == "":
        return 1
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(value).split("\n"))


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cn_number(n: int) -> str:
    """一, 二, … 十九 (the 序号 of 附件1's categories)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    return ("十" if n < 20 else digits[n // 10] + "十") + (digits[n % 10] if n % 10 else "")
