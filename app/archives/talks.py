"""Who holds a cadre's yearly 廉政谈话, and who is still owed one.

「各主管领导每年与所管辖的党员干部进行一次廉政谈话」: a section's members
(its head included) are overseen by the section's 分管领导; everyone else in
the unit by its 主管领导 (the first of its leaders), who is overseen from
outside the unit and owed no talk here.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.archives.models import IntegrityTalk
from app.extensions import db
from app.organisation.models import Person, Section
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


def owed(year: int, scope: Scope) -> list[tuple[Person, Person]]:
    """(cadre, who owes him the talk) for the cadres in scope not yet talked to in ``year``."""
    talked = select(IntegrityTalk.cadre_id).where(IntegrityTalk.year == year)
    people = list(db.session.scalars(
        select(Person).where(criteria(Person, scope), Person.id.not_in(talked))
        .options(selectinload(Person.unit), selectinload(Person.section).selectinload(Section.supervisor))
        .order_by(Person.unit_id, Person.section_id, Person.id)))
    heads = principals({p.unit_id for p in people})
    rows = [(p, overseer(p, heads.get(p.unit_id))) for p in people]
    return [(cadre, by) for cadre, by in rows if by is not None]
