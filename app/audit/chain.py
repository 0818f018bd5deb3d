"""Evidence that no one rewrote the records: keyed hashes, chained logs.

The audit trail and the archive read log are append-only in the database
(triggers refuse UPDATE and DELETE, see the migration) and every row carries
``row_hash = HMAC(key, previous row's hash + the row)``.  The key comes from
the server's settings, never from the database, so someone who edits a row
and recomputes a bare hash is still caught; a deleted row breaks the chain
after it, and ``chain_head`` (row count and last hash per log) catches a cut
tail.  The same key signs the forms' revisions (:func:`seal`).

Writers append through :func:`append` only: it locks the chain's head row
first (a row lock on PostgreSQL, the write lock on SQLite), so concurrent
writers chain one after another instead of forking.
"""
import hashlib
import hmac
import json
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import Column, Integer, String, Table, select, text

from app.extensions import db

chain_head = Table(
    "chain_head", db.Model.metadata,
    Column("name", String(32), primary_key=True),
    Column("count", Integer, nullable=False, default=0),
    Column("last_hash", String(64), nullable=False, default=""),
)

# What each chained log's hash covers: every column but its id and the hash.
CHAINED = {
    "audit_log": ("at", "actor_id", "actor", "action", "table_name", "record_id", "record",
                  "before", "after", "county_id"),
    "archive_read": ("at", "reader_id", "reader", "archive_id", "person_name", "unit_id", "channel"),
}


def key() -> bytes:
    """The evidence key: ``EVIDENCE_KEY`` if set, else derived from ``SECRET_KEY``.
    Keep it with the backups: without it nothing can be verified."""
    configured = current_app.config.get("EVIDENCE_KEY")
    if configured:
        return configured.encode()
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    return hmac.new(secret, b"lianzheng-evidence", hashlib.sha256).digest()


def _plain(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical(values: dict) -> bytes:
    return json.dumps({k: _plain(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str).encode("utf-8")


def seal(values: dict, previous: str = "", secret: bytes | None = None) -> str:
    """The keyed hash of ``values`` chained to ``previous``."""
    return hmac.new(secret or key(), previous.encode() + canonical(values), hashlib.sha256).hexdigest()


def row_seal(name: str, row, previous: str, secret: bytes | None = None) -> str:
    get = row.get if isinstance(row, dict) else lambda c: getattr(row, c)
    return seal({c: get(c) for c in CHAINED[name]}, previous, secret)


def append(connection, table: Table, rows: list[dict]) -> None:
    """Appends ``rows`` to a chained log, each sealed to the one before."""
    if not rows:
        return
    name = table.name
    # Take the head's lock before reading it; the first append ever makes the head.
    locked = connection.execute(text("UPDATE chain_head SET count = count WHERE name = :n"), {"n": name})
    if locked.rowcount == 0:
        connection.execute(chain_head.insert().values(name=name, count=0, last_hash=""))
    count, previous = connection.execute(
        select(chain_head.c.count, chain_head.c.last_hash).where(chain_head.c.name == name)).one()
    secret = key()
    for row in rows:
        row["at"] = row["at"].replace(tzinfo=None)
        row["row_hash"] = previous = row_seal(name, row, previous, secret)
    connection.execute(table.insert(), rows)
    connection.execute(chain_head.update().where(chain_head.c.name == name)
                       .values(count=count + len(rows), last_hash=previous))


def check(name: str, batch: int = 5000) -> list[str]:
    """Walks one log in id order; the problems found, in Chinese (none: intact)."""
    table = db.Model.metadata.tables[name]
    problems, previous, seen, last_id, secret = [], "", 0, 0, key()
    while True:
        rows = db.session.execute(select(table).where(table.c.id > last_id)
                                  .order_by(table.c.id).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            seen += 1
            expected = row_seal(name, row, previous, secret)
            if row.row_hash != expected:
                problems.append(f"第 {row.id} 条记录与哈希链不符（该条或其前一条被修改、删除或插入）。")
            previous = row.row_hash or ""
            last_id = row.id
        if len(problems) > 20:
            problems.append("……其余问题从略。")
            return problems
    head = db.session.execute(select(chain_head).where(chain_head.c.name == name)).first()
    count, last = (head.count, head.last_hash) if head else (0, "")
    if count != seen:
        problems.append(f"应有 {count} 条记录，实有 {seen} 条：有记录被删除或插入。")
    elif last != previous:
        problems.append("最后一条记录与链头不符：末尾记录被改动。")
    return problems
