"""How values are shown to users: one helper for dates and times (cn_date),
one for whatever a cell holds (cell), and reminder periods in words."""
import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import has_app_context

from app.clock import TIMEZONE

DISPLAY_TZ = TIMEZONE
DATE_TIME = "yyyy年M月d日 HH:mm"
QUARTERS = "一二三四"


def _shanghai(value: datetime) -> datetime:
    """A stored time (naive means UTC, see app.clock) in the display zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(ZoneInfo(DISPLAY_TZ))


def cn_date(value) -> str:
    """2026年11月23日 for a date; 2026年11月23日 13:09 (Asia/Shanghai) for a
    stored UTC time. Flask-Babel formats inside the app (its default time zone
    is the display zone); Babel itself outside (CLI, exports in a job)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if has_app_context():
            from flask_babel import format_datetime
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            return format_datetime(value, DATE_TIME)
        return babel_format_datetime(_shanghai(value), DATE_TIME, locale="zh_CN")
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def yes_no(value) -> str:
    return "是" if value else "否"


def cell(value):
    """A value as a table cell shows it: nothing for None, 是/否 for a flag,
    a date or time through cn_date; anything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (date, datetime)):
        return cn_date(value)
    return value


def period_words(period: str | None) -> str:
    """A reminder period key in words: 2026-Q4 → 2026年第四季度, 2026-W48 →
    2026年第48周, 2026-H1 → 2026年上半年, 2026-11 → 2026年11月; else as given."""
    if not period:
        return ""
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", period):
        return f"{m[1]}年第{QUARTERS[int(m[2]) - 1]}季度"
    if m := re.fullmatch(r"(\d{4})-?W(\d{1,2})", period):
        return f"{m[1]}年第{int(m[2])}周"
    if m := re.fullmatch(r"(\d{4})-?H([12])", period):
        return f"{m[1]}年{'上' if m[2] == '1' else '下'}半年"
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", period):
        return f"{m[1]}年{int(m[2])}月"
    if re.fullmatch(r"\d{4}", period):
        return f"{period}年"
    return period
