"""seed 000 附件8 <县名>个人廉政风险识别、防控、监督登记表."""
from app.enums import RiskType
from app.exports.grid import HEAD, Grid
from app.papers.common import Sheet, measures_text, pairs, sign_line, typed_rows

TITLE = "个人廉政风险识别、防控、监督登记表"
# The opinion and signature fields a stage of the review fills (app.workflow.fields).
FIELDS = ("填表人签字", "分管领导签字")


def grid(sheet: Sheet) -> Grid:
    c, h = sheet.content, sheet.header
    g = Grid(sheet.county + TITLE, [12, 14, 12, 14, 12, 24], sheet="个人登记表",
             footer=[sign_line(sheet, "填表人签字", "分管领导签字") + f"　　填表日期：{sheet.date}"])
    pairs(g, [("姓名", c["person"]), ("单位", c["unit"]), ("岗位名称", c["post"])])
    pairs(g, [("职务", h.get("title", "")), ("任职时间", h.get("since", "")), ("", "")])
    pairs(g, [("岗位职责", h.get("duties", ""))], spans={1: 5})
    g.header_from, g.header_rows = g.height, 1
    g.append(["风险类别", "潜在风险点及表现", "防控措施"], HEAD, spans={1: 2, 3: 3})
    typed_rows(g, c["risks"], [RiskType.MORAL, RiskType.DUTY],
               lambda r: f"{r['content']}（{r['level']}）", [2, 3], extra=measures_text)
    pairs(g, [("个人防范风险公开承诺", c.get("pledge") or "")], spans={1: 5})
    return g
