"""SQLite, the embedded default, set up for many users at once.

- Write-ahead log (``journal_mode=WAL``): readers never block the writer nor
  the writer the readers, and a write waiting for another is retried instead
  of failing with "database is locked" (in the default rollback journal, a
  reader that wants to write while another commits is refused at once).
- A writer waits up to :data:`BUSY_SECONDS` for the one before it.

PostgreSQL needs none of this.
"""
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_SECONDS = 30


def _on_connect(connection, _record):
    if type(connection).__module__.split(".")[0] != "sqlite3":
        return
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cursor.close()


def install():
    event.listen(Engine, "connect", _on_connect)
