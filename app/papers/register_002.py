"""The frame seed 002's three registers (附件3, 4, 5) share: the owner's rows,
the duties, the numbered risks under 廉政风险及防控措施, the opinion rows.
The paper has no 填表人 line under these forms, so none is added."""
from app.exports.grid import HEAD, LABEL, Grid
from app.papers.common import Sheet, measures_text, pairs, responsible_text

WIDTHS = [10, 6, 40, 8, 40, 12]


def register(title, sheet_name, sheet: Sheet, top_rows, duties_label, closing) -> Grid:
    c = sheet.content
    g = Grid(title, list(WIDTHS), sheet=sheet_name)
    for items in top_rows:
        pairs(g, items, spans={1: 2, 4: 2} if len(items) == 2 else {1: 5})
    pairs(g, [(duties_label, sheet.header.get("duties", ""))], spans={1: 5})
    risks = c["risks"] or [None]
    top = g.height
    g.header_from, g.header_rows = top, 1
    g.add(top, 0, "廉政风险及防控措施", rows=len(risks) + 1, kind=LABEL)
    for col, heading in enumerate(["序号", "廉政风险点主要内容及表现形式", "风险等级", "防控措施", "责任人"], 1):
        g.add(top, col, heading, kind=HEAD)
    for i, risk in enumerate(risks, start=1):
        values = [i, risk["content"], risk["level"], measures_text(risk), responsible_text(risk)] if risk else [1, "", "", "", ""]
        for col, value in enumerate(values, 1):
            g.add(top + i, col, value)
    for label in closing:
        value = c.get("pledge") if label == "个人廉政承诺" else sheet.opinions.get(label, "")
        pairs(g, [(label, value or "")], spans={1: 5})
    return g
