"""seed 000 附件5 <县名>个人廉政风险点查找表."""
from app.enums import RiskType
from app.exports.grid import HEAD, Grid
from app.papers.common import Sheet, pairs, sign_line, typed_rows

TITLE = "个人廉政风险点查找表"
# The opinion and signature fields a stage of the review fills (app.workflow.fields).
FIELDS = ("填表人签字",)


def grid(sheet: Sheet) -> Grid:
    c, h = sheet.content, sheet.header
    g = Grid(sheet.county + TITLE, [12, 14, 12, 14, 12, 14], landscape=False, sheet="个人查找表",
             footer=[sign_line(sheet, "填表人签字") + f"　　填表时间：{sheet.date}"])
    pairs(g, [("姓名", c["person"]), ("单位", c["unit"]), ("岗位名称", c["post"])])
    pairs(g, [("职务", h.get("title", "")), ("任职时间", h.get("since", "")), ("", "")])
    g.header_from, g.header_rows = g.height, 1
    g.append(["风险类别", "具体内容及表现形式"], HEAD, spans={1: 5})
    typed_rows(g, c["risks"], [RiskType.MORAL, RiskType.DUTY], lambda r: r["content"], [5])
    return g
