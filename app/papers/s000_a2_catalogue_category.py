"""seed 000 附件2 行政职权目录分表（____类）: no 填表人 line, as on paper."""
from app.catalogue.listing import powers_of
from app.enums import PowerCategory
from app.exports.grid import HEAD, Grid
from app.papers.catalogue_common import detail_rows

HEADINGS = ["序号", "项目名称", "实施主体", "实施依据", "公开形式", "公开范围",
            "公开时间", "收费(征收)\n依据和标准", "承办机构", "备注"]
WIDTHS = [5, 18, 12, 30, 12, 10, 10, 14, 10, 8]


def grid(unit, category: str) -> Grid:
    label = PowerCategory(category)
    g = Grid(f"行政职权目录分表（{label.value}类）", list(WIDTHS),
             subtitle=f"单位：{unit.name}", header_rows=1,
             sheet=f"分表-{label.value.split('(')[0]}")
    g.append(HEADINGS, HEAD)
    powers = powers_of(unit, category)
    detail_rows(g, powers, with_category=False)
    if not powers:
        g.append(["无"], spans={0: len(HEADINGS)})
    return g
