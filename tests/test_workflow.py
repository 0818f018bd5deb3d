"""The review and sign-off flows, driven by the demo logins through the pages
and the API, with every refusal a user could run into."""
import io
import uuid

import pytest
from openpyxl import load_workbook

from app.enums import Owner
from app.errors import Refused
from app.extensions import db
from app.risks.models import FormRevision, ReviewStep, RiskForm, RiskPoint
from app.security.models import Login
from app.workflow import engine
from tests.conftest import DEMO_PASSWORD
from tests.helpers import form_of, new_login, person_of

RISK = {"risk_type": "岗位职责", "content": "对预算调整申请审核把关不严", "level": "二级"}


def history(form_id):
    return [(s.stage, s.action, s.actor_name) for s in
            db.session.query(ReviewStep).filter_by(form_id=form_id).order_by(ReviewStep.id)]


def new_form(client, username, kind="个人", round_=2031):
    c = client(username)
    c.post("/forms/new", {"kind": kind, "round": round_})
    login = db.session.query(Login).filter_by(username=username).one()
    form = db.session.query(RiskForm).filter_by(owner_id=login.person_id, round=round_,
                                                owner_kind=kind).one()
    return c, form.id


def act(c, form_id, op, **data):
    expected = data.pop("expected", None) or form_of(form_id).stage
    return c.post(f"/forms/{form_id}/act", {"op": op, "expected": expected, **data},
                  follow_redirects=True).get_data(as_text=True)


def test_individual_form_from_blank_to_published(client, ctx):
    new_login("ys_story", "CZJ", "预算股", name="预算股新人")
    owner, fid = new_form(client, "ys_story")
    # the owner writes his risks and measures through the ordinary pages
    owner.post(f"/risk/add?_flt_0_form={fid}", {"form": fid, **RISK}, csrf_from=f"/forms/{fid}")
    risk = db.session.query(RiskPoint).filter_by(form_id=fid).one()
    owner.post(f"/control/add?_flt_0_risk={risk.id}", {"risk": risk.id, "stage": "前期预防",
                                                       "content": "预算调整集体研究", "responsible": "股长"})
    owner.post(f"/forms/{fid}/pledge", {"pledge": "本人承诺廉洁履职。"})
    assert "已提交审核" in act(owner, fid, "submit")

    head, office = client("czj_ys_head"), client("office")
    assert "已退回本人修改" in act(head, fid, "return", opinion="请补充思想道德风险。")
    assert form_of(fid).stage == "draft"
    owner.post(f"/risk/add?_flt_0_form={fid}", {"form": fid, "risk_type": "思想道德",
                                                 "content": "放松学习，理想信念淡化", "level": "三级"})
    act(owner, fid, "submit")
    act(head, fid, "approve", opinion="同意。")
    act(office, fid, "approve", opinion="同意，请本人确认。")
    assert form_of(fid).stage == "confirm"

    page = owner.get(f"/forms/{fid}/sign").get_data(as_text=True)
    assert "预算调整集体研究" in page and "本人承诺廉洁履职" in page  # reads the whole form
    owner.post(f"/forms/{fid}/sign", {"password": DEMO_PASSWORD, "expected": "confirm"})
    form = form_of(fid)
    assert form.stage == "group_review" and form.is_signed
    revision = db.session.query(FormRevision).filter_by(form_id=fid).one()
    assert revision.content_hash == engine.content_hash(revision.content)
    assert revision.signer_name == "预算股新人" and len(revision.content["risks"]) == 2

    act(office, fid, "approve", opinion="汇总审核通过。")
    act(client("czj_leader"), fid, "approve", opinion="经局党组审核确定。")
    assert form_of(fid).stage == "approved"
    act(office, fid, "publish")
    assert form_of(fid).published
    assert "预算调整集体研究" in client().get("/public/CZJ").get_data(as_text=True)

    assert [h[:2] for h in history(fid)] == [
        ("draft", "提交"), ("section_review", "退回"), ("draft", "提交"), ("section_review", "通过"),
        ("office_review", "通过"), ("confirm", "签字"), ("group_review", "通过"),
        ("final_review", "通过"), ("approved", "公示")]
    book = load_workbook(io.BytesIO(owner.get(f"/forms/{fid}.xlsx").data))
    sheet = book["个人登记表"]   # 示范县 prints its own papers, seed 000's 附件8 and 附件5 (tests/test_flows.py: 和溪县's)
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    head = person_of("czj_ys_head").name
    footer = next(c for c in cells if c.startswith("填表人签字"))
    assert footer.startswith("填表人签字：预算股新人（电子签名") and f"分管领导签字：{head}（" in footer
    assert sheet.merged_cells.ranges


def test_section_form_through_every_stage_by_api(api, ctx):
    head = db.session.query(Login).filter_by(username="czj_ys_head").one()
    form = engine.create_form(Owner.SECTION, 2032, head)
    a = api("czj_ys_head")
    r = a.post("/api/v1/risk/", json={"form": form.id, "risk_type": "制度机制",
                                      "content": "科室内部审核与复核未分离", "level": "二级"})
    assert r.status_code == 201, r.json
    steps = [("czj_ys_head", "submit", {}), ("czj_fg", "approve", {"opinion": "同意"}),
             ("office", "return", {"opinion": "请补充岗位职责风险"}), ("czj_ys_head", "submit", {}),
             ("czj_fg", "approve", {}), ("office", "approve", {}),
             ("czj_ys_head", "sign", {"password": DEMO_PASSWORD}), ("czj_admin", "approve", {"opinion": "公示无异议"}),
             ("office", "approve", {"opinion": "无需修改"}), ("czj_leader", "approve", {})]
    for username, step, data in steps:
        expected = form_of(form.id).stage
        r = api(username).post(f"/api/v1/form/{form.id}/{step}", json={"expected": expected, **data})
        assert r.status_code == 200, (username, step, r.json)
    assert form_of(form.id).stage == "approved"
    assert [h[0] for h in history(form.id)] == [
        "draft", "supervisor_review", "group_review", "draft", "supervisor_review", "group_review",
        "confirm", "notice", "group_revise", "final_review"]


@pytest.fixture()
def at_office(client, ctx):
    """A fresh form waiting for the office (领导小组办公室审核)."""
    login = new_login(f"wait_{uuid.uuid4().hex[:8]}", "CZJ", "预算股")
    form = engine.create_form(Owner.PERSON, 2033, login)
    db.session.add(RiskPoint(form=form, unit_id=form.unit_id, section_id=form.section_id,
                             owner_id=form.owner_id, owner_kind="个人", **RISK))
    db.session.commit()
    engine.submit(form, login)
    engine.approve(form, db.session.query(Login).filter_by(username="czj_ys_head").one())
    return form.id, login.username


def test_reviewer_not_at_his_stage_is_refused(client, api, at_office):
    fid, _ = at_office
    before = history(fid)
    page = act(client("czj_ys_head"), fid, "approve", opinion="再次同意")
    assert "您不是「领导小组办公室审核」环节的审核人" in page
    r = api("czj_leader").post(f"/api/v1/form/{fid}/approve", json={"expected": "office_review"})
    assert r.status_code == 409 and "审核人" in r.json["message"]
    assert form_of(fid).stage == "office_review" and history(fid) == before


def test_second_click_on_approve_is_refused(client, api, at_office):
    fid, _ = at_office
    office = client("office")
    act(office, fid, "approve", expected="office_review")
    page = act(office, fid, "approve", expected="office_review")
    assert "已流转到「返回本人确认填表」环节，您的操作未执行" in page
    r = api("office").post(f"/api/v1/form/{fid}/approve", json={"expected": "office_review"})
    assert r.status_code == 409
    assert [h[1] for h in history(fid)].count("通过") == 2  # section head once, office once


def test_signing_refused_for_wrong_password_and_for_anybody_else(client, api, at_office):
    fid, owner = at_office
    act(client("office"), fid, "approve")
    page = client(owner).post(f"/forms/{fid}/sign", {"password": "Wrong#1234", "expected": "confirm"},
                              follow_redirects=True).get_data(as_text=True)
    assert "密码不正确" in page
    for other in ("czj_ys_head", "office", "admin"):
        r = api(other).post(f"/api/v1/form/{fid}/sign", json={"password": DEMO_PASSWORD, "expected": "confirm"})
        assert r.status_code in (404, 409), other
    page = client("czj_ys_head").post(f"/forms/{fid}/sign", {"password": DEMO_PASSWORD, "expected": "confirm"},
                                      follow_redirects=True).get_data(as_text=True)
    assert "任何人不得代签" in page
    assert form_of(fid).stage == "confirm" and db.session.query(FormRevision).filter_by(form_id=fid).count() == 0


def test_nobody_writes_another_persons_risks(client, api, ctx):
    login = new_login("own_writer", "CZJ", "预算股")
    form = engine.create_form(Owner.PERSON, 2034, login)
    for other in ("admin", "office", "czj_ys_head"):
        r = api(other).post("/api/v1/risk/", json={"form": form.id, **RISK})
        assert r.status_code in (403, 422), other
        page = client(other).post(f"/risk/add?_flt_0_form={form.id}", {"form": form.id, **RISK},
                                  follow_redirects=True).get_data(as_text=True)
        assert "不得代替撰写" in page, other
    assert db.session.query(RiskPoint).filter_by(form_id=form.id).count() == 0
    with pytest.raises(Refused, match="不得代替"):
        engine.create_form(Owner.PERSON, 2034, db.session.query(Login).filter_by(username="office").one(),
                           person=login.person)


def test_signed_revision_is_frozen_and_a_change_makes_a_new_one(client, api, at_office):
    fid, owner = at_office
    office = client("office")
    act(office, fid, "approve")
    client(owner).post(f"/forms/{fid}/sign", {"password": DEMO_PASSWORD, "expected": "confirm"})
    risk = db.session.query(RiskPoint).filter_by(form_id=fid).first()
    r = api(owner).put(f"/api/v1/risk/{risk.id}", json={"content": "签字后偷偷修改"})
    assert r.status_code == 422 and "已冻结" in str(r.json)
    page = client(owner).post(f"/risk/edit/{risk.id}", {**RISK, "form": fid, "content": "签字后偷偷修改"},
                              follow_redirects=True).get_data(as_text=True)
    assert "已冻结" in page
    db.session.expire_all()
    assert db.session.get(RiskPoint, risk.id).content == RISK["content"]

    act(office, fid, "return", opinion="请完善措施")
    r = api(owner).put(f"/api/v1/risk/{risk.id}", json={"content": "退回后修改的内容"})
    assert r.status_code == 200, r.json
    form = form_of(fid)
    assert form.revision == 2 and form.signed_revision == 1 and not form.is_signed
    first = db.session.query(FormRevision).filter_by(form_id=fid, number=1).one()
    assert first.content["risks"][0]["content"] == RISK["content"]
    page = client(owner).get(f"/forms/{fid}/revision/1").get_data(as_text=True)
    assert RISK["content"] in page and first.content_hash in page


def test_two_reviewers_at_once_one_wins(client, at_office, app):
    fid, _ = at_office
    office = db.session.query(Login).filter_by(username="office").one()
    stale = db.session.get(RiskForm, fid)  # this session read the form before the other acted
    assert stale.stage == "office_review"
    act(client("office"), fid, "approve", opinion="先到")
    with pytest.raises(Refused, match="刚刚已被他人处理"):
        engine.approve(stale, office, "后到", expected="office_review")
    assert [s.opinion for s in db.session.query(ReviewStep).filter_by(form_id=fid)].count("后到") == 0


def test_risk_type_must_suit_the_owner(api, ctx):
    head = db.session.query(Login).filter_by(username="czj_gk_head").one()
    form = engine.create_form(Owner.SECTION, 2035, head)
    r = api("czj_gk_head").post("/api/v1/risk/", json={"form": form.id, "risk_type": "思想道德",
                                                       "content": "x", "level": "一级"})
    assert r.status_code == 422 and "部门登记表只能填写岗位职责、制度机制风险" in str(r.json)


def test_forms_and_risks_stay_in_scope(client, api, ctx):
    theirs = db.session.query(RiskForm).join(Login, Login.person_id == RiskForm.owner_id).filter(
        Login.username == "czj_gk_staff1").first()
    risk = theirs.risks[0]
    for username in ("czj_ys_staff1", "czj_ys_head", "jyj_admin"):
        c = client(username)
        for url in (f"/forms/{theirs.id}", f"/forms/{theirs.id}.xlsx", f"/forms/{theirs.id}/sign",
                    f"/risk/show/{risk.id}"):
            assert c.get(url).status_code == 404, (username, url)
        a = api(username)
        assert a.get(f"/api/v1/form/{theirs.id}").status_code == 404
        assert a.get(f"/api/v1/risk/{risk.id}").status_code == 404
        assert a.get(f"/api/v1/control/{risk.measures[0].id}").status_code == 404
        listed = a.get("/api/v1/risk/?q=(page_size:500)").json["result"]
        assert risk.id not in {r["id"] for r in listed}
    assert client("czj_fg").get(f"/forms/{theirs.id}").status_code == 200  # he supervises 国库股


def test_todo_lists_what_waits_for_each_reviewer(client, ctx):
    page = client("czj_gk_head").get("/forms/todo").get_data(as_text=True)
    gk_staff1 = db.session.query(Login).filter_by(username="czj_gk_staff1").one().person.name
    assert gk_staff1 in page
    staff_page = client("czj_ys_staff2").get("/forms/todo").get_data(as_text=True)
    assert "自查拟写" in staff_page  # his own draft waits for him
    assert gk_staff1 not in staff_page


def test_unpublishing_is_logged_and_hides_the_form(client, ctx):
    form = db.session.query(RiskForm).filter_by(published=True, owner_kind="部门").first()
    content = form.risks[0].content
    assert content in client().get(f"/public/{form.unit.code}").get_data(as_text=True)
    act(client("office"), form.id, "unpublish")
    assert content not in client().get(f"/public/{form.unit.code}").get_data(as_text=True)
    assert client().get(f"/public/form/{form.id}").status_code == 404
    assert history(form.id)[-1][1] == "撤销公示"
    act(client("office"), form.id, "publish")
    assert client().get(f"/public/form/{form.id}").status_code == 200


def test_flowchart_marks_the_step_a_risk_sits_on(client, ctx):
    risk = db.session.query(RiskPoint).filter(RiskPoint.step_id.is_not(None)).first()
    svg = client("office").get(f"/power/{risk.power_id}/flowchart.svg").get_data(as_text=True)
    assert f'data-step="{risk.step_id}"' in svg and f"风险·{risk.level}" in svg
