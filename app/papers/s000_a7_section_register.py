"""seed 000 附件7 <县名>部门廉政风险识别、防控、监督登记表."""
from app.enums import RiskType
from app.exports.grid import HEAD, Grid
from app.papers.common import Sheet, measures_text, pairs, sign_line, typed_rows

TITLE = "部门廉政风险识别、防控、监督登记表"
# The opinion and signature fields a stage of the review fills (app.workflow.fields).
FIELDS = ("负责填表人签字", "第一责任人签字", "改正意见")


def grid(sheet: Sheet) -> Grid:
    c, h = sheet.content, sheet.header
    g = Grid(sheet.county + TITLE, [12, 14, 12, 14, 12, 24], sheet="部门登记表",
             footer=[sign_line(sheet, "负责填表人签字", "第一责任人签字") + f"　　填表日期：{sheet.date}"])
    pairs(g, [("部门", c["section"]), ("责任人姓名", c["owner"]), ("职务", h.get("title", ""))])
    pairs(g, [("任职时间", h.get("since", "")), ("部门工作职责", h.get("duties", ""))], spans={3: 3})
    g.header_from, g.header_rows = g.height, 1
    g.append(["风险类别", "潜在风险点", "防控措施"], HEAD, spans={1: 2, 3: 3})
    typed_rows(g, c["risks"], [RiskType.DUTY, RiskType.INSTITUTIONAL],
               lambda r: f"{r['content']}（{r['level']}）", [2, 3], extra=measures_text)
    pairs(g, [("改正意见", sheet.opinions.get("改正意见") or c.get("correction") or "")], spans={1: 5})
    return g
