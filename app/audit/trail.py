"""Writes the audit trail from SQLAlchemy, so no code path can skip it.

Changes made through the ORM are read at each flush; bulk and Core statements
run through the session (``session.execute(update(…))``, ``query.delete()``)
are read as they execute, one entry per row they touch.  The actor is the
login of the request, or the named system user when a job, a seed or a CLI
command writes (see :func:`acting_as`).

Private values (archive contents, ID numbers, phones) never enter the trail in
clear: an entry says the field changed and keeps a keyed digest of the value,
enough to confirm a value later without revealing it.  An update of a
versioned record also keeps the version it made, so a stale save can be told
what changed since the version it was built on (:mod:`app.versions`).
"""
import contextvars
from contextlib import contextmanager
from datetime import datetime, timezone

from flask import g, has_request_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.audit import chain
from app.audit.models import AuditLog
from app.security.models import SYSTEM_USERNAME

_actor = contextvars.ContextVar("audit_actor", default=None)

CREATE, UPDATE, DELETE = "新增", "修改", "删除"
# The logs themselves, FAB's permission tables (synced from roles.py at deploy)
# and the scheduler's own bookkeeping.
SKIPPED_TABLES = {"audit_log", "archive_read", "chain_head", "ab_permission", "ab_view_menu",
                  "ab_permission_view", "ab_permission_view_role", "ab_register_user",
                  "ab_group", "ab_api_key", "scheduler_lease"}
# Kept out of the trail altogether: login bookkeeping that changes at every login.
NOISE = {"last_login", "login_count", "fail_login_count", "changed_on", "changed_by_fk"}
SECRET = {"password"}                         # noted as changed, never stored
PRIVATE_TABLES = {"archive_entry", "integrity_archive"}   # every value but the keys
PRIVATE_FIELDS = {"id_number", "phone"}
ARCHIVE_TABLES = PRIVATE_TABLES
KEYS = {"id", "archive_id", "person_id", "unit_id", "section_id"}
HIDDEN = "（已修改，内容不记入日志）"


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


def _shown(table: str, key: str, value):
    """The value as the trail keeps it."""
    if value is None:
        return None
    if key in SECRET:
        return HIDDEN
    if key in PRIVATE_FIELDS or (table in PRIVATE_TABLES and key not in KEYS):
        return "摘要 " + chain.seal({"v": value})[:16]
    return chain._plain(value)


def _fields(obj, changed_only=False):
    state = inspect(obj)
    table = obj.__tablename__
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in NOISE:
            continue
        hist = state.attrs[key].history
        if changed_only and not hist.has_changes():
            continue
        if hist.has_changes():
            before[key] = _shown(table, key, hist.deleted[0]) if hist.deleted else None
            after[key] = _shown(table, key, hist.added[0]) if hist.added else None
        else:
            before[key] = after[key] = _shown(table, key, getattr(obj, key))
    for rel in state.mapper.relationships:   # many-to-many links: roles of a login, risks of a 制度 …
        if rel.secondary is None or rel.key not in state.dict:
            continue
        hist = state.attrs[rel.key].history
        if hist.has_changes():
            before[rel.key] = sorted(str(o) for o in list(hist.unchanged) + list(hist.deleted))
            after[rel.key] = sorted(str(o) for o in list(hist.unchanged) + list(hist.added))
    return before, after


def _unit_of(obj, depth=2):
    """The unit a record belongs to: its own, or that of the record it hangs on
    (an archive's entry, a flowchart's step, a person's login)."""
    unit_column = getattr(obj, "__scope__", {}).get("unit")
    if unit_column:
        return getattr(obj, unit_column, None)
    for rel in inspect(obj).mapper.relationships if depth else ():
        parent = obj.__dict__.get(rel.key)
        if rel.direction.name == "MANYTOONE" and parent is not None:
            unit_id = _unit_of(parent, depth - 1)
            if unit_id is not None:
                return unit_id
    return None


def _counties(session, objects) -> dict:
    """unit id → county id for the units of ``objects``, in one query: the
    county's office reads the trail of its own records."""
    from app.organisation.models import Unit
    units = {u for u in map(_unit_of, objects) if u is not None}
    if not units:
        return {}
    with session.no_autoflush:
        return dict(session.execute(select(Unit.id, Unit.county_id).where(Unit.id.in_(units))).all())


def _entry(table, record_id, record, action, before, after, county_id=None):
    actor_id, actor = _who()
    return {"at": datetime.now(timezone.utc).replace(tzinfo=None), "actor_id": actor_id, "actor": actor,
            "action": action, "table_name": table, "record_id": record_id, "record": record,
            "before": before, "after": after, "county_id": county_id}


def _row(counties, obj, action, before, after):
    pk = inspect(obj).mapper.primary_key_from_instance(obj)  # new rows have no identity yet
    record_id = ",".join(str(v) for v in pk) if any(v is not None for v in pk) else None
    record = None if obj.__tablename__ in PRIVATE_TABLES else str(obj)[:200]
    county = counties.get(_unit_of(obj), getattr(obj, "county_id", None))
    return _entry(obj.__tablename__, record_id, record, action, before, after, county)


def _audited(obj) -> bool:
    return getattr(obj, "__tablename__", None) not in SKIPPED_TABLES


def _after_flush(session, _ctx):
    rows = []
    counties = _counties(session, [o for o in (*session.new, *session.dirty, *session.deleted) if _audited(o)])
    for obj in filter(_audited, session.new):
        rows.append(_row(counties, obj, CREATE, None, _fields(obj)[1]))
    for obj in filter(_audited, session.dirty):
        if session.is_modified(obj):
            before, after = _fields(obj, changed_only=True)
            version = inspect(obj).mapper.version_id_col
            if (before or after) and version is not None:   # the version this change made (app.versions)
                after["version"] = getattr(obj, inspect(obj).mapper.get_property_by_column(version).key)
            if before or after:
                rows.append(_row(counties, obj, UPDATE, before, after))
    for obj in filter(_audited, session.deleted):
        rows.append(_row(counties, obj, DELETE, _fields(obj)[0], None))
    chain.append(session.connection(), AuditLog.__table__, rows)


def _bulk_statement(state):
    """``update(Model)…`` / ``delete(Model)…`` run through the session: one
    entry per row, its id found with the statement's own WHERE first."""
    if not (state.is_update or state.is_delete) or state.execution_options.get("audited"):
        return
    mapper = state.bind_arguments.get("mapper")
    table = mapper.local_table if mapper is not None else None
    if table is None or table.name in SKIPPED_TABLES:
        return
    statement = state.statement
    ids = select(*table.primary_key.columns)
    if statement.whereclause is not None:
        ids = ids.where(statement.whereclause)
    found = state.session.execute(ids, execution_options={"audited": True}).all()
    if state.is_update:
        after = {}
        for column, value in (statement._values or {}).items():
            name = getattr(column, "key", str(column))
            after[name] = _shown(table.name, name, getattr(value, "value", str(value)))
        action, before = UPDATE, None
    else:
        action, before, after = DELETE, {"批量删除": True}, None
    rows = [_entry(table.name, ",".join(map(str, pk)), None, action, before, after) for pk in found]
    chain.append(state.session.connection(), AuditLog.__table__, rows)


def install():
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _bulk_statement)


def record(connection, table_name: str, record_id, action: str, before=None, after=None, record=None):
    """One entry for a write made past the ORM (a Core statement on a link table)."""
    chain.append(connection, AuditLog.__table__,
                 [_entry(table_name, None if record_id is None else str(record_id), record, action,
                         before, after)])


def bulk_note(session, table_name: str, count: int, what: str):
    """One trail entry for a bulk load that bypasses the ORM (seeds at scale)."""
    record(session.connection(), table_name, None, CREATE, after={"count": count}, record=f"{what}：{count} 条")
