"""A scheduler you can restart and lose: crontab weekdays as cron reads them,
catch-up only for fire times after the last run, a failed run tried again
until it succeeds, connections the database dropped, and one active scheduler
among several processes — with a takeover when the active one is killed."""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url

from app import clock
from app.enums import DeliveryStatus
from app.extensions import db
from app.reminders import crontab, scheduler
from app.reminders.lease import Lease, utcnow
from app.reminders.models import Delivery, ReminderRule, SchedulerLease
from app.reminders.rules import TIMEZONE
from tests.mail import smtp  # noqa: F401  (fixture)
from tests.test_reminders import BEFORE_END, deliveries, rule

pytestmark = pytest.mark.usefixtures("only_scheduled_reminders")  # form-step notices are not theirs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MONDAY = datetime(2026, 11, 23, 8, 0)      # a Monday, before nine
NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]   # date.weekday(): 0 is Monday

# Each weekday form, with the days (Python's weekday numbers) cron fires it on.
FORMS = {
    "0 8 * * 1": {0}, "0 9 * * 1": {0}, "0 9 * * 1-5": {0, 1, 2, 3, 4}, "0 9 * * 0": {6}, "0 9 * * 7": {6},
    "0 9 * * 5-7": {4, 5, 6}, "0 9 * * 0-2": {6, 0, 1}, "0 9 * * 1,3,5": {0, 2, 4}, "0 9 * * */2": {6, 1, 3, 5},
    "0 9 * * 1-5/2": {0, 2, 4}, "0 9 * * mon-fri": {0, 1, 2, 3, 4}, "0 9 * * sun": {6}, "0 9 * * *": set(range(7)),
}


def fire_days(line: str, weeks: int = 3) -> set[int]:
    from zoneinfo import ZoneInfo
    trig, now, days = crontab.trigger(line, TIMEZONE), MONDAY.replace(tzinfo=ZoneInfo(TIMEZONE)), set()
    while now < (MONDAY + timedelta(weeks=weeks)).replace(tzinfo=ZoneInfo(TIMEZONE)):
        now = trig.get_next_fire_time(None, now)
        days.add(now.weekday())
        now += timedelta(minutes=1)
    return days


@pytest.mark.parametrize("line", FORMS)
def test_crontab_weekdays_fire_as_in_cron(line):
    got = fire_days(line)
    assert got == FORMS[line], f"{line}: {[NAMES[d] for d in sorted(got)]}"


def test_every_form_the_help_text_shows_is_tested():
    from app.reminders.views import ReminderRuleView
    help_text = ReminderRuleView.description_columns["schedule"]
    shown = re.findall(r"“([^”]+)”", help_text)
    assert shown and all(line in FORMS for line in shown)
    for day in re.findall(r"(\d(?:-\d)?) 为", help_text + " "):          # "0 或 7 为周日", "1-5 为周一至周五"
        assert f"0 9 * * {day}" in FORMS
    assert "0 9 * * 0" in FORMS and "0 9 * * 7" in FORMS


def test_both_day_fields_restricted_fire_on_either_as_in_cron():
    line = "0 9 1 * 1"     # the 1st of the month, and every Monday
    from zoneinfo import ZoneInfo
    trig, now, fired = crontab.trigger(line, TIMEZONE), datetime(2026, 12, 26, tzinfo=ZoneInfo(TIMEZONE)), []
    for _ in range(4):
        now = trig.get_next_fire_time(None, now)
        fired.append(now.date())
        now += timedelta(minutes=1)
    assert fired == [date(2026, 12, 28), date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 11)]


@pytest.mark.parametrize("line", ["0 9 * * 8", "0 9 * * 5-1", "0 9 * * */0", "0 9 * * xyz", "0 9 * *"])
def test_a_crontab_cron_would_refuse_is_refused(line):
    with pytest.raises(ValueError):
        crontab.trigger(line, TIMEZONE)


def test_the_demo_rules_jobs_and_the_jobs_page_fire_on_the_right_days(app, client, ctx):
    built = scheduler.build(app)       # built, not started
    try:
        for key in ("spot_check", "plan", "notice"):                    # "0 9 * * 1": 每周一
            fire = built.get_job(f"reminder:{key}").trigger.get_next_fire_time(None, datetime.now().astimezone())
            assert fire.weekday() == 0 and fire.hour == 9, (key, fire)
        waiting = built.get_job("reminder:waiting").trigger                # "0 9 * * 1-5"
        assert waiting.get_next_fire_time(None, datetime(2026, 11, 28, tzinfo=waiting.timezone)).weekday() == 0
    finally:
        app.extensions.pop("reminder_scheduler", None)
    page = client("office").get("/reminder/rule/jobs").get_data(as_text=True)
    row = page[page.index("reminder:spot_check"):]
    shown = re.search(r"(\d{4}-\d{2}-\d{2}) 09:00", row).group(1)
    assert date.fromisoformat(shown).weekday() == 0


def last_fire(rule_row, now):
    """The rule's latest fire time at or before ``now``."""
    fire, last = scheduler.next_run(rule_row, now - timedelta(days=40)), None
    while fire <= now:
        last, fire = fire, scheduler.next_run(rule_row, fire + timedelta(minutes=1))
    return last


def test_a_restart_right_after_a_run_repeats_nothing_and_a_missed_one_is_caught_once(app, ctx, smtp):
    now = datetime(2026, 11, 23, 9, 0, 30)                  # Monday 9:00:30, just after the runs of 9:00
    for r in db.session.scalars(select(ReminderRule)):
        r.last_run_at = clock.stored(last_fire(r, datetime(2026, 11, 23, 9, 0)))   # kept in UTC
    db.session.commit()
    assert scheduler.catch_up(app, now) == []               # each ran at its fire time: nothing again
    assert deliveries() == [] and smtp.inbox.mails == []
    # down from Friday 9:05 to Monday 9:00:30: the Monday runs were missed, once
    friday = datetime(2026, 11, 20, 9, 5)
    db.session.execute(update(ReminderRule).values(last_run_at=clock.stored(friday)))
    db.session.commit()
    caught = scheduler.catch_up(app, now)
    from tests.helpers import unit
    first = {r.key for r in db.session.scalars(select(ReminderRule).where(
        ReminderRule.county_id == unit("CZJ").county_id))}
    assert set(caught) & first == {"self_check", "spot_check", "plan", "waiting", "notice", "warnings"}
    assert not any(key.startswith("talk") for key in caught)   # talk: on the 1st
    assert scheduler.catch_up(app, now + timedelta(minutes=1)) == []


def database_away(app, database_url, seconds):
    """Makes the test database unusable for ``seconds``, in a thread: PostgreSQL refuses
    connections and drops those open; SQLite is locked by another connection."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        ready = threading.Event()

        def lock():
            con = sqlite3.connect(url.database, isolation_level=None)
            con.execute("BEGIN EXCLUSIVE")
            ready.set()
            time.sleep(seconds)
            con.execute("ROLLBACK")
            con.close()
        thread = threading.Thread(target=lock)
        thread.start()
        ready.wait()
        return thread
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = url.database
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})

    def back():
        time.sleep(seconds)
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    thread = threading.Thread(target=back)
    thread.start()
    return thread


def test_a_run_that_fails_while_the_database_is_away_is_retried_until_it_succeeds(
        app, ctx, database_url, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_RUN_RETRY_SECONDS", 0.3)
    sched = scheduler.build(app)
    sched.remove_job(scheduler.CATCH_UP_JOB)     # only the one run under test
    sched.start()
    db.session.remove()
    try:
        job = sched.get_job("reminder:self_check")
        away = database_away(app, database_url, 6 if "sqlite" in database_url else 2)
        try:
            job.func(*job.args, **job.kwargs, now=BEFORE_END)      # as the scheduler fires it
        except Exception:  # noqa: BLE001  a scheduler would log it and go on
            pass
        away.join()

        def done():
            db.session.expire_all()
            made = deliveries("self_check")
            finished = rule("self_check").last_run_at == clock.stored(BEFORE_END) and made and all(
                d.status == DeliveryStatus.SENT.value for d in made)
            db.session.commit()
            return finished
        assert wait_for(done, 30), "the failed run was not tried again"
        assert sorted(smtp.inbox.recipients) == sorted(d.email for d in deliveries("self_check"))
    finally:
        sched.shutdown(wait=True)
        app.extensions.pop("reminder_scheduler", None)


def test_no_request_or_job_fails_on_a_connection_the_database_dropped(app, client, ctx, database_url, smtp):
    """PostgreSQL: every open connection is killed, as by a restart; SQLite has no
    server to drop them, so there the same story simply must keep working."""
    office = client("office")
    assert office.get("/reminder/rule/jobs").status_code == 200     # the pool now holds connections
    db.session.remove()
    database_away(app, database_url, 0).join()
    assert office.get("/reminder/rule/jobs").status_code == 200
    assert office.get("/reminder/delivery/list/").status_code == 200
    database_away(app, database_url, 0).join()
    assert scheduler.run_once(app, "self_check", BEFORE_END).recorded > 0


def test_one_lease_holder_at_a_time_and_a_takeover_when_it_stops_renewing(app, ctx):
    engine = db.engine
    first, second = (Lease(engine, "test-lease", name, 1) for name in ("first", "second"))
    try:
        assert first.hold() and not second.hold()
        assert first.hold() and not second.hold() and first.still_mine()
        time.sleep(1.1)                                         # first stopped renewing
        assert not first.still_mine()
        assert second.hold() and not first.hold()
        second.release()
        assert first.hold()
    finally:
        db.session.execute(SchedulerLease.__table__.delete().where(SchedulerLease.name == "test-lease"))
        db.session.commit()


def holder_pid() -> int | None:
    db.session.expire_all()
    row = db.session.get(SchedulerLease, scheduler.LEASE_NAME)
    db.session.commit()
    if row is None or not row.holder or row.expires_at < utcnow():
        return None
    return int(row.holder.split(":")[1])


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return condition()


def test_two_scheduler_processes_one_active_and_the_other_takes_over_when_it_is_killed(
        app, ctx, database_url, smtp, tmp_path):
    lease = 2
    db.session.execute(update(ReminderRule).values(enabled=False))
    db.session.execute(update(ReminderRule).where(ReminderRule.key == "notice").values(enabled=True))
    db.session.execute(SchedulerLease.__table__.delete())
    db.session.commit()
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development",
           "SECRET_KEY": app.config["SECRET_KEY"],          # the same evidence key: its audit entries verify
           **({"EVIDENCE_KEY": app.config["EVIDENCE_KEY"]} if app.config.get("EVIDENCE_KEY") else {}),
           "REMINDER_SCHEDULER_LEASE_SECONDS": str(lease), "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp.port), "PYTHONUNBUFFERED": "1"}
    procs = []
    for n in range(2):
        out = open(tmp_path / f"scheduler{n}.log", "w")
        procs.append((subprocess.Popen([sys.executable, "-m", "flask", "--app", "run", "jobs", "run"], cwd=ROOT,
                                       env=env, stdout=out, stderr=subprocess.STDOUT), tmp_path / f"scheduler{n}.log"))
    try:
        def notice_ran():
            db.session.expire_all()
            done = rule("notice").last_run_at is not None
            db.session.commit()
            return done
        pids = {p.pid for p, _ in procs}
        active = wait_for(lambda: holder_pid() if holder_pid() in pids and notice_ran() else None, 60)
        assert active in pids, [log.read_text() for _, log in procs]
        (active_proc, active_log), (standby_proc, standby_log) = sorted(procs, key=lambda p: p[0].pid != active)
        # over two leases the same one stays active, and only it ever says so
        seen = set()
        for _ in range(10):
            seen.add(holder_pid())
            time.sleep(lease / 5)
        assert seen == {active}
        assert "为活动调度器" in active_log.read_text() and "为活动调度器" not in standby_log.read_text()

        db.session.execute(update(ReminderRule).where(ReminderRule.key == "notice").values(last_run_at=None))
        db.session.commit()
        killed = time.monotonic()
        active_proc.send_signal(signal.SIGKILL)
        active_proc.wait()
        took_over = wait_for(lambda: holder_pid() == standby_proc.pid and notice_ran(), 60)
        elapsed = time.monotonic() - killed
        assert took_over, standby_log.read_text()
        assert elapsed < 60 and elapsed < lease * 5, elapsed     # within a minute; here within a few leases
        assert "为活动调度器" in standby_log.read_text()
        assert deliveries("notice")                               # and it runs the jobs
        assert standby_proc.poll() is None
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        db.session.execute(SchedulerLease.__table__.delete())
        db.session.commit()
