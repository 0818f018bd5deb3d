"""职权目录: CRUD in and out of scope, the official tables, Excel out and in."""
import io
import xml.dom.minidom

from openpyxl import load_workbook
from sqlalchemy import func

from app.catalogue.models import FlowStep, FlowTransition, Power
from app.catalogue import tables
from app.enums import PowerCategory
from app.extensions import db
from tests.helpers import section, unit


def make_power(code, name, category="行政处罚", section_name=None, steps=()):
    u = unit(code)
    p = Power(unit=u, name=name, category=category, subject=u.name, basis="《测试条例》第一条",
              section=section(code, section_name) if section_name else None)
    db.session.add(p)
    previous = None
    for i, step_name in enumerate(steps, start=1):
        step = FlowStep(power=p, seq=i, name=step_name)
        db.session.add(step)
        if previous:
            db.session.add(FlowTransition(source=previous, target=step))
        previous = step
    db.session.commit()
    return p


def power_count(**filters):
    db.session.expire_all()
    return db.session.query(Power).filter_by(**filters).count()


def test_unit_admin_adds_and_edits_a_power(client, ctx):
    c = client("czj_admin")
    c.post("/power/add", {"unit": unit("CZJ").id, "name": "对违反会计法行为的处罚",
                          "category": "行政处罚", "basis": "《中华人民共和国会计法》第四十二条",
                          "disclosure_forms": ["单位网站", "公开栏"], "disclosure_scope": "向社会公开",
                          "disclosure_time": "长期公开", "fee": "", "section": section("CZJ", "会计股").id})
    power = db.session.query(Power).filter_by(name="对违反会计法行为的处罚").one()
    assert power.disclosure_forms == "单位网站、公开栏" and power.fee == "不收费"
    assert power.subject == "示范县财政局" and power.status == "草稿"
    c.post(f"/power/edit/{power.id}", {"unit": power.unit_id, "name": power.name, "category": "行政强制",
                                       "basis": power.basis, "disclosure_forms": ["办事指南"]})
    db.session.expire_all()
    assert db.session.get(Power, power.id).category == "行政强制"


def test_category_outside_the_list_refused(api, ctx):
    before = power_count()
    r = api("czj_admin").post("/api/v1/power/", json={
        "unit": unit("CZJ").id, "name": "类别错误的职权", "category": "行政审批", "basis": "x"})
    assert r.status_code == 422 and "不在规定的类别中" in str(r.json)
    assert power_count() == before


def test_another_units_power_is_refused_everywhere(client, api, ctx):
    other = make_power("JYJ", "外单位职权", steps=["申请", "受理", "决定", "送达"])
    c = client("czj_admin")
    for url in (f"/power/show/{other.id}", f"/power/edit/{other.id}", f"/power/{other.id}/flowchart.svg",
                f"/power/{other.id}/steps", f"/catalogue/{other.unit_id}/",
                f"/catalogue/{other.unit_id}/directory.xlsx", f"/catalogue/{other.unit_id}/all.xlsx"):
        assert c.get(url).status_code == 404, url
    c.post(f"/power/{other.id}/steps", {"op": "delete", "step": other.steps[0].id})
    c.post(f"/power/delete/{other.id}")
    assert api("czj_admin").get(f"/api/v1/power/{other.id}").status_code == 404
    assert api("czj_admin").delete(f"/api/v1/power/{other.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Power, other.id) is not None and len(db.session.get(Power, other.id).steps) == 4
    # and his own unit's export never lists it
    own = c.get(f"/catalogue/{unit('CZJ').id}/directory.xlsx").data
    assert "外单位职权" not in str([c.value for r in load_workbook(io.BytesIO(own)).active.iter_rows() for c in r])


def test_section_head_sees_only_his_sections_powers(client, ctx):
    make_power("CZJ", "预算股承办的职权", section_name="预算股")
    theirs = make_power("CZJ", "国库股承办的职权", section_name="国库股")
    page = client("czj_ys_head").get("/power/list/?_flt_2_name=承办的职权").get_data(as_text=True)
    assert "预算股承办的职权" in page and "国库股承办的职权" not in page
    assert client("czj_ys_head").get(f"/power/show/{theirs.id}").status_code == 404


def test_summary_totals_equal_a_direct_count(ctx):
    czj = unit("CZJ")
    grid = tables.summary_table(czj)
    shown = {}
    for cell in grid.cells:
        if cell.col == 1 and cell.kind == "label":
            category = cell.value
        if cell.col == 2 and cell.kind == "total":
            shown[category] = int(cell.value[1:-1])
    for category in PowerCategory.external():
        direct = db.session.query(func.count(Power.id)).filter(
            Power.unit_id == czj.id, Power.category == category.value, Power.status != "草稿").scalar()
        assert shown[category.value] == direct


def test_total_line_equals_a_direct_count(ctx):
    czj = unit("CZJ")
    make_power("CZJ", "内部管理测试职权", category="内部管理职权").status = "已确认"
    make_power("CZJ", "尚未确认的职权", category="内部管理职权")  # drafts are not listed
    db.session.commit()
    line = tables.directory(czj).cells[-1].value
    count = lambda **f: db.session.query(Power).filter(  # noqa: E731
        Power.status != "草稿").filter_by(unit_id=czj.id, **f).count()
    internal = count(category="内部管理职权")
    assert f"本单位共有各类职权{count()}项" in line
    assert f"其中对外行使职权{count() - internal}项" in line
    assert f"内部管理职权{internal}项" in line
    assert f"行政处罚{count(category='行政处罚')}项" in line


def test_exported_workbook_has_the_paper_layout(client, ctx):
    czj = unit("CZJ")
    data = client("czj_admin").get(f"/catalogue/{czj.id}/all.xlsx").data
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "总表" and "职权目录" in book.sheetnames
    summary = book["总表"]
    assert summary["A1"].value == "行政职权目录总表" and "A1:C1" in summary.merged_cells
    assert [summary.cell(3, c).value for c in (1, 2, 3)] == ["序号", "类别", "项目名称"]
    assert summary.cell(4, 2).value == "行政许可(含非许可行政审批)"
    directory = book["职权目录"]
    headings = [directory.cell(3, c).value for c in range(1, 11)]
    assert headings == tables.DIRECTORY_HEADINGS
    total_row = next(r for r in range(4, directory.max_row + 1) if directory.cell(r, 1).value == "合 计")
    assert f"B{total_row}:J{total_row}" in directory.merged_cells
    footer = [directory.cell(r, 1).value or "" for r in range(total_row + 1, directory.max_row + 1)]
    assert any("填表人：" in f and "填表时间：" in f for f in footer)
    assert directory.page_setup.paperSize == 9 and directory.page_setup.orientation == "landscape"
    assert directory.column_dimensions["B"].width > 18  # grown to its CJK text, within A4 (see test_papers)


def template_with(rows, client):
    """The app's own template, filled with ``rows`` under the heading."""
    data = client.get(f"/catalogue/{unit('CZJ').id}/template.xlsx").data
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for r in range(4, 11):  # clear the numbered blank rows
        for c in range(1, 11):
            sheet.cell(r, c).value = None
    for i, row in enumerate(rows):
        for c, value in enumerate(row, start=1):
            sheet.cell(4 + i, c).value = value
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


GOOD = [1, "导入测试职权甲", "行政处罚", "《财政违法行为处罚处分条例》第四条", "单位网站、公开栏",
        "向社会公开", "长期公开", "不收费", "预算股", ""]


def test_import_with_one_bad_row_writes_nothing_and_names_it(client, ctx):
    c = client("czj_admin")
    bad = list(GOOD)
    bad[1], bad[2], bad[8] = "导入测试职权乙", "行政审批类", "不存在的股"
    before = power_count()
    page = c.http.post(f"/catalogue/{unit('CZJ').id}/import", data={
        "csrf_token": c.csrf(f"/catalogue/{unit('CZJ').id}/import"),
        "file": (template_with([GOOD, bad], c.http), "目录.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "第 5 行「权力类别」" in page and "第 5 行「承办处室」" in page
    assert "未导入任何数据" in page
    assert power_count() == before


def test_import_and_reimport_do_not_duplicate(client, ctx):
    c = client("czj_admin")
    second = list(GOOD)
    second[1], second[2] = "导入测试职权丙", "内部管理职权"

    def upload():
        return c.http.post(f"/catalogue/{unit('CZJ').id}/import", data={
            "csrf_token": c.csrf(f"/catalogue/{unit('CZJ').id}/import"),
            "file": (template_with([GOOD, second], c.http), "目录.xlsx")},
            content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)

    assert "新增 2 项" in upload()
    assert "新增 0 项，更新 0 项，2 项与目录相同" in upload()
    assert power_count(name="导入测试职权甲") == 1
    assert db.session.query(Power).filter_by(name="导入测试职权甲").one().section.name == "预算股"


def test_flowchart_svg_is_valid_and_names_every_step(client, ctx):
    names = ["申请", "受理", "审查", "集体研究决定", "送达"]
    power = make_power("CZJ", "流程图测试职权", steps=names)
    svg = client("czj_ys_staff1").get(f"/power/{power.id}/flowchart.svg")
    assert svg.status_code in (302, 404)  # a staff member of another section does not see it
    r = client("czj_admin").get(f"/power/{power.id}/flowchart.svg")
    assert r.mimetype == "image/svg+xml"
    doc = xml.dom.minidom.parseString(r.data)
    texts = "".join(t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild)
    assert all(name in texts for name in names)
    assert b"http://" not in r.data.replace(b"http://www.w3.org/2000/svg", b"")


def test_clerk_edits_steps_and_the_chart_follows(client, ctx):
    power = make_power("CZJ", "编辑流程测试职权")
    c = client("office")
    url = f"/power/{power.id}/steps"
    c.post(url, {"op": "save", "name": "申请", "actor": "申请人"}, csrf_from=url)
    first = db.session.query(FlowStep).filter_by(power_id=power.id).one()
    c.post(url, {"op": "save", "name": "受理", "after": first.id}, csrf_from=url)
    accept = db.session.query(FlowStep).filter_by(power_id=power.id, name="受理").one()
    c.post(url, {"op": "save", "name": "不予受理", "after": accept.id, "label": "不符合条件"}, csrf_from=url)
    c.post(url, {"op": "save", "name": "审查", "after": accept.id, "label": "符合条件"}, csrf_from=url)
    svg = c.get(f"/power/{power.id}/flowchart.svg").get_data(as_text=True)
    assert "不符合条件" in svg and "符合条件" in svg
    db.session.expire_all()
    steps = db.session.query(FlowStep).filter_by(power_id=power.id).order_by(FlowStep.seq).all()
    assert [s.name for s in steps] == ["申请", "受理", "不予受理", "审查"]
    c.post(url, {"op": "down", "step": steps[2].id}, csrf_from=url)
    db.session.expire_all()
    assert [s.name for s in db.session.query(FlowStep).filter_by(power_id=power.id)
            .order_by(FlowStep.seq)] == ["申请", "受理", "审查", "不予受理"]
    c.post(url, {"op": "delete", "step": steps[2].id}, csrf_from=url)
    db.session.expire_all()
    assert "不予受理" not in c.get(f"/power/{power.id}/flowchart.svg").get_data(as_text=True)
    page = c.post(url, {"op": "save", "name": ""}, csrf_from=url, follow_redirects=True).get_data(as_text=True)
    assert "请填写环节名称" in page


def test_status_moves_forward_and_publishing_needs_a_flowchart(client, ctx):
    bare = make_power("CZJ", "无流程图的职权")
    drawn = make_power("CZJ", "有流程图的职权", steps=["申请", "受理", "决定", "送达"])
    c = client("czj_admin")
    c.post("/power/action_post", {"action": "confirm", "rowid": [bare.id, drawn.id]})
    page = c.post("/power/action_post", {"action": "publish", "rowid": [bare.id, drawn.id]},
                  follow_redirects=True).get_data(as_text=True)
    assert "所选职权均未修改" in page and "还没有流程图" in page   # all or nothing
    db.session.expire_all()
    assert {db.session.get(Power, p.id).status for p in (bare, drawn)} == {"已确认"}
    c.post("/power/action_post", {"action": "publish", "rowid": [drawn.id]})
    db.session.expire_all()
    assert db.session.get(Power, drawn.id).status == "已公开"


def test_cli_export(app, tmp_path):
    out = tmp_path / "czj.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "catalogue", "--unit", "CZJ", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[0] == "总表"


def test_import_accepts_the_short_category_names_of_the_form_notes(client, ctx):
    c = client("czj_admin")
    row = list(GOOD)
    row[1], row[2] = "简称类别的职权", "行政审批"
    page = c.http.post(f"/catalogue/{unit('CZJ').id}/import", data={
        "csrf_token": c.csrf(f"/catalogue/{unit('CZJ').id}/import"),
        "file": (template_with([row], c.http), "目录.xlsx")},
        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "新增 1 项" in page
    assert db.session.query(Power).filter_by(name="简称类别的职权").one().category == "行政许可(含非许可行政审批)"


def test_a_section_of_another_unit_is_refused_at_the_field(client, ctx):
    before = power_count()
    page = client("office").post("/power/add", {
        "unit": unit("JYJ").id, "name": "跨单位承办", "category": "行政处罚", "basis": "x",
        "section": section("CZJ", "预算股").id}).get_data(as_text=True)
    assert "不属于单位" in page and 'name="name"' in page  # the form is still there, filled
    assert "跨单位承办" in page and power_count() == before
