"""seed 000 附件2 行政职权目录分表（____类）: no 填表人 line, as on paper.

A clerk keeps one sheet per category, the category in the sheet's title; the
import template is the same sheets, blank, with drop-downs."""
from app.catalogue.listing import powers_of
from app.enums import DisclosureForm, DisclosureScope, DisclosureTime, PowerCategory
from app.exports.grid import HEAD, Grid
from app.papers.catalogue_common import detail_rows

HEADINGS = ["序号", "项目名称", "实施主体", "实施依据", "公开形式", "公开范围",
            "公开时间", "收费(征收)\n依据和标准", "承办机构", "备注"]
WIDTHS = [5, 18, 12, 30, 12, 10, 10, 14, 10, 8]
# 权力类别 in this form's words (附件1's order), as its titles, the template and the import's refusals write them.
CATEGORY_WORDS = [c.value for c in PowerCategory]
TITLE = "行政职权目录分表（{}类）"
TEMPLATE_ROWS = 10


def template(unit, category: str, sections: list[str]) -> Grid:
    """One category's blank sheet of the import template, drop-downs on the enumerated columns."""
    g = grid(unit, category, blank=True)
    first, last = 1, TEMPLATE_ROWS
    g.choose(first, last, 4, DisclosureForm.values(), strict=False, prompt="可多选，以「、」分隔")
    g.choose(first, last, 5, DisclosureScope.values())
    g.choose(first, last, 6, DisclosureTime.values())
    g.choose(first, last, 8, sections, prompt="本单位已有的科室")
    return g


def grid(unit, category: str, blank: bool = False) -> Grid:
    label = PowerCategory(category)
    g = Grid(TITLE.format(label.value), list(WIDTHS),
             subtitle=f"单位：{unit.name}", header_rows=1,
             sheet=f"分表-{label.value.split('(')[0]}")
    g.append(HEADINGS, HEAD)
    if blank:
        for n in range(1, TEMPLATE_ROWS + 1):
            g.append([n] + [None] * (len(HEADINGS) - 1))
        return g
    powers = powers_of(unit, category)
    detail_rows(g, powers, with_category=False)
    if not powers:
        g.append(["无"], spans={0: len(HEADINGS)})
    return g
