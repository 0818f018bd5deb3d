"""The figures of the dashboard, each one GROUP BY inside the viewer's scope."""
from datetime import date

from sqlalchemy import case, distinct, func, select

from app import clock
from app.catalogue.models import Power
from app.enums import PowerStatus, RiskLevel, RiskType
from app.extensions import db
from app.organisation.models import Unit
from app.risks.models import RiskForm, RiskPoint
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
    query = (select(RiskPoint.risk_type, RiskPoint.level, func.count(RiskPoint.id))
             .join(RiskForm, RiskPoint.form_id == RiskForm.id)
             .where(RiskForm.round == round_, criteria(RiskPoint, current_scope()))
             .group_by(RiskPoint.risk_type, RiskPoint.level))
    table = {t.value: {lv.value: 0 for lv in RiskLevel} for t in RiskType}
    for risk_type, level, n in db.session.execute(query):
        table[risk_type][level] = n
    return table


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
    units = select(Unit.id, Unit.name).where(criteria(Unit, current_scope())).order_by(Unit.code)
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
    return [{"unit": name, "powers": powers.get(uid, 0), "plan_in": plan_in.get(uid, 0), "plan_due": plan_due,
             **dict(zip(("forms", "submitted", "approved", "published"), forms.get(uid, (0, 0, 0, 0))))}
            for uid, name in db.session.execute(units)]


def plan_progress(today: date) -> tuple[dict[int, int], int]:
    """推进计划: per unit, how many deliverables due by today it has handed in; and how many are due."""
    from app.plan.models import PlanDeliverable, PlanSubmission
    due = select(PlanDeliverable.id).where(PlanDeliverable.due_on <= today)
    handed_in = dict(db.session.execute(
        select(PlanSubmission.unit_id, func.count(distinct(PlanSubmission.deliverable_id)))
        .where(PlanSubmission.deliverable_id.in_(due), criteria(PlanSubmission, current_scope()))
        .group_by(PlanSubmission.unit_id)).all())
    return handed_in, db.session.scalar(select(func.count()).select_from(due.subquery()))


def current_phase(today: date) -> str | None:
    from app.plan.models import PlanPhase
    return db.session.scalar(select(PlanPhase.title).where(PlanPhase.starts_on <= today, PlanPhase.ends_on >= today))
