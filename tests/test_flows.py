"""Flows each county configures (issue 15, part 3): the office edits its county's
review flows on a page and through the API, each save a new version; a flow that
breaks a rule is refused with a Chinese message at its field and nothing saved; a
form keeps the version it started under; each opinion and signature lands in its
own paper field with the right person's name; another county's office cannot
touch them.

The edits are made to 和溪县's flows (seed 002's) and undone after each test, so the
demo county's flows (seed 000's, which the other test files walk) stay as shipped."""
import copy
import io
import re
import uuid

import pytest
from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audit.trail import acting_as
from app.enums import Owner
from app.errors import Refused
from app.extensions import db
from app.organisation.models import County, Person
from app.risks.models import ReviewStep, RiskForm, RiskPoint
from app.security.models import Login
from app.workflow import configure, engine
from app.workflow.flows import VARIANTS
from app.workflow.models import ReviewFlow
from tests.conftest import DEMO_PASSWORD
from tests.helpers import form_of, new_login, person_of, section, unit

RISK = {"risk_type": "岗位职责", "content": "预算指标分配审核把关不严", "level": "二级"}
PAGE = "/flows/{county}/person"


def county(name) -> County:
    return db.session.scalar(select(County).where(County.name == name))


def versions(county_id, kind="个人") -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(ReviewFlow.id)).where(
        ReviewFlow.county_id == county_id, ReviewFlow.owner_kind == kind))


def latest(county_id, kind="个人") -> ReviewFlow:
    db.session.expire_all()
    return db.session.scalar(select(ReviewFlow).where(ReviewFlow.county_id == county_id, ReviewFlow.owner_kind == kind)
                             .order_by(ReviewFlow.number.desc()).limit(1))


def page_data(flow: dict, version: int) -> dict:
    """The edit form of /flows/<county>/<kind> as a browser sends it."""
    data = {"version": str(version), "rows": str(len(flow["stages"]) + 1), "papers": flow["papers"],
            "peers": flow["peers"], f"stage-{len(flow['stages'])}-key": ""}   # a blank row, as the page has
    for i, s in enumerate(flow["stages"]):
        data.update({f"stage-{i}-key": s["key"], f"stage-{i}-label": s.get("label", ""),
                     f"stage-{i}-actor": s.get("actor") or "", f"stage-{i}-fills": s.get("fills", []),
                     f"stage-{i}-order": str((i + 1) * 10)})
        if s.get("owner_may_return"):
            data[f"stage-{i}-return"] = "1"
    return data


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture()
def hexi(ctx):
    """和溪县, its person flow as shipped (seed 002's), put back after the test."""
    hx = county("和溪县")
    original = {kind: copy.deepcopy(latest(hx.id, kind).definition) for kind in ("个人", "部门", "单位")}
    yield hx
    db.session.rollback()
    with acting_as():
        for kind, definition in original.items():
            row = latest(hx.id, kind)
            if row.definition != definition:
                db.session.add(ReviewFlow(county_id=hx.id, owner_kind=kind, number=row.number + 1,
                                          definition=definition, created_at=row.created_at,
                                          created_by_name="测试复原"))
        db.session.commit()


@pytest.fixture()
def hexi_people(ctx):
    """Logins for 和溪县财政局's 分管领导 of 预算股 and its principal leader (the demo gives
    that county only an office, a unit admin, the 预算股 head and one member)."""
    ys = section("HX-CZJ", "预算股")
    found = {}
    for username, person, role in (("hx_fg", ys.supervisor, "分管领导"),
                                   ("hx_leader", db.session.scalar(select(Person).where(
                                       Person.unit_id == ys.unit_id, Person.is_leader.is_(True)).order_by(Person.id)),
                                    "单位领导")):
        login = db.session.scalar(select(Login).where(Login.username == username))
        if login is None:
            from seed.demo import create_login
            login = create_login(current_app.appbuilder.sm, username, person, role, DEMO_PASSWORD)
        found[username] = login.person.name
    found["head"] = person_of("czj2_ys_head").name
    return found


def shipped(variant="002", kind=Owner.PERSON) -> dict:
    return copy.deepcopy(VARIANTS[variant][kind].as_data())


# ── the shipped flows ──────────────────────────────────────────────────
@pytest.mark.parametrize("variant", ["000", "002"])
@pytest.mark.parametrize("kind", list(Owner))
def test_shipped_flows_keep_every_rule(variant, kind):
    flow, errors = configure.check(kind, shipped(variant, kind))
    assert errors == {}
    assert flow.as_data() == shipped(variant, kind)


def test_each_county_starts_with_its_seeds_flow(ctx):
    """示范县 reviews by seed 000's flows (附件3/4, its 附件5–8), 和溪县 by seed 002's."""
    for name, variant in (("示范县", "000"), ("和溪县", "002")):
        c = county(name)
        for kind in Owner:
            row = db.session.scalar(select(ReviewFlow).where(ReviewFlow.county_id == c.id,
                                                             ReviewFlow.owner_kind == kind.value,
                                                             ReviewFlow.number == 1))
            assert row.definition == shipped(variant, kind), (name, kind)
    assert db.session.scalar(select(func.count(RiskForm.id)).where(RiskForm.flow_id.is_(None))) == 0


# ── editing through the page and the API ───────────────────────────────
def test_office_edits_its_flow_on_the_page(client, hexi):
    office = client("office2")
    index = office.get("/flows/").get_data(as_text=True)
    assert "和溪县" in index and "示范县" not in index
    page = office.get(PAGE.format(county=hexi.id)).get_data(as_text=True)
    assert "修改流程" in page and "分管领导审核" in page
    before = latest(hexi.id)
    edited = shipped()
    edited["stages"].insert(4, {"key": "group_review", "label": "领导小组汇总审核", "actor": "领导小组办公室"})
    r = office.post(PAGE.format(county=hexi.id) + "/save", page_data(edited, before.number), follow_redirects=True)
    assert f"已保存为和溪县个人登记表审核流程第 {before.number + 1} 版" in r.get_data(as_text=True)
    row = latest(hexi.id)
    assert row.number == before.number + 1 and row.created_by_name == person_of("office2").name
    assert [s["key"] for s in row.definition["stages"]] == [
        "section_review", "supervisor_review", "office_review", "confirm", "group_review", "final_review"]
    # the same page again, built on the version it showed: refused, nothing saved
    r = office.post(PAGE.format(county=hexi.id) + "/save", page_data(shipped(), before.number), follow_redirects=True)
    assert "请刷新页面，在最新一版上修改" in r.get_data(as_text=True) and versions(hexi.id) == row.number
    # a save that changes nothing makes no version
    r = office.post(PAGE.format(county=hexi.id) + "/save", page_data(row.definition, row.number),
                    follow_redirects=True)
    assert "流程没有改动" in r.get_data(as_text=True) and versions(hexi.id) == row.number


def test_office_edits_its_flow_through_the_api(api, hexi):
    office = api("office2")
    listed = office.get("/api/v1/flow/?q=(page_size:100)").json
    assert {r["county_id"] for r in listed["result"]} == {hexi.id}
    before = latest(hexi.id)
    edited = shipped()
    edited["stages"][4]["label"] = "党组审定"
    r = office.post("/api/v1/flow/save", json={"county": hexi.id, "kind": "个人", "version": before.number, **edited})
    assert r.status_code == 200, r.json
    assert r.json["result"]["number"] == before.number + 1
    assert latest(hexi.id).definition["stages"][4]["label"] == "党组审定"
    r = office.post("/api/v1/flow/save", json={"county": hexi.id, "kind": "个人", "version": before.number, **edited})
    assert r.status_code == 409 and "最新一版" in r.json["message"]
    assert versions(hexi.id) == before.number + 1
    for body, field in (({"county": hexi.id, "kind": "科室"}, "kind"), ({"county": "和溪县", "kind": "个人"}, "county")):
        r = office.post("/api/v1/flow/save", json=body)
        assert r.status_code == 422 and field in r.json["message"]


# ── invalid flows ──────────────────────────────────────────────────────
def _without_signature(f):
    f["stages"] = [s for s in f["stages"] if s["key"] != "confirm"]
    return "stages", "流程中没有「确认签字」环节"


def _signature_last(f):
    f["stages"] = [s for s in f["stages"] if s["key"] != "confirm"] + [next(s for s in f["stages"] if s["key"] == "confirm")]
    return "stages.4", "本人确认签字之后须有最终审定环节"


def _leader_after_signature(f):
    section_review = f["stages"].pop(0)
    f["stages"].insert(3, section_review)   # 科室领导审核 after the owner has signed
    return "stages.3", "应排在本人确认签字之前"


def _field_nobody_fills(f):
    f["stages"][1]["fills"] = []
    return "fields", "「个人岗位廉政风险登记表」的「分管领导意见」没有环节填写"


def _reviewer_signs_for_owner(f):
    f["papers"].append("s000_a8_person_register")
    f["stages"][1]["fills"] = ["分管领导意见", "分管领导签字", "填表人签字"]
    return "stages.1", "「填表人签字」是本人的签字，只能由本人的确认签字环节填写：任何人不得代签"


def _wrong_person(f):
    f["stages"][0]["fills"], f["stages"][1]["fills"] = ["分管领导意见"], ["科室意见"]
    return "stages.0", "「分管领导意见」应由分管领导填写，不能由「科室领导审核」（科室领导）填写"


def _owner_reviews(f):
    f["stages"][2]["actor"] = "本人"
    return "stages.2", "本人不能审核自己的登记表"


INVALID = [_without_signature, _signature_last, _leader_after_signature, _field_nobody_fills,
           _reviewer_signs_for_owner, _wrong_person, _owner_reviews]


@pytest.mark.parametrize("breaks", INVALID, ids=lambda f: f.__name__.strip("_"))
def test_invalid_flow_refused_at_its_field_and_nothing_saved(client, api, hexi, breaks):
    flow = shipped()
    field, message = breaks(flow)
    before = versions(hexi.id)
    r = api("office2").post("/api/v1/flow/save", json={"county": hexi.id, "kind": "个人", "version": before, **flow})
    assert r.status_code == 422, r.json
    assert any(message in m for m in r.json["message"].get(field, [])), r.json["message"]
    page = client("office2").post(PAGE.format(county=hexi.id) + "/save", page_data(flow, before))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = re.findall(r'class="help-block field-error"[^>]*>([^<]*)<', html)
    assert any(message in m for m in shown), shown   # at the field, on the page
    assert "流程未保存" in text_of(html)
    assert versions(hexi.id) == before


def test_a_saved_version_never_changes(ctx, hexi):
    row = latest(hexi.id)
    row.definition = shipped("000")
    with pytest.raises(Refused):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Refused):
        db.session.delete(latest(hexi.id))
        db.session.flush()
    db.session.rollback()


# ── the right person in each field ─────────────────────────────────────
def _cell_after(sheet, label) -> str:
    for row in sheet.iter_rows():
        values = [c.value for c in row if c.value not in (None, "")]
        if values and values[0] == label:
            return str(values[1]) if len(values) > 1 else ""
    raise AssertionError(f"no {label} on {sheet.title}")


def _footer(sheet) -> str:
    return next(str(c.value) for row in sheet.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("填表人签字"))


def _walk(api, form_id, steps):
    for username, step, data in steps:
        expected = form_of(form_id).stage
        r = api(username).post(f"/api/v1/form/{form_id}/{step}", json={"expected": expected, **data})
        assert r.status_code == 200, (username, step, r.json)


def _form_with_a_risk(login, round_):
    form = engine.create_form(Owner.PERSON, round_, login)
    db.session.add(RiskPoint(form=form, unit_id=form.unit_id, section_id=form.section_id, owner_id=form.owner_id,
                             owner_kind="个人", **RISK))
    db.session.commit()
    return form.id


def _print_on_000_paper_too(client, hexi):
    """和溪县 also prints seed 000's 附件8: the page refuses it until its two signature
    lines are given to a stage, and saves it then."""
    office = client("office2")
    flow, base = shipped(), latest(hexi.id).number
    flow["papers"].append("s000_a8_person_register")
    html = office.post(PAGE.format(county=hexi.id) + "/save", page_data(flow, base)).get_data(as_text=True)
    assert "「分管领导签字」没有环节填写" in html and "「填表人签字」没有环节填写" in html
    assert versions(hexi.id) == base
    flow["stages"][1]["fills"].append("分管领导签字")
    flow["stages"][3]["fills"].append("填表人签字")
    office.post(PAGE.format(county=hexi.id) + "/save", page_data(flow, base))
    assert latest(hexi.id).number == base + 1


def test_a_members_form_in_hexi_passes_section_supervisor_and_leadership(client, api, hexi, hexi_people):
    _print_on_000_paper_too(client, hexi)
    name = f"hx_{uuid.uuid4().hex[:6]}"
    login = new_login(name, "HX-CZJ", "预算股", name="和溪预算员")
    fid = _form_with_a_risk(login, 2036)
    _walk(api, fid, [(name, "submit", {}), ("czj2_ys_head", "approve", {"opinion": "科室同意。"})])
    assert form_of(fid).stage == "supervisor_review"
    assert "和溪预算员" in client("hx_fg").get("/forms/todo").get_data(as_text=True)   # his to-do list
    _walk(api, fid, [("hx_fg", "approve", {"opinion": "分管领导同意。"}), ("office2", "approve", {}),
                     (name, "sign", {"password": DEMO_PASSWORD}), ("hx_leader", "approve", {"opinion": "党组同意。"})])
    assert form_of(fid).stage == "approved"
    book = load_workbook(io.BytesIO(client("office2").get(f"/forms/{fid}.xlsx").data))
    register = book["个人岗位登记表"]   # seed 002 附件5
    assert _cell_after(register, "科室意见").startswith(f"科室同意。（{hexi_people['head']}，")
    assert _cell_after(register, "分管领导意见").startswith(f"分管领导同意。（{hexi_people['hx_fg']}，")
    assert _cell_after(register, "党组（党委）意见").startswith(f"党组同意。（{hexi_people['hx_leader']}，")
    footer = _footer(book["个人登记表"])   # seed 000 附件8
    assert footer.startswith("填表人签字：和溪预算员（电子签名") and f"分管领导签字：{hexi_people['hx_fg']}（" in footer


def test_a_section_heads_own_form_in_hexi_goes_to_his_supervisor_then_the_leadership(client, api, hexi,
                                                                                      hexi_people):
    """The 股长's 科室 gives no opinion on him (he heads it): his 分管领导 reviews him once,
    at the 分管领导's stage, and his opinion lands in 分管领导意见, not in 科室意见."""
    _print_on_000_paper_too(client, hexi)
    head = db.session.scalar(select(Login).where(Login.username == "czj2_ys_head"))
    fid = _form_with_a_risk(head, 2037)
    _walk(api, fid, [("czj2_ys_head", "submit", {})])
    assert form_of(fid).stage == "supervisor_review"
    assert "本表不经此环节" in client("czj2_ys_head").get(f"/forms/{fid}").get_data(as_text=True)
    r = api("czj2_ys_head").post(f"/api/v1/form/{fid}/approve", json={"expected": "supervisor_review"})
    assert r.status_code == 409   # nobody reviews his own form
    _walk(api, fid, [("hx_fg", "approve", {"opinion": "分管领导同意。"}), ("office2", "approve", {}),
                     ("czj2_ys_head", "sign", {"password": DEMO_PASSWORD}),
                     ("hx_leader", "approve", {"opinion": "党组同意。"})])
    steps = db.session.execute(select(ReviewStep.stage, ReviewStep.actor_name)
                               .where(ReviewStep.form_id == fid).order_by(ReviewStep.id)).all()
    assert [s for s, _ in steps] == ["draft", "supervisor_review", "office_review", "confirm", "final_review"]
    assert steps[1][1] == hexi_people["hx_fg"]
    book = load_workbook(io.BytesIO(client("office2").get(f"/forms/{fid}.xlsx").data))
    register = book["个人岗位登记表"]
    assert hexi_people["hx_fg"] not in _cell_after(register, "科室意见")
    assert "本人为科室负责人" in _cell_after(register, "科室意见")
    assert _cell_after(register, "分管领导意见").startswith(f"分管领导同意。（{hexi_people['hx_fg']}，")
    assert _cell_after(register, "党组（党委）意见").startswith(f"党组同意。（{hexi_people['hx_leader']}，")
    footer = _footer(book["个人登记表"])
    assert footer.startswith(f"填表人签字：{hexi_people['head']}（电子签名")
    assert f"分管领导签字：{hexi_people['hx_fg']}（" in footer


def test_section_form_of_the_demo_county_is_signed_by_two_people(client, ctx):
    """000 附件6/7: 负责填表人 (the section head, his e-signature) and 第一责任人 (the
    unit's leadership, who approve it in the end) are two people."""
    form = db.session.scalar(select(RiskForm).join(RiskForm.section).where(
        RiskForm.owner_kind == "部门", RiskForm.stage == "approved", RiskForm.unit_id == unit("CZJ").id)
        .order_by(RiskForm.id))
    book = load_workbook(io.BytesIO(client("office").get(f"/forms/{form.id}.xlsx").data))
    for sheet, first in (("部门登记表", "负责填表人签字"), ("部门查找表", "填表人签字")):
        line = next(str(c.value) for row in book[sheet].iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith(first))
        owner, leader = form.owner.name, person_of("czj_leader").name
        assert line.startswith(f"{first}：{owner}（电子签名"), line
        assert f"第一责任人签字：{leader}（" in line and f"第一责任人签字：{owner}" not in line, line


# ── a form keeps its version ───────────────────────────────────────────
def test_a_form_started_under_the_old_flow_finishes_under_it(client, api, hexi, hexi_people):
    name = f"hx_{uuid.uuid4().hex[:6]}"
    login = new_login(name, "HX-CZJ", "预算股", name="和溪老流程")
    old_id = _form_with_a_risk(login, 2038)
    _walk(api, old_id, [(name, "submit", {})])
    old_version = form_of(old_id).flow_id
    # the office drops 分管领导审核 and its field from the flow
    edited = shipped()
    edited["stages"] = [s for s in edited["stages"] if s["key"] != "supervisor_review"]
    edited["stages"][0]["fills"] = ["科室意见"]
    edited["papers"] = ["s000_a5_person_finding"]
    edited["stages"][2]["fills"] = ["填表人签字"]
    edited["stages"][3]["fills"] = []
    r = api("office2").post("/api/v1/flow/save", json={"county": hexi.id, "kind": "个人",
                                                        "version": latest(hexi.id).number, **edited})
    assert r.status_code == 200, r.json
    # the form in progress goes on through 分管领导审核, as its version says
    _walk(api, old_id, [("czj2_ys_head", "approve", {}), ("hx_fg", "approve", {"opinion": "分管领导同意。"}),
                        ("office2", "approve", {}), (name, "sign", {"password": DEMO_PASSWORD}),
                        ("hx_leader", "approve", {})])
    old = form_of(old_id)
    assert old.stage == "approved" and old.flow_id == old_version
    book = load_workbook(io.BytesIO(client("office2").get(f"/forms/{old_id}.xlsx").data))
    assert book.sheetnames == ["个人岗位登记表"]
    assert _cell_after(book["个人岗位登记表"], "分管领导意见").startswith(f"分管领导同意。（{hexi_people['hx_fg']}，")
    # a form started now follows the new version: no 分管领导 stage, the new paper
    new_id = _form_with_a_risk(login, 2039)
    assert form_of(new_id).flow_id == r.json["result"]["id"]
    _walk(api, new_id, [(name, "submit", {}), ("czj2_ys_head", "approve", {})])
    assert form_of(new_id).stage == "office_review"
    assert "和溪县个人登记表审核流程（第" in client(name).get(f"/forms/{new_id}").get_data(as_text=True)
    book = load_workbook(io.BytesIO(client("office2").get(f"/forms/{new_id}.xlsx").data))
    assert book.sheetnames == ["个人查找表"]


# ── one county's office, one county's flows ───────────────────────────
def test_another_countys_office_cannot_edit_this_countys_flow(client, api, hexi):
    demo = county("示范县")
    before = versions(demo.id)
    flow = shipped("000")
    flow["stages"][0]["label"] = "外县改的"
    office2 = client("office2")
    assert office2.get(PAGE.format(county=demo.id)).status_code == 404
    assert office2.post(PAGE.format(county=demo.id) + "/save", page_data(flow, before)).status_code == 404
    r = api("office2").post("/api/v1/flow/save", json={"county": demo.id, "kind": "个人", "version": before, **flow})
    assert r.status_code == 404
    assert api("office2").get(f"/api/v1/flow/{latest(demo.id).id}").status_code == 404
    # the commission reads the flows, edits none; a unit's keeper does not see them
    jiwei = client("jiwei")
    page = jiwei.get(PAGE.format(county=demo.id))
    assert page.status_code == 200 and "修改流程" not in page.get_data(as_text=True)
    assert jiwei.post(PAGE.format(county=demo.id) + "/save", page_data(flow, before)).status_code in (302, 403)
    assert api("jiwei").post("/api/v1/flow/save", json={"county": demo.id, "kind": "个人", **flow}).status_code == 403
    assert client("czj_admin").get("/flows/").status_code in (302, 403)
    assert versions(demo.id) == before


def test_a_form_at_a_stage_its_flow_lacks_is_refused_every_step(client, api, ctx):
    """Written past the workflow (the database, an old import) at a stage its flow does not
    have, a form is moved by nobody — never on to 审核确定 — and says so in Chinese."""
    name = f"lost_{uuid.uuid4().hex[:6]}"
    login = new_login(name, "CZJ", "预算股", name="流程外")
    fid = _form_with_a_risk(login, 2037)
    _walk(api, fid, [(name, "submit", {})])
    with acting_as():
        db.session.execute(RiskForm.__table__.update().where(RiskForm.id == fid).values(stage="supervisor_review"))
        db.session.commit()
    assert "supervisor_review" not in {s.key for s in configure.flow_of(form_of(fid)).all}
    steps = db.session.query(ReviewStep).filter_by(form_id=fid).count()
    for username, why in (("czj_fg", "不在它的审核流程中"), ("office", "您不是「分管领导审核」环节的审核人"),
                          ("czj_leader", "您不是「分管领导审核」环节的审核人")):
        r = api(username).post(f"/api/v1/form/{fid}/approve", json={"expected": "supervisor_review", "opinion": "同意"})
        assert r.status_code == 409 and why in r.json["message"], (username, r.status_code, r.json)
        page = client(username).post(f"/forms/{fid}/act", {"op": "approve", "expected": "supervisor_review",
                                                          "opinion": "同意"}, follow_redirects=True)
        assert page.status_code == 200 and why in page.get_data(as_text=True), username
    with pytest.raises(Refused, match="不在它的审核流程中"):
        engine.next_stage(form_of(fid))
    assert form_of(fid).stage == "supervisor_review"
    assert db.session.query(ReviewStep).filter_by(form_id=fid).count() == steps
