"""seed 000 附件9 <县名>廉政风险识别、防控、监督汇总表（部门）."""
from datetime import date
from typing import Callable

from app.enums import RiskLevel, RiskType
from app.exports.grid import HEAD, LABEL, TOTAL, Grid
from app.formatting import cn_date
from app.papers.summary_common import county_name, states_line
from app.reports.summary import CELLS, Filters, rows, total

TITLE = "廉政风险识别、防控、监督汇总表（部门）"
Link = Callable[..., str | None]  # builds the drill-down address of a number, or None


def _no_link(**_):
    return None


def grid(filters: Filters, by: str = "unit", unit_name: str = "", link: Link = _no_link,
         opener: Link | None = None) -> Grid:
    """Rows by county, unit or section; ``link`` leads from a number to its risks,
    ``opener`` from a county or unit to its own table."""
    opener = opener or _no_link
    g = Grid(county_name(filters) + TITLE, [18, 8, 8] + [5] * 9 + [8, 8, 8, 8],
             subtitle=f"填报单位（盖章）：{unit_name}　　　　填报日期：{cn_date(date.today())}",
             footer=["填报人签字：　　　　　　　　主管领导签字："], header_rows=2, sheet="汇总表（附件9）",
             remarks=[states_line(filters)])
    heads = ["填报单位（科室）", "参与查找人数（人）", "三类风险合计（个）"]
    for col, text in enumerate(heads):
        g.add(0, col, text, rows=2, kind=HEAD)
    for i, risk_type in enumerate(RiskType):
        g.add(0, 3 + 3 * i, f"{i + 1}．{risk_type.value}风险点", cols=3, kind=HEAD)
        for j, level in enumerate(RiskLevel):
            g.add(1, 3 + 3 * i + j, level.value, kind=HEAD)
    for col, text in enumerate(["防控\n措施\n（个）", "监督\n办法\n（个）", "新建立\n制度\n（个）", "修订\n制度\n（个）"]):
        g.add(0, 12 + col, text, rows=2, kind=HEAD)
    lines = rows(filters, by)
    for r in lines + [total(lines)]:
        is_total = r.label == "总合计"
        where = {} if is_total else {by: r.key if by != "section" else r.key or 0}
        label = opener(**where) if where and by != "section" else None
        values = [(r.label, label), r.people, (r.risks, link(**where))]
        values += [(r.cells.get(cell, 0), link(type=cell[0].value, level=cell[1].value, **where)) for cell in CELLS]
        values += [r.measures, r.methods, r.new_rules, r.revised_rules]
        row = g.height
        for col, value in enumerate(values):
            value, href = value if isinstance(value, tuple) else (value, None)
            g.add(row, col, value, kind=TOTAL if is_total else (LABEL if col == 0 else "body"),
                  link=href if value else None)
    return g
