"""A rule's crontab line read as cron reads it, turned into an APScheduler 3 trigger.

APScheduler 3 numbers weekdays from Monday = 0, cron from Sunday = 0 (and 7),
so a line passed to ``CronTrigger.from_crontab`` as it stands fires a day late
("0 9 * * 1" on Tuesdays).  Weekdays are therefore translated to names here,
in one place; and, as in cron, a line that restricts both the day of the month
and the day of the week fires on either.
"""
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")   # cron's numbers: 0 (and 7) is Sunday


def _weekday(token: str) -> int:
    if token.isdigit():
        number = int(token)
        if 0 <= number <= 7:
            return number
    elif token.lower() in WEEKDAYS:
        return WEEKDAYS.index(token.lower())
    raise ValueError(f"不认识的星期：{token}")


def weekdays(field: str) -> str:
    """A cron day-of-week field as APScheduler's names: "1-5" → "mon,tue,wed,thu,fri",
    "0" and "7" → "sun", "*/2" → "sun,tue,thu,sat"; "*" stays."""
    if field == "*":
        return "*"
    days = set()
    for part in field.split(","):
        span, slash, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 0 if slash else 1
        if step < 1:
            raise ValueError(f"步长须为正整数：{part}")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = (_weekday(t) for t in span.split("-", 1))
            if last < first:
                raise ValueError(f"范围须从小到大：{span}")
        else:
            first = _weekday(span)
            last = 7 if slash else first       # "1/2": from Monday to the end of the week, as cron
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(WEEKDAYS[d] for d in sorted(days, key=lambda d: (d + 6) % 7))   # Monday first


def trigger(line: str, timezone: str):
    """The trigger of a crontab line (分 时 日 月 周); ValueError when it is not one."""
    fields = (line or "").split()
    if len(fields) != 5:
        raise ValueError("crontab 须有 5 个字段")
    minute, hour, day, month, day_of_week = fields
    names = weekdays(day_of_week)
    if not day.startswith("*") and not day_of_week.startswith("*"):
        # cron: with both restricted, either one is enough
        return OrTrigger([CronTrigger(minute=minute, hour=hour, day=day, month=month, timezone=timezone),
                          CronTrigger(minute=minute, hour=hour, month=month, day_of_week=names,
                                      timezone=timezone)])
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=names, timezone=timezone)


# The schedules an office usually wants, offered on the rule's page; experts type any crontab line.
PRESETS = {
    "0 9 * * 1": "每周一 9:00",
    "0 9 1 * *": "每月1日 9:00",
    "0 9 1 1,4,7,10 *": "每季度首月1日 9:00",
    "0 9 1 1,7 *": "每半年（1月、7月1日）9:00",
    "0 9 1 1 *": "每年1月1日 9:00",
    "0 9 * * 1-5": "工作日（周一至周五）9:00",
    "0 9 * * *": "每天 9:00",
}


def in_words(line: str | None) -> str:
    """A preset's words, else the line itself."""
    return PRESETS.get(" ".join((line or "").split()), line or "")
