"""The two 汇总表 as grids: seed 000 附件9 and seed 002 附件6."""
from datetime import date
from typing import Callable

from app.enums import Owner, RiskLevel, RiskType
from app.exports.grid import HEAD, LABEL, TOTAL, Grid
from app.formatting import cn_date
from app.reports.summary import CELLS, Filters, by_owner_kind, rows, total

Link = Callable[..., str | None]  # builds the drill-down address of a number, or None


def _no_link(**_):
    return None


def summary_9(filters: Filters, by: str = "unit", unit_name: str = "", link: Link = _no_link,
              opener: Link | None = None) -> Grid:
    """附件9 廉政风险识别、防控、监督汇总表（部门）: rows by county, unit or section; ``link``
    leads from a number to its risks, ``opener`` from a county or unit to its own table."""
    opener = opener or _no_link
    grid = Grid("廉政风险识别、防控、监督汇总表（部门）", [18, 8, 8] + [5] * 9 + [8, 8, 8, 8],
                subtitle=f"填报单位（盖章）：{unit_name}　　　　填报日期：{cn_date(date.today())}",
                footer=["填报人签字：　　　　　　　　主管领导签字："], header_rows=2, sheet="汇总表（附件9）")
    heads = ["填报单位（科室）", "参与查找人数（人）", "三类风险合计（个）"]
    for col, text in enumerate(heads):
        grid.add(0, col, text, rows=2, kind=HEAD)
    for i, risk_type in enumerate(RiskType):
        grid.add(0, 3 + 3 * i, f"{i + 1}．{risk_type.value}风险点", cols=3, kind=HEAD)
        for j, level in enumerate(RiskLevel):
            grid.add(1, 3 + 3 * i + j, level.value, kind=HEAD)
    for col, text in enumerate(["防控\n措施\n（个）", "监督\n办法\n（个）", "新建立\n制度\n（个）", "修订\n制度\n（个）"]):
        grid.add(0, 12 + col, text, rows=2, kind=HEAD)
    lines = rows(filters, by)
    for r in lines + [total(lines)]:
        is_total = r.label == "总合计"
        where = {} if is_total else {by: r.key if by != "section" else r.key or 0}
        label = opener(**where) if where and by != "section" else None
        values = [(r.label, label), r.people, (r.risks, link(**where))]
        values += [(r.cells.get(cell, 0), link(type=cell[0].value, level=cell[1].value, **where)) for cell in CELLS]
        values += [r.measures, r.methods, r.new_rules, r.revised_rules]
        row = grid.height
        for col, value in enumerate(values):
            value, href = value if isinstance(value, tuple) else (value, None)
            grid.add(row, col, value, kind=TOTAL if is_total else (LABEL if col == 0 else "body"),
                     link=href if value else None)
    return grid


def summary_6(filters: Filters, unit_name: str = "", link: Link = _no_link) -> Grid:
    """seed 002 附件6 廉政风险汇总表."""
    grid = Grid("廉政风险汇总表", [12, 12, 8, 8, 8, 14, 12], subtitle=f"单位（盖章）：{unit_name}",
                footer=[f"填表人：　　　　　　　　　　填表日期：{cn_date(date.today())}"], header_rows=2,
                landscape=False, sheet="汇总表（附件6）")
    grid.add(0, 0, "类   别", rows=2, kind=HEAD)
    grid.add(0, 1, "廉政风险\n（个）", rows=2, kind=HEAD)
    grid.add(0, 2, "风险等级数", cols=3, kind=HEAD)
    for j, level in enumerate(RiskLevel):
        grid.add(1, 2 + j, level.value, kind=HEAD)
    grid.add(0, 5, "制定防控\n措施（条）", rows=2, kind=HEAD)
    grid.add(0, 6, "备 注", rows=2, kind=HEAD)
    by_kind = by_owner_kind(filters)
    labels = {Owner.UNIT: "单   位", Owner.SECTION: "内设部门", Owner.PERSON: "个人岗位"}
    for kind in (Owner.UNIT, Owner.SECTION, Owner.PERSON):
        r, row = by_kind[kind], grid.height
        grid.add(row, 0, labels[kind], kind=LABEL)
        grid.add(row, 1, r.risks, link=link(kind=kind.value) if r.risks else None)
        for j, level in enumerate(RiskLevel):
            n = r.by_kind.get(level, 0)
            grid.add(row, 2 + j, n, link=link(kind=kind.value, level=level.value) if n else None)
        grid.add(row, 5, r.measures)
        grid.add(row, 6, "")
    t, row = total(list(by_kind.values())), grid.height
    grid.add(row, 0, "总    数", kind=TOTAL)
    grid.add(row, 1, t.risks, kind=TOTAL)
    for j, level in enumerate(RiskLevel):
        grid.add(row, 2 + j, t.by_kind.get(level, 0), kind=TOTAL)
    grid.add(row, 5, t.measures, kind=TOTAL)
    grid.add(row, 6, "", kind=TOTAL)
    return grid
