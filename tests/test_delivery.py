"""Every reminder delivered exactly once, or visibly not: claims under a slow
server, one bad delivery among good ones, rules refused at the field, a
failure that alerts the office once and is re-sent once, honest counts.
Real parts: aiosmtpd on 127.0.0.1, the pages, the REST API."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.audit.trail import acting_as
from app.enums import DeliveryStatus
from app.extensions import db
from app.reminders import delivery, scheduler
from app.reminders.models import Delivery, Message, ReminderRule
from app.security.models import Login
from tests.mail import smtp  # noqa: F401  (fixture)
from tests.test_reminders import BEFORE_END, deliveries, rule

pytestmark = pytest.mark.usefixtures("only_scheduled_reminders")  # form-step notices are not theirs

ALERT = "提醒邮件发送失败"


def fresh(key):
    db.session.expire_all()
    return deliveries(key)


def alerts_to(username):
    login = db.session.scalar(select(Login).where(Login.username == username))
    return db.session.scalars(select(Message).where(Message.login_id == login.id,
                                                    Message.subject.startswith(ALERT))).all()


@pytest.fixture()
def short_claims(app, monkeypatch):
    """A one-second claim, so a server slower than the claim is quick to test."""
    monkeypatch.setitem(app.config, "REMINDER_CLAIM_SECONDS", 1)


def test_a_server_slower_than_the_claim_gets_each_reminder_once(app, ctx, smtp, short_claims):
    smtp.inbox.delay = 2                         # every message answered after 2 s: twice the claim
    later = BEFORE_END + timedelta(minutes=10)   # the retry job's clock: any old lease has run out
    started = delivery._clock().replace(microsecond=0)
    outcomes, errors, running = [], [], threading.Event()

    def run():
        try:
            with app.app_context(), acting_as():
                outcomes.append(delivery.run_rule(rule("waiting"), BEFORE_END))
        except Exception as e:  # noqa: BLE001  (shown by the assertion below)
            errors.append(e)
        finally:
            running.clear()

    def retry_job():
        while running.is_set():
            try:
                with app.app_context(), acting_as():
                    outcomes.append(delivery.retry_due(later))
            except Exception as e:  # noqa: BLE001
                errors.append(e)
            time.sleep(0.2)

    running.set()
    threads = [threading.Thread(target=run)] + [threading.Thread(target=retry_job) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with acting_as():
        outcomes.append(delivery.retry_due(later))   # nothing may be left behind either
    assert not errors, errors
    rows = fresh("waiting")
    received = smtp.inbox.recipients
    print(f"\nslow SMTP ({delivery.setting('REMINDER_CLAIM_SECONDS'):g} s claim, {smtp.inbox.delay} s per message): "
          f"{len(rows)} rows, {sum(o.sent for o in outcomes)} sent, {len(received)} received")
    assert len(rows) == 5 and len(received) == len(rows), (len(rows), received)
    assert sorted(received) == sorted(d.email for d in rows)
    assert sum(o.sent for o in outcomes) == len(rows) and sum(o.failed for o in outcomes) == 0
    ended = delivery._clock()
    for d in rows:
        assert d.status == DeliveryStatus.SENT.value and d.attempts == 1, (d.email, d.status, d.attempts)
        assert started <= d.sent_at <= ended          # when it went, not the run's clock
        assert d.claim_token is None and d.claimed_until is None


@pytest.fixture()
def bad_address(ctx):
    """One recipient whose stored address carries a header injection."""
    login = db.session.scalar(select(Login).where(Login.username == "czj_fg"))
    saved = login.email
    login.email = "czj_fg@demo.lianzheng.local\r\nBcc: someone@example.org"
    db.session.commit()
    yield login
    db.session.execute(update(Login).where(Login.id == login.id).values(email=saved))
    db.session.commit()


def test_one_bad_delivery_is_recorded_on_its_row_and_the_others_go(app, ctx, smtp, bad_address):
    outcome = scheduler.run_once(app, "waiting", BEFORE_END)
    rows = fresh("waiting")
    bad = next(d for d in rows if d.login_id == bad_address.id)
    good = [d for d in rows if d is not bad]
    assert outcome.recorded == len(rows) == 5 and outcome.sent == 4 and outcome.failed == 1
    assert bad.status == DeliveryStatus.FAILED.value and bad.attempts == 1
    assert bad.last_error.startswith("收件邮箱地址无效")
    assert all(d.status == DeliveryStatus.SENT.value for d in good)
    assert sorted(smtp.inbox.recipients) == sorted(d.email for d in good)
    assert len(alerts_to("office")) == 1          # retrying cannot mend an address: the office knows at once
    assert delivery.retry_due(BEFORE_END + timedelta(days=1)).sent == 0
    assert len(smtp.inbox.recipients) == 4
    # the address corrected, the office re-sends it: to the new address, once
    db.session.execute(update(Login).where(Login.id == bad_address.id).values(email="czj_fg@demo.lianzheng.local"))
    db.session.commit()
    assert delivery.resend(bad.id) == ("sent", "已重新发送")
    assert delivery.resend(bad.id) == (None, "已发送，不再重发")
    assert smtp.inbox.recipients[4:] == ["czj_fg@demo.lianzheng.local"]


def test_a_line_break_in_a_stored_subject_fails_visibly_not_with_a_500(app, client, api, ctx, smtp):
    """A rule saved before subjects were checked: its run answers, and the rows say why."""
    pk = rule("waiting").id
    db.session.execute(update(ReminderRule).where(ReminderRule.id == pk).values(
        subject="审核滞留提醒\r\nBcc: someone@example.org", lead_days=0))
    db.session.commit()
    try:
        page = client("office").post(f"/reminder/rule/{pk}/run", csrf_from="/reminder/rule/jobs",
                                     follow_redirects=True)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "新生成 5 条提醒" in text and "邮件发出 0 封" in text and "5 封未能发出" in text
        rows = fresh("waiting")
        assert len(rows) == 5 and all(d.status == DeliveryStatus.FAILED.value for d in rows)
        assert all("标题或地址含换行" in d.last_error for d in rows)
        assert smtp.inbox.mails == []
        again = api("office").post(f"/api/v1/reminder/{pk}/run")     # same period: nothing new
        assert again.status_code == 200 and again.json == {"recorded": 0, "sent": 0, "failed": 0}
    finally:
        db.session.execute(update(ReminderRule).where(ReminderRule.id == pk).values(
            subject="审核滞留提醒", lead_days=7))
        db.session.commit()


def test_a_rule_stored_before_the_checks_answers_with_a_message(app, client, api, ctx, smtp):
    """Settings the forms now refuse, already in the database: a message, never a 500."""
    pk = rule("waiting").id
    db.session.execute(update(ReminderRule).where(ReminderRule.id == pk).values(lead_days=10 ** 9))
    db.session.commit()
    try:
        page = client("office").post(f"/reminder/rule/{pk}/run", csrf_from="/reminder/rule/jobs",
                                     follow_redirects=True)
        assert page.status_code == 200 and "规则的设置超出范围" in page.get_data(as_text=True)
        r = api("office").post(f"/api/v1/reminder/{pk}/run")
        assert r.status_code == 422 and "规则的设置超出范围" in r.json["message"]
        db.session.execute(update(ReminderRule).where(ReminderRule.id == pk).values(lead_days=7,
                                                                                    schedule="0 9 * * 8"))
        db.session.commit()
        jobs = client("office").get("/reminder/rule/jobs")
        assert jobs.status_code == 200 and "执行时间有误" in jobs.get_data(as_text=True)
        built = scheduler.build(app)                      # the other rules are still scheduled
        assert built.get_job("reminder:waiting") is None and built.get_job("reminder:self_check") is not None
    finally:
        app.extensions.pop("reminder_scheduler", None)
        db.session.execute(update(ReminderRule).where(ReminderRule.id == pk).values(lead_days=7,
                                                                                    schedule="0 9 * * 1-5"))
        db.session.commit()


def test_the_run_counts_what_was_actually_sent(app, api, ctx, smtp):
    pk = rule("waiting").id
    db.session.execute(update(ReminderRule).where(ReminderRule.id == pk).values(lead_days=0))
    db.session.commit()
    smtp.stop()
    try:
        r = api("office").post(f"/api/v1/reminder/{pk}/run")
        assert r.status_code == 200, r.get_data(as_text=True)
        assert r.json["recorded"] == 5 and r.json["sent"] == 0 and r.json["failed"] == 5, r.json
        rows = fresh("waiting")
        assert all(d.status == DeliveryStatus.RETRYING.value and "拒绝连接" in d.last_error for d in rows)
    finally:
        db.session.execute(update(ReminderRule).where(ReminderRule.id == pk).values(lead_days=7))
        db.session.commit()


RULE_FORM = {"key": "waiting", "name": "审核滞留提醒", "kind": "审核滞留", "schedule": "0 9 * * 1-5",
             "lead_days": "7", "roles": "科室负责人、分管领导、领导小组办公室、单位领导",
             "subject": "审核滞留提醒", "body": "{name}：\n{items}", "enabled": "y"}
BAD_FIELDS = [
    ("subject", "审核滞留提醒\r\nBcc: someone@example.org", "标题不能换行"),
    ("subject", "审核滞留提醒\nX", "标题不能换行"),
    ("subject", "提醒" * 80, "标题不能超过 150 个字"),
    ("subject", "提醒\x1b[31m", "标题含有不允许的控制字符（ESC）"),
    ("subject", "   ", "请填写标题"),
    ("name", "", ("请填写名称", "该字段是必填字段")),   # the page's own required-field check comes first
    ("name", "审核\u202e滞留", "名称含有不允许的控制字符（从右到左覆盖 RLO）"),
    ("body", "正文\x00", "正文含有不允许的控制字符（空字符 NUL）"),
    ("lead_days", 10 ** 12, "提前天数应在 0 至 366 之间"),
    ("schedule", "0 9 * * 8", "crontab 格式"),
]


@pytest.mark.parametrize("field,value,message", BAD_FIELDS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_FIELDS)])
def test_a_bad_rule_is_refused_at_the_field_on_the_page_and_the_api(client, api, ctx, field, value, message):
    from app.enums import ReminderKind
    pk = rule("waiting").id
    before = {c: getattr(rule("waiting"), c) for c in ("name", "subject", "body", "lead_days", "schedule")}
    form = RULE_FORM | {"kind": ReminderKind.WAITING.value, field: str(value)}
    api_message, page_messages = (message[0], message) if isinstance(message, tuple) else (message, (message,))
    page = client("office").post(f"/reminder/rule/edit/{pk}", form, csrf_from=f"/reminder/rule/edit/{pk}")
    text = page.get_data(as_text=True)
    at_field = text[text.index(f'id="{field}"'):][:800]               # the message sits under the field
    assert page.status_code == 200 and "alert-danger" in at_field and any(m in at_field for m in page_messages), \
        at_field
    r = api("office").put(f"/api/v1/reminder/{pk}", json={field: value})
    assert r.status_code in (400, 422) and api_message in str(r.json[("message")].get(field)), \
        r.get_data(as_text=True)
    db.session.expire_all()
    assert {c: getattr(rule("waiting"), c) for c in before} == before
    good = api("office").put(f"/api/v1/reminder/{pk}", json={"subject": "审核滞留提醒", "lead_days": 7})
    assert good.status_code == 200


def test_the_rule_page_offers_the_usual_schedules_and_shows_them_in_words(client, ctx):
    from app.enums import ReminderKind
    pk, quarterly = rule("waiting").id, "0 9 1 1,4,7,10 *"
    office = client("office")
    page = office.get(f"/reminder/rule/edit/{pk}").get_data(as_text=True)
    assert 'list="schedule-presets"' in page and f'<option value="{quarterly}">每季度首月1日 9:00</option>' in page
    before = rule("waiting").schedule
    saved = office.post(f"/reminder/rule/edit/{pk}", RULE_FORM | {"kind": ReminderKind.WAITING.value,
                                                                   "county": rule("waiting").county_id,
                                                                   "schedule": quarterly},
                        csrf_from=f"/reminder/rule/edit/{pk}")
    assert saved.status_code == 302
    db.session.expire_all()
    assert rule("waiting").schedule == quarterly
    assert "每季度首月1日 9:00" in office.get("/reminder/rule/list/").get_data(as_text=True)
    assert "每季度首月1日 9:00" in office.get("/reminder/rule/jobs").get_data(as_text=True)
    rule("waiting").schedule = before
    db.session.commit()


def exhaust(key, now):
    """Runs the rule with the server down, then lets the retry job use up every attempt."""
    with acting_as():
        first = delivery.run_rule(rule(key), now)
        for step in range(1, 8):
            delivery.retry_due(now + timedelta(days=step))
    return first


def test_a_delivery_that_exhausts_its_attempts_is_red_alerts_the_office_once_and_is_resent_once(
        app, client, ctx, smtp):
    smtp.stop()
    first = exhaust("self_check", BEFORE_END)
    rows = fresh("self_check")
    assert first.recorded == len(rows) == 2 and first.sent == 0
    assert all(d.status == DeliveryStatus.FAILED.value and d.attempts == 8 and d.alerted_at for d in rows)
    alerts = alerts_to("office")
    assert len(alerts) == len(rows)                                  # one per failed reminder
    assert all("8 次尝试" in m.body and "重新发送" in m.body for m in alerts)
    with acting_as():                                                # more retries: no more mail, no more alerts
        assert delivery.retry_due(BEFORE_END + timedelta(days=30)).failed == 0
    assert len(alerts_to("office")) == len(rows)
    assert alerts_to("jyj_admin") == []                              # the unit is not the office

    office = client("office")
    page = office.get("/reminder/delivery/list/").get_data(as_text=True)
    assert page.count('class="delivery-failed"') == len(rows) and "#c0392b" in page
    assert "重新发送" in page

    # a unit's login may not resend (no permission): nothing goes
    unit = client("czj_admin")
    unit.post("/reminder/delivery/action_post", {"action": "resend", "rowid": [rows[0].id]},
              csrf_from="/")
    assert fresh("self_check")[0].status == DeliveryStatus.FAILED.value

    # two offices click at once on a slow server: one e-mail
    smtp.inbox.delay = 1
    smtp.start()
    target = rows[0]
    others = [client("office"), client("office")]
    tokens = [c.csrf("/reminder/delivery/list/") for c in others]
    answers = []
    threads = [threading.Thread(target=lambda c=c, t=t: answers.append(c.post(
        "/reminder/delivery/action_post", {"action": "resend", "rowid": [target.id], "csrf_token": t},
        follow_redirects=True).get_data(as_text=True))) for c, t in zip(others, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert smtp.inbox.recipients == [target.email]
    assert sum("已重新发送" in a for a in answers) == 1 and sum("请勿重复操作" in a for a in answers) == 1
    # a second click afterwards: refused, nothing sent
    again = office.post("/reminder/delivery/action_post", {"action": "resend", "rowid": [target.id]},
                        csrf_from="/reminder/delivery/list/", follow_redirects=True).get_data(as_text=True)
    assert "已发送，不再重发" in again
    assert smtp.inbox.recipients == [target.email]
    sent = fresh("self_check")[0]
    assert sent.status == DeliveryStatus.SENT.value and sent.attempts == 9 and sent.last_error is None
    # the other one from the record's own page
    rest = rows[1]
    office.post(f"/reminder/delivery/action/resend/{rest.id}", {}, csrf_from=f"/reminder/delivery/show/{rest.id}")
    assert sorted(smtp.inbox.recipients) == sorted(d.email for d in rows)
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.status == DeliveryStatus.FAILED.value)) == 0


def test_a_resend_that_fails_again_stays_red_without_a_second_alert(app, client, ctx, smtp):
    smtp.stop()
    exhaust("self_check", BEFORE_END)
    row = fresh("self_check")[0]
    page = client("office").post("/reminder/delivery/action_post", {"action": "resend", "rowid": [row.id]},
                                 csrf_from="/reminder/delivery/list/", follow_redirects=True)
    assert "仍未发出：邮件服务器拒绝连接" in page.get_data(as_text=True)
    again = fresh("self_check")[0]
    assert again.status == DeliveryStatus.FAILED.value and again.attempts == 9
    assert len(alerts_to("office")) == 2          # still one per reminder
