"""The home page says what waits for each login; people are told when a form
reaches them; what the UI shows is Chinese and on one clock."""
import io
import os
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.formatting import cell, cn_date, period_words
from app.reminders.models import Delivery, Message
from app.risks.models import ReviewStep, RiskForm, RiskPoint
from app.security.models import Login
from app.workflow import notify
from tests.helpers import form_of, new_login

RISK = {"risk_type": "岗位职责", "content": "对预算调整申请审核把关不严", "level": "二级"}
ROOT = os.path.dirname(os.path.dirname(__file__))


def login_id(username):
    return db.session.query(Login.id).filter_by(username=username).scalar()


def messages(username, form_id):
    db.session.expire_all()
    return [(m.subject, m.body) for m in db.session.query(Message).join(Delivery, Message.delivery_id == Delivery.id)
            .filter(Message.login_id == login_id(username), Delivery.period.like(f"F{form_id}S%"))
            .order_by(Message.id)]


def act(c, form_id, op, **data):
    return c.post(f"/forms/{form_id}/act", {"op": op, "expected": form_of(form_id).stage, **data},
                  follow_redirects=True).get_data(as_text=True)


# ── 1. Chinese and one clock ──────────────────────────────────────────────
def test_one_clock_shows_stored_utc_in_shanghai(app):
    stored = datetime(2026, 11, 27, 5, 9, 41)            # UTC, naive as in the database
    assert cn_date(stored) == "2026年11月27日 13:09"       # outside the app: Babel itself
    with app.app_context():
        assert cn_date(stored) == "2026年11月27日 13:09"   # inside: Flask-Babel, its default zone
    assert cell(None) == "" and cell(True) == "是" and cell(False) == "否"
    assert period_words("2026Q4") == "2026年第四季度" and period_words("2026-W48") == "2026年第48周"
    assert period_words("2026H1") == "2026年上半年"


def test_every_status_is_an_enumeration_with_its_colour(ctx):
    from app.assessment.models import RectificationNotice, SelfCheck
    from app.enums import (DeliveryStatus, MessageStatus, NoticeStatus, PlanState, SelfCheckStatus,
                           colour_of)
    assert db.session.query(SelfCheck).first().status in SelfCheckStatus
    assert db.session.query(RectificationNotice).first().status in NoticeStatus
    assert Message(read_at=None).status is MessageStatus.UNREAD
    assert Message(read_at=datetime(2026, 11, 27)).status is MessageStatus.READ
    assert colour_of(NoticeStatus.OVERDUE) == colour_of(PlanState.OVERDUE) == colour_of(DeliveryStatus.FAILED) \
        == "danger" and colour_of(SelfCheckStatus.FILED) == "success" and colour_of("逾期未报") == ""


def test_workflow_steps_are_written_in_utc(client, ctx):
    from app import clock
    new_login("clock_story", "CZJ", "预算股", name="时钟测试")
    c = client("clock_story")
    c.post("/forms/new", {"kind": "个人", "round": 2041})
    form = db.session.query(RiskForm).filter_by(owner_id=db.session.query(Login).filter_by(
        username="clock_story").one().person_id, round=2041).one()
    assert abs((form.entered_stage_at - clock.now()).total_seconds()) < 120


def test_reminders_are_written_in_utc_and_their_calendar_kept_in_beijing(client, ctx):
    """A run at 9:00 Beijing time is stored as 1:00 UTC, shown as 9:00 on the jobs page and
    the delivery log, and a restart at 9:00:30 finds nothing missed."""
    from sqlalchemy import select

    from app import clock
    from app.audit.trail import acting_as
    from app.reminders import delivery, scheduler
    from app.reminders.models import ReminderRule
    monday_nine = datetime(2026, 11, 23, 9, 0)
    rule = db.session.scalars(select(ReminderRule).where(ReminderRule.schedule == "0 9 * * 1")).first() \
        or db.session.scalars(select(ReminderRule)).first()
    rule.schedule = "0 9 * * 1"
    db.session.commit()
    with acting_as():
        delivery.run_rule(rule, monday_nine)
    db.session.expire_all()
    assert rule.last_run_at == datetime(2026, 11, 23, 1, 0)              # UTC in the database
    assert not scheduler.missed(rule, monday_nine + timedelta(seconds=30))  # nothing to catch up
    assert scheduler.missed(rule, datetime(2026, 11, 30, 9, 0, 30))        # next Monday's was missed
    jobs = client("admin").get("/reminder/rule/jobs").get_data(as_text=True)
    assert "2026年11月23日 09:00" in jobs
    made = db.session.scalars(select(Delivery).where(Delivery.rule_id == rule.id,
                                                     Delivery.created_at == rule.last_run_at)).all()
    for row in made:
        assert cn_date(row.created_at) == "2026年11月23日 09:00"
        assert db.session.scalars(select(Message.created_at).where(Message.delivery_id == row.id)).one() \
            == row.created_at
    assert clock.local(clock.stored(monday_nine)) == monday_nine


def test_translation_catalogue_is_compiled_from_its_source():
    """The committed .mo holds what `pybabel compile` makes of the committed .po."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations
    folder = os.path.join(ROOT, "app/translations/zh/LC_MESSAGES")
    with open(os.path.join(folder, "messages.po"), "rb") as f:
        fresh = io.BytesIO()
        write_mo(fresh, read_po(f))
    fresh.seek(0)
    with open(os.path.join(folder, "messages.mo"), "rb") as f:
        kept = Translations(f)
    def messages_of(t):   # the header ("") carries the compile time
        return {k: v for k, v in t._catalog.items() if k != ""}
    assert messages_of(Translations(fresh)) == messages_of(kept)
    assert kept.gettext("Cancel") == "取消"


def test_fab_leftovers_and_cells_are_chinese(client, ctx):
    office, admin = client("office"), client("admin")
    page = office.get("/plan/phase/list/").get_data(as_text=True)   # the office keeps (and may delete) its plan
    assert "确定要删除这一条记录吗？" in page and ">取消<" in page and ">确定<" in page
    assert "Are you sure" not in page and ">Cancel<" not in page
    assert "zh-CN" in page and "vendor/locale/select2.zh-CN.js" in page
    users = admin.get("/users/list/").get_data(as_text=True)
    assert ">是<" in users.replace(" ", "").replace("\n", "") and ">True<" not in users
    plan = office.get("/plan/phase/add").get_data(as_text=True)
    assert "Add Plan Phase" not in plan and "新增推进计划" in plan
    assert "用户统计" not in admin.get("/").get_data(as_text=True)
    assert admin.get("/userstatschartview/chart/").status_code == 404
    info = admin.get("/users/userinfo/").get_data(as_text=True)
    assert "First Name" not in info and "Last Name" not in info
    for path in ("/static/vendor/locale/select2.zh-CN.js", "/static/vendor/locale/bootstrap-datepicker.zh-CN.min.js"):
        assert office.get(path).status_code == 200


# ── 2. the workbench ──────────────────────────────────────────────────────
def test_home_page_says_what_waits_with_links_and_counts(app, tmp_path_factory):
    """On the demo as loaded (czj_ys_staff1's form waits for his signature there)."""
    from tests.conftest import Client, fresh_demo
    with fresh_demo(app, tmp_path_factory, "workbench") as demo:
        _home_pages_say_what_waits(lambda username=None: Client(demo, username))


def _home_pages_say_what_waits(client):
    staff = client("czj_ys_staff1").get("/").get_data(as_text=True)
    assert "等我办理" in staff and "待我确认签字" in staff and 'href="/forms/todo"' in staff
    for step in ("① 计划", "② 职权目录", "③ 查找风险点", "④ 制定防控措施", "⑤ 公示", "⑥ 考核"):
        assert step in staff
    assert 'href="/public/"' in staff and 'href="/plan/submission/status"' in staff
    office = client("office").get("/").get_data(as_text=True)
    assert "待我领导小组办公室审核" in office
    leader = client("czj_leader").get("/").get_data(as_text=True)
    assert "廉政谈话" in leader and "待公示" not in leader     # a leader does not publish
    assert 'href="/public/"' in client().get("/login/").get_data(as_text=True)


def test_home_page_steps_count_every_risk_and_measure_in_scope(client, ctx):
    """The home page adds up the 汇总表's kept figures; they must say what counting the rows says,
    for a county's office, a section head and a staff member's own."""
    from sqlalchemy import func, select

    from app.risks.models import ControlMeasure
    from app.security.scope import criteria, scope_of
    for username in ("office", "czj_ys_head", "czj_ys_staff1"):
        scope = scope_of(db.session.query(Login).filter_by(username=username).one())
        risks = db.session.scalar(select(func.count(RiskPoint.id)).where(criteria(RiskPoint, scope)))
        measures = db.session.scalar(select(func.count(ControlMeasure.id)).where(criteria(ControlMeasure, scope)))
        page = client(username).get("/").get_data(as_text=True)
        assert risks and f"风险点 {risks} 个" in page, (username, risks)
        assert measures and f"防控措施 {measures} 条" in page, (username, measures)


def test_home_page_counts_equal_the_lists_they_summarise(ctx):
    """The home page counts in the database what the self-check, plan and talk pages list:
    the same numbers for the city, a county's office, a unit and a section."""
    from app.archives import talks
    from app.assessment.documents import filing, not_filed
    from app.plan.services import count_outstanding, outstanding
    from app.security.scope import scope_of
    seen = set()
    for username in ("admin", "office", "czj_admin", "czj_ys_head", "czj_leader", "czj_fg"):
        login = db.session.query(Login).filter_by(username=username).one()
        scope = scope_of(login)
        for quarter in (1, 2, 3, 4):
            rows = filing(2026, quarter, scope)
            missing = [f for f in rows if not f.filed]
            assert not_filed(2026, quarter, scope) == len(missing), (username, quarter)
            seen |= {("missing", bool(missing)), ("filed", len(missing) < len(rows))}
        for due_by in (date(2000, 1, 1), date(2026, 6, 30), date(2100, 1, 1)):
            pairs = outstanding(scope, due_by)
            assert count_outstanding(scope, due_by) == (len(pairs), min((d.due_on for d, _ in pairs), default=None))
            seen.add(("plan", bool(pairs)))
        owed = [cadre for cadre, by in talks.owed(2026, scope) if by.id == login.person.id]
        assert talks.owed_by(2026, scope, login.person) == len(owed), username
        seen.add(("talks", bool(owed)))
    # each count met rows it had to count and rows it had to leave out
    assert {("missing", True), ("filed", True), ("plan", True), ("plan", False), ("talks", True),
            ("talks", False)} <= seen


def test_home_page_costs_a_bounded_number_of_queries(client, ctx, app):
    from sqlalchemy import event
    c = client("office")
    counted = []

    def count(*_args):
        counted.append(1)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        c.get("/")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(counted) < 40, len(counted)


# ── 3. people told ────────────────────────────────────────────────────────
def test_each_stage_entered_tells_its_actors_once(client, ctx):
    new_login("told_story", "CZJ", "预算股", name="通知测试人")
    owner = client("told_story")
    owner.post("/forms/new", {"kind": "个人", "round": 2042})
    fid = db.session.query(RiskForm).filter_by(owner_id=db.session.query(Login).filter_by(
        username="told_story").one().person_id, round=2042).one().id
    owner.post(f"/risk/add?_flt_0_form={fid}", {"form": fid, **RISK}, csrf_from=f"/forms/{fid}")
    risk = db.session.query(RiskPoint).filter_by(form_id=fid).one()
    owner.post(f"/control/add?_flt_0_risk={risk.id}", {"risk": risk.id, "stage": "前期预防",
                                                       "content": "集体研究", "responsible": "股长"})
    act(owner, fid, "submit")
    head = client("czj_ys_head")
    told = messages("czj_ys_head", fid)
    assert len(told) == 1 and "待您" in told[0][0] and "通知测试人" in told[0][1]
    assert "待您" in head.get("/message/list/").get_data(as_text=True)

    act(head, fid, "return", opinion="请补充思想道德风险。")
    mine = messages("told_story", fid)
    assert len(mine) == 1 and "退回" in mine[0][0] and "请补充思想道德风险。" in mine[0][1]
    assert len(messages("czj_ys_head", fid)) == 1          # the head is not told of his own step

    act(owner, fid, "submit")
    act(head, fid, "approve", opinion="同意。")
    assert len(messages("czj_ys_head", fid)) == 2           # a new stage entry, a new message
    office_told = messages("office", fid)
    assert len(office_told) == 1 and "领导小组办公室审核" in office_told[0][0]
    act(client("office"), fid, "approve", opinion="请本人确认。")
    mine = messages("told_story", fid)
    assert len(mine) == 2 and "签字" in mine[1][0]

    # exactly once: the database refuses a second row for the same stage entry and recipient
    first = db.session.query(Delivery).filter(Delivery.period.like(f"F{fid}S%"),
                                              Delivery.login_id == login_id("told_story")).first()
    db.session.add(Delivery(rule_id=first.rule_id, period=first.period, login_id=first.login_id,
                            subject="x", body="x", status=first.status, attempts=0, created_at=first.created_at))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    steps = db.session.query(ReviewStep).filter_by(form_id=fid).count()
    assert db.session.query(Delivery).filter(Delivery.period.like(f"F{fid}S%")).count() <= steps * 3


def test_a_refused_step_tells_nobody(client, ctx):
    from app.errors import Refused
    from app.workflow import engine
    form = db.session.query(RiskForm).filter_by(stage="section_review").first()
    if form is None:
        pytest.skip("演示数据中没有待科室审核的登记表")
    before = db.session.query(Message).count()
    outsider = db.session.query(Login).filter_by(username="jyj_staff1").one()
    with pytest.raises(Refused):
        engine.approve(form, outsider, "同意")
    db.session.rollback()
    assert db.session.query(Message).count() == before
    assert notify.rule().name == "登记表流转通知"
