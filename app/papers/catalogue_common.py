"""The columns and the 填表人 line the catalogue tables (000 附件1/2, 002 附件2) share."""
from app.catalogue.listing import Filler
from app.formatting import cn_date
from app.papers.common import filled_line


def footer(filler: Filler | None) -> list[str]:
    """填表人 and 填表时间: who filled the table in and when he last did."""
    return [filled_line(filler.name if filler else None, cn_date(filler.at.date()) if filler else "")]


def detail_rows(grid, powers, with_category: bool, category_words=lambda c: c):
    for n, p in enumerate(powers, start=1):
        middle = [category_words(p.category)] if with_category else [p.subject or p.unit.name]
        grid.append([n, p.name, *middle, p.basis, p.disclosure_forms, p.disclosure_scope,
                     p.disclosure_time, p.fee, p.section.name if p.section else "", p.remarks])
