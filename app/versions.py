"""Edits that know about each other.

Every record people edit carries a ``version`` (SQLAlchemy's
``version_id_col``): each UPDATE says ``WHERE version = <the one loaded>`` and
adds one, so of two saves built on the same version only the first lands.
The edit page carries the version its user saw (a hidden field), the API takes
it as ``version`` in the body or an ``If-Match`` header; a save built on an
older version is refused with what changed since, read from the audit trail
(which keeps the version each change made), and nothing is overwritten.
"""
import re

from sqlalchemy import Integer, inspect, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from wtforms import HiddenField

from app.errors import Refused, Stale

SEEN = "version"
SHORT = 40   # characters of a value shown in the message


class Versioned:
    """Mixin: the row's version, checked and raised by every UPDATE and DELETE.

    The migration gives existing rows 1 (a server default); the model has none,
    or SQLAlchemy would read each new version back with RETURNING, which
    SQLite cannot do for the many rows of a ``post_update``."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


def is_versioned(model) -> bool:
    mapper = inspect(model, raiseerr=False)
    mapper = getattr(mapper, "mapper", mapper)
    return getattr(mapper, "version_id_col", None) is not None


def seen(value) -> int | None:
    """The version a client saw: ``3``, ``"3"`` or an ETag ``W/"3"``; None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        found = re.fullmatch(r'\s*(?:W/)?"?(\d{1,9})"?\s*', value)
        if found and int(found.group(1)) > 0:
            return int(found.group(1))
    raise Refused("版本号（version）应为正整数：请提交您读取记录时得到的 version。", SEEN)


def check_seen(item, version: int | None) -> None:
    """Refuses a save built on ``version`` when the record has moved on since."""
    if version is None or not is_versioned(item) or item.version is None or version == item.version:
        return
    raise Stale(stale_message(type(item), item.id, version, item.version), SEEN)


class SeenVersion(HiddenField):
    """The edit page's hidden ``version``: shown from the record, never written back to it."""

    def populate_obj(self, obj, name):
        pass


def with_seen_version(form_class):
    """An edit form class that also carries the version its page showed."""
    return type(form_class.__name__, (form_class,), {SEEN: SeenVersion()})


# ── what changed ─────────────────────────────────────────────────────────
def _short(value) -> str:
    value = "（空）" if value in (None, "") else str(value)
    return value if len(value) <= SHORT else value[:SHORT] + "…"


def _related_name(model, column: str, value):
    """A foreign key's value as the related record's name."""
    for rel in model.__mapper__.relationships:
        if column in {c.key for c in rel.local_columns} and value is not None:
            from app.extensions import db
            with db.session.no_autoflush:
                related = db.session.get(rel.mapper.class_, value)
            return related if related is not None else value
    return value


def changes_since(model, record_id, version: int) -> tuple[list[str], list[str]]:
    """(what changed, who changed it) in the changes that made versions after ``version``."""
    from app.audit.models import AuditLog
    from app.audit.trail import HIDDEN, UPDATE
    from app.extensions import db
    from app.integrity import labels_of

    with db.session.no_autoflush:
        entries = db.session.scalars(
            select(AuditLog).where(AuditLog.table_name == model.__tablename__,
                                   AuditLog.record_id == str(record_id), AuditLog.action == UPDATE)
            .order_by(AuditLog.id)).all()
    later = [e for e in entries if ((e.after or {}).get(SEEN) or 0) > version]
    first, last = {}, {}
    for entry in later:
        for key, value in (entry.before or {}).items():
            first.setdefault(key, value)
        last.update(entry.after or {})
    labels, relation_of = labels_of(model), {
        c.key: rel.key for rel in model.__mapper__.relationships for c in rel.local_columns}
    changed = []
    for key in last:
        if key == SEEN or first.get(key) == last[key]:
            continue
        label = labels.get(key) or labels.get(relation_of.get(key, "")) or key
        before, after = first.get(key), last[key]
        if any(isinstance(v, str) and (v.startswith("摘要 ") or v == HIDDEN) for v in (before, after)):
            changed.append(f"{label} 已修改")
        else:
            changed.append(f"{label} 由「{_short(_related_name(model, key, before))}」"
                           f"改为「{_short(_related_name(model, key, after))}」")
    who = sorted({e.actor for e in later if e.actor})
    return changed, who


def stale_message(model, record_id, version: int, now: int | None = None) -> str:
    changed, who = changes_since(model, record_id, version)
    by = f"（{'、'.join(who)}" + (f"，第 {version} 版 → 第 {now} 版" if now else "") + "）" if who else ""
    what = "：" + "；".join(changed) if changed else ""
    return f"该记录已被他人修改{by}{what}。您这次的修改没有保存，请刷新后再改。"


def explain_stale(error, model=None, record_id=None, version=None) -> Stale:
    """A ``StaleDataError`` (the UPDATE or DELETE matched no row at the version loaded) in Chinese."""
    found = re.search(r"on table '([^']+)'", str(error))
    own = getattr(model, "__tablename__", None)
    table = found.group(1) if found else own
    if table == own and record_id is not None and version is not None:
        return Stale(stale_message(model, record_id, version), SEEN)
    what = "该记录" if table == own else title_of(table)
    return Stale(f"{what}刚刚已被他人修改，您这次的修改没有保存，请刷新后再改。", SEEN)


def title_of(table: str) -> str:
    """What a table's records are called on their list page (登记表, 制度 …)."""
    from flask import current_app
    for view in getattr(getattr(current_app, "appbuilder", None), "baseviews", []):
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if getattr(model, "__tablename__", None) == table and getattr(view, "list_title", None):
            return f"相关的{view.list_title}"
    return "相关记录"
