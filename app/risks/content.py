"""The write rule for a form's content, in one place: frozen means frozen.

A risk point, measure, 监督办法 or the pledge of a form changes only while the
form is with its owner (自查拟写), and only by the owner
(「任何人不得代替撰写廉政风险点，不得代替填报表格」); a 制度 linked to a risk
of a form under review, signed or published does not change at all.  A row
moved from one form to another touches both, so both are checked.

:func:`check` is called by the pages and the API before they save (for a
message at the field), and again for every changed row at each flush
(:func:`install`), so a bulk action, an import, a CLI command or any code
path that forgets to ask is refused all the same.  Jobs, seeds and imports
running as the system (``acting_as``) write drafts for their owners; they still
cannot touch a frozen form.
"""
from flask import g, has_request_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.errors import Refused
from app.extensions import db
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, Rule, SupervisionMethod, rule_risk
from app.security.scoped_views import unchanged_on_refusal

CONTENT = (RiskPoint, ControlMeasure, SupervisionMethod)


def form_of(item):
    return item.form if hasattr(item, "form") else item.risk.form


def _stored_forms(item) -> set[int]:
    """The forms the row belongs to in the database now (before this change)."""
    if inspect(item).key is None:   # not saved yet
        return set()
    if isinstance(item, RiskPoint):
        query = select(RiskPoint.form_id).where(RiskPoint.id == item.id)
    elif isinstance(item, Rule):
        query = (select(RiskPoint.form_id).join(rule_risk, rule_risk.c.risk_id == RiskPoint.id)
                 .where(rule_risk.c.rule_id == item.id))
    elif isinstance(item, RiskForm):
        return {item.id}
    else:
        model = type(item)
        query = select(RiskPoint.form_id).join(model, model.risk_id == RiskPoint.id).where(model.id == item.id)
    with db.session.no_autoflush:
        return set(db.session.scalars(query))


def _new_forms(item) -> set:
    """The forms the row belongs to after this change."""
    if isinstance(item, RiskForm):
        return {item}
    if isinstance(item, Rule):
        return {r.form for r in item.risks if r.form is not None}
    risk = item if isinstance(item, RiskPoint) else item.risk
    if risk is None and getattr(item, "risk_id", None):
        risk = db.session.get(RiskPoint, item.risk_id)
    form = None if risk is None else risk.form or (risk.form_id and db.session.get(RiskForm, risk.form_id))
    return {form} if form is not None else set()


def forms_touched(item) -> list[RiskForm]:
    with db.session.no_autoflush:
        forms = {f.id: f for f in _new_forms(item) if f is not None}
        for form_id in _stored_forms(item) - set(forms):
            forms[form_id] = db.session.get(RiskForm, form_id)
    return [forms[k] for k in sorted(k for k in forms if k is not None)]


def _system() -> bool:
    """Jobs, seeds, CLI commands and imports run as the system (``acting_as``)."""
    from app.audit.trail import _actor
    return not has_request_context() or _actor.get() is not None


def check(item, user=None) -> None:
    """Refuses a change to ``item`` that would touch a frozen form or another's form."""
    from app.workflow import engine
    system = user is None and _system()
    user = user or (None if system else getattr(g, "user", None))
    for form in forms_touched(item):
        engine.begin_edit(form, user, owner_only=not system and not isinstance(item, Rule))


def refusal(form: RiskForm, user) -> str | None:
    """Why ``user`` may not write ``form``'s content now, or None when he may: the
    question :func:`app.workflow.engine.begin_edit` answers, asked by the pages that
    decide what to offer, without opening a new revision."""
    from app.workflow import engine
    from app.workflow.flows import Kind
    if engine.acts_as(user, form, engine.Actor.OWNER) and engine.current(form).kind is Kind.DRAFT:
        return None
    try:
        engine.begin_edit(form, user)   # refuses here: not his, or not with him
    except Refused as refused:
        return str(refused)
    return None


def _place(item) -> None:
    """A risk, measure or 监督办法 sits where its form sits (unit, section, owner): copied at
    every flush, so the rows a data scope reaches are those its forms hold, whoever wrote them
    and wherever a row was moved."""
    form = next(iter(_new_forms(item)), None)
    if form is None or inspect(form).key is None:   # a form written in this same flush: placed by its writer
        return
    place = {"unit_id": form.unit_id, "section_id": form.section_id, "owner_id": form.owner_id}
    if isinstance(item, RiskPoint):
        place["owner_kind"] = form.owner_kind
    for column, value in place.items():
        if getattr(item, column) != value:
            setattr(item, column, value)


def _before_flush(session, _ctx, _instances):
    changed = [o for o in (*session.new, *session.dirty, *session.deleted)
               if isinstance(o, (*CONTENT, Rule)) or _pledge_changed(o)]
    for item in changed:
        if item in session.dirty and not session.is_modified(item):
            continue
        if isinstance(item, CONTENT) and item not in session.deleted:
            with session.no_autoflush:
                _place(item)
        check(item)


def _pledge_changed(obj) -> bool:
    if not isinstance(obj, RiskForm) or inspect(obj).key is None:
        return False
    state = inspect(obj)
    return any(state.attrs[k].history.has_changes() for k in ("pledge", "correction"))


def install():
    event.listen(Session, "before_flush", _before_flush)


class FormContent:
    """Mixin for the views and APIs of a form's content."""

    def pre_add(self, item):
        self._own(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._own(item)
        super().pre_update(item)

    def pre_delete(self, item):
        with unchanged_on_refusal():
            check(item, g.user)

    @staticmethod
    def _own(item):
        with unchanged_on_refusal():
            form = form_of(item)
            if form is None:
                raise Refused("请选择登记表。", "form")
            item.unit_id, item.section_id, item.owner_id = form.unit_id, form.section_id, form.owner_id
            if hasattr(item, "owner_kind"):
                item.owner_kind = form.owner_kind
            check(item, g.user)
