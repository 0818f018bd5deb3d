"""The one scheduler (APScheduler 3, Asia/Shanghai).

Jobs are defined here with fixed ids: ``reminder:<rule key>`` per enabled rule
(its crontab), ``reminders:retry`` (e-mails waiting for another attempt) and
``reminders:sync`` (picks up rules the office changed).  It runs in its own
process (``flask --app run jobs run``) or once inside ``python run.py``; never
in a web worker.  A second scheduler on the same database is harmless: the
delivery log's unique key lets only one of them send.  Runs missed while no
scheduler was up are caught up once at start (:func:`catch_up`), from each
rule's ``last_run_at``.
"""
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from app.audit.trail import acting_as
from app.extensions import db
from app.reminders import delivery
from app.reminders.models import ReminderRule
from app.reminders.rules import TIMEZONE
from app.monitoring import services as monitoring

RETRY_JOB, SYNC_JOB, CATCH_UP_JOB = "reminders:retry", "reminders:sync", "reminders:catch_up"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def trigger(rule: ReminderRule) -> CronTrigger:
    return CronTrigger.from_crontab(rule.schedule, timezone=TIMEZONE)


def next_run(rule: ReminderRule, now: datetime | None = None) -> datetime | None:
    """When the rule runs next, from its crontab (as the scheduler would)."""
    from zoneinfo import ZoneInfo
    now = (now or delivery.local_now()).replace(tzinfo=ZoneInfo(TIMEZONE))
    fire = trigger(rule).get_next_fire_time(None, now)
    return fire.replace(tzinfo=None) if fire else None


def missed(rule: ReminderRule, now: datetime) -> bool:
    """Whether the rule should have run between its last run and ``now``."""
    if rule.last_run_at is None:
        return True
    following = next_run(rule, rule.last_run_at)
    return following is not None and following <= now


def run_once(app, key: str, now: datetime | None = None) -> int:
    """Runs the rule ``key`` (a job's function, the CLI's ``jobs once`` and the office's button)."""
    with app.app_context(), acting_as():
        rule = db.session.scalar(select(ReminderRule).where(ReminderRule.key == key))
        if rule is None or not rule.enabled:
            return 0
        return len(delivery.run_rule(rule, now))


def retry(app, now: datetime | None = None) -> int:
    with app.app_context(), acting_as():
        return delivery.retry_due(now)


def catch_up(app, now: datetime | None = None) -> list[str]:
    """Runs once every enabled rule that missed a run while no scheduler was up."""
    with app.app_context():
        now = now or delivery.local_now()
        keys = [r.key for r in db.session.scalars(select(ReminderRule).where(ReminderRule.enabled))
                if missed(r, now)]
    for key in keys:
        run_once(app, key, now)
    return keys


def sync(app, scheduler) -> None:
    """One job per enabled rule, with its current crontab; none for disabled or removed rules."""
    with app.app_context():
        rules = {r.job_id: r for r in db.session.scalars(select(ReminderRule).where(ReminderRule.enabled))}
        for job_id, rule in rules.items():
            scheduler.add_job(run_once, trigger(rule), args=[app, rule.key], id=job_id, name=rule.name,
                              replace_existing=True)
        for job in scheduler.get_jobs():
            if job.id.startswith("reminder:") and job.id not in rules:
                job.remove()
        db.session.remove()


def build(app, scheduler_class=BackgroundScheduler):
    scheduler = scheduler_class(timezone=TIMEZONE, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(retry, IntervalTrigger(minutes=1, timezone=TIMEZONE), args=[app], id=RETRY_JOB,
                      name="邮件重试", replace_existing=True)
    scheduler.add_job(sync, IntervalTrigger(minutes=5, timezone=TIMEZONE), args=[app, scheduler], id=SYNC_JOB,
                      name="同步提醒规则", replace_existing=True)
    scheduler.add_job(catch_up, args=[app], id=CATCH_UP_JOB, name="补执行错过的提醒", replace_existing=True)
    scheduler.add_job(monitoring.run_job, CronTrigger.from_crontab(monitoring.WARNINGS_SCHEDULE, timezone=TIMEZONE),
                      args=[app], id=monitoring.WARNINGS_JOB, name="生成预警", replace_existing=True)
    sync(app, scheduler)
    return scheduler


def start(app, scheduler_class=BackgroundScheduler):
    """Starts the scheduler (its first job catches up missed runs); returns it."""
    scheduler = build(app, scheduler_class)
    scheduler.start()
    return scheduler
