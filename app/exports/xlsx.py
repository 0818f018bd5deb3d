"""Writes grids as worksheets in the official look: 宋体, borders, wrapped
text, centred headings, title merged across the table, A4, fitted to width."""
import io

import xlsxwriter

from app.exports.grid import BODY, HEAD, LABEL, TOTAL, Grid

FONT = "宋体"


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


def write_sheet(book, styles: Styles, grid: Grid, name: str | None = None):
    sheet = book.add_worksheet((name or grid.sheet or grid.title)[:31])
    widths = grid.widths()
    last_col = len(widths) - 1
    for col, w in enumerate(widths):
        sheet.set_column(col, col, w)
    sheet.merge_range(0, 0, 0, last_col, grid.title, styles.title)
    sheet.set_row(0, 30)
    top = 1
    if grid.subtitle:
        sheet.merge_range(1, 0, 1, last_col, grid.subtitle, styles.plain)
        top = 2
    for cell in grid.cells:
        r, c = top + cell.row, cell.col
        fmt = styles.number if isinstance(cell.value, int) and cell.kind == BODY else styles.by_kind[cell.kind]
        value = "" if cell.value is None else cell.value
        if cell.rows > 1 or cell.cols > 1:
            sheet.merge_range(r, c, r + cell.rows - 1, c + cell.cols - 1, value, fmt)
        else:
            sheet.write(r, c, value, fmt)
    row = top + grid.height
    for line in grid.footer + ([grid.notes] if grid.notes else []):
        row += 1
        sheet.merge_range(row, 0, row, last_col, line, styles.plain)
        if len(line) > 60:
            sheet.set_row(row, 15 * (len(line) // 60 + 1))
    sheet.set_paper(9)  # A4
    if grid.landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    if grid.header_rows:
        sheet.repeat_rows(top, top + grid.header_rows - 1)
    sheet.center_horizontally()
    return sheet


def workbook(grids: list[Grid]) -> bytes:
    """An .xlsx holding one worksheet per grid (names made unique)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
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
