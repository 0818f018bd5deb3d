"""The catalogue's official tables as grids: 附件1 总表, 附件2 分表 and seed
002's 职权目录 with its 合计 line."""
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from app.catalogue.models import Power
from app.enums import PowerCategory, PowerStatus
from app.exports.grid import HEAD, LABEL, TOTAL, Grid, cn_number
from app.extensions import db
from app.formatting import cn_date
from app.security.scope import criteria, current_scope

DIRECTORY_NOTES = (
    "填表说明：此表填写单位经审定确认的权力项目。1、权力名称要按照法律、法规、规章和其他规范性文件规定的"
    "规范用语填写，做到准确、规范。2、权力类别。行政机关按行政审批、行政处罚、行政征收、行政强制、行政确认、"
    "行政裁决、行政给付、其他行政权力和内部管理职权进行填写。3、实施依据中所列依据要填写法律、法规、规章和有关"
    "文件全称，注明发布的时间和文号以及具体条款等。4、公开形式指选用的公开载体，包括单位网站、公开栏、纸质文书、"
    "办事指南等。5、公开范围为：内部公开、向社会公开、依申请公开、不公开等。6、公开时间为：长期公开、随时公开、"
    "依申请公开。7、收费依据和标准：列明收费依据名称及具体条款；不收费的，直接填写不收费。")
DIRECTORY_HEADINGS = ["序号", "权力名称", "权力类别", "实施依据", "公开形式", "公开范围",
                      "公开时间", "收费依据和标准", "承办处室", "备注"]
DIRECTORY_WIDTHS = [6, 24, 14, 36, 14, 10, 10, 16, 12, 10]
SUBTABLE_HEADINGS = ["序号", "项目名称", "实施主体", "实施依据", "公开形式", "公开范围",
                     "公开时间", "收费(征收)\n依据和标准", "承办机构", "备注"]


def _listed(unit):
    """The catalogue lists confirmed powers only (「经审定确认的权力项目」), in scope."""
    return and_(Power.unit_id == unit.id, Power.status != PowerStatus.DRAFT.value,
                criteria(Power, current_scope()))


def drafts_of(unit) -> int:
    return db.session.scalar(select(func.count(Power.id)).where(
        Power.unit_id == unit.id, Power.status == PowerStatus.DRAFT.value, criteria(Power, current_scope())))


def powers_of(unit, category: str | None = None) -> list[Power]:
    """The unit's listed powers, by category in the forms' order, then as entered."""
    order = case({c.value: i for i, c in enumerate(PowerCategory)}, value=Power.category)
    query = (select(Power).where(_listed(unit))
             .options(joinedload(Power.section), joinedload(Power.unit)).order_by(order, Power.id))
    if category:
        query = query.where(Power.category == category)
    return list(db.session.scalars(query))


def counts_of(unit) -> dict[str, int]:
    """Powers per category by one GROUP BY (the 共N项 and 合计 figures)."""
    rows = db.session.execute(
        select(Power.category, func.count()).where(_listed(unit)).group_by(Power.category))
    return {category: n for category, n in rows}


def _footer(filled_by: str | None) -> list[str]:
    return [f"填表人：{filled_by or '　' * 6}　　　　　　填表时间：{cn_date(date.today())}"]


def summary_table(unit, filled_by=None) -> Grid:
    """附件1 行政职权目录总表."""
    grid = Grid("行政职权目录总表", [6, 30, 50], subtitle=f"单位：{unit.name}（公章）",
                footer=_footer(filled_by), header_rows=1, landscape=False, sheet="总表")
    grid.append(["序号", "类别", "项目名称"], HEAD)
    by_category: dict[str, list[Power]] = {}
    for power in powers_of(unit):
        by_category.setdefault(power.category, []).append(power)
    for i, category in enumerate(PowerCategory.external(), start=1):
        items = by_category.get(category.value, [])
        top = grid.height
        grid.add(top, 0, cn_number(i), kind=LABEL)
        grid.add(top, 1, category.value, rows=len(items) + 1, kind=LABEL)
        grid.add(top, 2, f"共{len(items)}项", kind=TOTAL)
        for n, power in enumerate(items, start=1):
            grid.add(top + n, 0, n)
            grid.add(top + n, 2, power.name)
    return grid


def _detail_rows(grid, powers, with_category: bool):
    for n, p in enumerate(powers, start=1):
        middle = [p.category] if with_category else [p.subject or p.unit.name]
        grid.append([n, p.name, *middle, p.basis, p.disclosure_forms, p.disclosure_scope,
                     p.disclosure_time, p.fee, p.section.name if p.section else "", p.remarks])


def category_table(unit, category: str, filled_by=None) -> Grid:
    """附件2 行政职权目录分表（____类）."""
    label = PowerCategory(category)
    grid = Grid(f"行政职权目录分表（{label.value}类）", DIRECTORY_WIDTHS,
                subtitle=f"单位：{unit.name}", footer=_footer(filled_by), header_rows=1,
                sheet=f"分表-{label.value.split('(')[0]}")
    grid.append(SUBTABLE_HEADINGS, HEAD)
    powers = powers_of(unit, category)
    _detail_rows(grid, powers, with_category=False)
    if not powers:
        grid.append(["无"], spans={0: len(SUBTABLE_HEADINGS)})
    return grid


def total_line(counts: dict[str, int]) -> str:
    """The 合计 sentence of seed 002's 职权目录, from the per-category counts."""
    external = sum(counts.get(c.value, 0) for c in PowerCategory.external())
    internal = counts.get(PowerCategory.INTERNAL.value, 0)
    parts = "，".join(f"{c.short}{counts.get(c.value, 0)}项" for c in PowerCategory.external())
    return (f"经清理确认，本单位共有各类职权{external + internal}项，其中对外行使职权{external}项"
            f"（{parts}），内部管理职权{internal}项。")


def directory(unit, filled_by=None, blank: bool = False) -> Grid:
    """Seed 002 附件2 职权目录 (also the import template when ``blank``)."""
    grid = Grid("职权目录", DIRECTORY_WIDTHS, subtitle=f"单位（盖章）：{unit.name}",
                footer=_footer(filled_by), notes=DIRECTORY_NOTES, header_rows=1, sheet="职权目录")
    grid.append(DIRECTORY_HEADINGS, HEAD)
    if blank:
        for n in range(1, 8):
            grid.append([n] + [None] * 9)
        counts = {}
    else:
        _detail_rows(grid, powers_of(unit), with_category=True)
        counts = counts_of(unit)
    grid.append(["合 计", total_line(counts)], TOTAL, spans={1: 9})
    return grid


def all_tables(unit, filled_by=None) -> list[Grid]:
    return ([summary_table(unit, filled_by)]
            + [category_table(unit, c.value, filled_by) for c in PowerCategory.external()]
            + [directory(unit, filled_by)])
