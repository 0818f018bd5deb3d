"""What the pages of every package share: a record in the page's filters or
404, a service step whose refusal is flashed, a typed date, a workbook as a
download, several choices kept in one column."""
from datetime import date

from flask import abort, flash
from wtforms import SelectMultipleField

from app.catalogue.models import LIST_SEPARATOR
from app.errors import Refused
from app.exports.download import XLSX, attachment
from app.extensions import db


def record_or_404(view, pk):
    """The row ``pk`` if the page's filters (the data scope) let its reader see it."""
    item = view.datamodel.get(pk, view._base_filters)
    if item is None:
        abort(404)
    return item


def attempt(op, done: str) -> None:
    """Runs one step of a service; a refusal is flashed and changes nothing."""
    try:
        op()
    except Refused as refused:
        db.session.rollback()
        flash(str(refused), "danger")
    else:
        flash(done, "success")


def parse_date(text) -> date | None:
    """2026-11-27 as typed, or None."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def xlsx_response(content: bytes, filename: str):
    return attachment(content, filename, XLSX)


class JoinedChoicesField(SelectMultipleField):
    """Several choices kept in one column, joined by 、 as on the paper form."""

    def process_data(self, value):
        self.data = value.split(LIST_SEPARATOR) if isinstance(value, str) and value else value

    def populate_obj(self, obj, name):
        setattr(obj, name, LIST_SEPARATOR.join(self.data or []) or None)
