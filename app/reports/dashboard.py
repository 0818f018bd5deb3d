"""The figures of the dashboard, each one GROUP BY inside the viewer's scope."""
from datetime import date

from sqlalchemy import case, distinct, func, select

from app import clock
from app.catalogue.models import Power
from app.enums import PowerStatus
from app.extensions import db
from app.organisation.models import Unit
from app.risks.models import RiskForm
from app.security.scope import criteria, current_scope
from app.workflow.flows import APPROVED, DRAFT, label_of


def waiting(round_: int) -> list[dict]:
    """Forms waiting at each review stage: how many, and the oldest wait in days."""
    query = (select(RiskForm.owner_kind, RiskForm.stage, func.count(RiskForm.id), func.min(RiskForm.entered_stage_at))
             .where(RiskForm.round == round_, criteria(RiskForm, current_scope()),
                    RiskForm.stage != APPROVED.key)
             .group_by(RiskForm.owner_kind, RiskForm.stage))
    now = clock.now()
    return [{"kind": kind, "stage": label_of(kind, stage), "count": n, "oldest_days": (now - oldest).days}
            for kind, stage, n, oldest in db.session.execute(query)]


def risks_by_type_and_level(round_: int) -> dict[str, dict[str, int]]:
    """From the 汇总表's maintained figures: one sum per cell, not a count of risks."""
    from app.reports.summary import Filters, by_cell
    return {t.value: {lv.value: n for (_, lv), n in cells.items()}
            for t, cells in by_cell(Filters(round_)).items()}


def units_without_self_check(today: date) -> list[str]:
    """Units in scope that have not filed their own 季度自查 for the current quarter."""
    from app.assessment.models import SelfCheck
    filed = select(SelfCheck.unit_id).where(
        SelfCheck.year == today.year, SelfCheck.quarter == (today.month - 1) // 3 + 1,
        SelfCheck.section_id.is_(None), SelfCheck.filed_at.is_not(None))
    return list(db.session.scalars(select(Unit.name).where(
        criteria(Unit, current_scope()), Unit.id.not_in(filed)).order_by(Unit.code)))


def unit_progress(round_: int) -> list[dict]:
    """Each unit's way through the programme: catalogue, registers in review, approved, published."""
    units = select(Unit.id, Unit.name, Unit.county_id).where(criteria(Unit, current_scope())).order_by(Unit.code)
    powers = dict(db.session.execute(
        select(Power.unit_id, func.count(Power.id)).where(Power.status != PowerStatus.DRAFT.value,
                                                          criteria(Power, current_scope()))
        .group_by(Power.unit_id)).all())
    forms = {}
    query = (select(RiskForm.unit_id,
                    func.count(RiskForm.id),
                    func.count(case((RiskForm.stage != DRAFT.key, 1))),
                    func.count(case((RiskForm.stage == APPROVED.key, 1))),
                    func.count(case((RiskForm.published.is_(True), 1))))
             .where(RiskForm.round == round_, criteria(RiskForm, current_scope()))
             .group_by(RiskForm.unit_id))
    for unit_id, total, submitted, approved, published in db.session.execute(query):
        forms[unit_id] = (total, submitted, approved, published)
    plan_in, plan_due = plan_progress(date.today())
    return [{"unit": name, "powers": powers.get(uid, 0), "plan_in": plan_in.get(uid, 0),
             "plan_due": plan_due.get(county, 0),
             **dict(zip(("forms", "submitted", "approved", "published"), forms.get(uid, (0, 0, 0, 0))))}
            for uid, name, county in db.session.execute(units)]


def plan_progress(today: date) -> tuple[dict[int, int], dict[int, int]]:
    """推进计划: per unit, how many deliverables due by today it has handed in; per county, how many are due."""
    from app.plan.models import PlanDeliverable, PlanPhase, PlanSubmission
    due = select(PlanDeliverable.id).where(PlanDeliverable.due_on <= today)
    handed_in = dict(db.session.execute(
        select(PlanSubmission.unit_id, func.count(distinct(PlanSubmission.deliverable_id)))
        .where(PlanSubmission.deliverable_id.in_(due), criteria(PlanSubmission, current_scope()))
        .group_by(PlanSubmission.unit_id)).all())
    due_per_county = dict(db.session.execute(
        select(PlanPhase.county_id, func.count(PlanDeliverable.id)).join(PlanDeliverable.phase)
        .where(PlanDeliverable.due_on <= today, criteria(PlanPhase, current_scope()))
        .group_by(PlanPhase.county_id)).all())
    return handed_in, due_per_county


def current_phase(today: date) -> str | None:
    """The phase under way in the viewer's county (the first county's, for the city level)."""
    from app.plan.models import PlanPhase
    return db.session.scalar(select(PlanPhase.title).where(
        PlanPhase.starts_on <= today, PlanPhase.ends_on >= today, criteria(PlanPhase, current_scope()))
        .order_by(PlanPhase.county_id).limit(1))
