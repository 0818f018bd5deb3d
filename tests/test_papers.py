"""The 13 paper forms (seed 000 附件1, 2, 5–9; seed 002 附件1–6), each opened
as Excel and as Word and checked against a declaration copied from the seed
text (../shared/seeds), not from the code: the title, every heading the paper
prints, the signature and date lines, the merged cells, nothing the paper lacks.

Texts are compared without spaces and line breaks ("类   别" on paper is 类别).
"<县>" in a title stands for the county's name (龙胜县 on paper)."""
import io
import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from app.extensions import db
from app.organisation.models import Unit
from app.risks.models import RiskForm
from seed.data import COUNTY
from tests.helpers import person_of, unit

ROUND = date.today().year
CATEGORIES_000 = ["行政许可(含非许可行政审批)", "行政处罚", "行政征收", "行政强制", "行政给付", "行政裁决",
                  "行政确认", "其他权力"]
NOTES_002 = (  # seed 002 附件2, word for word
    "填表说明：此表填写单位经审定确认的权力项目。1、权力名称要按照法律、法规、规章和其他规范性文件规定的规范用语填写，"
    "做到准确、规范。2、权力类别。行政机关按行政审批、行政处罚、行政征收、行政强制、行政确认、行政裁决、行政给付、"
    "其他行政权力和内部管理职权进行填写；其他机关按照对外行使职权、内部管理职权进行填写。3、实施依据中所列依据要填写"
    "法律、法规、规章和有关文件全称，注明发布的时间和文号以及具体条款等，对同一权力如有不同层级依据的，按效力最高的为准。"
    "4、公开形式指选用的公开载体，包括单位网站、公开栏、纸质文书、办事指南等。5、公开范围为：内部公开、向社会公开、"
    "依申请公开、不公开等。6、公开时间为：长期公开、随时公开、依申请公开。7、收费依据和标准：列明收费依据名称及具体条款；"
    "不收费的，直接填写不收费。")


@dataclass
class Paper:
    key: str
    title: str
    headings: list[str]
    lines: list[str] = field(default_factory=list)     # signature / date labels under the table
    merges: list[tuple[str, int, int]] = field(default_factory=list)  # heading, rows, cols
    absent: list[str] = field(default_factory=list)     # words the paper does not print
    notes: str = ""
    subtitle: str = ""


PAPERS = [
    Paper("000-1", "行政职权目录总表", ["序号", "类别", "项目名称", *CATEGORIES_000], subtitle="单位：",
          absent=["填表人"]),
    Paper("000-2", "行政职权目录分表（行政处罚类）",
          ["序号", "项目名称", "实施主体", "实施依据", "公开形式", "公开范围", "公开时间", "收费(征收)依据和标准",
           "承办机构", "备注"], subtitle="单位：", absent=["填表人"]),
    Paper("000-5", "<县>个人廉政风险点查找表",
          ["姓名", "单位", "岗位名称", "职务", "任职时间", "风险类别", "具体内容及表现形式", "思想道德风险", "岗位职责风险"],
          lines=["填表人签字：", "填表时间："], merges=[("具体内容及表现形式", 1, 5)]),
    Paper("000-6", "<县>部门廉政风险点查找表",
          ["部门", "责任人姓名", "职务", "任职时间", "部门工作职责", "风险类别", "具体内容及表现形式", "岗位职责风险",
           "制度机制风险"], lines=["填表人签字：", "第一责任人签字：", "填表时间："],
          merges=[("具体内容及表现形式", 1, 5)]),
    Paper("000-7", "<县>部门廉政风险识别、防控、监督登记表",
          ["部门", "责任人姓名", "职务", "任职时间", "部门工作职责", "风险类别", "潜在风险点", "防控措施", "岗位职责风险",
           "制度机制风险", "改正意见"], lines=["负责填表人签字：", "第一责任人签字：", "填表日期："]),
    Paper("000-8", "<县>个人廉政风险识别、防控、监督登记表",
          ["姓名", "单位", "岗位名称", "职务", "任职时间", "岗位职责", "风险类别", "潜在风险点及表现", "防控措施",
           "思想道德风险", "岗位职责风险", "个人防范风险公开承诺"], lines=["填表人签字：", "分管领导签字：", "填表日期："]),
    Paper("000-9", "<县>廉政风险识别、防控、监督汇总表（部门）",
          ["填报单位（科室）", "参与查找人数（人）", "三类风险合计（个）", "1．思想道德风险点", "2．岗位职责风险点",
           "3．制度机制风险点", "防控措施（个）", "监督办法（个）", "新建立制度（个）", "修订制度（个）", "一级", "二级",
           "三级", "总合计"], lines=["填报人签字：", "主管领导签字："], subtitle="填报单位（盖章）：",
          merges=[("填报单位（科室）", 2, 1), ("1．思想道德风险点", 1, 3), ("防控措施（个）", 2, 1)]),
    Paper("002-1", "廉政风险防控管理工作推进计划表",
          ["时间", "工作内容", "主要任务", "工作要求", "动员部署", "依法规范职权", "排查廉政风险", "制定防控措施",
           "推进权力公开", "建立长效机制", "总结考核"]),
    Paper("002-2", "职权目录",
          ["序号", "权力名称", "权力类别", "实施依据", "公开形式", "公开范围", "公开时间", "收费依据和标准", "承办处室",
           "备注", "合计"], lines=["填表人：", "填表时间："], subtitle="单位（盖章）：", notes=NOTES_002,
          absent=["行政许可(含非许可行政审批)", "其他权力"]),
    Paper("002-3", "单位廉政风险登记表",
          ["单位", "主要职责", "廉政风险及防控措施", "序号", "廉政风险点主要内容及表现形式", "风险等级", "防控措施",
           "责任人", "党组（党委）意见"], absent=["填表人", "填表日期"]),
    Paper("002-4", "内设部门廉政风险登记表",
          ["单位", "内设部门", "部门职责", "廉政风险及防控措施", "序号", "廉政风险点主要内容及表现形式", "风险等级",
           "防控措施", "责任人", "分管领导意见", "党组（党委）意见"], absent=["填表人", "填表日期"]),
    Paper("002-5", "个人岗位廉政风险登记表",
          ["单位", "岗位", "主要职责", "廉政风险及防控措施", "序号", "廉政风险点主要内容及表现形式", "风险等级",
           "防控措施", "责任人", "个人廉政承诺", "科室意见", "分管领导意见", "党组（党委）意见"],
          absent=["填表人", "填表日期"]),
    Paper("002-6", "廉政风险汇总表",
          ["类别", "廉政风险（个）", "风险等级数", "制定防控措施（条）", "备注", "一级", "二级", "三级", "单位",
           "内设部门", "个人岗位", "总数"], lines=["填表人：", "填表日期："], subtitle="单位（盖章）：",
          merges=[("风险等级数", 1, 3), ("类别", 2, 1)]),
]


def flat(text) -> str:
    return re.sub(r"[\s\u3000]", "", str(text or ""))


def signed_form(kind: str, code: str = "CZJ") -> RiskForm:
    """A form of 县财政局 of this kind, signed if the demo has one signed (the unit's is not yet)."""
    return (db.session.query(RiskForm).join(Unit, Unit.id == RiskForm.unit_id)
            .filter(Unit.code == code, RiskForm.owner_kind == kind, RiskForm.round == ROUND)
            .order_by(RiskForm.signed_revision.is_(None), RiskForm.id).first())


def address(key: str) -> str:
    """Where each form is downloaded (without the .xlsx/.docx ending)."""
    fixed = {"000-1": "/catalogue/{unit}/summary", "000-2": "/catalogue/{unit}/category",
             "002-2": "/catalogue/{unit}/directory", "000-9": "/reports/summary", "002-6": "/reports/summary",
             "002-1": "/plan/phase/paper"}
    if key in fixed:
        return fixed[key].format(unit=unit("CZJ").id)
    kind = {"000-5": "个人", "000-8": "个人", "002-5": "个人", "000-6": "部门", "000-7": "部门", "002-4": "部门",
            "002-3": "单位"}[key]
    # each county prints the papers its flow names: 示范县 seed 000's, 和溪县 seed 002's (the unit's 附件3 both)
    return f"/forms/{signed_form(kind, 'HX-CZJ' if key in ('002-4', '002-5') else 'CZJ').id}"


def query(key: str) -> str:
    return {"000-2": "?category=行政处罚", "000-9": f"?round={ROUND}&unit={unit('CZJ').id}",
            "002-6": f"?round={ROUND}&unit={unit('CZJ').id}"}.get(key, "")


@dataclass
class Opened:
    """One form out of a file: its title, subtitle, cell texts, merges and the lines under it."""
    title: str
    subtitle: str
    cells: set
    merges: dict          # flat text -> (rows, cols)
    below: list[str]


def from_xlsx(data: bytes, title: str) -> Opened:
    book = load_workbook(io.BytesIO(data))
    sheet = next(s for s in book.worksheets if flat(s["A1"].value) == flat(title))
    merges = {}
    for r in sheet.merged_cells.ranges:
        text = flat(sheet.cell(r.min_row, r.min_col).value)
        merges.setdefault(text, (r.max_row - r.min_row + 1, r.max_col - r.min_col + 1))
    full_width = {r.min_row for r in sheet.merged_cells.ranges if r.min_col == 1 and r.max_col == sheet.max_column}
    texts = [(c.row, flat(c.value)) for row in sheet.iter_rows() for c in row if c.value not in (None, "")]
    table_rows = [r for r, _ in texts if r not in full_width]
    last = max(table_rows, default=2)
    return Opened(flat(sheet["A1"].value), flat(sheet["A2"].value), {t for _, t in texts}, merges,
                  [t for r, t in texts if r > last])


def from_docx(data: bytes, title: str) -> Opened:
    doc = Document(io.BytesIO(data))
    body = list(doc.element.body.iterchildren())
    tables = {t._tbl: t for t in doc.tables}
    paragraphs = {p._p: p for p in doc.paragraphs}
    start = next(i for i, e in enumerate(body) if e in paragraphs and flat(paragraphs[e].text) == flat(title))
    table_at = next(i for i in range(start, len(body)) if body[i] in tables)
    table = tables[body[table_at]]
    before = [flat(paragraphs[e].text) for e in body[start + 1:table_at] if e in paragraphs]
    below = []
    for e in body[table_at + 1:]:
        if e in tables:
            break
        if e in paragraphs and paragraphs[e].text:
            below.append(flat(paragraphs[e].text))
    if below and any(e in tables for e in body[table_at + 1:]):
        below = below[:-1]  # the next form's title
    merges, seen = {}, []  # lxml elements, kept alive so "is" holds
    rows, cols = len(table.rows), len(table.columns)
    for r in range(rows):
        for c in range(cols):
            tc = table.cell(r, c)._tc
            if any(tc is s for s in seen):
                continue
            seen.append(tc)
            height = sum(1 for rr in range(r, rows) if table.cell(rr, c)._tc is tc)
            width = sum(1 for cc in range(c, cols) if table.cell(r, cc)._tc is tc)
            if height > 1 or width > 1:
                merges.setdefault(flat(table.cell(r, c).text), (height, width))
    cells = {flat(cell.text) for row in table.rows for cell in row.cells if cell.text}
    return Opened(flat(title), before[0] if before else "", cells, merges, below)


READERS = {"xlsx": from_xlsx, "docx": from_docx}


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.key)
def test_each_form_as_on_paper(client, ctx, paper, fmt):
    title = paper.title.replace("<县>", COUNTY[0])
    reader = "office2" if paper.key in ("002-4", "002-5") else "office"   # 和溪县's own forms
    response = client(reader).get(f"{address(paper.key)}.{fmt}{query(paper.key)}")
    assert response.status_code == 200, response.status_code
    opened = READERS[fmt](response.data, title)
    assert opened.title == flat(title)
    missing = [h for h in paper.headings if flat(h) not in opened.cells]
    assert not missing, f"{paper.key} {fmt}: headings missing {missing}"
    if paper.subtitle:
        assert opened.subtitle.startswith(flat(paper.subtitle)), opened.subtitle
    below = "".join(opened.below)
    for line in paper.lines:
        assert flat(line) in below, f"{paper.key} {fmt}: no {line} under the form: {opened.below}"
    for heading, rows, cols in paper.merges:
        assert opened.merges.get(flat(heading)) == (rows, cols), (heading, opened.merges.get(flat(heading)))
    everything = "".join(opened.cells) + below + opened.subtitle
    for word in paper.absent:
        assert flat(word) not in everything, f"{paper.key} {fmt} prints {word}, the paper does not"
    if paper.notes:
        assert flat(paper.notes) in below


def test_signature_lines_name_the_owner_and_the_county_heads_the_title(client, ctx):
    """填表人签字 carries the owner's e-signature on 000 附件5/8; the 验签 verdict is a
    note under the forms, not a line of 002 附件5's paper."""
    form = signed_form("个人")
    owner = form.owner.name
    data = client("office").get(f"/forms/{form.id}.xlsx").data
    for title in ("个人廉政风险点查找表", "个人廉政风险识别、防控、监督登记表"):
        opened = from_xlsx(data, COUNTY[0] + title)
        line = next(t for t in opened.below if t.startswith("填表人签字"))
        assert line.startswith(f"填表人签字：{owner}（电子签名"), line
    word = Document(io.BytesIO(client("office").get(f"/forms/{form.id}.docx").data))
    texts = [p.text for p in word.paragraphs]
    assert any(t.startswith("验签通过") for t in texts)


def test_catalogue_filled_in_by_who_entered_it_not_the_reader(client, api, ctx):
    """填表人 of 职权目录 is who last entered a listed power, whoever downloads it."""
    from app.catalogue.models import Power
    from app.enums import PowerStatus
    czj = unit("CZJ")
    power = db.session.query(Power).filter(Power.unit_id == czj.id,
                                           Power.status != PowerStatus.DRAFT.value).order_by(Power.id).first()
    r = api("czj_admin").put(f"/api/v1/power/{power.id}", json={"remarks": "经复核"})
    assert r.status_code == 200, r.json
    keeper = person_of("czj_admin").name
    for reader in ("office", "czj_admin"):
        opened = from_xlsx(client(reader).get(f"/catalogue/{czj.id}/directory.xlsx").data, "职权目录")
        line = next(t for t in opened.below if t.startswith("填表人"))
        assert line.startswith(f"填表人：{keeper}"), line
        assert f"填表时间：{date.today().year}年" in line


def test_printing_fits_the_paper(client, ctx):
    """Row heights grow with wrapped text; heading rows repeat; A4 in the paper's
    orientation; the 职权目录 fits A4 landscape without shrinking below 70%."""
    czj = unit("CZJ")
    book = load_workbook(io.BytesIO(client("office").get(f"/catalogue/{czj.id}/directory.xlsx").data))
    sheet = book["职权目录"]
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$3:$3"
    pixels = sum(7 * (sheet.column_dimensions[c].width or 8) + 5 for c in "ABCDEFGHIJ")
    assert pixels <= 1026, pixels  # 297mm less two 0.5in margins, at 96 dpi: printed at 100%
    basis_rows = [c.row for c in sheet["D"][3:] if c.value and len(str(c.value)) > 40]
    assert basis_rows and all(sheet.row_dimensions[r].height >= 30 for r in basis_rows)
    form = signed_form("个人")
    book = load_workbook(io.BytesIO(client("office").get(f"/forms/{form.id}.xlsx").data))
    finding = next(s for s in book.worksheets if "查找表" in str(s["A1"].value))
    assert finding.page_setup.orientation in (None, "portrait") and finding.print_title_rows


def test_print_stylesheet_prints_no_link_addresses(client):
    css = client().get("/static/css/forms.css").get_data(as_text=True)
    assert re.search(r"a\[href\]:after\s*\{\s*content:\s*none", css)


def test_plan_page_lists_its_requirements_and_offers_both_files(client, ctx):
    c = client("office")
    page = c.get("/plan/phase/paper").get_data(as_text=True)
    assert "廉政风险防控管理工作推进计划表" in page and "工作要求" in page
    assert "/plan/phase/paper.xlsx" in page and "/plan/phase/paper.docx" in page
    assert "工作要求" in c.get("/plan/phase/list/").get_data(as_text=True)
    assert c.get("/plan/phase/paper.pdf").status_code == 404


@pytest.mark.parametrize("what", [["plan"], ["form", "--id", "FORM"], ["catalogue", "--unit", "CZJ"]])
def test_cli_exports_word_and_excel(app, ctx, tmp_path, what):
    args = [str(signed_form("个人").id) if a == "FORM" else a for a in what]
    for fmt in ("xlsx", "docx"):
        out = tmp_path / f"out.{fmt}"
        result = app.test_cli_runner().invoke(args=["export", *args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    bad = app.test_cli_runner().invoke(args=["export", *args, "--out", str(tmp_path / "out.pdf")])
    assert bad.exit_code != 0 and "须以 .xlsx 或 .docx 结尾" in bad.output
