"""长效机制: 监测信息, 措施落实, 预警 from rules the office edits, handled to the end,
the 廉情 picture, and next year's round — through pages, the API, the scheduler's job,
the CLI and the database itself."""
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.archives.models import Disposition, IntegrityArchive
from app.enums import Owner, RiskType, WarningColour, WarningState
from app.extensions import db
from app.monitoring import access, services
from app.monitoring.models import MeasureCheck, RiskWarning, Signal, WarningRule
from app.reminders import scheduler
from app.risks.models import RiskForm, RiskPoint
from app.workflow.flows import APPROVED
from tests.helpers import new_login, person_of, section, unit

STAFF1 = "czj_ys_staff1"
TODAY = date.today()


def form_of(username, year=TODAY.year, kind="个人") -> RiskForm:
    db.session.expire_all()
    return db.session.scalars(select(RiskForm).where(RiskForm.owner_id == person_of(username).id,
                                                     RiskForm.round == year, RiskForm.owner_kind == kind)).one()


def first_level_risks(username) -> list[RiskPoint]:
    return [r for r in form_of(username).risks if r.level == "一级"]


def warnings_about(person, rule_name=None) -> list[RiskWarning]:
    db.session.expire_all()
    q = select(RiskWarning).where(RiskWarning.person_id == person.id).order_by(RiskWarning.id)
    if rule_name:
        q = q.join(RiskWarning.rule).where(WarningRule.name == rule_name)
    return db.session.scalars(q).all()


def fresh(model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def count(model) -> int:
    db.session.expire_all()
    return db.session.query(model).count()


ON_RISK = "经核实的信访举报涉及一级风险"
TWICE = "12个月内两次以上经核实的信访举报"


# ── the user story ──────────────────────────────────────────────────────
def test_a_petition_becomes_a_red_warning_handled_to_the_end(app, client, api, ctx):
    staff1 = person_of(STAFF1)
    risk, other_risk = first_level_risks(STAFF1)
    assert warnings_about(staff1) == []

    # the office records a verified 信访举报 about his 一级 risk on the page …
    office = client("office")
    r = office.post("/signal/add", {
        "source": "信访举报", "received_on": (TODAY - timedelta(days=3)).isoformat(), "person": staff1.id,
        "risk": risk.id, "content": "来信反映其在预算调整审核中收受申报单位购物卡。", "verification": "属实",
        "verification_note": "经核实属实。", "reporter": "王某（实名）"}, csrf_from="/signal/add")
    assert r.status_code == 302, r.get_data(as_text=True)
    signal = db.session.scalars(select(Signal).where(Signal.person_id == staff1.id)).one()
    assert signal.unit.code == "CZJ" and signal.section.name == "预算股" and signal.recorded_by
    # … which raises a red warning at once; the nightly job, run twice, raises nothing more
    job = scheduler.build(app).get_job(services.WARNINGS_JOB)   # built, not started: we fire the job
    job.func(*job.args)
    job.func(*job.args)
    red = warnings_about(staff1, ON_RISK)
    assert len(red) == 1 and red[0].colour == WarningColour.RED.value and red[0].state == WarningState.OPEN.value
    assert red[0].risk_id == risk.id and red[0].confidential and "王某" not in red[0].facts

    # a second one, by the commission through the API: a second red, and two petitions within 12 months (黄)
    jiwei_api = api("jiwei")
    r = jiwei_api.post("/api/v1/signal/", json={
        "source": "信访举报", "received_on": (TODAY - timedelta(days=1)).isoformat(), "person": staff1.id,
        "risk": other_risk.id, "content": "来信反映其在专项资金分配中优亲厚友。", "verification": "部分属实"})
    assert r.status_code == 201, r.json
    services.run_job(app)
    assert len(warnings_about(staff1, ON_RISK)) == 2
    assert [w.colour for w in warnings_about(staff1, TWICE)] == [WarningColour.AMBER.value]
    before = count(RiskWarning)
    services.run_job(app)
    assert count(RiskWarning) == before
    # the database itself refuses the same facts twice
    copy = red[0]
    db.session.add(RiskWarning(rule_id=copy.rule_id, colour=copy.colour, unit_id=copy.unit_id, person_id=copy.person_id,
                               subject_key=copy.subject_key, fact_key=copy.fact_key, facts="再次", raised_at=copy.raised_at,
                               state=WarningState.OPEN.value))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    # red is the commission's: the unit's leader and the office are refused, on page and API
    pk = red[0].id
    decision = {"decision": "诫勉纠错", "deadline": (TODAY + timedelta(days=30)).isoformat(),
                "note": "对其进行诫勉谈话，责令退还购物卡并作出书面检查。"}
    assert api("czj_leader").post(f"/api/v1/warning/{pk}/handle", json=decision).status_code == 409
    refused = client("office").post(f"/warning/{pk}/handle", decision, follow_redirects=True).get_data(as_text=True)
    assert "红色预警由纪检监察处置" in refused
    assert warnings_about(staff1, ON_RISK)[0].state == WarningState.OPEN.value

    # jiwei decides 诫勉纠错 on the page: the 后期处置 is created, and shows in the person's archive
    jiwei = client("jiwei")
    r = jiwei.post(f"/warning/{pk}/handle", decision, follow_redirects=True)
    assert "已作出处置决定" in r.get_data(as_text=True), r.get_data(as_text=True)[-3000:]
    warning = fresh(RiskWarning, pk)
    assert warning.state == WarningState.HANDLING.value and warning.decision == "诫勉纠错"
    disposition = warning.disposition
    assert disposition.kind == "诫勉纠错" and disposition.person_id == staff1.id and disposition.source == "群众举报"
    archive = db.session.scalars(select(IntegrityArchive).where(IntegrityArchive.person_id == staff1.id)).one()
    page = jiwei.get(f"/archive/show/{archive.id}").get_data(as_text=True)
    assert "责令退还购物卡" in page and "诫勉纠错" in page and ON_RISK in page
    # handling twice is refused
    assert jiwei_api.post(f"/api/v1/warning/{pk}/handle", json=decision).status_code == 409
    assert jiwei_api.post(f"/api/v1/warning/{pk}/follow", json={"note": "已退还，检查已交。"}).status_code == 200

    # closing needs a result: refused at the field on the page and the API, nothing written
    page = jiwei.post(f"/warning/{pk}/close", {"result": "", "note": "已整改。"}).get_data(as_text=True)
    assert "了结须有结果" in page and 'name="result"' in page
    r = jiwei_api.post(f"/api/v1/warning/{pk}/close", json={"note": "已整改。"})
    assert r.status_code == 422 and "了结须有结果" in r.json["message"]["result"][0]
    assert fresh(RiskWarning, pk).state == WarningState.HANDLING.value
    r = jiwei_api.post(f"/api/v1/warning/{pk}/close", json={"result": "整改到位予以了结", "note": "已退还购物卡，诫勉谈话完成。"})
    assert r.status_code == 200 and r.json["result"]["state"] == "已了结"
    closed = fresh(RiskWarning, pk)
    assert closed.result == "整改到位予以了结" and closed.disposition.outcome == "整改到位予以了结"
    assert "整改到位予以了结" in jiwei.get(f"/archive/show/{archive.id}").get_data(as_text=True)
    assert jiwei_api.post(f"/api/v1/warning/{pk}/close", json={"result": "整改到位予以了结",
                                                                   "note": "x"}).status_code == 409
    # the person's page lists his warnings
    assert ON_RISK in client("office").get(f"/person/show/{staff1.id}").get_data(as_text=True)


def test_the_unit_never_sees_a_petition_nor_who_reported_it(client, api, ctx):
    target = person_of("czj_gk_staff1")   # the demo's red warning rests on a 信访举报 about him
    petition = db.session.scalars(select(Signal).where(Signal.person_id == target.id,
                                                       Signal.source == "信访举报")).first()
    warning = warnings_about(target, ON_RISK)[0]
    for username in ("czj_admin", "czj_leader", "czj_gk_head"):
        c, a = client(username), api(username)
        assert petition.content[:12] not in c.get("/signal/list/").get_data(as_text=True)
        assert c.get(f"/signal/show/{petition.id}").status_code == 404
        assert a.get(f"/api/v1/signal/{petition.id}").status_code == 404
        assert petition.id not in a.get("/api/v1/signal/?q=(page_size:100)").json["ids"]
        page = c.get(f"/warning/show/{warning.id}").get_data(as_text=True)
        assert access.HIDDEN_FACTS in page and petition.reporter not in page and "群众来信" not in page
        assert a.get(f"/api/v1/warning/{warning.id}").json["result"]["facts_shown"] == access.HIDDEN_FACTS
    for username in ("office", "jiwei"):
        assert petition.reporter in client(username).get(f"/signal/show/{petition.id}").get_data(as_text=True)
        assert "信访举报（核实情况：属实）" in client(username).get(f"/warning/show/{warning.id}").get_data(as_text=True)
    # nor may the unit enter one (it would hide it from itself): refused at the field
    before = count(Signal)
    page = client("czj_admin").post("/signal/add", {
        "source": "信访举报", "received_on": TODAY.isoformat(), "person": target.id, "content": "x",
        "verification": "待核实"}, csrf_from="/signal/add").get_data(as_text=True)
    assert "您无权查阅信访举报" in page and 'name="content"' in page
    r = api("czj_admin").post("/api/v1/signal/", json={"source": "信访举报", "received_on": TODAY.isoformat(),
                                                       "person": target.id, "content": "x"})
    assert r.status_code == 422 and "您无权查阅信访举报" in r.json["message"]["source"][0]
    assert count(Signal) == before


# ── bad input ───────────────────────────────────────────────────────────
def test_a_signal_about_a_person_outside_ones_scope_is_refused(client, api, ctx):
    outsider = person_of("jyj_staff1")
    before = count(Signal)
    body = {"source": "行政投诉", "received_on": TODAY.isoformat(), "person": outsider.id,
            "content": "投诉办事拖延。", "verification": "待核实"}
    page = client("czj_admin").post("/signal/add", body, csrf_from="/signal/add").get_data(as_text=True)
    assert "不在您的数据范围内" in page and 'name="content"' in page
    r = api("czj_admin").post("/api/v1/signal/", json=body)
    assert r.status_code == 422 and "不在您" in r.json["message"]["person"][0]   # not his to choose
    r = api("czj_admin").post("/api/v1/signal/", json={**body, "person": None, "unit": unit("JYJ").id})
    assert r.status_code == 422 and "不在您" in r.json["message"]["unit"][0]
    r = api("czj_admin").post("/api/v1/signal/", json={**body, "person": person_of("czj_gk_staff1").id,
                                                       "reporter": "某人"})
    assert r.status_code == 422 and "只有信访举报登记举报人" in r.json["message"]["reporter"][0]
    assert count(Signal) == before
    ok = api("czj_admin").post("/api/v1/signal/", json={**body, "person": person_of("czj_gk_staff1").id})
    assert ok.status_code == 201 and count(Signal) == before + 1


def test_a_measure_check_on_a_draft_register_is_refused(client, api, ctx):
    draft = form_of("czj_ys_staff2")
    assert draft.stage == "draft"
    measure = draft.risks[0].measures[0]
    quarter = (TODAY.month - 1) // 3 + 1
    body = {"measure": measure.id, "year": TODAY.year, "quarter": quarter, "result": "已落实",
            "evidence": "查阅记录。", "checked_on": TODAY.isoformat()}
    before = count(MeasureCheck)
    page = client("czj_ys_head").post("/measurecheck/add", body, csrf_from="/measurecheck/add").get_data(as_text=True)
    assert "只能检查已审定登记表中的防控措施" in page and 'name="evidence"' in page
    r = api("czj_ys_head").post("/api/v1/measurecheck/", json=body)
    assert r.status_code == 422 and "只能检查已审定登记表中的防控措施" in r.json["message"]["measure"][0]
    assert count(MeasureCheck) == before

    # an approved register's measure: checked once a quarter, by its section
    approved = form_of("czj_gk_head", kind="部门")
    assert approved.stage == APPROVED.key
    measure = approved.risks[1].measures[2]
    body = {**body, "measure": measure.id, "result": "未落实", "evidence": "制度执行情况未检查。"}
    assert api("czj_ys_head").post("/api/v1/measurecheck/", json=body).status_code == 422   # not his section
    r = api("czj_gk_head").post("/api/v1/measurecheck/", json=body)
    assert r.status_code == 201, r.json
    again = api("czj_gk_head").post("/api/v1/measurecheck/", json={**body, "result": "已落实"})
    assert again.status_code == 422 and "已经登记" in again.json["message"]["quarter"][0]
    r = api("czj_gk_head").post("/api/v1/measurecheck/", json={**body, "measure": approved.risks[1].measures[0].id,
                                                               "year": TODAY.year + 1})
    assert r.status_code == 422 and "尚未开始" in r.json["message"]["quarter"][0]
    assert count(MeasureCheck) == before + 1
    # the quarter's self-check shows the checks and what nobody checked
    from app.assessment.models import SelfCheck
    report = db.session.scalars(select(SelfCheck).where(
        SelfCheck.section_id == section("CZJ", "国库股").id, SelfCheck.year == TODAY.year,
        SelfCheck.quarter == quarter)).one()
    page = client("czj_gk_head").get(f"/selfcheck/show/{report.id}").get_data(as_text=True)
    assert "本季度措施落实检查" in page and "尚无人检查" in page and "未检查" in page and "未落实" in page
    page = client("czj_admin").get(f"/measurecheck/quarter?unit={unit('CZJ').id}").get_data(as_text=True)
    assert "未检查" in page and "未落实" in page


def test_an_unevaluable_warning_rule_is_refused_at_the_field(client, api, ctx):
    before, office = count(WarningRule), api("office")
    base = {"name": "测试规则", "kind": "同一人多次经核实的监测信息", "colour": "黄色", "source": "行政投诉",
            "months": 12, "enabled": True}
    page = client("office").post("/warning/rule/add", {**base, "count": ""}, csrf_from="/warning/rule/add")
    text = page.get_data(as_text=True)
    assert "须填写次数" in text and 'name="count"' in text
    for body, field, message in [
            ({**base}, "count", "须填写次数"),
            ({**base, "count": 0}, "count", "次数（不少于）应在 1 至 99 之间"),
            ({**base, "count": 2, "months": 0}, "months", "期间（月）应在 1 至 60 之间"),
            ({**base, "kind": "民主测评满意率偏低", "threshold": 150}, "threshold", "应在 1 至 100 之间"),
            ({**base, "kind": "经核实的监测信息涉及风险"}, "level", "须填写风险等级"),
            ({**base, "kind": "经核实的监测信息涉及风险", "level": "四级"}, "level", "风险等级应为"),
            ({**base, "count": 2, "colour": "紫色"}, "colour", "预警颜色应为"),
            ({**base, "kind": "按心情"}, "kind", "预警条件应为")]:
        r = office.post("/api/v1/warningrule/", json=body)
        assert r.status_code == 422 and message in r.json["message"][field][0], (body, r.json)
    assert count(WarningRule) == before
    assert api("czj_admin").post("/api/v1/warningrule/", json={**base, "count": 2}).status_code == 403
    r = office.post("/api/v1/warningrule/", json={**base, "count": 3, "enabled": False})
    assert r.status_code == 201 and count(WarningRule) == before + 1
    page_rule = {k: v for k, v in base.items() if k != "enabled"}   # the checkbox left unticked
    r = client("office").post("/warning/rule/add", {**page_rule, "name": "页面规则", "count": 2},
                              csrf_from="/warning/rule/add")
    assert r.status_code == 302
    saved = db.session.scalars(select(WarningRule).where(WarningRule.name == "页面规则")).one()
    assert saved.count == 2 and saved.enabled is False and saved.level is None
    used = db.session.scalars(select(RiskWarning.rule_id)).first()
    r = office.delete(f"/api/v1/warningrule/{used}")
    assert r.status_code == 422 and "不能删除" in r.json["message"]["_"][0]


# ── what the demo shows, the 廉情 picture, the reminder ─────────────────
def test_demo_warnings_of_every_colour_and_the_picture(client, api, ctx):
    db.session.expire_all()
    states = {(w.colour, w.status) for w in db.session.scalars(select(RiskWarning))}
    assert ("红色", "逾期未了结") in states and ("黄色", "处置中") in states and ("蓝色", "已了结") in states
    assert {c for c, _ in states} == {"红色", "黄色", "蓝色"}
    overdue = client("office").get("/warning/overdue").get_data(as_text=True)
    assert person_of("czj_gk_staff1").name in overdue and "label-danger" in overdue
    dashboard = client("office").get("/reports/dashboard").get_data(as_text=True)
    assert "dashboard-warnings" in dashboard and "逾期或超期未处置的预警" in dashboard

    page = client("jiwei").get("/watch/picture/").get_data(as_text=True)
    assert "示范县财政局" in page and "示范县教育局" in page and "红色预警" in page
    book = load_workbook(io.BytesIO(client("jiwei").get("/watch/picture/units.xlsx").data))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    assert "示范县财政局" in cells and "红色预警" in cells
    mine = client("czj_admin").get("/watch/picture/").get_data(as_text=True)
    assert "示范县财政局" in mine and "示范县教育局" not in mine
    assert client("czj_admin").get(f"/watch/picture/unit/{unit('JYJ').id}").status_code == 404
    assert client("czj_ys_staff1").get("/watch/picture/").status_code in (302, 403)

    # the reminder kind finds the overdue red one
    from datetime import datetime

    from app.reminders.rules import warnings_waiting
    _, items = warnings_waiting(type("Rule", (), {"lead_days": services.UNHANDLED_DAYS}), datetime.now())
    assert any("逾期未了结" in i.text and person_of("czj_gk_staff1").name in i.text for i in items)
    assert access.handlers_of(WarningColour.RED) and set(access.handler_roles()) >= set(
        access.handlers_of(WarningColour.BLUE))


# ── 优化修正 ─────────────────────────────────────────────────────────────
def _approved_register(username, year):
    from app.security.models import Login
    from app.workflow import engine
    from seed.round import add_risk
    from seed import risks as texts
    from tests.conftest import DEMO_PASSWORD
    users = {u: db.session.query(Login).filter_by(username=u).one()
             for u in (username, "czj_ys_head", "office", "czj_leader")}
    owner = users[username]
    form = engine.create_form(Owner.PERSON, year, owner)
    for spec in texts.SECTION_DUTY["预算股"] + [texts.MORAL[0]]:
        add_risk(form, RiskType.DUTY, spec, section="预算股")
    db.session.commit()
    engine.submit(form, owner)
    engine.approve(form, users["czj_ys_head"])
    engine.approve(form, users["office"])
    engine.sign(form, owner, DEMO_PASSWORD)
    engine.approve(form, users["office"])
    engine.approve(form, users["czj_leader"])
    return form


def test_next_round_copied_from_approved_registers_and_the_diff(app, client, api, ctx):
    year = 2011
    new_login("round_story", "CZJ", "预算股", name="修正测试员")
    old = _approved_register("round_story", year)
    old_ids = [r.id for r in old.risks]

    # only the office starts a round; a unit admin is refused on the page and in the CLI
    assert client("czj_admin").post("/watch/round/start", {"round": year}).status_code in (302, 403)
    assert db.session.scalars(select(RiskForm).where(RiskForm.round == year + 1)).first() is None
    runner = app.test_cli_runner()
    out = runner.invoke(args=["watch", "round", "--from", str(year), "--as", "czj_admin"])
    assert out.exit_code != 0 and "您无权开始新的年度" in out.output
    r = client("office").post("/watch/round/start", {"round": year}, csrf_from="/watch/round/", follow_redirects=True)
    assert "已开始2012年度" in r.get_data(as_text=True), r.get_data(as_text=True)[-4000:]
    new = form_of("round_story", year + 1)
    assert new.stage == "draft" and new.owner_id == person_of("round_story").id and new.signed_revision is None
    assert [r.previous_id for r in new.risks] == old_ids
    assert [len(r.measures) for r in new.risks] == [len(r.measures) for r in old.risks]
    again = runner.invoke(args=["watch", "round", "--from", str(year), "--as", "office"])
    assert "已经存在" in again.output and db.session.scalars(select(RiskForm).where(
        RiskForm.round == year + 1, RiskForm.owner_id == person_of("round_story").id)).all() == [new]

    # the owner revises his own draft: a level raised, a risk dropped, a risk added
    owner = client("round_story")
    first, dropped = new.risks[0], new.risks[1]
    r = owner.post(f"/risk/edit/{first.id}?_flt_0_form={new.id}", {
        "form": new.id, "risk_type": first.risk_type, "content": first.content + "（含追加预算）", "level": "二级"},
        csrf_from=f"/forms/{new.id}")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert owner.post(f"/risk/delete/{dropped.id}", csrf_from=f"/forms/{new.id}").status_code == 302
    owner.post(f"/risk/add?_flt_0_form={new.id}", {"form": new.id, "risk_type": "岗位职责", "level": "三级",
                                                   "content": "新发现：资金拨付进度把控不严"}, csrf_from=f"/forms/{new.id}")
    page = owner.get(f"/watch/round/form/{new.id}").get_data(as_text=True)
    assert "新增 <b>1</b>、删除 <b>1</b>、修改 <b>1</b>" in page
    assert "新发现：资金拨付进度把控不严" in page and dropped.content[:10] in page and "（含追加预算）" in page
    assert "上年度" in owner.get(f"/forms/{new.id}").get_data(as_text=True)
    unit_page = client("office").get(f"/watch/round/unit/{unit('CZJ').id}?round={year + 1}").get_data(as_text=True)
    assert "修正测试员" in unit_page
    assert client("jyj_admin").get(f"/watch/round/form/{new.id}").status_code == 404

    # the 汇总表, two rounds side by side, on the page and in Excel
    page = client("office").get(f"/watch/round/summary?round={year + 1}&unit={unit('CZJ').id}").get_data(as_text=True)
    assert f"{year}年度与{year + 1}年度" in page and "预算股" in page
    book = load_workbook(io.BytesIO(client("office").get(
        f"/watch/round/summary.xlsx?round={year + 1}&unit={unit('CZJ').id}").data))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
    assert "预算股" in cells and "增减" in cells


def test_a_draft_shows_the_warnings_closed_this_year(client, ctx):
    """The demo's blue warning about czj_ys_staff2 was closed this year: his draft offers it."""
    draft = form_of("czj_ys_staff2")
    page = client("czj_ys_staff2").get(f"/forms/{draft.id}").get_data(as_text=True)
    assert "本年度预警" in page and "民主测评满意率低于80%" in page and "上年度" in page
    assert "本年度预警" not in client("czj_ys_staff2").get(f"/forms/{form_of('czj_ys_staff2', TODAY.year - 1).id}") \
        .get_data(as_text=True)


def test_the_unit_leaders_handle_blue_and_the_office_amber(api, ctx):
    blue = db.session.scalars(select(RiskWarning).where(RiskWarning.colour == "蓝色",
                                                        RiskWarning.state == WarningState.OPEN.value)).first()
    body = {"decision": "警示提醒", "deadline": (TODAY + timedelta(days=10)).isoformat(), "note": "约谈科室负责人。"}
    assert api("office").post(f"/api/v1/warning/{blue.id}/handle", json=body).status_code == 409
    assert api("jyj_admin").post(f"/api/v1/warning/{blue.id}/handle", json=body).status_code in (403, 404)
    r = api("czj_leader").post(f"/api/v1/warning/{blue.id}/handle",
                               json={**body, "deadline": (TODAY - timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and "整改期限不能早于处置日期" in r.json["message"]["deadline"][0]
    r = api("czj_leader").post(f"/api/v1/warning/{blue.id}/handle", json=body)
    assert r.status_code == 200 and r.json["result"]["state"] == "处置中"
    d = fresh(Disposition, r.json["result"]["disposition"])
    assert d.section.name == "国库股" and d.person_id is None and d.kind == "警示提醒"


def test_a_signal_a_warning_rests_on_stays_on_every_door(app, client, api, ctx):
    petition = db.session.scalars(select(Signal).where(Signal.person_id == person_of("czj_gk_staff1").id,
                                                       Signal.source == "信访举报")).first()
    office = client("office")
    page = office.post("/signal/action_post", {"action": "muldelete", "rowid": [petition.id]},
                       csrf_from="/signal/list/", follow_redirects=True).get_data(as_text=True)
    assert "不能删除" in page
    page = office.post(f"/signal/delete/{petition.id}", csrf_from="/signal/list/",
                       follow_redirects=True).get_data(as_text=True)
    assert "不能删除" in page
    r = api("office").delete(f"/api/v1/signal/{petition.id}")
    assert r.status_code == 422 and "不能删除" in r.json["message"]["_"][0]
    assert fresh(Signal, petition.id) is not None
    # the CLI raises what the job raises, and nothing twice
    app.test_cli_runner().invoke(args=["watch", "raise"])
    before = count(RiskWarning)
    out = app.test_cli_runner().invoke(args=["watch", "raise"])
    assert out.exit_code == 0 and "新生成预警 0 条" in out.output and count(RiskWarning) == before
