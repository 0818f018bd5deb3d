"""One clock: every timestamp is stored as UTC (naive in the database, as the
audit log always was) and shown in Beijing time by app.formatting.cn_date.

The reminders keep a calendar (crontab lines, quarters, weeks) in Beijing
time: :func:`local_now` reads it, and :func:`stored` / :func:`local` convert
between that calendar and the database at the moment a time is written or read.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Shanghai"
ZONE = ZoneInfo(TIMEZONE)


def now() -> datetime:
    """The current time in UTC, to the second, for a database column."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def local_now() -> datetime:
    """The current time in Beijing, to the second: the reminders' calendar."""
    return datetime.now(ZONE).replace(tzinfo=None, microsecond=0)


def stored(local_time: datetime) -> datetime:
    """A Beijing time of the calendar as the database keeps it (UTC)."""
    return local_time.replace(tzinfo=ZONE).astimezone(timezone.utc).replace(tzinfo=None)


def local(stored_time: datetime | None) -> datetime | None:
    """A time from the database (UTC) on the Beijing calendar."""
    if stored_time is None:
        return None
    return stored_time.replace(tzinfo=timezone.utc).astimezone(ZONE).replace(tzinfo=None)
