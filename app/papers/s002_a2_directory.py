"""seed 002 附件2 职权目录, with its 合计 line and 填表说明 (also the import template).

Seed 002 names the categories its own way (行政审批, 其他行政权力) and lists
them in its own order; this form uses its words throughout."""
from app.catalogue.listing import Filler, counts_of, powers_of
from app.enums import DisclosureForm, DisclosureScope, DisclosureTime, PowerCategory
from app.exports.grid import HEAD, TOTAL, Grid
from app.papers.catalogue_common import detail_rows, footer

HEADINGS = ["序号", "权力名称", "权力类别", "实施依据", "公开形式", "公开范围",
            "公开时间", "收费依据和标准", "承办处室", "备注"]
WIDTHS = [5, 18, 12, 30, 12, 10, 10, 14, 10, 8]
# The order of the 合计 line and of the 填表说明's clause 2.
ORDER = [PowerCategory.LICENSING, PowerCategory.PENALTY, PowerCategory.LEVY, PowerCategory.COERCION,
         PowerCategory.CONFIRMATION, PowerCategory.ADJUDICATION, PowerCategory.BENEFIT, PowerCategory.OTHER]
# 权力类别 in this form's words and order: the 填表说明, the template's drop-down and the import's refusals.
CATEGORY_WORDS = [c.short for c in ORDER] + [PowerCategory.INTERNAL.value]
NOTES = (
    "填表说明：此表填写单位经审定确认的权力项目。1、权力名称要按照法律、法规、规章和其他规范性文件规定的"
    "规范用语填写，做到准确、规范。2、权力类别。行政机关按" + "、".join(CATEGORY_WORDS[:-1]) + "和"
    + CATEGORY_WORDS[-1] + "进行填写；其他机关按照对外行使职权、内部管理职权进行填写。"
    "3、实施依据中所列依据要填写法律、法规、规章和有关文件全称，注明发布的时间和文号以及具体条款等，"
    "对同一权力如有不同层级依据的，按效力最高的为准。4、公开形式指选用的公开载体，包括单位网站、公开栏、"
    "纸质文书、办事指南等。5、公开范围为：内部公开、向社会公开、依申请公开、不公开等。6、公开时间为：长期公开、"
    "随时公开、依申请公开。7、收费依据和标准：列明收费依据名称及具体条款；不收费的，直接填写不收费。")
TEMPLATE_ROWS = 7   # the numbered blank rows of the paper


def words(category: str) -> str:
    """A category as seed 002 writes it."""
    return PowerCategory(category).short


def total_line(counts: dict[str, int]) -> str:
    """The 合计 sentence, from the per-category counts."""
    external = sum(counts.get(c.value, 0) for c in ORDER)
    internal = counts.get(PowerCategory.INTERNAL.value, 0)
    parts = "，".join(f"{c.short}{counts.get(c.value, 0)}项" for c in ORDER)
    return (f"经清理确认，本单位共有各类职权{external + internal}项，其中对外行使职权{external}项"
            f"（{parts}），内部管理职权{internal}项。")


def template(unit, sections: list[str]) -> Grid:
    """The blank form as the import template: a drop-down on every enumerated column."""
    g = grid(unit, blank=True)
    first, last = 1, TEMPLATE_ROWS
    g.choose(first, last, 2, CATEGORY_WORDS, prompt="按填表说明第2条的类别填写")
    g.choose(first, last, 4, DisclosureForm.values(), strict=False, prompt="可多选，以「、」分隔")
    g.choose(first, last, 5, DisclosureScope.values())
    g.choose(first, last, 6, DisclosureTime.values())
    g.choose(first, last, 8, sections, prompt="本单位已有的科室")
    return g


def grid(unit, filler: Filler | None = None, blank: bool = False) -> Grid:
    g = Grid("职权目录", list(WIDTHS), subtitle=f"单位（盖章）：{unit.name}",
             footer=footer(None if blank else filler), notes=NOTES, header_rows=1, sheet="职权目录")
    g.append(HEADINGS, HEAD)
    if blank:
        for n in range(1, TEMPLATE_ROWS + 1):
            g.append([n] + [None] * 9)
        counts = {}
    else:
        order = {c.value: i for i, c in enumerate(ORDER + [PowerCategory.INTERNAL])}
        powers = sorted(powers_of(unit), key=lambda p: (order.get(p.category, 99), p.id))
        detail_rows(g, powers, with_category=True, category_words=words)
        counts = counts_of(unit)
    g.append(["合 计", total_line(counts)], TOTAL, spans={1: 9})
    return g
