"""How values are shown to users."""
from datetime import date, datetime


def cn_date(value) -> str:
    """2026年11月23日"""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def yes_no(value) -> str:
    return "是" if value else "否"
