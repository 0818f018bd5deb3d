"""The figures of the 汇总表, by SQL aggregation (one GROUP BY per measure),
always inside the viewer's scope and the chosen round, unit and review state."""
from dataclasses import dataclass, field

from sqlalchemy import and_, distinct, func, select

from app.enums import Owner, RiskLevel, RiskType, RuleKind
from app.extensions import db
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, Rule, SupervisionMethod, rule_risk
from app.security.scope import criteria, current_scope

CELLS = [(t, lv) for t in RiskType for lv in RiskLevel]  # 附件9's nine risk columns, in order


@dataclass(frozen=True)
class Filters:
    round: int
    unit_id: int | None = None
    stage: str | None = None  # a review stage key; None: every state

    def risks(self):
        """Conditions on risk points (joined to their form) for these filters and the scope."""
        conditions = [RiskForm.round == self.round, criteria(RiskPoint, current_scope())]
        if self.unit_id:
            conditions.append(RiskPoint.unit_id == self.unit_id)
        if self.stage:
            conditions.append(RiskForm.stage == self.stage)
        return and_(*conditions)


@dataclass
class Row:
    key: int | str | None
    label: str
    people: int = 0
    cells: dict = field(default_factory=dict)   # (RiskType, RiskLevel) -> count
    by_kind: dict = field(default_factory=dict)  # Owner -> {level: count, "risks": n, "measures": n}
    risks: int = 0
    measures: int = 0
    methods: int = 0
    new_rules: int = 0
    revised_rules: int = 0


def _grouped(key_column, filters: Filters, extra_group=()):
    """Risk counts per key × type × level, in one GROUP BY."""
    query = (select(key_column, *extra_group, RiskPoint.risk_type, RiskPoint.level, func.count(RiskPoint.id))
             .join(RiskForm, RiskPoint.form_id == RiskForm.id).where(filters.risks())
             .group_by(key_column, *extra_group, RiskPoint.risk_type, RiskPoint.level))
    return db.session.execute(query).all()


def _count_per_key(key_column, model, filters: Filters):
    query = (select(key_column, func.count(model.id)).select_from(model)
             .join(RiskPoint, model.risk_id == RiskPoint.id)
             .join(RiskForm, RiskPoint.form_id == RiskForm.id)
             .where(filters.risks()).group_by(key_column))
    return dict(db.session.execute(query).all())


def rows(filters: Filters, by: str = "unit") -> list[Row]:
    """附件9 rows: one per unit (``by="unit"``) or per section of ``filters.unit_id``."""
    from app.organisation.models import Section, Unit

    key = RiskPoint.unit_id if by == "unit" else RiskPoint.section_id
    table: dict = {}

    def row(k) -> Row:
        return table.setdefault(k, Row(k, ""))

    for k, risk_type, level, n in _grouped(key, filters):
        r = row(k)
        r.cells[(RiskType(risk_type), RiskLevel(level))] = n
        r.risks += n
    people = (select(key, func.count(distinct(RiskForm.person_id)))
              .select_from(RiskPoint).join(RiskForm, RiskPoint.form_id == RiskForm.id)
              .where(filters.risks(), RiskForm.owner_kind == Owner.PERSON.value).group_by(key))
    for k, n in db.session.execute(people):
        row(k).people = n
    for k, n in _count_per_key(key, ControlMeasure, filters).items():
        row(k).measures = n
    for k, n in _count_per_key(key, SupervisionMethod, filters).items():
        row(k).methods = n
    rules = (select(key, Rule.kind, func.count(distinct(Rule.id))).select_from(Rule)
             .join(rule_risk, rule_risk.c.rule_id == Rule.id)
             .join(RiskPoint, rule_risk.c.risk_id == RiskPoint.id)
             .join(RiskForm, RiskPoint.form_id == RiskForm.id)
             .where(filters.risks()).group_by(key, Rule.kind))
    for k, kind, n in db.session.execute(rules):
        if kind == RuleKind.NEW.value:
            row(k).new_rules = n
        else:
            row(k).revised_rules = n
    names_of = Unit if by == "unit" else Section
    ids = [k for k in table if k is not None]
    names = dict(db.session.execute(select(names_of.id, names_of.name).where(names_of.id.in_(ids))).all()) if ids else {}
    for k, r in table.items():
        r.label = names.get(k, "单位本级（领导班子）") if k is not None else "单位本级（领导班子）"
    return sorted(table.values(), key=lambda r: (r.key is None, r.label))


def by_owner_kind(filters: Filters) -> dict[Owner, Row]:
    """seed 002 附件6: 单位 / 内设部门 / 个人岗位 × level, with measures."""
    result = {kind: Row(kind.value, kind.value) for kind in Owner}
    query = (select(RiskPoint.owner_kind, RiskPoint.level, func.count(RiskPoint.id))
             .join(RiskForm, RiskPoint.form_id == RiskForm.id).where(filters.risks())
             .group_by(RiskPoint.owner_kind, RiskPoint.level))
    for kind, level, n in db.session.execute(query):
        r = result[Owner(kind)]
        r.by_kind[RiskLevel(level)] = n
        r.risks += n
    for kind, n in _count_per_key(RiskPoint.owner_kind, ControlMeasure, filters).items():
        result[Owner(kind)].measures = n
    return result


def total(rows_: list[Row]) -> Row:
    t = Row(None, "总合计")
    for r in rows_:
        t.people += r.people
        t.risks += r.risks
        t.measures += r.measures
        t.methods += r.methods
        t.new_rules += r.new_rules
        t.revised_rules += r.revised_rules
        for cell, n in r.cells.items():
            t.cells[cell] = t.cells.get(cell, 0) + n
        for level, n in r.by_kind.items():
            t.by_kind[level] = t.by_kind.get(level, 0) + n
    return t
