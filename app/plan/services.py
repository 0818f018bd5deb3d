"""Who has handed in what of the plan, and what is outstanding."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select

from app.enums import PlanState
from app.errors import Refused
from app.extensions import db
from app.organisation.models import Unit
from app.plan.models import PlanDeliverable, PlanPhase, PlanSubmission
from app.security.scope import Scope, criteria, in_scope


@dataclass
class Status:
    deliverable: PlanDeliverable
    unit: Unit
    submission: PlanSubmission | None

    def state(self, today: date) -> PlanState:
        if self.submission:
            late = self.submission.submitted_on > self.deliverable.due_on
            return PlanState.LATE if late else PlanState.SUBMITTED
        return PlanState.OVERDUE if self.deliverable.due_on < today else PlanState.NOT_DUE


def statuses(scope: Scope) -> list[Status]:
    """Every deliverable for every unit in scope of the deliverable's county, with its submission if any."""
    units = db.session.scalars(select(Unit).where(criteria(Unit, scope)).order_by(Unit.code)).all()
    deliverables = db.session.scalars(select(PlanDeliverable).join(PlanPhase)
                                      .where(criteria(PlanDeliverable, scope))
                                      .order_by(PlanDeliverable.due_on, PlanDeliverable.id)).all()
    counties = {d.id: d.phase.county_id for d in deliverables}
    got = {(s.deliverable_id, s.unit_id): s for s in db.session.scalars(
        select(PlanSubmission).where(criteria(PlanSubmission, scope)))}
    return [Status(d, u, got.get((d.id, u.id))) for d in deliverables for u in units
            if counties[d.id] == u.county_id]


@dataclass
class UnitRow:
    """One unit's line of the status grid: its status under each deliverable it is asked for."""
    unit: Unit
    cells: dict   # deliverable id -> Status

    def overdue(self, today: date) -> bool:
        return any(s.state(today) is PlanState.OVERDUE for s in self.cells.values())


def grid(scope: Scope) -> tuple[list[PlanDeliverable], list[UnitRow]]:
    """The status as a unit × deliverable table: the deliverables as columns (by due date),
    a row per unit in scope."""
    found = statuses(scope)
    columns, rows = {}, {}
    for s in found:
        columns.setdefault(s.deliverable.id, s.deliverable)
        rows.setdefault(s.unit.id, UnitRow(s.unit, {})).cells[s.deliverable.id] = s
    return list(columns.values()), sorted(rows.values(), key=lambda r: r.unit.code)


def outstanding(scope: Scope, due_by: date) -> list[tuple[PlanDeliverable, Unit]]:
    """(deliverable, unit) due on or before ``due_by`` and not handed in."""
    return [(s.deliverable, s.unit) for s in statuses(scope)
            if s.submission is None and s.deliverable.due_on <= due_by]


def count_outstanding(scope: Scope, due_by: date) -> tuple[int, date | None]:
    """How many (deliverable, unit) of :func:`statuses` are due on or before ``due_by`` and not
    handed in, and the earliest due date among them: counted in the database."""
    handed = exists().where(PlanSubmission.deliverable_id == PlanDeliverable.id,
                            PlanSubmission.unit_id == Unit.id, criteria(PlanSubmission, scope))
    return db.session.execute(
        select(func.count(), func.min(PlanDeliverable.due_on)).select_from(PlanDeliverable)
        .join(PlanPhase).join(Unit, Unit.county_id == PlanPhase.county_id)
        .where(criteria(PlanDeliverable, scope), criteria(Unit, scope), PlanDeliverable.due_on <= due_by,
               ~handed)).one()


def overdue(scope: Scope, today: date | None = None) -> list[Status]:
    today = today or date.today()
    return [s for s in statuses(scope) if s.submission is None and s.deliverable.due_on < today]


def record_submission(deliverable: PlanDeliverable, unit: Unit, submitted_on: date, note: str = "",
                      scope: Scope | None = None) -> PlanSubmission:
    """A unit hands in a deliverable (once)."""
    exists = db.session.scalar(select(PlanSubmission).where(
        PlanSubmission.deliverable_id == deliverable.id, PlanSubmission.unit_id == unit.id))
    if exists:
        raise Refused(f"{unit.name}已于{exists.submitted_on.isoformat()}报送“{deliverable.name}”。")
    submission = PlanSubmission(deliverable=deliverable, unit=unit, unit_id=unit.id,
                                submitted_on=submitted_on, note=note)
    for message in submission.validate().values():
        raise Refused(message)
    if not in_scope(submission, scope):
        raise Refused("该单位不在您的数据范围内。")
    db.session.add(submission)
    db.session.commit()
    return submission
