"""Reads an uploaded .xlsx without trusting it.

- Only the cells the file holds are read, never the range it declares: a
  5 KB file claiming ``<dimension ref="A1:XFD20000"/>`` would otherwise make
  openpyxl build 300 million empty cells.
- At most ``IMPORT_MAX_ROWS`` rows (over all the sheets read) and
  ``IMPORT_MAX_COLUMNS`` columns with content, at most ``MAX_SHEETS`` sheets,
  and at most ``MAX_UNPACKED`` bytes once unzipped (a zip bomb is refused
  before parsing).  Hidden sheets (a template's lists of choices) are not read.
- No cell that Excel would run: a formula, or text starting with = + - @
  (typed in a cell, or re-exported to CSV by someone, it becomes one).

Each refusal names the row and the column, in Chinese.
"""
import zipfile
from dataclasses import dataclass

from flask import current_app
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@")
MAX_UNPACKED = 50 * 1024 * 1024
RUNS = "内容以 = + - @ 开头或是公式，打开时会被 Excel 当作公式执行，不予导入；请删去开头的符号或改写。"
MAX_PROBLEMS = 20  # enough to fix a file; the rest would only bury them
MAX_SHEETS = 200   # a register workbook holds one sheet per owner


@dataclass
class CellProblem:
    row: int        # as Excel shows it
    column: int     # 1-based; 0: the file as a whole
    message: str
    sheet: str = ""  # the worksheet's name, when a workbook's sheets are all read

    @property
    def letter(self) -> str:
        return get_column_letter(self.column) if self.column else ""

    def __str__(self):
        where = f"工作表「{self.sheet}」" if self.sheet else ""
        return f"{where}第 {self.row} 行 {self.letter} 列：{self.message}" if self.column else where + self.message


class UnreadableSheet(Exception):
    """``rows`` holds what was read when only some cells were refused, so that
    the importer can name their columns by the headings (``sheets``: the same,
    sheet by sheet, from :func:`read_sheets`)."""

    def __init__(self, problems: list[CellProblem], rows=(), sheets=()):
        super().__init__("；".join(map(str, problems)))
        self.problems, self.rows, self.sheets = problems, list(rows), list(sheets)


def limits() -> tuple[int, int]:
    config = current_app.config
    return config.get("IMPORT_MAX_ROWS", 5000), config.get("IMPORT_MAX_COLUMNS", 50)


def would_run(value) -> bool:
    """A formula (read without cached values, it comes as "=…", or as an
    array-formula object), or text Excel or a CSV reader would take for one."""
    if value is None or isinstance(value, (int, float, bool)) or hasattr(value, "isoformat"):
        return False
    return not isinstance(value, str) or value.strip().startswith(FORMULA_STARTS)


def _blank(values) -> bool:
    return values.count(None) == len(values) or all(v is None or v == "" for v in values)


def _check_archive(stream) -> None:
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableSheet([CellProblem(1, 0, "文件无法读取，请上传 .xlsx 格式的 Excel 文件。")])
    finally:
        stream.seek(0)
    if unpacked > MAX_UNPACKED:
        raise UnreadableSheet([CellProblem(1, 0, f"文件解压后超过 {MAX_UNPACKED // (1024 * 1024)} MB，不予读取。")])


def _watch_width(sheet) -> list[int]:
    """openpyxl drops the cells past ``max_col`` without a word: note, for the
    row it is about to hand over, the last column holding something.
    (Wraps ReadOnlyWorksheet._get_row, which every row passes through.)"""
    last = [0]
    get_row = sheet._get_row

    def watched(row, min_col=1, max_col=None, values_only=False):
        last[0] = max((c["column"] for c in row if c.get("value") not in (None, "")), default=0)
        return get_row(row, min_col, max_col, values_only)

    sheet._get_row = watched
    return last


def _open(stream):
    _check_archive(stream)
    try:
        return load_workbook(stream, read_only=True, data_only=False)
    except Exception:
        raise UnreadableSheet([CellProblem(1, 0, "文件无法读取，请上传 .xlsx 格式的 Excel 文件。")])


def _read(sheet, budget: list[int], problems: list[CellProblem], name: str = "") -> list[tuple[int, tuple]]:
    """The filled rows of one sheet; ``budget`` holds the rows still allowed over the workbook."""
    max_rows, max_columns = limits()
    sheet.reset_dimensions()  # ignore the declared range: read what is there
    last_column = _watch_width(sheet)
    rows = []
    for number, values in enumerate(sheet.iter_rows(max_col=max_columns, values_only=True), start=1):
        width, last_column[0] = last_column[0], 0
        if width > max_columns:
            raise UnreadableSheet([CellProblem(number, width, f"超过 {max_columns} 列的上限，请使用本系统的模板。", name)])
        if _blank(values):
            continue
        budget[0] -= 1
        if number > max_rows or budget[0] < 0:
            raise UnreadableSheet([CellProblem(number, 1, f"超过 {max_rows} 行的上限，请分成几个文件导入。", name)])
        for column, value in enumerate(values, start=1):
            if would_run(value) and len(problems) < MAX_PROBLEMS:
                problems.append(CellProblem(number, column, RUNS, name))
        rows.append((number, values))
    return rows


def read_first_sheet(stream) -> list[tuple[int, tuple]]:
    """(Excel row number, cell values) of every row of the first worksheet
    that holds something, within the limits; otherwise ``UnreadableSheet``."""
    book = _open(stream)
    try:
        problems = []
        rows = _read(book.worksheets[0], [limits()[0]], problems)
        if problems:
            raise UnreadableSheet(problems, rows)
        return rows
    finally:
        book.close()


def read_sheets(stream) -> list[tuple[str, list[tuple[int, tuple]]]]:
    """(sheet name, its rows as :func:`read_first_sheet` gives them) for every
    visible worksheet, within the limits over the whole workbook."""
    book = _open(stream)
    try:
        visible = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
        if len(visible) > MAX_SHEETS:
            raise UnreadableSheet([CellProblem(1, 0, f"工作表超过 {MAX_SHEETS} 个，请分成几个文件导入。")])
        budget, problems, sheets = [limits()[0]], [], []
        for sheet in visible:
            sheets.append((sheet.title, _read(sheet, budget, problems, sheet.title)))
        if problems:
            raise UnreadableSheet(problems, sheets=sheets)
        return sheets
    finally:
        book.close()
