"""Who holds a cadre's yearly 廉政谈话, and who is still owed one.

「各主管领导每年与所管辖的党员干部进行一次廉政谈话」: a section's members
(its head included) are overseen by the section's 分管领导; everyone else in
the unit by its 主管领导 (the first of its leaders), who is overseen from
outside the unit and owed no talk here.
"""
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from app import paging
from app.archives.models import IntegrityTalk
from app.extensions import db
from app.organisation.models import Person, Section, Unit
from app.security.scope import Scope, criteria


def principals(unit_ids) -> dict[int, Person]:
    """The 主管领导 of each unit: its first leader, as for the unit's own 登记表."""
    first = (select(func.min(Person.id)).where(Person.is_leader, Person.unit_id.in_(unit_ids))
             .group_by(Person.unit_id))
    return {p.unit_id: p for p in db.session.scalars(select(Person).where(Person.id.in_(first)))}


def overseer(person: Person, principal: Person | None) -> Person | None:
    supervisor = person.section.supervisor if person.section else None
    for candidate in (supervisor, principal):
        if candidate is not None and candidate.id != person.id:
            return candidate
    return None


def may_talk(talker: Person, cadre: Person) -> bool:
    """The cadre's 分管领导, or the 主管领导 of his unit."""
    if talker.id == cadre.id or talker.unit_id != cadre.unit_id:
        return False
    principal = principals([cadre.unit_id]).get(cadre.unit_id)
    return talker.id in {getattr(overseer(cadre, principal), "id", None), getattr(principal, "id", None)}


def _owed(year: int, scope: Scope):
    """SELECT (cadre id, unit id, overseer id) of the cadres in scope still
    owed a talk in ``year``: :func:`overseer` written in SQL, so a list of
    them is counted and paged in the database."""
    talked = select(IntegrityTalk.cadre_id).where(IntegrityTalk.year == year)
    principal = (select(Person.unit_id, func.min(Person.id).label("id")).where(Person.is_leader)
                 .group_by(Person.unit_id).subquery())
    supervisor = Section.supervisor_id
    by = case((and_(supervisor.is_not(None), supervisor != Person.id), supervisor),
              (and_(principal.c.id.is_not(None), principal.c.id != Person.id), principal.c.id))
    return (select(Person.id.label("cadre_id"), Person.unit_id, by.label("by_id"))
            .outerjoin(Section, Person.section_id == Section.id)
            .outerjoin(principal, principal.c.unit_id == Person.unit_id)
            .where(criteria(Person, scope), Person.id.not_in(talked), by.is_not(None)))


def _pairs(rows) -> list[tuple[Person, Person]]:
    """(cadre, overseer) for rows of :func:`_owed`, the people loaded in a few queries."""
    ids = {r.cadre_id for r in rows} | {r.by_id for r in rows}
    people = {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_(ids))
        .options(selectinload(Person.unit), selectinload(Person.section)))} if ids else {}
    return [(people[r.cadre_id], people[r.by_id]) for r in rows]


def owed(year: int, scope: Scope) -> list[tuple[Person, Person]]:
    """(cadre, who owes him the talk) for every cadre in scope not yet talked to in ``year``."""
    query = _owed(year, scope).order_by(Person.unit_id, Person.section_id, Person.id)
    return _pairs(db.session.execute(query).all())


def owed_by(year: int, scope: Scope, talker: Person) -> int:
    """How many cadres in scope ``talker`` still owes a talk in ``year`` (all in his own unit)."""
    owed_ = _owed(year, scope).where(Person.unit_id == talker.unit_id).subquery()
    return db.session.scalar(select(func.count()).select_from(owed_).where(owed_.c.by_id == talker.id))


def owed_by_unit(year: int, scope: Scope, page: int) -> tuple[paging.Page, int]:
    """One page of (unit, how many are owed a talk there) in unit order, and the
    total owed in scope: one aggregate over the people, however many units."""
    owed_ = _owed(year, scope).subquery()
    counts = db.session.execute(select(owed_.c.unit_id, func.count()).group_by(owed_.c.unit_id)).all()
    n = dict(counts)
    ids = db.session.scalars(select(Unit.id).where(Unit.id.in_(n)).order_by(Unit.code, Unit.id)).all() if n else []
    result = paging.of_list(ids, page)
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(result.items)))} if ids else {}
    result.items = [(units[i], n[i]) for i in result.items]
    return result, sum(n.values())


def owed_in_unit(year: int, scope: Scope, unit_id: int, page: int) -> paging.Page:
    """One page of (cadre, who owes him the talk) in one unit."""
    query = (_owed(year, scope).where(Person.unit_id == unit_id)
             .order_by(Person.section_id, Person.id))
    result = paging.paginate(query, page, scalars=False)
    result.items = _pairs(result.items)
    return result
