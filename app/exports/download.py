"""A paper form as a download: the same grids as .xlsx or .docx."""
from urllib.parse import quote

from flask import Response, abort

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"xlsx": XLSX, "docx": DOCX}


def attachment(content: bytes, filename: str, mimetype: str) -> Response:
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def render(grids, fmt: str) -> bytes:
    """The grids as a workbook (``xlsx``) or a Word document (``docx``)."""
    if fmt == "xlsx":
        from app.exports.xlsx import workbook
        return workbook(grids)
    if fmt == "docx":
        from app.exports.docx import document
        return document(grids)
    raise ValueError(fmt)


def paper(grids, stem: str, fmt: str) -> Response:
    """``stem``.xlsx or ``stem``.docx; any other format is not found."""
    if fmt not in FORMATS:
        abort(404)
    return attachment(render(grids, fmt), f"{stem}.{fmt}", FORMATS[fmt])
