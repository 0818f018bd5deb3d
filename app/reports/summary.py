"""The figures of the 汇总表, read from the maintained figures
(:mod:`app.reports.models`), always inside the viewer's scope and the chosen
round, unit and review state: a few sums over one row per form, whatever the
number of risks and measures behind them."""
from dataclasses import dataclass, field

from sqlalchemy import and_, distinct, func, select

from app.enums import Owner, RiskLevel, RiskType, RuleKind
from app.extensions import db
from app.reports.models import CELL_COLUMNS, SummaryFigure, SummaryRule
from app.risks.models import RiskForm, RiskPoint
from app.security.scope import criteria, current_scope

CELLS = list(CELL_COLUMNS)  # 附件9's nine risk columns, in order
UNIT_LEVEL = "单位本级（领导班子）"


ALL_STAGES = "all"   # asked for every review state (drafts too); approved registers otherwise


@dataclass(frozen=True)
class Filters:
    round: int
    unit_id: int | None = None
    stage: str | None = None  # a review stage key (of the form); None: every state
    county_id: int | None = None

    def risks(self):
        """Conditions on risk points (joined to their form) for these filters and the scope."""
        return self._where(RiskPoint, RiskForm.round, RiskForm.stage)

    def figures(self, model=SummaryFigure):
        """The same conditions on the maintained figures, which carry round and stage."""
        return self._where(model, model.round, model.stage)

    def _where(self, model, round_, stage):
        from app.organisation.models import Unit

        conditions = [round_ == self.round, criteria(model, current_scope())]
        if self.unit_id:
            conditions.append(model.unit_id == self.unit_id)
        if self.county_id:
            conditions.append(model.unit_id.in_(select(Unit.id).where(Unit.county_id == self.county_id)))
        if self.stage:
            conditions.append(stage == self.stage)
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


def _sums(*names):
    return [func.coalesce(func.sum(getattr(SummaryFigure, n)), 0) for n in names]


BY = ("county", "unit", "section")   # what a row of 附件9 is


def _key(model, by: str):
    """The column rows are grouped by, and the join it needs (a unit's county)."""
    from app.organisation.models import Unit
    if by == "county":
        return Unit.county_id, (Unit, Unit.id == model.unit_id)
    return (model.unit_id if by == "unit" else model.section_id), None


def rows(filters: Filters, by: str = "unit") -> list[Row]:
    """附件9 rows: one per county, per unit, or per section of ``filters.unit_id``,
    named in the same statement."""
    from sqlalchemy.orm import aliased

    table: dict = {}
    key, join = _key(SummaryFigure, by)
    named = aliased(_names_of(by))
    figures = (select(key, named.name, func.count(distinct(SummaryFigure.person_id)),
                      *_sums("risks", "measures", "methods", *CELL_COLUMNS.values()))
               .select_from(SummaryFigure))
    figures = (figures.join(*join) if join else figures).outerjoin(named, named.id == key)
    for k, name, people, risks, measures, methods, *cells in db.session.execute(
            figures.where(filters.figures()).group_by(key, named.name)):
        table[k] = Row(k, name or UNIT_LEVEL, people=people, risks=risks, measures=measures, methods=methods,
                       cells={cell: n for cell, n in zip(CELLS, cells) if n})
    key, join = _key(SummaryRule, by)
    rules = (select(key, SummaryRule.kind, func.count(distinct(SummaryRule.rule_id))).select_from(SummaryRule)
             .where(filters.figures(SummaryRule)).group_by(key, SummaryRule.kind))
    for k, kind, n in db.session.execute(rules.join(*join) if join else rules):
        r = table.setdefault(k, Row(k, ""))   # a 制度 answers risks, so its row is there already
        if kind == RuleKind.NEW.value:
            r.new_rules = n
        else:
            r.revised_rules = n
    if any(not r.label for r in table.values()):
        return label_rows(table, by)
    return _ordered(table, by)


def _names_of(by: str):
    from app.organisation.models import County, Section, Unit
    return {"county": County, "unit": Unit, "section": Section}[by]


def label_rows(table: dict, by: str) -> list[Row]:
    """Names the rows (one query) and puts them in order."""
    names_of = _names_of(by)
    ids = [k for k in table if k is not None]
    names = dict(db.session.execute(select(names_of.id, names_of.name).where(names_of.id.in_(ids))).all()) if ids else {}
    for k, r in table.items():
        r.label = names.get(k, UNIT_LEVEL) if k is not None else UNIT_LEVEL
    return _ordered(table, by)


def _ordered(table: dict, by: str) -> list[Row]:
    """Counties as numbered, units and sections by name, the unit's own level last."""
    return sorted(table.values(), key=lambda r: (r.key is None, r.key if by == "county" else r.label))


def by_owner_kind(filters: Filters) -> dict[Owner, Row]:
    """seed 002 附件6: 单位 / 内设部门 / 个人岗位 × level, with measures."""
    result = {kind: Row(kind.value, kind.value) for kind in Owner}
    levels = [[n for (_, lv), n in CELL_COLUMNS.items() if lv is level] for level in RiskLevel]
    query = (select(SummaryFigure.owner_kind, *_sums("risks", "measures"),
                    *[func.coalesce(func.sum(sum((getattr(SummaryFigure, n) for n in names[1:]),
                                                 getattr(SummaryFigure, names[0]))), 0) for names in levels])
             .where(filters.figures()).group_by(SummaryFigure.owner_kind))
    for kind, risks, measures, *per_level in db.session.execute(query):
        r = result[Owner(kind)]
        r.risks, r.measures = risks, measures
        r.by_kind = {level: n for level, n in zip(RiskLevel, per_level) if n}
    return result


def by_cell(filters: Filters) -> dict[RiskType, dict[tuple, int]]:
    """The nine cells of 附件9 for everything in the filters, by type (the dashboard's chart)."""
    sums = db.session.execute(select(*_sums(*CELL_COLUMNS.values())).where(filters.figures())).one()
    result = {t: {} for t in RiskType}
    for (t, lv), n in zip(CELLS, sums):
        result[t][(t, lv)] = n
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
