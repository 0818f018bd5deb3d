"""What any value a person types may hold, for every record, in one place.

- no NUL or other control character (tab, line feed and carriage return
  excepted), no bidirectional override (U+202A–202E, U+2066–2069: they make a
  text read differently from what it holds) and no lone surrogate;
- text no longer than its column allows: ``String(n)`` its ``n``, a ``Text``
  its ``info["max_length"]`` (fitted to the paper forms: a risk or a measure
  500 characters) or :data:`TEXT_LIMIT`;
- whole numbers inside the column's range (``info["range"]``, else what
  PostgreSQL's integer holds) and dates in years 1900–2100;
- at the page and the API, a required text not blank.

:func:`errors` answers the pages and the API at the field
(``app.security.scoped_views.check``); :func:`install` checks every row again
at each flush, so an import, a CLI command, a step or any other door is held
to the same limits and the database never sees a value it would refuse with
an English message.
"""
import re
from datetime import date, datetime

from sqlalchemy import BigInteger, Integer, SmallInteger, String, Text, event, inspect
from sqlalchemy.orm import Session

from app.errors import Invalid

TEXT_LIMIT = 5000
YEARS = (1900, 2100)
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
# Written by the system only, from values already checked (logs, messages, deliveries).
SYSTEM_TABLES = {"audit_log", "archive_read", "chain_head", "message", "reminder_delivery",
                 "scheduler_lease", "ab_permission", "ab_view_menu", "ab_permission_view",
                 "ab_permission_view_role", "ab_register_user"}


def limit_of(column) -> int | None:
    if "max_length" in column.info:
        return column.info["max_length"]
    if isinstance(column.type, String) and column.type.length:
        return column.type.length
    return TEXT_LIMIT if isinstance(column.type, (String, Text)) else None


def range_of(column) -> tuple[int, int]:
    if "range" in column.info:
        return column.info["range"]
    bits = 64 if isinstance(column.type, BigInteger) else 16 if isinstance(column.type, SmallInteger) else 32
    return -2 ** (bits - 1), 2 ** (bits - 1) - 1


def _name(char: str) -> str:
    return {"\x00": "空字符 NUL", "\x1b": "ESC", "\x07": "响铃 BEL", "\u202e": "从右到左覆盖 RLO",
            "\u202d": "从左到右覆盖 LRO"}.get(char, f"U+{ord(char):04X}")


def text_error(value: str, label: str, limit: int | None = TEXT_LIMIT) -> str | None:
    """What is wrong with a text typed for ``label``, or None."""
    bad = FORBIDDEN.search(value)
    if bad:
        return f"{label}含有不允许的控制字符（{_name(bad.group())}），请删除后再保存。"
    if limit is not None and len(value) > limit:
        return f"{label}不能超过 {limit} 个字（现有 {len(value)} 个）。"
    return None


def value_error(column, value, label: str) -> str | None:
    if isinstance(value, str):
        return text_error(value, label, limit_of(column))
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and isinstance(column.type, Integer):
        low, high = range_of(column)
        if not low <= value <= high:
            return f"{label}应在 {low} 至 {high} 之间。"
    if isinstance(value, (date, datetime)) and not YEARS[0] <= value.year <= YEARS[1]:
        return f"{label}的年份应在 {YEARS[0]} 至 {YEARS[1]} 之间。"
    return None


def _labels(model) -> dict[str, str]:
    """The Chinese name of each field: its page's label, else the column's ``info["label"]``."""
    from app.integrity import labels_of
    own = {attr.key: attr.columns[0].info["label"] for attr in model.__mapper__.column_attrs
           if "label" in getattr(attr.columns[0], "info", {})}
    try:
        return {**own, **labels_of(model)}
    except RuntimeError:  # outside an application
        return own


def errors(item, required: bool = False) -> dict[str, str]:
    """{field: message} for the values of ``item`` that are new or changed."""
    state = inspect(item)
    new = state.key is None
    labels = _labels(type(item))
    found = {}
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        if not hasattr(column, "type"):
            continue
        history = state.attrs[attr.key].history
        if not (history.added if not new else attr.key in state.dict):
            continue
        value = state.dict.get(attr.key)
        label = labels.get(attr.key) or "该项内容"
        message = value_error(column, value, label)
        if (message is None and required and isinstance(column.type, (String, Text)) and not column.nullable
                and isinstance(value, str) and not value.strip()):
            message = f"请填写{label}。"
        if message:
            found[attr.key] = message
    return found


def _before_flush(session, _ctx, _instances):
    for obj in (*session.new, *session.dirty):
        if getattr(obj, "__tablename__", None) in SYSTEM_TABLES:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        for field, message in errors(obj).items():
            raise Invalid(message, field)


def install():
    event.listen(Session, "before_flush", _before_flush)
