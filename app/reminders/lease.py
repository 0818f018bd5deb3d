"""Which of several scheduler processes is the active one: a lease row in the
database (``scheduler_lease``), the same on SQLite and PostgreSQL.

The holder renews it every third of its length; a process that finds it
expired takes it with one conditional UPDATE, so exactly one process holds it
at a time.  A holder that cannot renew (the database is away) counts itself
active only until its own lease would have run out, never longer, so two
never run jobs at once for more than a renewal interval.  The clocks of the
machines are assumed to agree within a few seconds (NTP).
"""
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.reminders.models import SchedulerLease

TABLE = SchedulerLease.__table__


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Lease:
    def __init__(self, engine, name: str, holder: str, seconds: float):
        self.engine, self.name, self.holder, self.seconds = engine, name, holder, seconds
        self.valid_until = 0.0   # time.monotonic() until which this process may act as the holder

    def hold(self) -> bool:
        """Takes or renews the lease; whether this process holds it now.  Raises
        the database's error when it cannot tell (see :meth:`still_mine`)."""
        started, now = time.monotonic(), utcnow()
        until = now + timedelta(seconds=self.seconds)
        with self.engine.begin() as conn:
            mine = conn.execute(update(TABLE).where(TABLE.c.name == self.name, TABLE.c.holder == self.holder)
                                .values(expires_at=until)).rowcount == 1
            if not mine:
                mine = conn.execute(update(TABLE).where(TABLE.c.name == self.name, or_(
                    TABLE.c.expires_at <= now, TABLE.c.holder == ""))
                    .values(holder=self.holder, acquired_at=now, expires_at=until)).rowcount == 1
        if not mine and not self._exists():
            mine = self._create(now, until)
        self.valid_until = started + self.seconds if mine else 0.0
        return mine

    def still_mine(self) -> bool:
        """Whether this process may go on acting as the holder without renewing."""
        return time.monotonic() < self.valid_until

    def release(self) -> None:
        """Lets a standby take over at once (a clean stop)."""
        self.valid_until = 0.0
        with self.engine.begin() as conn:
            conn.execute(update(TABLE).where(TABLE.c.name == self.name, TABLE.c.holder == self.holder)
                         .values(expires_at=utcnow()))

    def current(self) -> tuple[str, datetime] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(TABLE.c.holder, TABLE.c.expires_at).where(TABLE.c.name == self.name)).first()
        return tuple(row) if row else None

    def _exists(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(TABLE.c.name).where(TABLE.c.name == self.name)).first() is not None

    def _create(self, now, until) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(TABLE).values(name=self.name, holder=self.holder, acquired_at=now,
                                                  expires_at=until))
            return True
        except IntegrityError:   # another process made it first: he holds it
            return False
