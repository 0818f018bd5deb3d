"""Imports of what units already keep in Excel (issue 15, part 4): the 职权目录 in
both seeds' layouts, the 花名册, and risk registers in the paper layouts.

Every workbook here is built by the test as a clerk would type it, from the
headings of the seed texts (``shared/seeds``), not from the code's constants.
Each import is tried through the page and the CLI; a file with any bad row is
refused in Chinese, naming the row and the column, and writes nothing.
"""
import io
import random

import pytest
import xlsxwriter
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audit.trail import acting_as
from app.catalogue.models import Power
from app.extensions import db
from app.organisation.models import County, Person, Post, Section, Unit
from app.risks.models import ControlMeasure, FormRevision, ReviewStep, RiskForm, RiskPoint
from tests.conftest import DEMO_PASSWORD, Client

# ── the seeds' own words ─────────────────────────────────────────────────
# seed 000 附件2 行政职权目录分表（____类）: its columns as printed (one heading on two lines).
S000_A2 = ["序号", "项目名称", "实施主体", "实施依据", "公开形式", "公开范围", "公开时间", "收费(征收)\n依据和标准",
           "承办机构", "备注"]
# seed 000 附件1: the eight categories, which the 分表's title carries.
S000_CATEGORIES = ["行政许可(含非许可行政审批)", "行政处罚", "行政征收", "行政强制", "行政给付", "行政裁决", "行政确认",
                   "其他权力"]
# seed 002 附件2 职权目录: headings broken over lines as in the seed's cells.
S002_A2 = ["序号", "权力\n名称", "权力\n类别", "实施\n依据", "公开\n形式", "公开\n范围", "公开\n时间", "收费依据\n和标准",
           "承办\n处室", "备注"]
# seed 002 附件2 填表说明 clause 2: the categories in its own words and order.
S002_CATEGORIES = ["行政审批", "行政处罚", "行政征收", "行政强制", "行政确认", "行政裁决", "行政给付", "其他行政权力",
                   "内部管理职权"]
UNIT_NAME, OTHER_NAME = "县导入测试局", "县导入邻局"
SECTIONS = ("综合股", "执法股", "审批股")


def id_number(rng: random.Random) -> str:
    """A valid 18-character 公民身份号码 (GB 11643 check character)."""
    body = f"450321{rng.randint(1960, 1999)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def fresh_ids(n: int) -> list[str]:
    rng, found = random.Random(), []
    while len(found) < n:
        number = id_number(rng)
        if number not in found and db.session.scalar(select(Person.id).where(Person.id_number == number)) is None:
            found.append(number)
    return found


def workbook(sheets: dict[str, list[list]], formulas=()) -> io.BytesIO:
    """A workbook as a clerk's: each sheet's rows from A1; ``formulas``: (sheet, row, col, formula)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        for where, r, c, formula in formulas:
            if where == name:
                sheet.write_formula(r, c, formula)
    book.close()
    out.seek(0)
    return out


@pytest.fixture(scope="module")
def place(app):
    """A unit of the demo county of its own (and a neighbour), its keeper's login and a section head's."""
    with app.app_context(), acting_as():
        county = db.session.scalar(select(County).join(Unit, Unit.county_id == County.id).where(Unit.code == "CZJ"))
        unit = Unit(county=county, name=UNIT_NAME, code="IMPT", kind="政府部门")
        other = Unit(county=county, name=OTHER_NAME, code="IMPO", kind="政府部门")
        db.session.add_all([unit, other])
        db.session.add_all([Section(unit=unit, name=n) for n in SECTIONS] + [Section(unit=other, name="邻局股")])
        ids = fresh_ids(2)
        keeper = Person(unit=unit, name="导入管理员", id_number=ids[0])
        outsider = Person(unit=other, name="邻局管理员", id_number=ids[1])
        db.session.add_all([keeper, outsider])
        db.session.commit()
        from flask import current_app
        from seed.demo import create_login
        sm = current_app.appbuilder.sm
        create_login(sm, "imp_admin", keeper, "单位管理员", DEMO_PASSWORD)
        create_login(sm, "impo_admin", outsider, "单位管理员", DEMO_PASSWORD)
        return {"unit": unit.id, "other": other.id}


def count(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def post_file(client: Client, url: str, data: io.BytesIO, **fields):
    return client.http.post(url, data={"csrf_token": client.csrf(url), "file": (data, "导入.xlsx"), **fields},
                            content_type="multipart/form-data")


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["import", *args])


# ── 职权目录 ─────────────────────────────────────────────────────────────
def s000_sheet(category, rows):
    return [[f"行政职权目录分表（{category}类）"], [f"单位：{UNIT_NAME}"], S000_A2] + rows


def s002_sheet(rows, unit=UNIT_NAME):
    return ([["职权目录"], [f"单位（盖章）：{unit}"], S002_A2] + rows
            + [["合 计", "经清理确认，本单位共有各类职权   项"], ["填表人：　　　填表时间：    年    月    日"]])


def powers(unit_id, prefix):
    db.session.expire_all()
    return {p.name: p for p in db.session.scalars(select(Power).where(Power.unit_id == unit_id,
                                                                       Power.name.like(prefix + "%")))}


def test_a_clerks_000_layout_catalogue_one_sheet_per_category(client, ctx, place):
    book = workbook({
        "处罚": s000_sheet("行政处罚", [
            [1, "甲000对违法行为的处罚", "县导入测试局", "《行政处罚法》第八条", "单位网站、公开栏", "向社会公开", "长期公开",
             "不收费", "执法股", ""],
            [2, "甲000对逾期不改的处罚", "", "《某条例》第十二条", "办事指南", "依申请公开", "随时公开", "", "县导入测试局执法股", ""]]),
        "审批": s000_sheet("行政许可(含非许可行政审批)", [
            [1, "甲000某项许可", "县导入测试局", "《行政许可法》第十二条", "政务服务大厅", "向社会公开", "长期公开",
             "按《某收费办法》收取", "审批股", "备注一"]]),
        "总表": [["行政职权目录总表"], ["序号", "类别", "项目名称"]],
    })
    c = client("imp_admin")
    page = post_file(c, f"/catalogue/{place['unit']}/import", book).get_data(as_text=True)
    assert "导入成功" in page and "新增 3 项" in page, page
    found = powers(place["unit"], "甲000")
    assert {p.category for p in found.values()} == {"行政处罚", "行政许可(含非许可行政审批)"}
    assert all(p.status == "草稿" for p in found.values())
    assert found["甲000对逾期不改的处罚"].section.name == "执法股"      # 承办机构 written after the unit's name
    assert found["甲000对逾期不改的处罚"].subject == UNIT_NAME and found["甲000对逾期不改的处罚"].fee == "不收费"
    assert found["甲000某项许可"].fee == "按《某收费办法》收取"
    # the page shows what was just imported, drafts included, each linked
    assert "本次导入的职权" in page and "草稿" in page
    for power in found.values():
        assert f"/power/show/{power.id}" in page
    assert "未导入的工作表" in page and "总表" in page


def test_a_clerks_002_layout_catalogue_with_its_own_words(client, ctx, place):
    rows = [[1, "乙002某项审批", "行政审批", "《某法》第三条", "单位网站", "向社会公开", "长期公开", "不收费", "审批股", ""],
            [2, "乙002内部管理", "内部管理职权", "《某办法》", "", "", "", "", "", ""],
            [3, "乙002其他", "其他行政权力", "《某规定》", "公开栏", "内部公开", "依申请公开", "不收费", "综合股", ""]]
    page = post_file(client("office"), f"/catalogue/{place['unit']}/import", workbook({"职权目录": s002_sheet(rows)}))
    text = page.get_data(as_text=True)
    assert "新增 3 项" in text and "本次导入的职权" in text
    found = powers(place["unit"], "乙002")
    assert found["乙002某项审批"].category == "行政许可(含非许可行政审批)"
    assert found["乙002其他"].category == "其他权力" and found["乙002内部管理"].category == "内部管理职权"
    for power in found.values():
        assert f"/power/show/{power.id}" in text


def test_a_clerks_columns_left_out_are_blank_but_the_required_ones_are_asked_for(client, ctx, place):
    c = client("imp_admin")
    short = [["行政职权目录分表（行政征收类）"], ["序号", "项目名称", "实施主体", "实施依据", "承办机构"],
             [1, "庚000少列的职权", "", "《某法》", "综合股"]]
    page = post_file(c, f"/catalogue/{place['unit']}/import", workbook({"征收": short})).get_data(as_text=True)
    assert "新增 1 项" in page, page[-2000:]
    assert powers(place["unit"], "庚000")["庚000少列的职权"].category == "行政征收"
    no_basis = [["职权目录"], ["序号", "权力名称", "权力类别", "备注"], [1, "庚002缺依据", "行政处罚", ""]]
    page = post_file(c, f"/catalogue/{place['unit']}/import", workbook({"目录": no_basis})).get_data(as_text=True)
    assert "工作表「目录」第 2 行「实施依据」：缺少此列。" in page and not powers(place["unit"], "庚002")


def validations(sheet) -> dict[str, list[str]]:
    """{top-left cell: the drop-down's choices} of an openpyxl sheet (lists in the hidden 选项 sheet resolved)."""
    found = {}
    for dv in sheet.data_validations.dataValidation:
        formula = dv.formula1 or ""
        if formula.startswith('"'):
            values = formula.strip('"').split(",")
        else:
            ref = formula.lstrip("=").split("!")
            source = sheet.parent[ref[0].strip("'")]
            values = [c.value for row in source[ref[1].replace("$", "")] for c in row]
        for rng in str(dv.sqref).split():
            found[rng.split(":")[0]] = values
    return found


def test_the_catalogue_templates_have_drop_downs_in_the_words_of_their_notes(client, ctx, place):
    c = client("imp_admin")
    book = load_workbook(io.BytesIO(c.get(f"/catalogue/{place['unit']}/template.xlsx").data))
    sheet = book["职权目录"]
    headings = [sheet.cell(3, col).value for col in range(1, 11)]
    lists = validations(sheet)
    column = {h: chr(ord("A") + i) for i, h in enumerate(headings)}
    assert lists[column["权力类别"] + "4"] == S002_CATEGORIES           # seed 002's words, its order
    notes = next(sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)
                 if str(sheet.cell(r, 1).value or "").startswith("填表说明"))
    assert "行政机关按" + "、".join(S002_CATEGORIES[:-1]) + "和内部管理职权进行填写" in notes
    assert lists[column["公开范围"] + "4"] == ["内部公开", "向社会公开", "依申请公开", "不公开"]
    assert lists[column["公开时间"] + "4"] == ["长期公开", "随时公开", "依申请公开"]
    assert set(SECTIONS) <= set(lists[column["承办处室"] + "4"]) and "邻局股" not in lists[column["承办处室"] + "4"]
    assert column["公开形式"] + "4" in lists
    # …and the refusal of a wrong word lists the same words
    bad = [[1, "丙002错类别", "行政审批类", "《某法》", "", "", "", "", "", ""]]
    page = post_file(c, f"/catalogue/{place['unit']}/import", workbook({"职权目录": s002_sheet(bad)})).get_data(as_text=True)
    assert f"第 4 行「权力类别」：「行政审批类」不是规定的类别，应为：{'、'.join(S002_CATEGORIES)}。" in page

    book = load_workbook(io.BytesIO(c.get(f"/catalogue/{place['unit']}/template.xlsx?layout=000").data))
    titles = [s["A1"].value for s in book.worksheets if s.sheet_state == "visible"]
    assert [f"行政职权目录分表（{w}类）" for w in S000_CATEGORIES] == titles[:8]
    first = book.worksheets[0]
    assert [first.cell(3, col).value for col in range(1, 11)] == S000_A2
    lists = validations(first)
    assert lists["F4"] == ["内部公开", "向社会公开", "依申请公开", "不公开"] and set(SECTIONS) <= set(lists["I4"])


def test_bad_catalogue_rows_are_named_in_chinese_and_nothing_is_written(client, ctx, place):
    c = client("imp_admin")
    url = f"/catalogue/{place['unit']}/import"
    before = count(Power, unit_id=place["unit"])
    good = [1, "丁000某项", "", "《某法》", "", "", "", "", "综合股", ""]
    cases = [
        (workbook({"x": s000_sheet("行政审查", [good])}),
         "工作表「x」第 1 行「标题」：「行政审查」不是规定的类别，应为：" + "、".join(S000_CATEGORIES)),
        (workbook({"x": s000_sheet("行政处罚", [good, [2, "丁000另一项", "", "《某法》", "", "", "", "", "督查股", ""]])}),
         "工作表「x」第 5 行「承办机构」：本单位没有「督查股」"),
        (workbook({"x": s000_sheet("行政处罚", [good, [2, "丁000邻局", "", "《某法》", "", "", "", "", "邻局股", ""]])}),
         "工作表「x」第 5 行「承办机构」：本单位没有「邻局股」"),
        (workbook({"x": s000_sheet("行政处罚", [good, [2, "丁000公式", "", None, "", "", "", "", "", ""]])},
                  formulas=[("x", 4, 3, "=HYPERLINK(\"http://evil.example\")")]),
         "工作表「x」第 5 行「实施依据」：内容以 = + - @ 开头或是公式"),
        (workbook({"目录": s002_sheet([[1, "丁002", "行政审批", "", "网站", "", "", "", "", ""]])}),
         "第 4 行「实施依据」：必须填写"),
    ]
    for book, message in cases:
        page = post_file(c, url, book).get_data(as_text=True)
        assert "未导入任何数据" in page and message in page, (message, page[-3000:])
    assert count(Power, unit_id=place["unit"]) == before


def test_a_confirmed_power_is_not_changed_by_an_import(client, ctx, place):
    c = client("imp_admin")
    rows = [[1, "戊002已确认", "行政处罚", "《旧法》", "", "", "", "", "", ""]]
    post_file(c, f"/catalogue/{place['unit']}/import", workbook({"职权目录": s002_sheet(rows)}))
    power = powers(place["unit"], "戊002")["戊002已确认"]
    power.status = "已确认"
    db.session.commit()
    rows[0][3] = "《新法》"
    page = post_file(c, f"/catalogue/{place['unit']}/import", workbook({"职权目录": s002_sheet(rows)})).get_data(as_text=True)
    assert "第 4 行「权力名称」：「戊002已确认」为「已确认」状态，不能通过导入修改" in page and "未导入任何数据" in page
    assert powers(place["unit"], "戊002")["戊002已确认"].basis == "《旧法》"


def test_catalogue_cli_imports_both_layouts_and_refuses_with_exit_code_1(app, ctx, place, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook({"处罚": s000_sheet("行政处罚", [[1, "己000命令行", "", "《某法》", "", "", "", "", "", ""]])})
                     .getvalue())
    result = cli(app, "catalogue", "--unit", "IMPT", str(good))
    assert result.exit_code == 0 and "新增 1 项" in result.output, result.output + result.stderr
    assert powers(place["unit"], "己000")["己000命令行"].category == "行政处罚"
    bad.write_bytes(workbook({"目录": s002_sheet([[1, "己002坏", "行政审批类", "《某法》", "", "", "", "", "", ""],
                                                [2, "己002好", "行政处罚", "《某法》", "", "", "", "", "", ""]])}).getvalue())
    before = count(Power, unit_id=place["unit"])
    result = cli(app, "catalogue", "--unit", "IMPT", str(bad))
    assert result.exit_code == 1 and "第 4 行「权力类别」" in result.stderr and "未导入任何数据" in result.stderr
    assert count(Power, unit_id=place["unit"]) == before
    for args, message in ((["--unit", "NOPE", str(good)], "没有代码为 NOPE 的单位"),
                          ([str(good)], "请用 --unit 指定单位代码"),
                          (["--unit", "IMPT", str(tmp_path / "none.xlsx")], "找不到文件")):
        result = cli(app, "catalogue", *args)
        assert result.exit_code == 1 and message in result.stderr


# ── 花名册 ───────────────────────────────────────────────────────────────
ROSTER = ["序号", "姓名", "性别", "身份证号", "科室", "岗位", "职务", "任职时间", "班子成员", "分管科室"]


def roster(rows):
    return {"花名册": [[f"{UNIT_NAME}工作人员花名册"], ROSTER] + rows}


def test_a_roster_is_imported_into_the_units_organisation(client, ctx, place):
    ids = fresh_ids(3)
    rows = [[1, "花局长", "男", ids[0], "综合股", "局长", "局长", "2019-03-01", "是", "综合股、执法股"],
            [2, "花股长", "女", ids[1], "执法股", "执法股股长", "股长", "2020年5月", "否", ""],
            [3, "花科员", "男", ids[2].lower() if ids[2].endswith("X") else ids[2], "执法股", "执法员", "科员", "", "否", ""]]
    c = client("imp_admin")
    page = post_file(c, f"/imports/{place['unit']}/people", workbook(roster(rows))).get_data(as_text=True)
    assert "导入成功：新增 3 人" in page and "本次导入的人员" in page, page[-2000:]
    db.session.expire_all()
    people = {p.name: p for p in db.session.scalars(select(Person).where(Person.unit_id == place["unit"],
                                                                          Person.name.like("花%")))}
    assert set(people) == {"花局长", "花股长", "花科员"}
    chief = people["花局长"]
    assert chief.is_leader and chief.title == "局长" and str(chief.appointed_on) == "2019-03-01"
    assert people["花股长"].appointed_on.isoformat() == "2020-05-01" and people["花股长"].gender == "女"
    assert people["花科员"].post.name == "执法员" and people["花科员"].post.section.name == "执法股"
    assert {s.name for s in chief.supervised_sections} == {"综合股", "执法股"}
    for person in people.values():
        assert f"/person/show/{person.id}" in page
    # the same file again: updated, not duplicated
    page = post_file(c, f"/imports/{place['unit']}/people", workbook(roster(rows))).get_data(as_text=True)
    assert "新增 0 人，更新 3 人" in page
    assert count(Person, unit_id=place["unit"]) == 4  # the keeper and the three


def test_bad_roster_rows_are_named_and_nothing_is_written(client, ctx, place):
    ids = fresh_ids(5)
    c = client("imp_admin")
    url = f"/imports/{place['unit']}/people"
    before = count(Person), count(Post)
    cases = [
        ([[1, "错一", "男", ids[0], "督查股", "", "", "", "", ""]], "第 3 行「科室」：本单位没有科室「督查股」"),
        ([[1, "错二", "男", ids[1][:-1] + ("0" if ids[1][-1] != "0" else "1"), "综合股", "", "", "", "", ""]],
         "第 3 行「身份证号」：身份证号校验位不正确"),
        ([[1, "错三", "男", "12345", "综合股", "", "", "", "", ""]], "第 3 行「身份证号」：身份证号应为 18 位"),
        ([[1, "错四", "男", ids[2], "邻局股", "", "", "", "", ""]], "第 3 行「科室」：本单位没有科室「邻局股」"),
        ([[1, "错五", "男", ids[3], "综合股", "", "", "", "", "邻局股"]], "第 3 行「分管科室」：本单位没有科室「邻局股」"),
        ([[1, "错六", "男", ids[4], "综合股", "新岗位", "", "上个月", "也许", ""]], "第 3 行「任职时间」：「上个月」不是日期"),
        ([[1, "错六", "男", ids[4], "综合股", "新岗位", "", "", "也许", ""]], "第 3 行「班子成员」：「也许」应为「是」或「否」"),
    ]
    for rows, message in cases:
        good = [2, "对的人", "男", ids[4] if "错六" not in rows[0] else fresh_ids(1)[0], "综合股", "新岗位", "", "", "否", ""]
        page = post_file(c, url, workbook(roster(rows + [good]))).get_data(as_text=True)
        assert "未导入任何数据" in page and message in page, (message, page[-2000:])
    # another unit's person (by ID number) and a formula cell
    outsider = db.session.scalar(select(Person).where(Person.name == "邻局管理员"))
    page = post_file(c, url, workbook(roster([[1, "冒名", "男", outsider.id_number, "综合股", "", "", "", "", ""]])))
    assert "第 3 行「身份证号」：该身份证号已登记在其他单位" in page.get_data(as_text=True)
    page = post_file(c, url, workbook(roster([[1, "公式", "男", ids[0], "综合股", None, "", "", "", ""]]),
                                      formulas=[("花名册", 2, 5, "=1+1")])).get_data(as_text=True)
    assert "第 3 行「岗位」：内容以 = + - @ 开头或是公式" in page and "未导入任何数据" in page
    assert (count(Person), count(Post)) == before


def test_only_the_units_keepers_import_its_roster(client, ctx, place):
    url = f"/imports/{place['unit']}/people"
    data = workbook(roster([[1, "越权", "男", fresh_ids(1)[0], "综合股", "", "", "", "", ""]])).getvalue()
    before = count(Person)
    assert post_file(client("impo_admin"), url, io.BytesIO(data)).status_code == 404   # another unit's keeper
    r = post_file(client("czj_ys_head"), url, io.BytesIO(data))                        # a section head: no grant
    assert r.status_code in (302, 403) and count(Person) == before
    assert client("czj_admin").get(f"/imports/{place['unit']}/people/template.xlsx").status_code == 404
    assert client("office").get(f"/imports/{place['unit']}/people").status_code == 200   # the county's office
    assert count(Person) == before


def test_the_roster_template_has_drop_downs(client, ctx, place):
    book = load_workbook(io.BytesIO(client("imp_admin").get(f"/imports/{place['unit']}/people/template.xlsx").data))
    sheet = book.worksheets[0]
    headings = {sheet.cell(3, col).value: chr(ord("A") + col - 1) for col in range(1, 12)}
    lists = validations(sheet)
    assert lists[headings["性别"] + "4"] == ["男", "女"] and lists[headings["班子成员"] + "4"] == ["是", "否"]
    assert set(SECTIONS) <= set(lists[headings["科室"] + "4"]) and "邻局股" not in lists[headings["科室"] + "4"]
    assert set(SECTIONS) <= set(lists[headings["分管科室"] + "4"])
    assert sheet[headings["身份证号"] + "4"].number_format == "@"   # 18 digits typed stay text


def test_roster_cli(app, ctx, place, tmp_path):
    ids = fresh_ids(2)
    good, bad = tmp_path / "roster.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(roster([[1, "命令行人员", "男", ids[0], "审批股", "审批员", "科员", "2021.07", "否", ""]]))
                     .getvalue())
    result = cli(app, "people", "--unit", "IMPT", str(good))
    assert result.exit_code == 0 and "新增 1 人" in result.output, result.output + result.stderr
    bad.write_bytes(workbook(roster([[1, "命令行坏", "男", ids[1], "邻局股", "", "", "", "", ""]])).getvalue())
    before = count(Person)
    result = cli(app, "people", "--unit", "IMPT", str(bad))
    assert result.exit_code == 1 and "第 3 行「科室」：本单位没有科室「邻局股」" in result.stderr
    assert count(Person) == before


# ── 登记表 ───────────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def staff(app, place):
    """People of the test unit with posts, a section head with a login, a leader."""
    with app.app_context(), acting_as():
        unit = db.session.get(Unit, place["unit"])
        sections = {s.name: s for s in db.session.scalars(select(Section).where(Section.unit_id == unit.id))}
        ids = fresh_ids(5)
        post = Post(unit=unit, section=sections["执法股"], name="登记执法岗")
        twin_post = Post(unit=unit, section=sections["执法股"], name="登记双人岗")
        made = {
            "owner": Person(unit=unit, section=sections["执法股"], post=post, name="登记本人", id_number=ids[0]),
            "head": Person(unit=unit, section=sections["审批股"], name="审批股长", id_number=ids[1]),
            "leader": Person(unit=unit, section=sections["综合股"], name="登记局长", id_number=ids[2], is_leader=True),
            "twin1": Person(unit=unit, section=sections["执法股"], post=twin_post, name="双甲", id_number=ids[3]),
            "twin2": Person(unit=unit, section=sections["执法股"], post=twin_post, name="双乙", id_number=ids[4]),
        }
        db.session.add_all([post, twin_post, *made.values()])
        db.session.flush()
        sections["审批股"].head = made["head"]
        db.session.commit()
        from flask import current_app
        from seed.demo import create_login
        create_login(current_app.appbuilder.sm, "imp_owner", made["owner"], "工作人员", DEMO_PASSWORD)
        return {k: p.id for k, p in made.items()}


def s000_a8(name, post, risks, pledge="严守纪律，接受监督。"):
    """seed 000 附件8 as printed: 姓名/单位/岗位名称, 职务/任职时间, 岗位职责, the risks by type, the pledge."""
    rows = [["龙胜县个人廉政风险识别、防控、监督登记表"],
            ["姓名", name, "单位", UNIT_NAME, "岗位名称", post],
            ["职务", "科员", "任职时间", "2020年1月"],
            ["岗位职责", "执法检查"],
            ["风险类别", "潜在风险点及表现", None, "防控措施"]]
    rows += risks
    rows += [["个人防范风险公开承诺", pledge], ["填表人签字：分管领导签字：填表日期：年月日"]]
    return rows


def s002_a4(section, risks, unit=UNIT_NAME):
    """seed 002 附件4 内设部门廉政风险登记表 as printed."""
    rows = [["内设部门廉政风险登记表"], ["单    位", unit, None, "内设部门", section], ["部门职责", "审批事项"],
            ["廉\n政\n风\n险\n及\n防\n控\n措\n施", "序号", "廉政风险点主要\n内容及表现形式", "风险\n等级", "防控措施", "责任人"]]
    rows += [[None, i, *r] for i, r in enumerate(risks, 1)]
    rows += [["分管领导\n意    见", ""], ["党组（党\n委）意见", ""]]
    return rows


def s002_a5(post, risks):
    rows = [["个人岗位廉政风险登记表"], ["单 位", UNIT_NAME, None, "岗 位", post], ["主 要\n职 责", "执法"],
            ["廉\n政\n风\n险", "序号", "廉政风险点主要内容及表现形式", "风险\n等级", "防控措施", "责任人"]]
    rows += [[None, i, *r] for i, r in enumerate(risks, 1)]
    rows += [["个人廉政\n承    诺", "廉洁从政"], ["科室意见", "同意"], ["分管领导\n意    见", ""], ["党组（党\n委）意见", ""]]
    return rows


def s002_a3(risks):
    rows = [["单位廉政风险登记表"], ["单    位", UNIT_NAME], ["主要职责", "全局工作"],
            ["廉政风险及防控措施", "序号", "廉政风险点主要内容及表现形式", "风险等级", "防控措施", "责任人"]]
    return rows + [[None, i, *r] for i, r in enumerate(risks, 1)] + [["党组（党\n委）意见", ""]]


def s000_a7(section, head, risks):
    rows = [["龙胜县部门廉政风险识别、防控、监督登记表"], ["部门", section, "责任人姓名", head, "职务", "股长"],
            ["任职时间", "2018年", "部门工作职责", "审批"], ["风险类别", "潜在风险点", None, "防控措施"]]
    return rows + risks + [["改正意见", ""], ["负责填表人签字：第一责任人签字：填表日期：年月日"]]


def forms_of(unit_id):
    db.session.expire_all()
    return list(db.session.scalars(select(RiskForm).where(RiskForm.unit_id == unit_id).order_by(RiskForm.id)))


def test_registers_in_the_paper_layouts_become_drafts_the_owner_must_still_sign(client, ctx, place, staff):
    book = workbook({
        "本人": s000_a8("登记本人", "登记执法岗", [
            ["思想道德风险", "收受管理对象礼品（二级）", None, "前期预防：廉政教育；签订承诺书\n中期监控：定期谈话\n监督办法：群众评议"],
            [None, "工作日饮酒（三级）", None, "1、学习规定；2、开展警示教育"],
            ["岗位职责风险", "执法检查中降低标准（一级）", None, "后期处置：责任追究"]]),
        "审批股": s002_a4("审批股", [["审批中吃拿卡要", "二级", "前期预防：一次性告知\n中期监控：电子监察", "审批股长"]]),
        "双乙": s002_a5("登记双人岗", [["选择性执法", "二级", "执法记录仪全程记录", "双乙"]]),
        "本局": s002_a3([["重大事项不经集体决策", "一级", "前期预防：三重一大集体决策", "登记局长"]]),
    })
    before = {f.id for f in forms_of(place["unit"])}
    page = post_file(client("imp_admin"), f"/imports/{place['unit']}/registers", book).get_data(as_text=True)
    assert "导入成功" in page and "新建草稿 4 张" in page and "本次导入的登记表" in page, page[-3000:]
    assert "未注明防线的防控措施记为「前期预防」" in page and "科室意见由审核人在系统中填写" in page
    made = [f for f in forms_of(place["unit"]) if f.id not in before]
    assert len(made) == 4
    by_owner = {f.owner_id: f for f in made}
    leader = db.session.scalar(select(Person.id).where(Person.unit_id == place["unit"], Person.is_leader)
                               .order_by(Person.id).limit(1))   # the unit's principal leader owns its register
    assert set(by_owner) == {staff["owner"], staff["head"], staff["twin2"], leader}
    for form in made:
        assert f"/forms/{form.id}" in page
        assert form.stage == "draft" and form.signed_revision is None and not form.is_signed
        assert count(FormRevision, form_id=form.id) == 0 and count(ReviewStep, form_id=form.id) == 0
    mine = by_owner[staff["owner"]]
    assert mine.owner_kind == "个人" and mine.pledge == "严守纪律，接受监督。"
    risks = {r.content: r for r in mine.risks}
    assert risks["收受管理对象礼品"].level == "二级" and risks["收受管理对象礼品"].risk_type == "思想道德"
    assert risks["执法检查中降低标准"].risk_type == "岗位职责" and risks["工作日饮酒"].risk_type == "思想道德"
    assert [(m.stage, m.content) for m in risks["收受管理对象礼品"].measures] == [
        ("前期预防", "廉政教育"), ("前期预防", "签订承诺书"), ("中期监控", "定期谈话")]
    assert [m.content for m in risks["收受管理对象礼品"].methods] == ["群众评议"]
    assert [m.content for m in risks["工作日饮酒"].measures] == ["学习规定", "开展警示教育"]
    section_form = by_owner[staff["head"]]
    assert section_form.owner_kind == "部门" and section_form.section.name == "审批股"
    assert section_form.risks[0].measures[1].responsible == "审批股长"
    assert by_owner[leader].owner_kind == "单位" and by_owner[leader].risks[0].risk_type == "制度机制"
    assert by_owner[staff["twin2"]].pledge == "廉洁从政"

    # the keeper who imported cannot submit or sign it; the owner submits his own
    from app.errors import Refused
    from app.security.models import Login
    from app.workflow import engine
    keeper = db.session.scalar(select(Login).where(Login.username == "imp_admin"))
    owner = db.session.scalar(select(Login).where(Login.username == "imp_owner"))
    with pytest.raises(Refused):
        engine.submit(mine, keeper)
    with pytest.raises(Refused):
        engine.sign(mine, keeper, DEMO_PASSWORD)
    db.session.rollback()
    engine.submit(db.session.get(RiskForm, mine.id), owner)
    assert db.session.get(RiskForm, mine.id).stage != "draft"

    # now frozen: the whole file is refused, naming the sheet, and nothing is written
    risks_before, forms_before = count(RiskPoint), count(RiskForm)
    again = workbook({
        "审批股": s002_a4("审批股", [["新增的风险", "三级", "前期预防：提醒", ""]]),
        "本人": s000_a8("登记本人", "登记执法岗", [["思想道德风险", "又一条风险（三级）", None, "前期预防：提醒"]]),
    })
    page = post_file(client("imp_admin"), f"/imports/{place['unit']}/registers", again).get_data(as_text=True)
    assert "未导入任何数据" in page and "工作表「本人」" in page and "已冻结，不能导入" in page, page[-2000:]
    assert (count(RiskPoint), count(RiskForm)) == (risks_before, forms_before)

    # a draft already there is added to, not duplicated
    again = workbook({"审批股": s002_a4("审批股", [["审批中吃拿卡要", "一级", "前期预防：一次性告知", ""],
                                                  ["新增的风险", "三级", "前期预防：提醒", ""]])})
    page = post_file(client("imp_admin"), f"/imports/{place['unit']}/registers", again).get_data(as_text=True)
    assert "补充草稿 1 张" in page
    db.session.expire_all()
    form = db.session.get(RiskForm, section_form.id)
    assert {(r.content, r.level) for r in form.risks} == {("审批中吃拿卡要", "一级"), ("新增的风险", "三级")}
    assert form.stage == "draft" and count(FormRevision, form_id=form.id) == 0


def test_bad_register_rows_are_named_and_nothing_is_written(client, ctx, place, staff):
    c = client("imp_admin")
    url = f"/imports/{place['unit']}/registers"
    good = s002_a5("登记执法岗", [["正常的风险", "二级", "前期预防：教育", ""]])
    cases = [
        ({"a": s000_a8("登记本人", "登记执法岗", [["制度机制风险", "错类别（二级）", None, "前期预防：x"]])},
         "工作表「a」第 6 行「风险类别」：「制度机制风险」应为：思想道德风险、岗位职责风险。"),
        ({"a": s000_a8("登记本人", "登记执法岗", [["思想道德风险", "没有等级", None, "前期预防：x"]])},
         "工作表「a」第 6 行「潜在风险点及表现」：未写明风险等级"),
        ({"a": s002_a4("审批股", [["风险", "四级", "", ""]])}, "工作表「a」第 5 行「风险等级」：风险等级「四级」应为：一级、二级、三级。"),
        ({"a": s002_a4("邻局股", [["风险", "二级", "", ""]])}, "工作表「a」第 2 行「内设部门」：本单位没有科室「邻局股」"),
        ({"a": s002_a4("邻局股", [["风险", "二级", "", ""]], unit=OTHER_NAME)},
         f"工作表「a」第 2 行「单位」：「{OTHER_NAME}」不是本单位"),
        ({"a": s000_a8("查无此人", "", [["思想道德风险", "风险（二级）", None, ""]])}, "本单位没有名为「查无此人」的工作人员"),
        ({"a": s002_a5("登记双人岗", [["风险", "二级", "", ""]])}, "本单位有 2 人在岗位「登记双人岗」"),
        ({"a": s000_a7("综合股", "某人", [["岗位职责风险", "风险（二级）", None, ""]])}, "科室「综合股」还没有责任人"),
        ({"a": s000_a7("审批股", "别人", [["岗位职责风险", "风险（二级）", None, ""]])},
         "第 2 行「责任人姓名」：科室「审批股」的责任人是「审批股长」，不是「别人」"),
    ]
    before = count(RiskForm), count(RiskPoint), count(ControlMeasure)
    for sheets, message in cases:
        page = post_file(c, url, workbook({**sheets, "好的": good})).get_data(as_text=True)
        assert "未导入任何数据" in page and message in page, (message, page[-2000:])
    page = post_file(c, url, workbook({"好的": good}, formulas=[("好的", 4, 2, "=SUM(1,2)")])).get_data(as_text=True)
    assert "工作表「好的」第 5 行" in page and "当作公式执行" in page
    assert (count(RiskForm), count(RiskPoint), count(ControlMeasure)) == before


def test_register_templates_have_drop_downs(client, ctx, place, staff):
    c = client("imp_admin")
    for layout, level_col in (("000-8", "C"), ("000-7", "C"), ("002-5", "D"), ("002-4", "D"), ("002-3", "D")):
        r = c.get(f"/imports/{place['unit']}/registers/{layout}.xlsx")
        assert r.status_code == 200, layout
        sheet = load_workbook(io.BytesIO(r.data)).worksheets[0]
        lists = validations(sheet)
        assert ["一级", "二级", "三级"] in lists.values(), layout
        if layout.startswith("000"):
            assert any(v and v[0].endswith("风险") for v in lists.values()), layout
    assert c.get(f"/imports/{place['unit']}/registers/999.xlsx").status_code == 404


def test_register_cli_and_another_units_keeper(app, client, ctx, place, staff, tmp_path):
    good = tmp_path / "reg.xlsx"
    good.write_bytes(workbook({"双甲": s002_a5("登记双人岗", [["命令行的风险", "三级", "前期预防：提醒", ""]])}).getvalue())
    book = io.BytesIO(good.read_bytes())
    assert post_file(client("impo_admin"), f"/imports/{place['unit']}/registers", book).status_code == 404
    result = cli(app, "register", "--unit", "IMPT", "--round", "2031", str(good))
    assert result.exit_code == 0 and "新建草稿 1 张" in result.output, result.output + result.stderr
    form = db.session.scalar(select(RiskForm).where(RiskForm.round == 2031, RiskForm.owner_id == staff["twin1"]))
    assert form.stage == "draft" and form.signed_revision is None and form.risks[0].content == "命令行的风险"
    before = count(RiskPoint)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook({"x": s002_a4("邻局股", [["风险", "二级", "", ""]])}).getvalue())
    result = cli(app, "register", "--unit", "IMPT", str(bad))
    assert result.exit_code == 1 and "本单位没有科室「邻局股」" in result.stderr
    assert count(RiskPoint) == before
