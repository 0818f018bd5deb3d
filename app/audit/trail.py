"""Writes the audit trail from SQLAlchemy's flush, so no code path can skip it.

The actor is the login of the request, or the named system user when a job, a
seed or a CLI command writes (see :func:`acting_as`).
"""
import contextvars
from contextlib import contextmanager
from datetime import date, datetime, timezone
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.audit.models import AuditLog
from app.security.models import SYSTEM_USERNAME

_actor = contextvars.ContextVar("audit_actor", default=None)

CREATE, UPDATE, DELETE = "新增", "修改", "删除"
SKIPPED_TABLES = {"audit_log", "ab_user", "ab_role", "ab_permission", "ab_view_menu",
                  "ab_permission_view", "ab_permission_view_role", "ab_user_role",
                  "ab_register_user", "ab_group", "ab_api_key"}
HIDDEN_FIELDS = {"password"}


@contextmanager
def acting_as(username: str = SYSTEM_USERNAME):
    """Attribute the writes inside the block to ``username`` (jobs, seeds, CLI)."""
    token = _actor.set(username)
    try:
        yield
    finally:
        _actor.reset(token)


def _who():
    if has_request_context():
        user = getattr(g, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user.id, user.username
    return None, _actor.get() or SYSTEM_USERNAME


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _fields(obj, changed_only=False):
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in HIDDEN_FIELDS:
            continue
        hist = state.attrs[key].history
        if changed_only and not hist.has_changes():
            continue
        if hist.has_changes():
            before[key] = _plain(hist.deleted[0]) if hist.deleted else None
            after[key] = _plain(hist.added[0]) if hist.added else None
        else:
            value = _plain(getattr(obj, key))
            before[key] = after[key] = value
    return before, after


def _row(obj, action, before, after):
    actor_id, actor = _who()
    pk = inspect(obj).mapper.primary_key_from_instance(obj)  # new rows have no identity yet
    return {
        "at": datetime.now(timezone.utc).replace(tzinfo=None),
        "actor_id": actor_id, "actor": actor, "action": action,
        "table_name": obj.__tablename__,
        "record_id": ",".join(str(v) for v in pk) if any(v is not None for v in pk) else None,
        "record": str(obj)[:200], "before": before, "after": after,
    }


def _after_flush(session, _ctx):
    rows = []
    for obj in session.new:
        if getattr(obj, "__tablename__", None) not in SKIPPED_TABLES:
            rows.append(_row(obj, CREATE, None, _fields(obj)[1]))
    for obj in session.dirty:
        if getattr(obj, "__tablename__", None) in SKIPPED_TABLES or not session.is_modified(obj):
            continue
        before, after = _fields(obj, changed_only=True)
        if before or after:
            rows.append(_row(obj, UPDATE, before, after))
    for obj in session.deleted:
        if getattr(obj, "__tablename__", None) not in SKIPPED_TABLES:
            rows.append(_row(obj, DELETE, _fields(obj)[0], None))
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


def install():
    event.listen(Session, "after_flush", _after_flush)


def bulk_note(session, table_name: str, count: int, what: str):
    """One trail entry for a bulk load that bypasses the ORM (seeds at scale)."""
    actor_id, actor = _who()
    session.execute(AuditLog.__table__.insert(), [{
        "at": datetime.now(timezone.utc).replace(tzinfo=None), "actor_id": actor_id,
        "actor": actor, "action": CREATE, "table_name": table_name, "record_id": None,
        "record": f"{what}：{count} 条", "before": None, "after": {"count": count}}])
