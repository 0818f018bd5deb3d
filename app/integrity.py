"""The database's refusals (unique, foreign key, not null, too long) as a
Chinese message naming the field, instead of the SQL statement and its
parameters that FAB would show (it flashes ``str(error)`` on pages and puts
it in the API's 422 body).

``SafeInterface`` is the FAB data interface every scoped page and API uses
(``scoped_views.interface``): a refused write becomes ``Refused``, which pages
flash and the API answers with 422, and the transaction is rolled back.
"""
import re

from flask import current_app, g, has_request_context
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import inspect
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Refused

SAVE, DELETE = "save", "delete"
CONFLICT = "保存失败：内容与已有记录冲突，请检查后重试。"


def _is_chinese(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text or ""))


def labels_of(model) -> dict[str, str]:
    """The Chinese column labels the app's views give ``model``."""
    labels = {}
    appbuilder = getattr(current_app, "appbuilder", None)
    for view in getattr(appbuilder, "baseviews", []):
        datamodel = getattr(view, "datamodel", None)
        if getattr(datamodel, "obj", None) is model:
            for key, label in (getattr(view, "label_columns", None) or {}).items():
                if _is_chinese(label):
                    labels.setdefault(key, str(label))
    return labels


def _columns(error) -> tuple[str | None, list[str], str]:
    """(kind, column names, detail) from the driver's error, on either database."""
    orig = getattr(error, "orig", None)
    diag = getattr(orig, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        detail = diag.message_detail or ""
        found = re.search(r"Key \(([^)]*)\)=", detail)
        columns = [c.strip().strip('"') for c in found.group(1).split(",")] if found else (
            [diag.column_name] if diag.column_name else [])
        kind = {"23505": "unique", "23503": "foreign_key", "23502": "not_null"}.get(getattr(orig, "sqlstate", None))
        return kind, columns, detail
    text = str(orig or error)
    for prefix, kind in (("UNIQUE constraint failed:", "unique"), ("NOT NULL constraint failed:", "not_null")):
        if text.startswith(prefix):
            return kind, [c.strip().split(".")[-1] for c in text[len(prefix):].split(",")], text
    if "FOREIGN KEY constraint failed" in text:
        return "foreign_key", [], text
    return None, [], text


def explain(error: SQLAlchemyError, model, action: str = SAVE) -> Refused:
    """A ``Refused`` naming the field, for a write of ``model`` the database refused."""
    if isinstance(error, DatabaseException) and error.__cause__ is not None:
        error = error.__cause__
    labels = labels_of(model)
    relation_of = {col.key: rel.key for rel in model.__mapper__.relationships for col in rel.local_columns}

    def field(column):
        return relation_of.get(column, column)

    def label(column):
        return labels.get(column) or labels.get(field(column)) or column

    if isinstance(error, DataError):
        return Refused("保存失败：某项内容过长或格式不正确，请检查后重试。")
    if not isinstance(error, IntegrityError):
        return Refused(CONFLICT)
    kind, columns, detail = _columns(error)
    if kind == "unique" and columns:
        scope = [c for c in columns if c in relation_of]
        values = [c for c in columns if c not in relation_of] or columns
        within = f"（同一{'、'.join(label(c) for c in scope)}内不能重复）" if scope and scope != values else ""
        return Refused(f"{'、'.join(label(c) for c in values)}已存在{within}。", field(values[0]))
    if kind == "not_null" and columns:
        return Refused(f"{label(columns[0])}必须填写。", field(columns[0]))
    if kind == "foreign_key":
        if action == DELETE or "still referenced" in detail:
            return Refused("该记录仍被其他记录引用，不能删除；请先删除或改动引用它的记录。")
        column = columns[0] if columns else None
        return Refused(f"所选的{label(column) if column else '关联记录'}不存在。", field(column) if column else None)
    return Refused(CONFLICT)


def _remember(refused: Refused) -> None:
    if has_request_context():
        g.refused = refused


class SafeInterface(SQLAInterface):
    """FAB's interface, with the database's refusals explained (see module doc).

    A save or delete that finds its row at another version than the one it
    loaded (``StaleDataError``) is refused with what changed meanwhile.  The
    refusal is also kept for the request: FAB's edit page shows only its fixed
    ``database_error_message``, which ``ScopedModelView`` reads from here.
    """

    def _write(self, call, item, action):
        from app import versions
        state = inspect(item)   # read without loading: no query (and no flush) before the write
        record_id = state.identity[0] if state.identity and len(state.identity) == 1 else None
        version = state.dict.get(versions.SEEN) if versions.is_versioned(item) else None
        try:
            call()
        except (DatabaseException, SQLAlchemyError) as error:
            cause = error.__cause__ if isinstance(error, DatabaseException) else error
            self.session.rollback()
            refused = (versions.explain_stale(cause, self.obj, record_id, version)
                       if isinstance(cause, StaleDataError) else explain(error, self.obj, action))
            _remember(refused)
            raise refused from error
        except Refused as refused:   # a rule checked at the flush (app.risks.content, app.field_limits)
            self.session.rollback()
            _remember(refused)
            raise

    def add(self, item, commit: bool = True) -> None:
        self._write(lambda: super(SafeInterface, self).add(item, commit), item, SAVE)

    def edit(self, item, commit: bool = True) -> None:
        self._write(lambda: super(SafeInterface, self).edit(item, commit), item, SAVE)

    def delete(self, item, commit: bool = True) -> None:
        self._write(lambda: super(SafeInterface, self).delete(item, commit), item, DELETE)

    def delete_all(self, items) -> None:
        try:
            super().delete_all(items)
        except (DatabaseException, SQLAlchemyError) as error:
            raise explain(error, self.obj, DELETE) from error
