"""seed 000 附件1 行政职权目录总表: no 填表人 line, as on paper."""
from app.catalogue.listing import powers_of
from app.enums import PowerCategory
from app.exports.grid import HEAD, LABEL, TOTAL, Grid, cn_number

TITLE = "行政职权目录总表"
HEADINGS = ["序号", "类别", "项目名称"]


def grid(unit) -> Grid:
    g = Grid(TITLE, [6, 30, 50], subtitle=f"单位：{unit.name}（公章）",
             header_rows=1, landscape=False, sheet="总表")
    g.append(HEADINGS, HEAD)
    by_category: dict[str, list] = {}
    for power in powers_of(unit):
        by_category.setdefault(power.category, []).append(power)
    for i, category in enumerate(PowerCategory.external(), start=1):
        items = by_category.get(category.value, [])
        top = g.height
        g.add(top, 0, cn_number(i), kind=LABEL)
        g.add(top, 1, category.value, rows=len(items) + 1, kind=LABEL)
        g.add(top, 2, f"共{len(items)}项", kind=TOTAL)
        for n, power in enumerate(items, start=1):
            g.add(top + n, 0, n)
            g.add(top + n, 2, power.name)
    return g
