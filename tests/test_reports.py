"""汇总表: every number equals a direct count; drill-down in scope; Excel layout;
and no list page's query count grows with its rows."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func

from app.enums import Owner, RiskLevel, RiskType
from app.extensions import db
from app.reports.summary import CELLS, Filters, by_owner_kind, rows, total
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, SupervisionMethod
from app.workflow.flows import FLOWS
from tests.helpers import new_person, section, unit

ROUND = 2040
# (owner kind, section, [(type, level)], measures per risk) — the known answers
KNOWN = [
    ("个人", "预算股", [("思想道德", "一级"), ("岗位职责", "二级"), ("岗位职责", "二级")], 3),
    ("个人", "预算股", [("思想道德", "三级")], 2),
    ("个人", "国库股", [("岗位职责", "一级")], 1),
    ("部门", "国库股", [("岗位职责", "三级"), ("制度机制", "一级")], 2),
    ("单位", None, [("制度机制", "二级")], 1),
]


@pytest.fixture()
def known(ctx):
    czj = unit("CZJ")
    if not db.session.query(RiskForm).filter_by(round=ROUND).count():
        for kind, section_name, risks, per_risk in KNOWN:
            owner = new_person("CZJ", section_name, name=f"汇总{kind}")
            sec = section("CZJ", section_name) if section_name else None
            form = RiskForm(owner_kind=kind, round=ROUND, unit=czj, section=sec, owner=owner,
                            person=owner if kind == "个人" else None, stage=FLOWS[Owner(kind)][0].key,
                            entered_stage_at=func.now(), revision=1)
            db.session.add(form)
            for risk_type, level in risks:
                risk = RiskPoint(form=form, unit_id=czj.id, section_id=sec.id if sec else None,
                                 owner_id=owner.id, owner_kind=kind, risk_type=risk_type,
                                 content="测试", level=level)
                db.session.add(risk)
                for _ in range(per_risk):
                    db.session.add(ControlMeasure(risk=risk, unit_id=czj.id, owner_id=owner.id,
                                                  stage="前期预防", content="措施"))
                db.session.add(SupervisionMethod(risk=risk, unit_id=czj.id, owner_id=owner.id, content="办法"))
        db.session.commit()
    return czj


def test_summary_9_by_section_has_the_known_answers(known):
    lines = {r.label: r for r in rows(Filters(ROUND, known.id), by="section")}
    ys, gk, unit_level = lines["预算股"], lines["国库股"], lines["单位本级（领导班子）"]
    assert ys.people == 2 and ys.risks == 4 and ys.measures == 3 * 3 + 2 and ys.methods == 4
    assert ys.cells[(RiskType.MORAL, RiskLevel.FIRST)] == 1 and ys.cells[(RiskType.DUTY, RiskLevel.SECOND)] == 2
    assert gk.people == 1 and gk.risks == 3 and gk.cells[(RiskType.INSTITUTIONAL, RiskLevel.FIRST)] == 1
    assert unit_level.risks == 1 and unit_level.people == 0
    t = total(list(lines.values()))
    assert t.risks == 8 == db.session.query(RiskPoint).join(RiskForm).filter(RiskForm.round == ROUND).count()
    assert t.measures == db.session.query(ControlMeasure).join(RiskPoint).join(RiskForm).filter(
        RiskForm.round == ROUND).count() == 9 + 2 + 1 + 4 + 1


def test_every_cell_equals_a_direct_count(known):
    for r in rows(Filters(ROUND), by="unit"):
        for (risk_type, level) in CELLS:
            direct = db.session.query(RiskPoint).join(RiskForm).filter(
                RiskForm.round == ROUND, RiskPoint.unit_id == r.key, RiskPoint.risk_type == risk_type.value,
                RiskPoint.level == level.value).count()
            assert r.cells.get((risk_type, level), 0) == direct


def test_summary_6_by_owner_kind(known):
    kinds = by_owner_kind(Filters(ROUND, known.id))
    assert kinds[Owner.PERSON].risks == 5 and kinds[Owner.SECTION].risks == 2 and kinds[Owner.UNIT].risks == 1
    assert kinds[Owner.PERSON].by_kind[RiskLevel.SECOND] == 2
    assert kinds[Owner.SECTION].measures == 4


def test_stage_filter(known):
    assert total(rows(Filters(ROUND, known.id, stage="approved"), "section")).risks == 0
    assert total(rows(Filters(ROUND, known.id, stage="draft"), "section")).risks == 8


def test_the_summary_counts_approved_registers_unless_asked_and_says_so(client, known):
    office = client("office")
    approved = office.get(f"/reports/summary?round={ROUND}&unit={known.id}").get_data(as_text=True)
    assert "审核状态为「审核确定」的登记表" in approved and 'value="approved" selected' in approved
    every = office.get(f"/reports/summary?round={ROUND}&unit={known.id}&stage=all").get_data(as_text=True)
    assert "全部登记表（含草稿及审核中的登记表）" in every and "stage=all" in every   # drill-downs keep it
    drafts = total(rows(Filters(ROUND, known.id), "section")).risks
    assert drafts == 8 and total(rows(Filters(ROUND, known.id, stage="approved"), "section")).risks == 0


def test_drill_down_stays_in_scope(client, known):
    c = client("jyj_admin")
    assert c.get(f"/reports/risks?round={ROUND}&unit={known.id}").status_code == 404
    page = c.get(f"/reports/risks?round={ROUND}&stage=all").get_data(as_text=True)
    assert "共 0 个" in page
    page = client("czj_ys_head").get(f"/reports/risks?round={ROUND}&type=岗位职责&stage=all").get_data(as_text=True)
    assert "共 2 个" in page  # his section's two, not 国库股's
    office = client("office").get(f"/reports/summary?round={ROUND}&unit={known.id}&stage=all").get_data(as_text=True)
    assert "/reports/risks?" in office


def test_summary_workbook_has_the_paper_headings(client, known):
    data = client("office").get(f"/reports/summary.xlsx?round={ROUND}&unit={known.id}").data
    book = load_workbook(io.BytesIO(data))
    sheet = book["汇总表（附件9）"]
    assert sheet["A1"].value == "示范县廉政风险识别、防控、监督汇总表（部门）"
    assert sheet["A3"].value == "填报单位（科室）" and "A3:A4" in sheet.merged_cells
    assert sheet["D3"].value == "1．思想道德风险点" and "D3:F3" in sheet.merged_cells
    assert [sheet.cell(4, c).value for c in range(4, 7)] == ["一级", "二级", "三级"]
    six = book["汇总表（附件6）"]
    assert six["C3"].value == "风险等级数" and "C3:E3" in six.merged_cells
    labels = [six.cell(r, 1).value for r in range(5, 9)]
    assert labels == ["单   位", "内设部门", "个人岗位", "总    数"]


def test_full_export_lists_every_risk_in_scope(client, known):
    data = client("czj_admin").get(f"/reports/export.xlsx?round={ROUND}").data
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.cell(1, 8).value == "具体内容及表现形式"
    assert sheet.max_row - 1 == 8
    data = client("jyj_admin").get(f"/reports/export.xlsx?round={ROUND}").data
    assert load_workbook(io.BytesIO(data)).active.max_row == 1


LISTS = [("/person/list/", "PersonView"), ("/power/list/", "PowerView"), ("/risk/list/", "RiskPointView"),
         ("/register/list/", "RiskFormView"), ("/section/list/", "SectionView"), ("/post/list/", "PostView"),
         ("/unit/list/", "UnitView"), ("/rule/list/", "RuleView")]


def queries_during(app, call) -> int:
    """How many SQL statements ``call`` makes the app issue."""
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *a, **k: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert call().status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


@pytest.mark.parametrize("url,view", LISTS)
def test_list_page_queries_do_not_grow_with_rows(client, app, url, view):
    c = client("office")
    counts = [queries_during(app, lambda: c.get(f"{url}?psize_{view}={size}")) for size in (10, 100)]
    assert counts[0] == counts[1], counts


def test_api_list_queries_do_not_grow_with_rows(api, app):
    a = api("office")
    counts = [queries_during(app, lambda: a.get(f"/api/v1/risk/?q=(page_size:{size})")) for size in (10, 100)]
    assert counts[0] == counts[1], counts


def test_dashboard_names_units_without_a_self_check_this_quarter(client, ctx):
    from datetime import date
    from app.assessment.models import SelfCheck
    from app.organisation.models import Unit
    today = date.today()
    quarter = (today.month - 1) // 3 + 1
    filed = {u for (u,) in db.session.query(SelfCheck.unit_id).filter(
        SelfCheck.year == today.year, SelfCheck.quarter == quarter, SelfCheck.section_id.is_(None),
        SelfCheck.filed_at.is_not(None))}
    page = client("office").get("/reports/dashboard").get_data(as_text=True)
    section = page.split("尚未报送自查报告的单位")[1].split("各单位进度")[0]
    for u in db.session.query(Unit).filter(Unit.county_id == unit("CZJ").county_id):
        assert (u.name in section) == (u.id not in filed), u.name
    mine = client("jyj_admin").get("/reports/dashboard").get_data(as_text=True)
    assert "示范县财政局" not in mine.split("尚未报送自查报告的单位")[1].split("各单位进度")[0]


def test_dashboard_shows_each_units_plan_deliverables(client, ctx):
    from datetime import date
    from app.plan.models import PlanDeliverable, PlanPhase, PlanSubmission
    czj = unit("CZJ")
    due = db.session.query(PlanDeliverable).join(PlanPhase).filter(
        PlanDeliverable.due_on <= date.today(), PlanPhase.county_id == czj.county_id).count()
    handed_in = db.session.query(PlanSubmission.deliverable_id).filter(
        PlanSubmission.unit_id == czj.id,
        PlanSubmission.deliverable_id.in_(db.session.query(PlanDeliverable.id).filter(
            PlanDeliverable.due_on <= date.today()))).distinct().count()
    page = client("czj_admin").get("/reports/dashboard").get_data(as_text=True)
    row = page.split("<td>示范县财政局</td>")[1].split("</tr>")[0]
    assert f"{handed_in} / {due}" in row
