"""Who has filed the quarter's self-check report (its paper form: :mod:`app.papers.notice`)."""
from dataclasses import dataclass

from sqlalchemy import select

from app.assessment.models import SelfCheck
from app.extensions import db
from app.organisation.models import Section, Unit
from app.security.scope import Scope, criteria


@dataclass
class Filing:
    unit: Unit
    section: Section | None
    report: SelfCheck | None

    @property
    def filed(self) -> bool:
        return self.report is not None and self.report.filed_at is not None


def filing(year: int, quarter: int, scope: Scope) -> list[Filing]:
    """Every unit and section in scope with its report of the quarter, if any."""
    units = db.session.scalars(select(Unit).where(criteria(Unit, scope)).order_by(Unit.code)).all()
    sections = db.session.scalars(select(Section).where(criteria(Section, scope)).order_by(Section.id)).all()
    reports = {(r.unit_id, r.section_id): r for r in db.session.scalars(
        select(SelfCheck).where(SelfCheck.year == year, SelfCheck.quarter == quarter, criteria(SelfCheck, scope)))}
    by_unit = {}
    for s in sections:
        by_unit.setdefault(s.unit_id, []).append(s)
    rows = []
    for u in units:
        rows.append(Filing(u, None, reports.get((u.id, None))))
        rows += [Filing(u, s, reports.get((u.id, s.id))) for s in by_unit.get(u.id, [])]
    return rows
