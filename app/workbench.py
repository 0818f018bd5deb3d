"""The home page of a login (工作台): what waits for him, oldest first, each
with a count and a link, and the programme's six steps with his unit's
progress. Every count comes from the query its own page uses (the to-do
list's todo_criteria, the plan, self-check and talk services), one query
each, so the page costs a bounded number of queries whatever the county."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.security import roles
from app.security.scope import criteria, current_scope

PLAN_LOOKAHEAD = timedelta(days=14)


@dataclass
class Task:
    label: str
    count: int
    url: str
    since: date | datetime | None = None   # the oldest item: the list is sorted by it


@dataclass
class Step:
    number: str
    label: str
    url: str
    progress: str


def _forms_waiting(user) -> list[Task]:
    from app.risks.models import RiskForm
    from app.workflow.engine import todo_criteria
    from app.workflow.flows import Kind, label_of, stage

    rows = db.session.execute(
        select(RiskForm.owner_kind, RiskForm.stage, func.count(RiskForm.id), func.min(RiskForm.entered_stage_at))
        .where(todo_criteria(user), criteria(RiskForm, current_scope()))
        .group_by(RiskForm.owner_kind, RiskForm.stage)).all()
    tasks: dict[str, Task] = {}
    for kind, key, count, oldest in rows:
        s = stage(kind, key)
        label = {Kind.SIGN: "待我确认签字", Kind.DRAFT: "待我填写登记表"}.get(s.kind, f"待我{label_of(kind, key)}")
        task = tasks.setdefault(label, Task(label, 0, "/forms/todo", oldest))
        task.count += count
        task.since = min(filter(None, (task.since, oldest)), default=None)
    return list(tasks.values())


def _to_publish(user) -> list[Task]:
    from app.risks.models import RiskForm
    from app.workflow.flows import APPROVED

    if not roles.may(user, roles.RISK_FORM, roles.PUBLISH):
        return []
    count, oldest = db.session.execute(
        select(func.count(RiskForm.id), func.min(RiskForm.entered_stage_at))
        .where(RiskForm.stage == APPROVED.key, RiskForm.published.is_(False),
               criteria(RiskForm, current_scope()))).one()
    return [Task("审核确定、待公示的登记表", count, "/register/list/", oldest)] if count else []


def _self_checks(user, today: date) -> list[Task]:
    from app.assessment.documents import not_filed

    if not roles.may(user, roles.SELF_CHECK, roles.FILE):
        return []
    quarter = (today.month - 1) // 3 + 1
    missing = not_filed(today.year, quarter, current_scope())
    end = date(today.year + (quarter == 4), 1 if quarter == 4 else quarter * 3 + 1, 1) - timedelta(days=1)
    return [Task(f"{today.year}年第{'一二三四'[quarter - 1]}季度自查报告未报送", missing,
                 "/selfcheck/list/", end)] if missing else []


def _plan(user, today: date) -> list[Task]:
    from app.plan.services import count_outstanding

    if not roles.may(user, roles.PLAN_SUBMISSION, roles.ADD):
        return []
    due, earliest = count_outstanding(current_scope(), today + PLAN_LOOKAHEAD)
    return [Task("推进计划报送材料到期或逾期未报", due, "/plan/submission/status?overdue=1", earliest)] if due else []


def _talks(user, today: date) -> list[Task]:
    from app.archives import talks

    if user.person is None or not roles.may(user, roles.TALK, roles.ADD):
        return []
    mine = talks.owed_by(today.year, current_scope(), user.person)
    return [Task(f"{today.year}年尚未进行的廉政谈话", mine, "/talk/owed", date(today.year, 12, 31))] if mine else []


def _notices(user, today: date) -> list[Task]:
    from app.assessment.services import overdue_notices

    if not roles.may(user, roles.NOTICE, roles.READ):
        return []
    late = overdue_notices(current_scope(), today)
    return [Task("整改期限已过、尚未了结的整改通知", len(late), "/notice/overdue",
                 min(n.deadline for n in late))] if late else []


def _sort_key(task: Task):
    since = task.since
    if isinstance(since, datetime):
        since = since.date()
    return since or date.max


def tasks(user, today: date | None = None) -> list[Task]:
    """What waits for ``user``, oldest first."""
    today = today or clock.now().date()
    found = (_forms_waiting(user) + _to_publish(user) + _self_checks(user, today) + _plan(user, today)
             + _talks(user, today) + _notices(user, today))
    return sorted(found, key=_sort_key)


def steps(user) -> list[Step]:
    """The programme's six steps, with the progress of the user's unit (or of
    everything in his scope when he has no unit)."""
    from app.assessment.models import SelfCheck
    from app.catalogue.models import Power
    from app.enums import PowerStatus
    from app.plan.models import PlanDeliverable, PlanSubmission
    from app.reports.models import SummaryFigure
    from app.risks.models import RiskForm
    from app.workflow.flows import APPROVED, DRAFT

    scope = current_scope()
    today = clock.now().date()
    quarter = (today.month - 1) // 3 + 1

    def one(query):
        return db.session.execute(query).one()

    handed = one(select(func.count(PlanSubmission.id)).where(criteria(PlanSubmission, scope)))[0]
    due = one(select(func.count(PlanDeliverable.id)).where(PlanDeliverable.due_on <= today))[0]
    powers, confirmed = one(select(func.count(Power.id),
                                   func.count(Power.id).filter(Power.status != PowerStatus.DRAFT.value))
                            .where(criteria(Power, scope)))
    forms, submitted, approved, published = one(select(
        func.count(RiskForm.id), func.count(RiskForm.id).filter(RiskForm.stage != DRAFT.key),
        func.count(RiskForm.id).filter(RiskForm.stage == APPROVED.key),
        func.count(RiskForm.id).filter(RiskForm.published.is_(True))).where(criteria(RiskForm, scope)))
    # from the 汇总表's kept figures: one row per form and place instead of every risk and measure
    risks, measures = one(select(func.coalesce(func.sum(SummaryFigure.risks), 0),
                                 func.coalesce(func.sum(SummaryFigure.measures), 0))
                          .where(criteria(SummaryFigure, scope)))
    filed = one(select(func.count(SelfCheck.id)).where(
        SelfCheck.year == today.year, SelfCheck.quarter == quarter, SelfCheck.filed_at.is_not(None),
        criteria(SelfCheck, scope)))[0]
    return [
        Step("①", "计划", "/plan/submission/status", f"已报送 {handed} 份（到期 {due} 项）"),
        Step("②", "职权目录与权力运行流程图", "/power/list/", f"职权 {powers} 项，已确认 {confirmed} 项"),
        Step("③", "查找风险点、定级", "/forms/mine", f"登记表 {forms} 份，已提交 {submitted} 份，风险点 {risks} 个"),
        Step("④", "制定防控措施", "/control/list/", f"防控措施 {measures} 条"),
        Step("⑤", "公示", "/public/", f"审核确定 {approved} 份，已公示 {published} 份"),
        Step("⑥", "考核", "/selfcheck/list/", f"本季度已报送自查报告 {filed} 份"),
    ]
