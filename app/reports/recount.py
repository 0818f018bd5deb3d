"""The figures of the 汇总表 counted from scratch from the risks themselves
(one GROUP BY per measure): what each figure means, written independently of
the maintained figures (:mod:`app.reports.figures`) that the pages read.  The
tests and the benchmark compare the two."""
from sqlalchemy import distinct, func, select

from app.enums import Owner, RiskLevel, RiskType, RuleKind
from app.extensions import db
from app.organisation.models import Unit
from app.reports.summary import Filters, Row, label_rows
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, Rule, SupervisionMethod, rule_risk


def _by(query, by: str):
    """A query on risks grouped by their county needs the risk's unit."""
    return query.join(Unit, Unit.id == RiskPoint.unit_id) if by == "county" else query


def _grouped(key_column, filters: Filters, by: str = "unit"):
    """Risk counts per key × type × level, in one GROUP BY."""
    query = (select(key_column, RiskPoint.risk_type, RiskPoint.level, func.count(RiskPoint.id))
             .select_from(RiskPoint).join(RiskForm, RiskPoint.form_id == RiskForm.id).where(filters.risks())
             .group_by(key_column, RiskPoint.risk_type, RiskPoint.level))
    return db.session.execute(_by(query, by)).all()


def _count_per_key(key_column, model, filters: Filters, by: str = "unit"):
    query = (select(key_column, func.count(model.id)).select_from(model)
             .join(RiskPoint, model.risk_id == RiskPoint.id)
             .join(RiskForm, RiskPoint.form_id == RiskForm.id)
             .where(filters.risks()).group_by(key_column))
    return dict(db.session.execute(_by(query, by)).all())


def rows(filters: Filters, by: str = "unit") -> list[Row]:
    """附件9 rows: one per county, per unit, or per section of ``filters.unit_id``."""
    key = {"county": Unit.county_id, "unit": RiskPoint.unit_id, "section": RiskPoint.section_id}[by]
    table: dict = {}

    def row(k) -> Row:
        return table.setdefault(k, Row(k, ""))

    for k, risk_type, level, n in _grouped(key, filters, by):
        r = row(k)
        r.cells[(RiskType(risk_type), RiskLevel(level))] = n
        r.risks += n
    people = (select(key, func.count(distinct(RiskForm.person_id)))
              .select_from(RiskPoint).join(RiskForm, RiskPoint.form_id == RiskForm.id)
              .where(filters.risks(), RiskForm.owner_kind == Owner.PERSON.value).group_by(key))
    for k, n in db.session.execute(_by(people, by)):
        row(k).people = n
    for k, n in _count_per_key(key, ControlMeasure, filters, by).items():
        row(k).measures = n
    for k, n in _count_per_key(key, SupervisionMethod, filters, by).items():
        row(k).methods = n
    rules = (select(key, Rule.kind, func.count(distinct(Rule.id))).select_from(Rule)
             .join(rule_risk, rule_risk.c.rule_id == Rule.id)
             .join(RiskPoint, rule_risk.c.risk_id == RiskPoint.id)
             .join(RiskForm, RiskPoint.form_id == RiskForm.id)
             .where(filters.risks()).group_by(key, Rule.kind))
    for k, kind, n in db.session.execute(_by(rules, by)):
        if kind == RuleKind.NEW.value:
            row(k).new_rules = n
        else:
            row(k).revised_rules = n
    return label_rows(table, by)


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
