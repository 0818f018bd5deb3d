"""One clock: every timestamp is written as UTC (naive in the database, as the
audit log always was) and shown in Asia/Shanghai by app.formatting.cn_date."""
from datetime import datetime, timezone


def now() -> datetime:
    """The current time in UTC, to the second, for a database column."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
