"""推进计划 and reminders: due items from the data, a real SMTP server (aiosmtpd on
127.0.0.1, started here), nothing sent twice, retries, an injected clock."""
from email import message_from_string
from email.policy import default as default_policy
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from app import clock
from app.assessment.documents import filing
from app.audit.trail import acting_as
from app.enums import DeliveryStatus
from app.extensions import db
from app.reminders import delivery, scheduler
from app.reminders.models import Delivery, Message, ReminderRule
from app.reminders.rules import _quarter_end
from app.security.scope import EVERYTHING
from tests.mail import smtp  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("only_scheduled_reminders")  # form-step notices are not theirs

TODAY = date.today()
QUARTER = (TODAY.month - 1) // 3 + 1
# the day before this quarter's end, within the self-check rule's lead time
BEFORE_END = datetime.combine(_quarter_end(TODAY.year, QUARTER) - timedelta(days=1), datetime.min.time()).replace(hour=9)


def rule(key) -> ReminderRule:
    return db.session.scalar(select(ReminderRule).where(ReminderRule.key == key))


def deliveries(key=None):
    q = select(Delivery).order_by(Delivery.id)
    if key:
        q = q.join(Delivery.rule).where(ReminderRule.key == key)
    return db.session.scalars(q).all()


def email(username):
    return f"{username}@demo.lianzheng.local"


def test_demo_loads_plan_and_rules(ctx):
    from app.plan.models import PlanDeliverable, PlanPhase
    from tests.helpers import unit
    county = unit("CZJ").county_id  # the demo county; the second has a plan of its own
    phases = db.session.scalars(select(PlanPhase).where(PlanPhase.county_id == county)
                                .order_by(PlanPhase.position)).all()
    assert [p.title for p in phases][:2] == ["动员部署", "依法规范职权"] and len(phases) == 7
    names = {d.name: d.due_on for d in db.session.scalars(select(PlanDeliverable).join(PlanPhase)
                                                            .where(PlanPhase.county_id == county))}
    assert (names["工作方案"].month, names["工作方案"].day) == (8, 15)
    assert (names["职权目录（附件2）"].month, names["职权目录（附件2）"].day) == (11, 20)
    assert {r.key for r in db.session.scalars(select(ReminderRule).where(ReminderRule.county_id == county))} == {
        "self_check", "spot_check", "talk", "plan", "waiting", "notice", "warnings"}


def test_overdue_deliverables_visible_to_office_and_unit(client, ctx):
    from app.plan import services
    overdue = services.overdue(EVERYTHING)
    if not overdue:
        pytest.skip("no deliverable is due yet this early in the plan year")
    office = client("office").get("/plan/submission/status?overdue=1").get_data(as_text=True)
    assert "逾期未报" in office and "示范县教育局" in office
    unit = client("jyj_admin").get("/plan/submission/status").get_data(as_text=True)
    assert "示范县教育局" in unit and "示范县财政局" not in unit
    czj = client("czj_admin").get("/plan/submission/status").get_data(as_text=True)
    assert "已报送" in czj and "示范县教育局" not in czj


def test_plan_status_is_a_unit_by_deliverable_table(client, ctx):
    from app.organisation.models import Unit
    from app.plan.models import PlanDeliverable, PlanPhase
    county = db.session.scalar(select(Unit.county_id).where(Unit.code == "CZJ"))
    names = db.session.scalars(select(PlanDeliverable.name).join(PlanPhase).where(PlanPhase.county_id == county)
                               .order_by(PlanDeliverable.due_on, PlanDeliverable.id)).all()
    page = client("office").get("/plan/submission/status").get_data(as_text=True)
    table = page.split('id="plan-status"')[1].split("</table>")[0]
    rows = table.split("</tr>")[:-1]
    header = rows[0]
    assert [h.split("<br>")[0] for h in header.split("<th>")[2:]] == names       # one column per deliverable
    assert all(r.count("<td") == len(names) for r in rows[1:])                   # one cell per unit and deliverable
    assert "示范县教育局" in table and "示范县财政局" in table and "和溪县" not in table


def test_self_check_reminder_reaches_exactly_the_units_that_have_not_filed(app, ctx, smtp):
    unfiled = [f for f in filing(TODAY.year, QUARTER, EVERYTHING) if not f.filed]
    unfiled_units = {f.unit.id for f in unfiled}
    with acting_as():
        outcome = delivery.run_rule(rule("self_check"), BEFORE_END)
    made = deliveries("self_check")
    assert made and outcome.recorded == outcome.sent == len(made)
    assert all(d.status == DeliveryStatus.SENT.value for d in made)
    got = set(smtp.inbox.recipients)
    assert email("jyj_admin") in got                       # 县教育局's report is only a draft
    from app.organisation.models import Unit
    czj = db.session.scalar(select(Unit).where(Unit.code == "CZJ"))
    assert (email("czj_admin") in got) == (czj.id in unfiled_units)
    assert email("czj_ys_head") not in got and email("czj_gk_head") not in got   # their sections filed
    assert email("office") not in got and email("czj_ys_staff1") not in got       # not their rule's roles
    jyj_mail = next(body for rcpts, body in smtp.inbox.mails if email("jyj_admin") in rcpts)
    message = message_from_string(jyj_mail, policy=default_policy)
    part = message.get_body(("plain",)) if message.is_multipart() else message
    assert "示范县教育局" in part.get_content()
    body = next(d.body for d in made if d.login.username == "jyj_admin")
    assert "示范县教育局" in body and "示范县财政局" not in body
    # the in-app message, unread
    jyj = next(d.login for d in made if d.login.username == "jyj_admin")
    assert delivery.unread_count(jyj.id) == 1


def test_a_rerun_and_a_second_scheduler_send_each_reminder_once(app, ctx, database_url, smtp):
    from tests.conftest import make_config
    from app import create_app
    other = create_app(make_config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port))
    first, second = scheduler.build(app), scheduler.build(other)   # built, not started: we fire the job
    job_a, job_b = first.get_job("reminder:self_check"), second.get_job("reminder:self_check")
    assert job_a is not None and job_b is not None
    results, errors = [], []

    def fire(job):
        try:
            results.append(job.func(*job.args, now=BEFORE_END).recorded)
        except Exception as e:  # noqa: BLE001  (shown by the assertion below)
            errors.append(e)
    threads = [threading.Thread(target=fire, args=(j,)) for j in (job_a, job_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    scheduler.run_once(app, "self_check", BEFORE_END)   # a retried job
    scheduler.run_once(other, "self_check", BEFORE_END)
    db.session.expire_all()
    sent = deliveries("self_check")
    assert sent and sum(results) == len(sent), results
    assert all(d.status == DeliveryStatus.SENT.value for d in sent), [(d.email, d.status, d.last_error) for d in sent]
    assert sorted(smtp.inbox.recipients) == sorted(d.email for d in sent)
    assert len(smtp.inbox.recipients) == len(set(smtp.inbox.recipients))
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_stopped_mail_server_means_retries_then_delivery(app, ctx, smtp):
    smtp.stop()
    with acting_as():
        outcome = delivery.run_rule(rule("self_check"), BEFORE_END)
    assert outcome.recorded and outcome.sent == 0 and outcome.failed == outcome.recorded
    db.session.expire_all()
    waiting = deliveries("self_check")
    assert all(d.status == DeliveryStatus.RETRYING.value and d.attempts == 1 and d.last_error for d in waiting)
    assert db.session.scalar(select(Message.id).where(Message.delivery_id == waiting[0].id))  # in-app at once
    with acting_as():
        assert delivery.retry_due(BEFORE_END).failed == 0                  # back-off not over
        assert delivery.retry_due(BEFORE_END + timedelta(minutes=1)).sent == 0  # still down: attempt 2
    db.session.expire_all()
    again = deliveries("self_check")
    assert all(d.attempts == 2 and d.next_try_at == clock.stored(BEFORE_END + timedelta(minutes=3)) for d in again)
    smtp.start()
    with acting_as():
        assert delivery.retry_due(BEFORE_END + timedelta(minutes=3)).sent == len(again)
        assert delivery.retry_due(BEFORE_END + timedelta(hours=1)).sent == 0
    db.session.expire_all()
    assert all(d.status == DeliveryStatus.SENT.value and d.attempts == 3 for d in deliveries("self_check"))
    assert sorted(smtp.inbox.recipients) == sorted(d.email for d in again)


def test_a_clock_moved_across_the_quarter_end_fires_the_right_rules_once(app, ctx, smtp):
    early = BEFORE_END - timedelta(days=40)   # before the lead time: nothing due for the quarter
    assert scheduler.run_once(app, "self_check", early).recorded == 0
    assert scheduler.run_once(app, "self_check", BEFORE_END).recorded > 0
    assert scheduler.run_once(app, "self_check", BEFORE_END + timedelta(hours=25)).recorded == 0   # same quarter
    after = BEFORE_END + timedelta(days=3)    # next quarter began: not its lead time yet
    assert scheduler.run_once(app, "self_check", after).recorded == 0
    db.session.expire_all()
    assert {d.period for d in deliveries("self_check")} == {f"{TODAY.year}Q{QUARTER}"}
    # the server was down from the last run until after the quarter end: caught up once
    db.session.execute(update(ReminderRule).values(last_run_at=clock.stored(BEFORE_END - timedelta(days=5))))
    db.session.execute(delete(Message))
    db.session.execute(delete(Delivery))
    db.session.commit()
    smtp.inbox.mails.clear()
    caught = scheduler.catch_up(app, BEFORE_END + timedelta(hours=2))
    assert "self_check" in caught and "talk" not in caught   # talk runs monthly on the 1st
    first = len(smtp.inbox.mails)
    assert first > 0
    assert scheduler.catch_up(app, BEFORE_END + timedelta(hours=3)) == []
    assert len(smtp.inbox.mails) == first


def test_office_edits_rules_sees_jobs_and_runs_one(client, api, ctx, smtp):
    office = client("office")
    page = office.get("/reminder/rule/jobs").get_data(as_text=True)
    assert "reminder:self_check" in page and "立即执行一次" in page
    r = api("office").get("/api/v1/reminder/")
    assert r.status_code == 200 and r.json["count"] == 7
    pk = rule("waiting").id
    bad = api("office").put(f"/api/v1/reminder/{pk}", json={"schedule": "每天"})
    assert bad.status_code == 422 and "crontab" in str(bad.json)
    ok = api("office").put(f"/api/v1/reminder/{pk}", json={"lead_days": 3})
    assert ok.status_code == 200
    assert api("czj_admin").get("/api/v1/reminder/").status_code in (401, 403)
    run = api("office").post(f"/api/v1/reminder/{pk}/run")
    assert run.status_code == 200
    db.session.execute(update(ReminderRule).where(ReminderRule.id == pk).values(lead_days=7))
    db.session.commit()
    assert office.get("/reminder/delivery/list/").status_code == 200


def test_messages_with_unread_counts_for_every_login(client, api, ctx, smtp):
    with acting_as():
        delivery.run_rule(rule("self_check"), BEFORE_END)
    assert api("jyj_admin").get("/api/v1/message/unread").json["unread"] == 1
    assert api("czj_ys_staff1").get("/api/v1/message/unread").json["unread"] == 0
    jyj = client("jyj_admin")
    page = jyj.get("/message/list/").get_data(as_text=True)
    assert "未读" in page and "季度自查" in page
    mine = api("jyj_admin").get("/api/v1/message/").json
    pk = mine["ids"][0]
    assert jyj.get(f"/message/show/{pk}").status_code == 200
    assert api("jyj_admin").get("/api/v1/message/unread").json["unread"] == 0
    assert client("czj_ys_staff1").get(f"/message/show/{pk}").status_code in (302, 404) or \
        "季度自查" not in client("czj_ys_staff1").get(f"/message/show/{pk}").get_data(as_text=True)


def test_navbar_shows_the_unread_count(client, ctx):
    from datetime import datetime
    from app.extensions import db
    from app.reminders.delivery import unread_count
    from app.reminders.models import Message
    from app.security.models import Login
    login = db.session.query(Login).filter_by(username="jyj_staff1").one()
    db.session.add(Message(login_id=login.id, subject="测试提醒", body="请按时报送。", created_at=datetime.now()))
    db.session.commit()
    n = unread_count(login.id)
    page = client("jyj_staff1").get("/").get_data(as_text=True)
    assert n >= 1 and f'<span class="badge" style="background:#c0392b">{n}</span>' in page
