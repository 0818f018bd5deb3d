"""What every import shares: refusals named by sheet, row and column heading,
headings compared as a clerk may have typed them, cell values read as text,
dates and 是/否, and the field limits checked before anything is written.

Each import reads the file through :mod:`app.uploads` (limits, no cell that
would run as a formula), checks every row, and writes only when no row is
wrong: any problem raises :class:`ImportRefused` with all of them.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime

from app.field_limits import value_error
from app.uploads import UnreadableSheet


@dataclass(frozen=True)
class Problem:
    row: int      # the row number Excel shows
    column: str   # the heading of the column (or 文件, 表头, 标题 …)
    message: str
    sheet: str = ""  # the worksheet, when the workbook's sheets are all read

    def __str__(self):
        where = f"工作表「{self.sheet}」" if self.sheet else ""
        return f"{where}第 {self.row} 行「{self.column}」：{self.message}"


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(map(str, problems)))
        self.problems = problems


def text(value) -> str:
    """A cell as the text it shows: a whole number without ".0", a date as 2020-03-01."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def heading(value) -> str:
    """A heading or label as compared: no spaces or line breaks, half-width brackets.
    「收费(征收)\\n依据和标准」, 「单    位」 and 「党组（党委）意见」 read as the paper prints them."""
    return re.sub(r"[\s\u3000]+", "", text(value)).replace("（", "(").replace("）", ")").replace("：", "").rstrip(":")


def headings_at(values, known) -> dict[str, int]:
    """{heading: column index} of the ``known`` headings found in one row."""
    found = {}
    for i, value in enumerate(values):
        h = heading(value)
        if h in known and h not in found:
            found[h] = i
    return found


def refused(unreadable: UnreadableSheet, columns_of=lambda sheet, rows: {}) -> ImportRefused:
    """The reader's refusals, each column named by its heading where there is one.
    ``columns_of(sheet name, rows)`` gives {column index: heading} of a sheet."""
    sheets = unreadable.sheets or [("", unreadable.rows)]
    names = {name: columns_of(name, rows) for name, rows in sheets}
    problems = []
    for p in unreadable.problems:
        by_index = names.get(p.sheet, {})
        column = "文件" if not p.column else by_index.get(p.column - 1, f"{p.letter} 列")
        problems.append(Problem(p.row, column, p.message, p.sheet))
    return ImportRefused(problems)


def limit_problem(model, attr: str, value, row: int, column: str, sheet: str = "") -> Problem | None:
    """What :mod:`app.field_limits` would refuse at the flush, said at the row and column."""
    if value is None:
        return None
    message = value_error(model.__table__.columns[attr], value, f"「{column}」")
    return Problem(row, column, message, sheet) if message else None


DATE_FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月", "%Y%m%d")


def parse_date(value) -> date | None:
    """A date as clerks write one (2020-03-01, 2020年3月, 2020.03, a date cell);
    a month alone is its first day.  ``ValueError`` for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    written = text(value).replace(" ", "")
    for form in DATE_FORMS:
        try:
            return datetime.strptime(written, form).date()
        except ValueError:
            continue
    raise ValueError(written)


YES, NO = "是", "否"


def parse_yes(value) -> bool | None:
    """是 / 否 (a blank is None); ``ValueError`` for anything else."""
    written = text(value)
    if not written:
        return None
    if written in (YES, NO):
        return written == YES
    raise ValueError(written)


def split_list(value) -> list[str]:
    """Several names in one cell, as clerks separate them (、，,；;)."""
    return [part.strip() for part in re.split(r"[、，,；;\n]", text(value)) if part.strip()]
