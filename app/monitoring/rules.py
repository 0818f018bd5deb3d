"""预警规则: the kinds of condition a rule may state, the parameters each kind
needs, and the evaluation of each kind.

A rule is data the office edits (``WarningRule``); what it can ask is fixed
here: each kind is one function ``(rule, now) -> list[Fact]`` reading the
existing data, and each fact names its subject (a person, a section or a
unit) and a key for what was found.  (rule, subject, key) is unique on the
warning table, so evaluating again — the nightly job, a second scheduler, the
entry of a signal — never raises the same warning twice.  A rule whose
parameters its kind cannot evaluate is refused at save (:func:`rule_errors`).
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.enums import (QUARTERS, CheckResult, RiskLevel, SignalSource, Verification, WarningColour,
                       WarningRuleKind)
from app.extensions import db
from app.formatting import cn_date
from app.organisation.models import Person, Section, Unit

K = WarningRuleKind
PARAMS = {
    K.MEASURE: ("level", "months"),
    K.SIGNAL_ON_RISK: ("source", "level", "months"),
    K.REPEATED: ("source", "count", "months"),
    K.APPRAISAL: ("threshold", "months"),
    K.NOTICE: ("days",),
}
LABELS = {"source": "监测信息来源", "level": "风险等级", "count": "次数（不少于）", "months": "期间（月）",
          "threshold": "满意率低于（%）", "days": "逾期超过（天）"}
RANGES = {"count": (1, 99), "months": (1, 60), "threshold": (1, 100), "days": (0, 365)}
EXPLAINED = {
    K.MEASURE: "所选等级风险的防控措施在期间内检查为“未落实”，或登记表审定满期间仍无人检查（每个风险每季度一次）",
    K.SIGNAL_ON_RISK: "期间内所选来源的监测信息经核实（属实、部分属实），且涉及所选等级的风险点",
    K.REPEATED: "期间内关于同一人的所选来源监测信息经核实达到所列次数",
    K.APPRAISAL: "期间内民主测评满意率低于所列阈值",
    K.NOTICE: "整改通知超过整改期限所列天数仍未了结",
}


@dataclass
class Fact:
    subject: object      # Person, Section or Unit
    key: str             # what was found; unique with the rule and the subject
    text: str
    risk: object = None
    confidential: bool = False


def param_error(kind, name: str, value) -> str | None:
    """What keeps parameter ``name`` from being evaluated for a rule of ``kind`` (a field validator too)."""
    if kind not in K.values() or name not in PARAMS[K(kind)]:
        return None
    label = LABELS[name]
    if value is None or value == "":
        return f"“{kind}”须填写{label}。"
    if name == "level" and value not in RiskLevel.values():
        return f"风险等级应为：{'、'.join(RiskLevel.values())}。"
    if name == "source" and value not in SignalSource.values():
        return f"监测信息来源应为：{'、'.join(SignalSource.values())}。"
    if name in RANGES and not (RANGES[name][0] <= value <= RANGES[name][1]):
        low, high = RANGES[name]
        return f"{label}应在 {low} 至 {high} 之间。"
    return None


def rule_errors(rule) -> dict[str, str]:
    """Field by field, what keeps a rule from being evaluated; empty when it can be."""
    errors = {}
    if not (rule.name or "").strip():
        errors["name"] = "请填写规则名称。"
    if rule.colour not in WarningColour.values():
        errors["colour"] = f"预警颜色应为：{'、'.join(WarningColour.values())}。"
    if rule.kind not in K.values():
        errors["kind"] = f"预警条件应为：{'、'.join(K.values())}。"
        return errors
    for name in PARAMS[K(rule.kind)]:
        error = param_error(rule.kind, name, getattr(rule, name))
        if error:
            errors[name] = error
    return errors


def params_text(rule) -> str:
    """A rule's parameters as a line for lists (only those its kind uses)."""
    if rule.kind not in K.values():
        return ""
    return "；".join(f"{LABELS[n]}：{getattr(rule, n)}" for n in PARAMS[K(rule.kind)])


# ── helpers ─────────────────────────────────────────────────────────────
def months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def subject_key(subject) -> str:
    kind = {Person: "person", Section: "section", Unit: "unit"}[type(subject)]
    return f"{kind}:{subject.id}"


def risk_subject(risk):
    """Whose risk it is: the person, the section or the unit of its register."""
    return {"个人": risk.owner, "部门": risk.section}.get(risk.owner_kind) or risk.unit


def signal_subject(signal):
    return signal.person or signal.section or signal.unit


def _short(text: str, n: int = 40) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[:n] + "…"


def _signals(rule, now: datetime, source: str, verified: bool):
    from app.monitoring.models import Signal
    today = now.date()
    query = (select(Signal).where(Signal.source == source, Signal.received_on <= today,
                                  Signal.received_on >= months_before(today, rule.months))
             .options(joinedload(Signal.person), joinedload(Signal.section), joinedload(Signal.unit),
                      joinedload(Signal.risk))
             .order_by(Signal.received_on, Signal.id))
    if verified:
        query = query.where(Signal.verification.in_(Verification.verified()))
    return db.session.scalars(query).unique().all()


def _signal_line(signal) -> str:
    line = f"{cn_date(signal.received_on)} {signal.source}（核实情况：{signal.verification}）"
    if not SignalSource(signal.source).confidential:
        line += f"：{_short(signal.content, 80)}"
    return line


# ── the kinds ───────────────────────────────────────────────────────────
def measures_not_applied(rule, now: datetime) -> list[Fact]:
    """Measures of this round's approved registers, on risks of the rule's level, found
    未落实 within the period, or never checked since their register was approved a
    period ago.  One fact per risk and quarter."""
    from app.monitoring.models import MeasureCheck
    from app.risks.models import ControlMeasure, RiskForm, RiskPoint
    from app.workflow.flows import APPROVED

    today = now.date()
    since = months_before(today, rule.months)
    period = f"{today.year}Q{quarter_of(today)}"
    rows = db.session.execute(
        select(ControlMeasure, RiskForm.entered_stage_at).join(RiskPoint, ControlMeasure.risk_id == RiskPoint.id)
        .join(RiskForm, RiskPoint.form_id == RiskForm.id)
        .where(RiskForm.round == today.year, RiskForm.stage == APPROVED.key, RiskPoint.level == rule.level)
        .options(joinedload(ControlMeasure.risk)).order_by(ControlMeasure.id)).unique().all()
    if not rows:
        return []
    latest = {}
    for check in db.session.scalars(
            select(MeasureCheck).where(MeasureCheck.measure_id.in_([m.id for m, _ in rows]),
                                       MeasureCheck.checked_on >= since, MeasureCheck.checked_on <= today)
            .order_by(MeasureCheck.year, MeasureCheck.quarter, MeasureCheck.checked_on, MeasureCheck.id)):
        latest[check.measure_id] = check
    found: dict[int, list[str]] = {}
    risks = {}
    for measure, approved_at in rows:
        check = latest.get(measure.id)
        if check is not None and check.result == CheckResult.NOT_DONE.value:
            line = f"措施「{_short(measure.content)}」{check.year}年{QUARTERS[check.quarter - 1]}检查为未落实"
        elif check is None and approved_at.date() <= since:
            line = f"措施「{_short(measure.content)}」{rule.months}个月内无人检查落实情况"
        else:
            continue
        found.setdefault(measure.risk_id, []).append(line)
        risks[measure.risk_id] = measure.risk
    return [Fact(risk_subject(risks[rid]), f"risk:{rid}:{period}",
                 f"{rule.level}风险「{_short(risks[rid].content)}」：" + "；".join(lines) + "。", risk=risks[rid])
            for rid, lines in found.items()]


def signals_on_risks(rule, now: datetime) -> list[Fact]:
    """Verified signals of the rule's source within the period on a risk of the rule's level."""
    return [Fact(signal_subject(s), f"signal:{s.id}",
                 f"{_signal_line(s)}；涉及{s.risk.level}风险「{_short(s.risk.content)}」。", risk=s.risk,
                 confidential=SignalSource(s.source).confidential)
            for s in _signals(rule, now, rule.source, verified=True)
            if s.risk is not None and s.risk.level == rule.level]


def repeated_signals(rule, now: datetime) -> list[Fact]:
    """A person with at least ``count`` verified signals of the rule's source within the
    period; the facts are his latest ``count`` of them (a new one is a new fact)."""
    by_person: dict[int, list] = {}
    for s in _signals(rule, now, rule.source, verified=True):
        if s.person_id is not None:
            by_person.setdefault(s.person_id, []).append(s)
    facts = []
    for signals in by_person.values():
        if len(signals) >= rule.count:
            latest = signals[-rule.count:]
            facts.append(Fact(latest[-1].person, "signals:" + ",".join(str(s.id) for s in latest),
                              f"{rule.months}个月内经核实的{rule.source} {len(signals)} 件：" +
                              "；".join(_signal_line(s) for s in latest) + "。",
                              confidential=SignalSource(rule.source).confidential))
    return facts


def low_appraisals(rule, now: datetime) -> list[Fact]:
    """民主测评 within the period whose 满意率 is below the threshold."""
    return [Fact(signal_subject(s), f"signal:{s.id}",
                 f"{cn_date(s.received_on)} 民主测评满意率 {s.score}%，低于 {rule.threshold}%：{_short(s.content, 80)}",
                 risk=s.risk)
            for s in _signals(rule, now, SignalSource.APPRAISAL.value, verified=False)
            if s.score is not None and s.score < rule.threshold]


def overdue_notices(rule, now: datetime) -> list[Fact]:
    """整改通知 still open more than ``days`` days past their deadline."""
    from app.assessment.models import RectificationNotice

    today = now.date()
    notices = db.session.scalars(select(RectificationNotice).where(RectificationNotice.closed_on.is_(None))
                                 .order_by(RectificationNotice.deadline)).all()
    return [Fact(n.unit, f"notice:{n.id}",
                 f"整改通知 {n.number} 的整改期限为{cn_date(n.deadline)}，已逾期 {(today - n.deadline).days} 天仍未了结。")
            for n in notices if (today - n.deadline).days > rule.days]


EVALUATORS = {
    K.MEASURE: measures_not_applied,
    K.SIGNAL_ON_RISK: signals_on_risks,
    K.REPEATED: repeated_signals,
    K.APPRAISAL: low_appraisals,
    K.NOTICE: overdue_notices,
}
SIGNAL_KINDS = (K.SIGNAL_ON_RISK, K.REPEATED, K.APPRAISAL)   # evaluated again when a signal is entered


def concerns(rule, source: str) -> bool:
    """Whether a new or changed signal of ``source`` can change what ``rule`` finds."""
    kind = K(rule.kind)
    if kind is K.APPRAISAL:
        return source == SignalSource.APPRAISAL.value
    return kind in (K.SIGNAL_ON_RISK, K.REPEATED) and rule.source == source


def evaluate(rule, now: datetime) -> list[Fact]:
    return EVALUATORS[K(rule.kind)](rule, now)
