"""seed 002 附件6 廉政风险汇总表."""
from datetime import date

from app.enums import Owner, RiskLevel
from app.exports.grid import HEAD, LABEL, TOTAL, Grid
from app.formatting import cn_date
from app.papers.common import filled_line
from app.papers.s000_a9_summary import Link, _no_link
from app.papers.summary_common import states_line
from app.reports.summary import Filters, by_owner_kind, total

TITLE = "廉政风险汇总表"


def grid(filters: Filters, unit_name: str = "", link: Link = _no_link) -> Grid:
    g = Grid(TITLE, [12, 12, 8, 8, 8, 14, 12], subtitle=f"单位（盖章）：{unit_name}",
             footer=[filled_line(None, cn_date(date.today()), when_label="填表日期")], header_rows=2,
             landscape=False, sheet="汇总表（附件6）", remarks=[states_line(filters)])
    g.add(0, 0, "类   别", rows=2, kind=HEAD)
    g.add(0, 1, "廉政风险\n（个）", rows=2, kind=HEAD)
    g.add(0, 2, "风险等级数", cols=3, kind=HEAD)
    for j, level in enumerate(RiskLevel):
        g.add(1, 2 + j, level.value, kind=HEAD)
    g.add(0, 5, "制定防控\n措施（条）", rows=2, kind=HEAD)
    g.add(0, 6, "备 注", rows=2, kind=HEAD)
    by_kind = by_owner_kind(filters)
    labels = {Owner.UNIT: "单   位", Owner.SECTION: "内设部门", Owner.PERSON: "个人岗位"}
    for kind in (Owner.UNIT, Owner.SECTION, Owner.PERSON):
        r, row = by_kind[kind], g.height
        g.add(row, 0, labels[kind], kind=LABEL)
        g.add(row, 1, r.risks, link=link(kind=kind.value) if r.risks else None)
        for j, level in enumerate(RiskLevel):
            n = r.by_kind.get(level, 0)
            g.add(row, 2 + j, n, link=link(kind=kind.value, level=level.value) if n else None)
        g.add(row, 5, r.measures)
        g.add(row, 6, "")
    t, row = total(list(by_kind.values())), g.height
    g.add(row, 0, "总    数", kind=TOTAL)
    g.add(row, 1, t.risks, kind=TOTAL)
    for j, level in enumerate(RiskLevel):
        g.add(row, 2 + j, t.by_kind.get(level, 0), kind=TOTAL)
    g.add(row, 5, t.measures, kind=TOTAL)
    g.add(row, 6, "", kind=TOTAL)
    return g
