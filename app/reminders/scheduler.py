"""The scheduler (APScheduler 3, Asia/Shanghai), and which process runs it.

Jobs are defined here with fixed ids: ``reminder:<rule key>`` per enabled rule
(its crontab, read as cron reads it: ``crontab.py``), ``reminders:retry``
(e-mails waiting for another attempt), ``reminders:sync`` (picks up rules the
office changed) and ``reminders:catch_up`` (at start: each rule whose fire
time passed, strictly after its last run, while no scheduler was active).  A
run that fails — the database restarting, say — is tried again with back-off
(``REMINDER_RUN_RETRY_SECONDS``, doubling) until it succeeds, not left to the
next period.

Any number of scheduler processes may run (``flask --app run jobs run``, one
per machine of a city; or the one inside ``python run.py``): a :class:`Runner`
holds the database lease (``lease.py``) while it is the active one and starts
the jobs only then; the others wait and take over within a lease
(``REMINDER_SCHEDULER_LEASE_SECONDS``, 30 s) of the active one dying.  Never in
a web worker.  Even two active at once could not send a reminder twice: the
delivery log's unique key and each e-mail's claim see to that.
"""
import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from app import clock
from app.audit.trail import acting_as
from app.extensions import db
from app.reminders import crontab, delivery
from app.reminders.lease import Lease
from app.reminders.models import ReminderRule
from app.reminders.rules import TIMEZONE
from app.reminders.settings import setting
from app.monitoring import services as monitoring

log = logging.getLogger(__name__)
RETRY_JOB, SYNC_JOB, CATCH_UP_JOB = "reminders:retry", "reminders:sync", "reminders:catch_up"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
LEASE_NAME = "reminders"
MAX_RUN_RETRY = 600   # seconds: the longest wait between two tries of a failed run


def trigger(rule: ReminderRule):
    return crontab.trigger(rule.schedule, TIMEZONE)


def _fire_after(rule: ReminderRule, moment: datetime) -> datetime | None:
    """The rule's first fire time at or after ``moment`` (naive local time)."""
    fire = trigger(rule).get_next_fire_time(None, moment.replace(tzinfo=ZoneInfo(TIMEZONE)))
    return fire.replace(tzinfo=None) if fire else None


def next_run(rule: ReminderRule, now: datetime | None = None) -> datetime | None:
    """When the rule runs next, from its crontab (as the scheduler would)."""
    return _fire_after(rule, now or clock.local_now())


def missed(rule: ReminderRule, now: datetime) -> bool:
    """Whether a fire time of the rule lies strictly after its last run and at or before ``now``."""
    if rule.last_run_at is None:
        return True
    following = _fire_after(rule, clock.local(rule.last_run_at) + timedelta(seconds=1))
    return following is not None and following <= now


def run_once(app, key: str, now: datetime | None = None) -> delivery.Outcome:
    """Runs the rule ``key`` (the CLI's ``jobs once``, the office's button, and each job)."""
    with app.app_context(), acting_as():
        try:
            rule = db.session.scalar(select(ReminderRule).where(ReminderRule.key == key))
            if rule is None or not rule.enabled:
                return delivery.Outcome()
            return delivery.run_rule(rule, now)
        finally:
            db.session.remove()


def run_job(app, key: str, now: datetime | None = None, attempt: int = 0):
    """A rule's scheduled run; when it fails, it is tried again with back-off."""
    now = now or clock.local_now()
    return _persist(app, f"reminder:{key}", lambda: run_once(app, key, now), run_job, [app, key], now, attempt)


def retry(app, now: datetime | None = None) -> delivery.Outcome:
    with app.app_context(), acting_as():
        try:
            return delivery.retry_due(now)
        finally:
            db.session.remove()


def catch_up(app, now: datetime | None = None) -> list[str]:
    """Runs once every enabled rule that missed a fire time while no scheduler was active."""
    with app.app_context():
        now = now or clock.local_now()
        keys = [r.key for r in db.session.scalars(select(ReminderRule).where(ReminderRule.enabled)
                                                  .order_by(ReminderRule.id)) if missed(r, now)]
        db.session.remove()
    for key in keys:
        run_once(app, key, now)
    return keys


def catch_up_job(app, now: datetime | None = None, attempt: int = 0):
    now = now or clock.local_now()
    return _persist(app, CATCH_UP_JOB, lambda: catch_up(app, now), catch_up_job, [app], now, attempt)


def _persist(app, job_id, call, job, job_args, now, attempt):
    """Makes ``call()``; when it fails, schedules ``job(*job_args, now=now)`` again on this
    process's scheduler after 1, 2, 4 … × ``REMINDER_RUN_RETRY_SECONDS`` (at most 10 minutes)."""
    try:
        return call()
    except Exception:  # noqa: BLE001  a run must not be lost to one failure
        scheduler = app.extensions.get("reminder_scheduler")
        wait = min(setting("REMINDER_RUN_RETRY_SECONDS", app) * 2 ** attempt, MAX_RUN_RETRY)
        log.exception("任务 %s 执行失败（第 %s 次），%g 秒后重试", job_id, attempt + 1, wait)
        if scheduler is None or not scheduler.running:
            raise
        scheduler.add_job(job, DateTrigger(datetime.now(ZoneInfo(TIMEZONE)) + timedelta(seconds=wait)),
                          args=job_args, kwargs={"now": now, "attempt": attempt + 1},
                          id=f"{job_id}:again", name=f"重试 {job_id}", replace_existing=True,
                          misfire_grace_time=None)
        return None


def sync(app, scheduler) -> None:
    """One job per enabled rule, with its current crontab; none for disabled or removed rules."""
    with app.app_context():
        try:
            rules = {r.job_id: r for r in db.session.scalars(select(ReminderRule).where(ReminderRule.enabled))}
            for job_id, rule in list(rules.items()):
                try:
                    scheduler.add_job(run_job, trigger(rule), args=[app, rule.key], id=job_id, name=rule.name,
                                      replace_existing=True)
                except ValueError:   # a crontab line saved before lines were checked: the others still run
                    log.error("提醒规则 %s 的执行时间“%s”有误，未排入计划", rule.key, rule.schedule)
                    del rules[job_id]
            for job in scheduler.get_jobs():
                if job.id.startswith("reminder:") and not job.id.endswith(":again") and job.id not in rules:
                    job.remove()
        finally:
            db.session.remove()


def build(app, scheduler_class=BackgroundScheduler):
    scheduler = scheduler_class(timezone=TIMEZONE, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(retry, IntervalTrigger(minutes=1, timezone=TIMEZONE), args=[app], id=RETRY_JOB,
                      name="邮件重试", replace_existing=True)
    scheduler.add_job(sync, IntervalTrigger(minutes=5, timezone=TIMEZONE), args=[app, scheduler], id=SYNC_JOB,
                      name="同步提醒规则", replace_existing=True)
    scheduler.add_job(catch_up_job, args=[app], id=CATCH_UP_JOB, name="补执行错过的提醒", replace_existing=True)
    scheduler.add_job(monitoring.run_job, crontab.trigger(monitoring.WARNINGS_SCHEDULE, TIMEZONE),
                      args=[app], id=monitoring.WARNINGS_JOB, name="生成预警", replace_existing=True)
    sync(app, scheduler)
    app.extensions["reminder_scheduler"] = scheduler
    return scheduler


class Runner:
    """One scheduler process: active (jobs running) while it holds the lease, standby otherwise."""

    def __init__(self, app, echo=log.info):
        self.app, self.echo = app, echo
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.seconds = setting("REMINDER_SCHEDULER_LEASE_SECONDS", app)
        with app.app_context():
            engine = db.engine
        self.lease = Lease(engine, LEASE_NAME, self.holder, self.seconds)
        self.scheduler = None
        self.stopping = threading.Event()

    @property
    def active(self) -> bool:
        return self.scheduler is not None

    def step(self) -> None:
        try:
            held = self.lease.hold()
        except Exception as error:  # noqa: BLE001  database away: act on what the lease still allows
            held = self.lease.still_mine()
            log.warning("调度器 %s 无法续租（%s）", self.holder, error)
        if held and self.scheduler is None:
            try:
                self.scheduler = build(self.app)
                self.scheduler.start()   # its first job catches up what was missed meanwhile
            except Exception:  # noqa: BLE001  try again at the next step
                log.exception("调度器 %s 未能启动任务", self.holder)
                self.scheduler = None
                return
            self.echo(f"调度器 {self.holder} 为活动调度器，任务：" + "、".join(j.id for j in self.scheduler.get_jobs()))
        elif not held and self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            self.echo(f"调度器 {self.holder} 转为待命（租约已由其他进程持有）")

    def run(self) -> None:
        """Until :meth:`stop`: take or renew the lease every third of its length."""
        self.echo(f"调度器 {self.holder} 已启动（Asia/Shanghai），租约 {self.seconds:g} 秒")
        try:
            self.step()
            while not self.stopping.wait(self.seconds / 3):
                self.step()
        finally:
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=False)
                self.scheduler = None
            try:
                self.lease.release()
            except Exception:  # noqa: BLE001  the lease then simply runs out
                pass

    def stop(self) -> None:
        self.stopping.set()


def start(app) -> Runner:
    """Runs a :class:`Runner` in a background thread of this process (``python run.py``)."""
    runner = Runner(app)
    threading.Thread(target=runner.run, daemon=True, name="reminder-scheduler").start()
    return runner
