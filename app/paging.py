"""One page of a list that grows with the data: the rows asked for, the total,
and a pager with a bounded number of links (templates: ``_pager.html``).

A page of a custom view shows at most :data:`SIZE` rows, read with LIMIT and
OFFSET, however many the database holds.
"""
from dataclasses import dataclass

from flask import request
from sqlalchemy import func, select

from app.extensions import db

SIZE = 50
AROUND = 3   # page links on each side of the current one


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def links(self) -> list[int | None]:
        """Page numbers to link: the first, the last and a few around this one; None for a gap."""
        shown = {1, self.pages, *range(max(self.number - AROUND, 1), min(self.number + AROUND, self.pages) + 1)}
        out, last = [], 0
        for n in sorted(shown):
            if n > last + 1:
                out.append(None)
            out.append(n)
            last = n
        return out


def number(arg: str = "page") -> int:
    return max(request.args.get(arg, 1, type=int) or 1, 1)


def of_list(rows: list, page: int | None = None, size: int = SIZE) -> Page:
    """One page of a list already in memory (a cross product made in Python),
    so the HTML stays bounded."""
    total = len(rows)
    page = min(page or number(), max((total + size - 1) // size, 1))
    return Page(rows[(page - 1) * size:page * size], page, size, total)


def paginate(query, page: int | None = None, size: int = SIZE, scalars: bool = True) -> Page:
    """Counts ``query`` (a SELECT) and reads one page of it."""
    page = page or number()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(page, max((total + size - 1) // size, 1))
    rows = db.session.execute(query.limit(size).offset((page - 1) * size))
    return Page(list(rows.scalars() if scalars else rows), page, size, total)
