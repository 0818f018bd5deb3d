"""A person's placement — unit, section, post — is set only by those who keep
the organisation (``roles.PLACE`` on ``roles.PERSON``: the unit's administrator,
the county's office, the administrator).  Whoever else may edit a person (a
section head his members, anyone his own row) edits the rest of it."""
from flask import current_app
from sqlalchemy import select

from app.errors import Refused
from app.extensions import db
from app.organisation.models import Person
from app.security import roles
from app.security.scope import current_value

PLACEMENT = {"unit_id": "unit", "section_id": "section", "post_id": "post"}
NOT_YOURS = "您无权调整人员的单位、科室或岗位，请联系负责本单位组织机构维护的人员办理。"


def may_place() -> bool:
    return current_app.appbuilder.sm.has_access(roles.PLACE, roles.PERSON)


def moved(person: Person) -> list[str]:
    """The placement fields whose value differs from what is stored."""
    new = {column: current_value(person, column) for column in PLACEMENT}
    if person.id is None:
        return [PLACEMENT[c] for c, value in new.items() if value is not None]
    with db.session.no_autoflush:  # the stored row, not the one being edited
        old = db.session.execute(select(Person.unit_id, Person.section_id, Person.post_id)
                                 .where(Person.id == person.id)).one()._asdict()
    return [PLACEMENT[c] for c, value in new.items() if value != old[c]]


class Placement:
    """Mixin for the person page and API (placed before the base class)."""

    def pre_add(self, item):
        self._placing(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._placing(item)
        super().pre_update(item)

    @staticmethod
    def _placing(item):
        changed = moved(item)
        if changed and not may_place():
            raise Refused(NOT_YOURS, changed[0])
