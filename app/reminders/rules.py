"""What each kind of reminder rule finds due at a moment ``now`` (local time,
Asia/Shanghai), read from the existing data, and the period it belongs to —
the period is part of the delivery's unique key, so a rule reminds each
recipient once per period however often it runs.

Each due item carries a record of a scoped model; a login receives the items
that lie inside his data scope (``app.security.scope.in_scope``, the one scope
rule), if he holds one of the rule's roles.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import re

from sqlalchemy import select

from app.enums import InspectionKind, QUARTERS, ReminderKind
from app import clock, field_limits
from app.extensions import db
from app.reminders.crontab import trigger
from app.security.roles import ROLES
from app.security.scope import EVERYTHING

TIMEZONE = clock.TIMEZONE   # the reminders' calendar


@dataclass
class Item:
    record: object   # a row (or a transient one) of a Scoped model, placing the item
    text: str


SUBJECT_MAX, NAME_MAX, BODY_MAX = 150, 100, 5000
# A subject or a name is one line (a line break in a mail header is refused by the server); control
# characters and lengths are checked as for every text (app.field_limits).
LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


def _text_error(value, label: str, longest: int, lines: bool = False) -> str | None:
    value = value or ""
    if not value.strip():
        return f"请填写{label}。"
    if not lines and LINE_BREAK.search(value):
        return f"{label}不能换行（邮件标题中的换行会被拒发）。"
    return field_limits.text_error(value, label, longest)


def subject_error(value) -> str | None:
    """标题 becomes an e-mail's Subject header: one line, no control characters, not too long."""
    return _text_error(value, "标题", SUBJECT_MAX)


def name_error(value) -> str | None:
    return _text_error(value, "名称", NAME_MAX)


def body_error(value) -> str | None:
    return _text_error(value, "正文", BODY_MAX, lines=True)


def schedule_error(value) -> str | None:
    try:
        trigger(value or "", TIMEZONE)
    except ValueError:
        return "执行时间须为 crontab 格式：分 时 日 月 周，如“0 8 * * 1”（周：0 或 7 为周日，1 为周一，1-5 为周一至周五）。"
    return None


def lead_days_error(value) -> str | None:
    from app.reminders.models import ReminderRule
    return field_limits.value_error(ReminderRule.__table__.c.lead_days, value, "提前天数")


def rule_errors(rule) -> dict[str, str]:
    errors = {field: message for field, message in (
        ("name", name_error(rule.name)), ("subject", subject_error(rule.subject)),
        ("body", body_error(rule.body)), ("schedule", schedule_error(rule.schedule)),
        ("lead_days", lead_days_error(rule.lead_days))) if message}
    unknown = [r for r in rule.role_names if r not in ROLES]
    if unknown or not rule.role_names:
        errors["roles"] = f"接收角色须为系统中的角色，以“、”分隔；不认识：{'、'.join(unknown) or '（空）'}。"
    if rule.kind not in ReminderKind.values():
        errors["kind"] = "请选择提醒类型。"
    return errors


def _week(today: date) -> str:
    y, w, _ = today.isocalendar()
    return f"{y}-W{w:02d}"


def _quarter_end(year: int, quarter: int) -> date:
    return date(year + (quarter == 4), 1 if quarter == 4 else quarter * 3 + 1, 1) - timedelta(days=1)


def self_checks(rule, now: datetime):
    """每季度自查: from ``lead_days`` before a quarter's end to its end, every unit
    and section that has not filed this quarter's report."""
    from app.assessment.documents import filing
    from app.assessment.models import SelfCheck

    today = now.date()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    end = _quarter_end(year, quarter)
    if today < end - timedelta(days=rule.lead_days):
        return None, []
    items = [Item(SelfCheck(unit_id=f.unit.id, section_id=f.section.id if f.section else None),
                  f"{f.unit.name}{' ' + f.section.name if f.section else ''}：{year}年{QUARTERS[quarter - 1]}自查报告未报送"
                  f"（{end.month}月{end.day}日前报送）")
             for f in filing(year, quarter, EVERYTHING) if not f.filed]
    return f"{year}Q{quarter}", items


def spot_checks(rule, now: datetime):
    """每半年抽查: before each half-year's end, to the leading group, if its county
    has held no spot check this half-year."""
    from app.assessment.models import Inspection
    from app.organisation.models import County, Unit

    today = now.date()
    half = 1 if today.month <= 6 else 2
    end = date(today.year, 6, 30) if half == 1 else date(today.year, 12, 31)
    if today < end - timedelta(days=rule.lead_days):
        return None, []
    start = date(today.year, 1 if half == 1 else 7, 1)
    items = []
    for county in db.session.scalars(select(County).order_by(County.id)):
        units = select(Unit.id).where(Unit.county_id == county.id)
        held = db.session.scalar(select(Inspection.id).where(
            Inspection.kind == InspectionKind.SPOT_CHECK.value, Inspection.organiser_id.in_(units),
            Inspection.held_on >= start, Inspection.held_on <= end).limit(1))
        first = db.session.scalar(units.order_by(Unit.id).limit(1))
        if held is None and first is not None:
            items.append(Item(db.session.get(Unit, first),
                              f"{county.name}：{today.year}年{'上' if half == 1 else '下'}半年尚未组织抽查"
                              f"（{end.month}月{end.day}日前）"))
    return f"{today.year}H{half}", items


def talks_owed(rule, now: datetime):
    """年度廉政谈话: from ``lead_days`` before the year's end, each cadre still owed his talk."""
    from app.archives import talks

    today = now.date()
    if today < date(today.year, 12, 31) - timedelta(days=rule.lead_days):
        return None, []
    items = [Item(cadre, f"{cadre.unit.name} {cadre.name}：{today.year}年廉政谈话尚未进行（应由{by.name}谈话）")
             for cadre, by in talks.owed(today.year, EVERYTHING)]
    return str(today.year), items


def plan_deliverables(rule, now: datetime):
    """推进计划: deliverables due within ``lead_days`` or overdue that a unit has not handed in."""
    from app.plan.services import outstanding

    today = now.date()
    items = [Item(unit, f"{unit.name}：{d.name}{'已逾期' if d.due_on < today else '即将到期'}"
                        f"（{d.due_on.year}年{d.due_on.month}月{d.due_on.day}日前报送）")
             for d, unit in outstanding(EVERYTHING, today + timedelta(days=rule.lead_days))]
    return _week(today), items


def waiting_forms(rule, now: datetime):
    """审核滞留: forms that have waited more than ``lead_days`` days at a review, signing or notice stage."""
    from app.risks.models import RiskForm
    from app.workflow.flows import Kind, stage

    waiting = (Kind.REVIEW, Kind.SIGN, Kind.NOTICE)
    since = now - timedelta(days=rule.lead_days)
    forms = db.session.scalars(select(RiskForm).where(RiskForm.entered_stage_at <= since)
                               .order_by(RiskForm.id)).all()
    items = [Item(f, f"{f.unit.name} {f.owner.name} 的登记表在“{f.stage_label}”已停留 "
                     f"{(now - f.entered_stage_at).days} 天") for f in forms
             if stage(f.kind, f.stage).kind in waiting]
    return _week(now.date()), items


def notice_deadlines(rule, now: datetime):
    """整改通知: open notices whose deadline is within ``lead_days`` or past."""
    from app.assessment.models import RectificationNotice

    today = now.date()
    notices = db.session.scalars(select(RectificationNotice).where(
        RectificationNotice.closed_on.is_(None),
        RectificationNotice.deadline <= today + timedelta(days=rule.lead_days))
        .order_by(RectificationNotice.deadline)).all()
    items = [Item(n, f"{n.unit.name}：整改通知 {n.number} 整改期限"
                     f"{'已过' if n.deadline < today else '将至'}（{n.deadline.isoformat()}）") for n in notices]
    return _week(today), items


def warnings_waiting(rule, now: datetime):
    """预警处置: warnings waiting more than ``lead_days`` days for a decision, or past their deadline."""
    from app.monitoring.services import waiting_warnings

    return _week(now.date()), [Item(w, text) for w, text in waiting_warnings(now.date(), rule.lead_days)]


def form_steps(rule, now: datetime):
    """登记表流转: nothing on a schedule; each step of a form sends its own (app.workflow.notify)."""
    return None, []


FINDERS = {
    ReminderKind.FORM_STEP.value: form_steps,
    ReminderKind.SELF_CHECK.value: self_checks,
    ReminderKind.SPOT_CHECK.value: spot_checks,
    ReminderKind.TALK.value: talks_owed,
    ReminderKind.PLAN.value: plan_deliverables,
    ReminderKind.WAITING.value: waiting_forms,
    ReminderKind.NOTICE.value: notice_deadlines,
    ReminderKind.WARNING.value: warnings_waiting,
}


def due(rule, now: datetime) -> tuple[str | None, list[Item]]:
    """(period, items) the rule finds at ``now``; no period when nothing is due yet."""
    return FINDERS[rule.kind](rule, now)
