"""Who has filed the quarter's self-check report (its paper form: :mod:`app.papers.notice`)."""
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import exists, func, select

from app.assessment.models import SelfCheck
from app.extensions import db
from app.organisation.models import Section, Unit
from app.security.scope import Scope, criteria


class Place(NamedTuple):
    """A unit or section as the filing list shows it: a light row, so a city's
    nine thousand of them are read without building ORM objects."""
    id: int
    name: str
    code: str = ""


@dataclass
class Filing:
    unit: Place
    section: Place | None
    report: SelfCheck | None

    @property
    def filed(self) -> bool:
        return self.report is not None and self.report.filed_at is not None


def filing_by_quarter(year: int, scope: Scope) -> list[tuple[Place, Place | None, list[Filing]]]:
    """Each unit and section in scope with its four quarters' filings of ``year``."""
    reports = _reports(scope, SelfCheck.year == year)
    return [(unit, section, [Filing(unit, section, reports.get((q, unit.id, section and section.id)))
                             for q in (1, 2, 3, 4)]) for unit, section in _places(scope)]


def not_filed(year: int, quarter: int, scope: Scope) -> int:
    """How many rows of :func:`filing` have not filed, counted in the database."""
    def filed(*where):
        return exists().where(SelfCheck.year == year, SelfCheck.quarter == quarter, SelfCheck.filed_at.is_not(None),
                              criteria(SelfCheck, scope), *where)
    units = select(func.count(Unit.id)).where(
        criteria(Unit, scope), ~filed(SelfCheck.unit_id == Unit.id, SelfCheck.section_id.is_(None)))
    sections = select(func.count(Section.id)).where(
        criteria(Section, scope), ~filed(SelfCheck.unit_id == Section.unit_id, SelfCheck.section_id == Section.id))
    return db.session.scalar(units) + db.session.scalar(sections)


def filing(year: int, quarter: int, scope: Scope) -> list[Filing]:
    """Every unit and section in scope with its report of the quarter, if any."""
    reports = _reports(scope, SelfCheck.year == year, SelfCheck.quarter == quarter)
    return [Filing(unit, section, reports.get((quarter, unit.id, section and section.id)))
            for unit, section in _places(scope)]


def _places(scope: Scope) -> list[tuple[Place, Place | None]]:
    """Each unit in scope (by code), then its sections: the rows of the filing lists."""
    units = [Place(*r) for r in db.session.execute(
        select(Unit.id, Unit.name, Unit.code).where(criteria(Unit, scope)).order_by(Unit.code))]
    sections = db.session.execute(select(Section.id, Section.name, Section.unit_id)
                                  .where(criteria(Section, scope)).order_by(Section.id)).all()
    by_unit = {}
    for section_id, name, unit_id in sections:
        by_unit.setdefault(unit_id, []).append(Place(section_id, name))
    return [place for u in units for place in [(u, None)] + [(u, s) for s in by_unit.get(u.id, [])]]


def _reports(scope: Scope, *where) -> dict[tuple[int, int, int | None], SelfCheck]:
    """The reports in scope matching ``where``, by (quarter, unit id, section id)."""
    return {(r.quarter, r.unit_id, r.section_id): r
            for r in db.session.scalars(select(SelfCheck).where(criteria(SelfCheck, scope), *where))}
