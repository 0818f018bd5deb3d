"""Keeps the 汇总表 figures (:mod:`app.reports.models`) equal to the forms.

Whatever changes a form's figures — a risk, measure or method added, moved,
retyped or deleted; a 制度 linked, unlinked or re-kinded; a form moved to
another stage or deleted — the form's rows are counted again from its risks
in the same transaction: at each ORM flush (:func:`install`), for bulk ORM
statements (``session.execute(update(RiskPoint)…)``), and by bulk loaders
through :func:`rebuild`.  A form's rows are a recount of that form, so the
table stays equal to a recount of everything; :func:`differences` checks
that (``flask --app run verify``).

Raw SQL that bypasses the ORM (a ``text()`` statement, a COPY) must call
:func:`rebuild` for the forms it wrote, as ``seed/scale.py`` does.
"""
from collections import Counter

from sqlalchemy import and_, case, delete, event, func, insert, select
from sqlalchemy.orm import Session

from app.enums import Owner
from app.reports.models import CELL_COLUMNS, SummaryFigure, SummaryRule
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, Rule, SupervisionMethod, rule_risk

WATCHED = (RiskForm, RiskPoint, ControlMeasure, SupervisionMethod, Rule)
_PENDING = "summary_figures_forms"   # session.info key: forms a flush is about to change
CHUNK = 500


# ── counting ────────────────────────────────────────────────────────────
def _per_risk(model, forms):
    """How many measures (or methods) each risk of ``forms`` has."""
    query = select(model.risk_id, func.count().label("n")).group_by(model.risk_id)
    if forms is not None:
        query = query.where(model.risk_id.in_(select(RiskPoint.id).where(RiskPoint.form_id.in_(forms))))
    return query.subquery()


def figure_rows(forms=None):
    """SELECT of :class:`SummaryFigure` rows counted from the risks of ``forms``
    (ids, or a SELECT of ids; None: every form)."""
    measures, methods = _per_risk(ControlMeasure, forms), _per_risk(SupervisionMethod, forms)
    cells = [func.sum(case((and_(RiskPoint.risk_type == t.value, RiskPoint.level == lv.value), 1), else_=0))
             .label(name) for (t, lv), name in CELL_COLUMNS.items()]
    person = case((RiskForm.owner_kind == Owner.PERSON.value, RiskForm.person_id))
    query = (select(RiskPoint.form_id, RiskForm.round, RiskForm.stage, RiskPoint.unit_id, RiskPoint.section_id,
                    RiskPoint.owner_id, RiskPoint.owner_kind, person.label("person_id"),
                    func.count().label("risks"), func.coalesce(func.sum(measures.c.n), 0).label("measures"),
                    func.coalesce(func.sum(methods.c.n), 0).label("methods"), *cells)
             .select_from(RiskPoint).join(RiskForm, RiskPoint.form_id == RiskForm.id)
             .outerjoin(measures, measures.c.risk_id == RiskPoint.id)
             .outerjoin(methods, methods.c.risk_id == RiskPoint.id)
             .group_by(RiskPoint.form_id, RiskForm.round, RiskForm.stage, RiskForm.owner_kind, RiskForm.person_id,
                       RiskPoint.unit_id, RiskPoint.section_id, RiskPoint.owner_id, RiskPoint.owner_kind))
    return query if forms is None else query.where(RiskPoint.form_id.in_(forms))


def rule_rows(forms=None):
    """SELECT of :class:`SummaryRule` rows: each 制度 once per form and place of the risks it answers."""
    query = (select(RiskPoint.form_id, rule_risk.c.rule_id, Rule.kind, RiskForm.round, RiskForm.stage,
                    RiskPoint.unit_id, RiskPoint.section_id, RiskPoint.owner_id).distinct()
             .select_from(rule_risk).join(RiskPoint, rule_risk.c.risk_id == RiskPoint.id)
             .join(RiskForm, RiskPoint.form_id == RiskForm.id).join(Rule, rule_risk.c.rule_id == Rule.id))
    return query if forms is None else query.where(RiskPoint.form_id.in_(forms))


def _names(query) -> list[str]:
    return [c.name for c in query.selected_columns]


def _write(connection, forms) -> None:
    """Replaces the rows of ``forms`` (None: all) with a fresh count."""
    for model, rows in ((SummaryFigure, figure_rows(forms)), (SummaryRule, rule_rows(forms))):
        table = model.__table__
        gone = delete(table) if forms is None else delete(table).where(table.c.form_id.in_(forms))
        connection.execute(gone)
        connection.execute(insert(table).from_select(_names(rows), rows))


def recount_forms(connection, form_ids) -> None:
    """Counts the figures of these forms again (locked first, so two
    transactions recounting one form cannot both leave their rows)."""
    ids = sorted({i for i in form_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        if connection.dialect.name == "postgresql":
            connection.execute(select(RiskForm.id).where(RiskForm.id.in_(chunk))
                               .order_by(RiskForm.id).with_for_update())
        _write(connection, chunk)


def rebuild(connection, forms=None) -> None:
    """Counts again the figures of ``forms`` (a SELECT of form ids), or of every form."""
    _write(connection, forms)


# ── which forms a change touches ────────────────────────────────────────
def _ids(objects) -> dict:
    by_model: dict = {}
    for obj in objects:
        if obj.id is not None:
            by_model.setdefault(type(obj), set()).add(obj.id)
    return by_model


def _stored_forms(session, by_model: dict) -> set[int]:
    """The forms rows (ids by model) belong to in the database now: before a
    flush, where they were; after it, where they are."""
    by_model = dict(by_model)
    forms = set(by_model.pop(RiskForm, ()))
    queries = []
    if RiskPoint in by_model:
        queries.append(select(RiskPoint.form_id).where(RiskPoint.id.in_(by_model[RiskPoint])))
    for model in (ControlMeasure, SupervisionMethod):
        if model in by_model:
            queries.append(select(RiskPoint.form_id).join(model, model.risk_id == RiskPoint.id)
                           .where(model.id.in_(by_model[model])))
    if Rule in by_model:
        queries.append(select(RiskPoint.form_id).join(rule_risk, rule_risk.c.risk_id == RiskPoint.id)
                       .where(rule_risk.c.rule_id.in_(by_model[Rule])))
    connection = session.connection()
    for query in queries:
        forms.update(connection.execute(query.distinct()).scalars())
    return forms


def _changed(session, objects):
    return [o for o in objects if isinstance(o, WATCHED)]


def _before_flush(session, _ctx, _instances):
    persistent = _changed(session, [*session.dirty, *session.deleted])
    persistent = [o for o in persistent if o in session.deleted or session.is_modified(o)]
    with session.no_autoflush:
        session.info[_PENDING] = _stored_forms(session, _ids(persistent)) if persistent else set()


def _after_flush(session, _ctx):
    forms = session.info.pop(_PENDING, set())
    now = [o for o in _changed(session, [*session.new, *session.dirty])
           if o in session.new or session.is_modified(o)]
    if now:
        forms |= _stored_forms(session, _ids(now))
    if forms:
        recount_forms(session.connection(), forms)


_TABLES = {m.__table__.name: m for m in WATCHED}


def _bulk_statement(state):
    """``update(RiskPoint)…`` / ``delete(ControlMeasure)…`` through the session:
    the forms of the rows it touches, before and after, are counted again."""
    if not (state.is_update or state.is_delete) or state.execution_options.get("figures"):
        return None
    mapper = state.bind_arguments.get("mapper")
    model = _TABLES.get(mapper.local_table.name) if mapper is not None else None
    if model is None:
        return None
    statement = state.statement
    ids = select(model.id)
    if statement.whereclause is not None:
        ids = ids.where(statement.whereclause)
    session = state.session
    rows = {model: set(session.execute(ids, execution_options={"figures": True}).scalars())}
    forms = _stored_forms(session, rows)
    result = state.invoke_statement()
    if state.is_update:
        forms |= _stored_forms(session, rows)
    recount_forms(session.connection(), forms)
    return result


def install():
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _bulk_statement)


# ── checking ────────────────────────────────────────────────────────────
def differences(session, batch: int = 5000, limit: int = 50) -> list[str]:
    """Where the stored figures differ from a recount from scratch, form by
    form, read in ranges of form ids so a city fits in memory."""
    found, last = [], session.execute(select(func.max(RiskForm.id))).scalar() or 0
    for start in range(0, last + 1, batch):
        forms = select(RiskForm.id).where(RiskForm.id >= start, RiskForm.id < start + batch)
        for model, fresh in ((SummaryFigure, figure_rows(forms)), (SummaryRule, rule_rows(forms))):
            names = _names(fresh)
            table = model.__table__
            stored = select(*[table.c[n] for n in names]).where(table.c.form_id >= start,
                                                                table.c.form_id < start + batch)
            want = Counter(tuple(r) for r in session.execute(fresh))
            have = Counter(tuple(r) for r in session.execute(stored))
            for form_id in sorted({r[0] for r in (want - have) + (have - want)}):
                found.append(f"登记表 #{form_id} 的{'汇总数字' if model is SummaryFigure else '制度统计'}"
                             "与重新统计不符。")
                if len(found) >= limit:
                    return found + ["……（仅列出前 %d 处）" % limit]
    return found
