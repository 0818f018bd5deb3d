"""Data scope: which rows a login may see and change, decided here only.

Every scoped model names, in ``__scope__``, the columns that place one of its
rows in the organisation (``county``, ``unit``, ``section``, ``person``), or
the relation it is placed ``through`` (a plan deliverable through its phase, a
reminder delivery through its recipient).  A row whose only place is a county
column left empty is city-wide: only the city level and the administrator see
it (a 全市 reminder rule).  A login's
:class:`Scope` comes from its roles (see ``roles.ROLES``) and its person.
:func:`criteria` turns the two into one SQL condition; list, show, edit,
delete, bulk actions, search, the REST API, exports and charts all go through
it, and :func:`in_scope` applies the same rule to an object about to be saved.
"""
from dataclasses import dataclass, field
from enum import IntEnum

from flask import g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, literal, null, or_, select, true
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause


class Level(IntEnum):
    """From widest to narrowest."""
    ALL = 0       # 系统管理员
    CITY = 1      # 市纪委监委, 市领导小组办公室: every county of their city
    COUNTY = 2    # 领导小组办公室, 纪委监察: their county
    UNIT = 3      # 单位管理员, 单位领导: their unit
    SECTIONS = 4  # 分管领导: the sections they supervise; 科室负责人: their section
    SELF = 5      # 工作人员: their own records
    NONE = 6      # no role that grants data


class Sections(IntEnum):
    """Which sections a role of level SECTIONS reaches."""
    NONE = 0
    OWN = 1          # 科室负责人: his own section
    SUPERVISED = 2   # 分管领导: the sections he supervises


class Scoped:
    """Mixin for models whose rows belong somewhere in the organisation."""
    __scope__: dict[str, str] = {}


@dataclass(frozen=True)
class Scope:
    level: Level
    city_id: int | None = None
    county_id: int | None = None
    unit_id: int | None = None
    section_ids: frozenset[int] = field(default_factory=frozenset)
    person_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.level == Level.ALL


NOTHING = Scope(Level.NONE)
EVERYTHING = Scope(Level.ALL)


def scope_of(user) -> Scope:
    """The scope a login's widest role grants."""
    from app.security.roles import CUSTOM_ROLE_LEVEL, ROLES  # roles import this module, not the reverse

    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    levels = [ROLES[r.name].level if r.name in ROLES else CUSTOM_ROLE_LEVEL for r in user.roles]
    level = min(levels, default=Level.NONE)
    person = user.person
    if level == Level.ALL:
        return EVERYTHING
    if person is None:
        return NOTHING
    sections = set()
    if level == Level.SECTIONS:
        reach = {ROLES[r.name].sections for r in user.roles if r.name in ROLES}
        if Sections.SUPERVISED in reach:
            sections |= {s.id for s in person.supervised_sections}
        if Sections.OWN in reach and person.section_id:
            sections.add(person.section_id)
    county = person.unit.county
    return Scope(level, city_id=county.city_id, county_id=county.id, unit_id=person.unit_id,
                 section_ids=frozenset(sections), person_id=person.id)


def current_scope() -> Scope:
    """The scope of the login of this request, computed once per request.

    Outside a request (CLI commands, scheduled jobs, seeds) the code acts as
    the system user, whose scope is everything.
    """
    if not has_request_context():
        return EVERYTHING
    if "scope" not in g:
        g.scope = scope_of(getattr(g, "user", None))
    return g.scope


def _column(model, kind):
    name = model.__scope__.get(kind)
    return getattr(model, name) if name else None


def _through(model):
    """The many-to-one relation a model is placed through, if any."""
    name = model.__scope__.get("through")
    return model.__mapper__.relationships[name] if name else None


def scope_columns(model) -> list[str]:
    """The names of the columns whose values place a row of ``model``."""
    through = _through(model)
    if through is not None:
        return [c.key for c in through.local_columns]
    return [v for k, v in model.__scope__.items() if k != "through"]


def _city_counties(scope: Scope):
    from app.organisation.models import County
    return select(County.id).where(County.city_id == scope.city_id)


def criteria(model, scope: Scope):
    """The SQL condition for the rows of ``model`` inside ``scope``."""
    from app.organisation.models import Unit

    if scope.level == Level.ALL:
        return true()
    if scope.level == Level.NONE:
        return false()
    through = _through(model)
    if through is not None:
        (local,) = through.local_columns
        target = through.mapper.class_
        return local.in_(select(target.id).where(criteria(target, scope)))
    county, unit, section, person = (_column(model, k) for k in ("county", "unit", "section", "person"))
    if scope.level == Level.CITY:
        if county is not None:  # a row with no county is city-wide
            return or_(county.in_(_city_counties(scope)), county.is_(None))
        return unit.in_(select(Unit.id).where(Unit.county_id.in_(_city_counties(scope))))
    if county is not None and (unit is None or scope.level == Level.COUNTY):
        return county == scope.county_id  # county-wide rows (the plan, the county) for all its people
    if scope.level == Level.COUNTY:
        return unit.in_(select(Unit.id).where(Unit.county_id == scope.county_id))
    if scope.level == Level.UNIT:
        return unit == scope.unit_id
    mine = [person == scope.person_id] if person is not None else []
    if scope.level == Level.SECTIONS and section is not None:
        return or_(section.in_(scope.section_ids), *mine)
    if scope.level == Level.SELF and mine:
        return mine[0]
    if scope.level == Level.SELF and section is not None:
        return section.in_(_own_section(scope))  # a staff member sees his own section's row
    return unit == scope.unit_id                  # ...and his own unit's


def _own_section(scope: Scope):
    from app.organisation.models import Person
    return select(Person.section_id).where(Person.id == scope.person_id)


def in_scope(obj, scope: Scope | None = None) -> bool:
    """Whether ``obj``, as it is about to be saved, lies inside the scope.

    Evaluates :func:`criteria` itself with the object's values standing in for
    its columns, so the rule for new and changed rows is the rule for queries.
    """
    from app.extensions import db

    scope = scope or current_scope()
    if scope.level == Level.ALL:
        return True
    model = type(obj)
    table = model.__table__
    values = {name: current_value(obj, name) for name in scope_columns(model)}

    def swap(element):
        if isinstance(element, ColumnClause) and getattr(element, "table", None) is table \
                and element.name in values:
            value = values[element.name]
            return null() if value is None else literal(value)
        return None

    condition = visitors.replacement_traverse(criteria(model, scope), {}, swap)
    with db.session.no_autoflush:  # the object is not saved yet, and may never be
        return bool(db.session.execute(select(true()).where(condition)).scalar())


def current_value(obj, column: str):
    """A foreign key's value as the object now says, even if only the
    relationship was assigned (forms and the API assign objects)."""
    for rel in type(obj).__mapper__.relationships:
        if rel.direction.name == "MANYTOONE" and any(c.key == column for c in rel.local_columns):
            if rel.key in obj.__dict__:
                target = obj.__dict__[rel.key]
                return target.id if target is not None else None
    return getattr(obj, column)


def default_county(obj, scope: Scope | None = None) -> None:
    """A new row placed by a county column and left without one goes to the login's
    own county (a county office's rule, a unit); the city level and the
    administrator leave it empty, which makes it city-wide where that is allowed."""
    from app.extensions import db

    scope = scope or current_scope()
    name = getattr(type(obj), "__scope__", {}).get("county")
    if not name or scope.level in (Level.ALL, Level.CITY) or scope.county_id is None:
        return
    if type(obj).__table__.columns[name].primary_key or current_value(obj, name) is not None:
        return
    for rel in type(obj).__mapper__.relationships:
        if rel.direction.name == "MANYTOONE" and any(c.key == name for c in rel.local_columns):
            setattr(obj, rel.key, db.session.get(rel.mapper.class_, scope.county_id))
            return
    setattr(obj, name, scope.county_id)


class ScopeFilter(BaseFilter):
    """FAB filter that narrows any query on a scoped model to the current login."""
    name = "数据范围"
    arg_name = "scope"

    def apply(self, query, value):
        return query.filter(criteria(self.model, current_scope()))


def in_scope_many(objects, scope: Scope) -> list[bool]:
    """:func:`in_scope` for many objects at once (a reminder's items): the same
    condition, evaluated in one query per model and per :data:`PLACES` distinct
    places instead of one query per object."""
    from sqlalchemy import union_all
    from app.extensions import db

    answers = [scope.level == Level.ALL] * len(objects)
    if scope.level == Level.ALL:
        return answers
    by_model: dict = {}
    for i, obj in enumerate(objects):
        by_model.setdefault(type(obj), []).append(i)
    for model, indexes in by_model.items():
        table, names = model.__table__, list(dict.fromkeys(scope_columns(model)))
        places: dict = {}
        for i in indexes:
            places.setdefault(tuple(current_value(objects[i], n) for n in names), []).append(i)
        keys = list(places)
        for start in range(0, len(keys), PLACES):
            chunk = keys[start:start + PLACES]
            rows = union_all(*[select(literal(k).label("place_key"),
                                      *[literal(v, table.c[n].type).label(n) for n, v in zip(names, place)])
                               for k, place in enumerate(chunk, start)]).subquery("places")

            def swap(element):
                if isinstance(element, ColumnClause) and getattr(element, "table", None) is table \
                        and element.name in names:
                    return rows.c[element.name]
                return None

            condition = visitors.replacement_traverse(criteria(model, scope), {}, swap)
            with db.session.no_autoflush:
                for k in db.session.scalars(select(rows.c.place_key).where(condition)):
                    for i in places[keys[k]]:
                        answers[i] = True
    return answers


PLACES = 200   # distinct places per query (a few bind parameters each)
