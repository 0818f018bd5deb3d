"""Writes grids as worksheets in the official look: 宋体, borders, wrapped
text, centred headings, title merged across the table, A4, fitted to width.

Text is always written as text: XlsxWriter's ``write`` would turn a risk
text starting with "=" into a formula (``=HYPERLINK(…)``, ``=cmd|…``) and one
starting with "http://" into a link, run when the office opens the file.
Every workbook of the app is made by ``new_workbook``."""
import io

import xlsxwriter
import xlsxwriter.utility

from app.exports.grid import BODY, HEAD, LABEL, TOTAL, Grid, text_lines

FONT = "宋体"
LINE = 15  # points per line of 11pt text: row heights are counted in lines
TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def new_workbook(target, **options) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook that never turns text into formulas or links."""
    return xlsxwriter.Workbook(target, {**options, **TEXT_ONLY})


def write_cell(sheet, row: int, col: int, value, fmt=None):
    """Text as a string cell whatever it starts with; numbers as numbers."""
    if value is None or value == "":
        return sheet.write_blank(row, col, None, fmt)
    if isinstance(value, str):
        return sheet.write_string(row, col, value, fmt)
    return sheet.write(row, col, value, fmt)


def merge_cells(sheet, first_row, first_col, last_row, last_col, value, fmt):
    """A merged range whose value is written by ``write_cell``."""
    sheet.merge_range(first_row, first_col, last_row, last_col, "", fmt)
    write_cell(sheet, first_row, first_col, value, fmt)


class Styles:
    def __init__(self, book):
        base = {"font_name": FONT, "font_size": 11, "text_wrap": True, "valign": "vcenter"}
        boxed = {**base, "border": 1}
        self.title = book.add_format({**base, "font_size": 16, "bold": True, "align": "center"})
        self.plain = book.add_format(base)
        self.by_kind = {
            HEAD: book.add_format({**boxed, "bold": True, "align": "center"}),
            LABEL: book.add_format({**boxed, "bold": True, "align": "center"}),
            TOTAL: book.add_format({**boxed, "bold": True}),
            BODY: book.add_format(boxed),
        }
        self.number = book.add_format({**boxed, "align": "center"})
        self.text = book.add_format({**boxed, "num_format": "@"})   # typed digits stay text


LIST_LIMIT = 240  # Excel allows 255 characters in a list written into the validation itself


def _list_source(book, values: list[str]):
    """The list itself when short, else a range of the hidden sheet 选项 (made once per workbook)."""
    if sum(len(v) + 1 for v in values) <= LIST_LIMIT and not any("," in v for v in values):
        return values
    lists = getattr(book, "_choice_lists", None)
    if lists is None:
        sheet = book.add_worksheet(CHOICES_SHEET)
        sheet.hide()
        lists = book._choice_lists = {"sheet": sheet, "cols": {}}
    key = tuple(values)
    if key not in lists["cols"]:
        col = len(lists["cols"])
        for row, value in enumerate(values):
            lists["sheet"].write_string(row, col, value)
        lists["cols"][key] = col
    col = lists["cols"][key]
    letter = xlsxwriter.utility.xl_col_to_name(col)
    return f"='{CHOICES_SHEET}'!${letter}$1:${letter}${len(values)}"


CHOICES_SHEET = "选项"  # importers skip it: hidden sheets are not read (app.uploads)


def write_choices(book, sheet, grid: Grid, top: int) -> None:
    for c in grid.choices:
        if not c.values:
            continue
        options = {"validate": "list", "source": _list_source(book, c.values),
                   "error_title": "请从下拉列表中选择", "error_message": "请从下拉列表中选择：" + "、".join(c.values)[:200]}
        if not c.strict:
            options.update(error_type="information", error_message="可从列表中选择，多项以「、」分隔。")
        if c.prompt:
            options.update(input_title="填写说明", input_message=c.prompt[:250])
        if sheet.data_validation(top + c.first_row, c.col, top + c.last_row, c.col, options) != 0:
            raise ValueError(f"drop-down of column {c.col} not written: {options}")


def write_sheet(book, styles: Styles, grid: Grid, name: str | None = None):
    sheet = book.add_worksheet((name or grid.sheet or grid.title)[:31])
    widths = grid.widths()
    last_col = len(widths) - 1
    for col, w in enumerate(widths):
        sheet.set_column(col, col, w)
    merge_cells(sheet, 0, 0, 0, last_col, grid.title, styles.title)
    sheet.set_row(0, 30)
    top = 1
    if grid.subtitle:
        merge_cells(sheet, 1, 0, 1, last_col, grid.subtitle, styles.plain)
        top = 2
    for cell in grid.cells:
        r, c = top + cell.row, cell.col
        fmt = styles.number if isinstance(cell.value, int) and cell.kind == BODY else styles.by_kind[cell.kind]
        if cell.kind == BODY and cell.col in grid.text_columns:
            fmt = styles.text
        value = "" if cell.value is None else cell.value
        if cell.rows > 1 or cell.cols > 1:
            merge_cells(sheet, r, c, r + cell.rows - 1, c + cell.cols - 1, value, fmt)
        else:
            write_cell(sheet, r, c, value, fmt)
    for i, lines in enumerate(grid.line_counts(widths)):
        sheet.set_row(top + i, LINE * lines + 4)
    row = top + grid.height
    for line in grid.footer + ([grid.notes] if grid.notes else []) + grid.remarks:
        row += 1
        merge_cells(sheet, row, 0, row, last_col, line, styles.plain)
        sheet.set_row(row, LINE * text_lines(line, sum(widths)) + 4)
    sheet.set_paper(9)  # A4
    if grid.landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    if grid.header_rows:
        first = top + grid.header_from
        sheet.repeat_rows(first, first + grid.header_rows - 1)
    sheet.center_horizontally()
    write_choices(book, sheet, grid, top)
    return sheet


def workbook(grids: list[Grid]) -> bytes:
    """An .xlsx holding one worksheet per grid (names made unique)."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, in_memory=True)
    styles = Styles(book)
    seen = set()
    for grid in grids:
        name = (grid.sheet or grid.title)[:28]
        while name in seen:
            name = name[:26] + str(len(seen))
        seen.add(name)
        write_sheet(book, styles, grid, name)
    book.close()
    return buffer.getvalue()
