"""Writes grids as a Word document (python-docx) in the official look: 宋体,
one bordered table per form on A4 in the form's orientation, merges as on
paper, the title centred above, the signature lines and 填表说明 below.

Word fixes column widths in millimetres: the grid's widths (in characters)
are scaled to the page's text width, so nothing runs off to the right."""
import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from app.exports.grid import HEAD, LABEL, TOTAL, Grid

FONT = "宋体"
A4 = (Mm(210), Mm(297))
MARGIN = Mm(15)


def _font(target, size: float, bold: bool = False):
    """宋体 for both Latin and East Asian text (Word picks the font per script)."""
    target.font.name = FONT
    target.font.size = Pt(size)
    target.font.bold = bold
    fonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)


def _page(section, landscape: bool):
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    return section.page_width - 2 * MARGIN


def _paragraph(doc, text: str, size: float, bold=False, align=None, italic=False):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    _font(run, size, bold)
    run.italic = italic
    return p


def _repeat_heading(row):
    """Word repeats a table's first rows on every page when each is marked."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _table(doc, grid: Grid, text_width):
    widths = grid.widths()
    scale = text_width / sum(widths)
    table = doc.add_table(rows=grid.height, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, w in zip(table.columns, widths):
        col.width = int(w * scale)
        for cell in col.cells:
            cell.width = int(w * scale)
    for cell in grid.cells:
        target = table.cell(cell.row, cell.col)
        if cell.rows > 1 or cell.cols > 1:
            target = target.merge(table.cell(cell.row + cell.rows - 1, cell.col + cell.cols - 1))
        target.text = "" if cell.value is None else str(cell.value)
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        heading = cell.kind in (HEAD, LABEL)
        for p in target.paragraphs:
            if heading or isinstance(cell.value, int):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in p.runs:
                _font(run, 10.5, bold=heading or cell.kind == TOTAL)
    if grid.header_rows and grid.header_from == 0:
        for row in table.rows[:grid.header_rows]:
            _repeat_heading(row)
    return table


def document(grids: list[Grid]) -> bytes:
    """A .docx holding each grid on its own A4 page(s)."""
    doc = Document()
    _font(doc.styles["Normal"], 10.5)
    for i, grid in enumerate(grids):
        section = doc.sections[0] if i == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        text_width = _page(section, grid.landscape)
        _paragraph(doc, grid.title, 16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        if grid.subtitle:
            _paragraph(doc, grid.subtitle, 10.5)
        _table(doc, grid, text_width)
        for line in grid.footer:
            _paragraph(doc, line, 10.5)
        if grid.notes:
            _paragraph(doc, grid.notes, 9)
        for line in grid.remarks:
            _paragraph(doc, line, 9, italic=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
