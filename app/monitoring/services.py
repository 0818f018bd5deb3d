"""Each step of 风险监测 and 预警纠错 as one function, called by the pages, the API,
the CLI, the scheduler, the demo and the tests alike:

record_signal → raise_warnings (also the nightly job) → handle_warning (a decision
that creates or links the 后期处置) → follow_up → close_warning (only with a result).
check_measure records a quarter's 措施落实.  Each refuses with :class:`Refused` (and,
where it has one, the field) and then changes nothing.
"""
import hashlib
import os
import time
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app import clock as app_clock
from app.archives.models import Disposition
from app.enums import (DispositionKind, DispositionOutcome, DispositionSource, SignalSource, WarningRuleKind,
                       WarningState)
from app.errors import Refused
from app.extensions import db
from app.formatting import cn_date
from app.monitoring import access, rules
from app.monitoring.models import (MeasureCheck, RiskWarning, Signal, WarningFollowUp, WarningRule,
                                   measure_check_file)
from app.organisation.models import Person, Section, Unit

WARNINGS_JOB = "warnings:raise"    # the scheduler's job id (app.reminders.scheduler)
WARNINGS_SCHEDULE = "30 1 * * *"   # nightly, Asia/Shanghai
UNHANDLED_DAYS = 7                 # a warning waits this long for a decision before it shows red
MAX_EVIDENCE = 10 * 1024 * 1024


clock = app_clock.now   # stored as UTC, shown in Asia/Shanghai (app.clock)


def actor_name(user) -> str:
    if user is None:
        return "系统"
    return user.person.name if getattr(user, "person", None) else user.username


def _first_error(errors: dict[str, str]) -> None:
    for field, message in errors.items():
        raise Refused(message, field)


# ── 监测信息 ─────────────────────────────────────────────────────────────
def record_signal(signal: Signal, user, now: datetime | None = None) -> list[RiskWarning]:
    """Saves a new signal (placed, checked) and raises what it brings; returns the new warnings."""
    now = now or clock()
    signal.place()
    signal.verification = signal.verification or "待核实"
    _first_error(signal.validate())
    signal.recorded_by, signal.recorded_at = actor_name(user), now
    db.session.add(signal)
    db.session.commit()
    return signal_saved(signal, now)


def signal_saved(signal: Signal, now: datetime | None = None) -> list[RiskWarning]:
    """After a signal is added or changed (service, page or API): what it brings, from the rules it concerns."""
    return raise_warnings(now or clock(), kinds=rules.SIGNAL_KINDS, source=signal.source)


# ── 措施落实 ─────────────────────────────────────────────────────────────
def check_measure(check: MeasureCheck, user) -> MeasureCheck:
    """Records a quarter's check of a measure of an approved register."""
    check.place()
    _first_error(check.validate())
    check.checked_by = check.checked_by or actor_name(user)
    db.session.add(check)
    db.session.commit()
    return check


def attach_evidence(check: MeasureCheck, user, filename: str, content: bytes) -> None:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    if not name:
        raise Refused("请选择要上传的佐证材料。", "file")
    if not content:
        raise Refused(f"文件「{name}」是空文件。", "file")
    if len(content) > MAX_EVIDENCE:
        raise Refused("单个佐证材料不能超过 10 MB。", "file")
    db.session.execute(measure_check_file.insert().values(
        check_id=check.id, filename=name[-200:], size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        content=content, uploaded_at=clock(), uploaded_by=actor_name(user)))
    db.session.commit()


def evidence_files(check_id: int) -> list:
    c = measure_check_file.c
    return db.session.execute(select(c.id, c.filename, c.size, c.uploaded_at, c.uploaded_by)
                              .where(c.check_id == check_id).order_by(c.id)).all()


def evidence_file(check_id: int, file_id: int):
    c = measure_check_file.c
    return db.session.execute(select(c.filename, c.content).where(c.check_id == check_id, c.id == file_id)).first()


# ── 预警: raising ────────────────────────────────────────────────────────
def raise_warnings(now: datetime | None = None, kinds=None, source: str | None = None) -> list[RiskWarning]:
    """Evaluates every enabled rule (of ``kinds``, and concerning signals of ``source``, if given) and records each new fact
    as a warning.  The database's unique key (rule, subject, facts) lets only the first
    evaluation insert it: running again, or two schedulers at once, raises nothing twice."""
    now = now or clock()
    query = select(WarningRule).where(WarningRule.enabled).order_by(WarningRule.id)
    if kinds is not None:
        query = query.where(WarningRule.kind.in_([k.value for k in kinds]))
    raised = []
    for rule in db.session.scalars(query).all():
        if rule.validate() or (source is not None and not rules.concerns(rule, source)):
            continue  # unevaluable (saved past the pages' checks), or not affected by this signal
        facts = [f for f in rules.evaluate(rule, now) if rule.county_id is None or _county(f.subject) == rule.county_id]
        known = set(db.session.execute(select(RiskWarning.subject_key, RiskWarning.fact_key)
                                       .where(RiskWarning.rule_id == rule.id)).all())
        for fact in facts:
            if (rules.subject_key(fact.subject), fact.key) not in known:
                warning = _insert(rule, fact, now)
                if warning is not None:
                    raised.append(warning)
    return raised


def _county(subject) -> int:
    """The county of a fact's person, section or unit (a county's rule looks at its own only)."""
    return (subject if isinstance(subject, Unit) else subject.unit).county_id


def _insert(rule: WarningRule, fact: rules.Fact, now: datetime) -> RiskWarning | None:
    subject = fact.subject
    person = subject if isinstance(subject, Person) else None
    section = subject if isinstance(subject, Section) else (person.section if person else None)
    unit = subject if isinstance(subject, Unit) else subject.unit
    for attempt in range(5):
        warning = RiskWarning(rule_id=rule.id, colour=rule.colour, unit_id=unit.id,
                              section_id=section.id if section else None, person_id=person.id if person else None,
                              subject_key=rules.subject_key(subject), fact_key=fact.key[:200], facts=fact.text,
                              confidential=fact.confidential, risk_id=fact.risk.id if fact.risk else None,
                              raised_at=now, state=WarningState.OPEN.value)
        try:
            db.session.add(warning)
            db.session.commit()
            return warning
        except IntegrityError:   # another run took the key first
            db.session.rollback()
            return None
        except OperationalError:  # SQLite: another scheduler is writing; try again shortly
            db.session.rollback()
            time.sleep(0.2 * (attempt + 1))
    raise RuntimeError("数据库忙，预警未能记录。")


def run_job(app, now: datetime | None = None) -> int:
    """The scheduler's ``warnings:raise`` (and the CLI's): raises what every rule finds now."""
    from app.audit.trail import acting_as
    with app.app_context(), acting_as():
        return len(raise_warnings(now))


# ── 纠错: handling to the end ────────────────────────────────────────────
def _may_handle(warning: RiskWarning, user) -> None:
    if not access.may_handle(user, warning):
        colour = warning.colour_enum
        raise Refused(f"{colour.label}由{colour.handled_by}处置，您不能处置此预警。")


def _commit():
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Refused("该预警刚刚已被他人处置，请刷新后查看。")


def disposition_source(warning: RiskWarning) -> str:
    """The 问题来源 of the 后期处置 a warning leads to, from what raised it."""
    rule = warning.rule
    kind = WarningRuleKind(rule.kind)
    if kind is WarningRuleKind.MEASURE:
        return DispositionSource.NOT_APPLIED.value
    if kind is WarningRuleKind.APPRAISAL:
        return DispositionSource.APPRAISAL.value
    if kind is WarningRuleKind.NOTICE:
        return DispositionSource.INSPECTION.value
    return SignalSource(rule.source).disposition_source.value


def handle_warning(warning: RiskWarning, user, decision: str, deadline: date | None, note: str | None = None,
                   disposition_id: int | None = None, decided_on: date | None = None) -> Disposition | None:
    """处置: a decision (警示提醒 … 移交) with a deadline.  For a person or a section the
    后期处置 record is created — or an existing one of the same person or section linked,
    not typed again; a unit's warning carries the decision itself."""
    _may_handle(warning, user)
    if warning.state != WarningState.OPEN.value:
        raise Refused(f"该预警已于{cn_date(warning.decided_on)}作出处置决定（{warning.decision}）。")
    decided_on = decided_on or date.today()
    if decision not in DispositionKind.values():
        raise Refused(f"处置方式应为：{'、'.join(DispositionKind.values())}。", "decision")
    if deadline is None:
        raise Refused("请填写整改（处置）期限。", "deadline")
    if deadline < decided_on:
        raise Refused("整改期限不能早于处置日期。", "deadline")
    if decided_on > date.today() or decided_on < warning.raised_at.date():
        raise Refused("处置日期应在预警之后、今天之前。", "decided_on")
    disposition = None
    if disposition_id:
        disposition = db.session.get(Disposition, disposition_id)
        if disposition is None or not _same_subject(disposition, warning):
            raise Refused("所选后期处置记录不是本预警对象的记录。", "disposition")
    elif warning.person_id or warning.section_id:
        disposition = Disposition(
            person=warning.person, section=None if warning.person else warning.section, kind=decision,
            source=disposition_source(warning), decided_on=decided_on, decided_by=_organ(user),
            reason=(note or "").strip() or f"{warning.colour_enum.label}：{warning.facts}"[:2000])
        disposition.place()
        errors = disposition.validate()
        if errors:
            _first_error(errors)
        db.session.add(disposition)
    warning.state, warning.decision, warning.decided_on = WarningState.HANDLING.value, decision, decided_on
    warning.decided_by, warning.deadline = actor_name(user), deadline
    warning.handling_note = (note or "").strip() or None
    warning.disposition = disposition
    _commit()
    return disposition


def _same_subject(disposition: Disposition, warning: RiskWarning) -> bool:
    if warning.person_id:
        return disposition.person_id == warning.person_id
    return warning.section_id is not None and disposition.section_id == warning.section_id \
        and disposition.person_id is None


def _organ(user) -> str:
    person = getattr(user, "person", None)
    return person.unit.name if person else ""


def follow_up(warning: RiskWarning, user, note: str, on: date | None = None) -> WarningFollowUp:
    """跟踪: what the handlers saw of the rectification, while it is being handled."""
    _may_handle(warning, user)
    if warning.state != WarningState.HANDLING.value:
        raise Refused("只有处置中的预警可以记录跟踪情况。")
    on = on or date.today()
    if on > date.today() or (warning.decided_on and on < warning.decided_on):
        raise Refused("跟踪日期应在处置决定之后、今天之前。", "on")
    if not (note or "").strip():
        raise Refused("请填写跟踪情况。", "note")
    entry = WarningFollowUp(warning=warning, on=on, note=note.strip(), recorded_by=actor_name(user))
    db.session.add(entry)
    _commit()
    return entry


def close_warning(warning: RiskWarning, user, result: str | None, note: str | None = None,
                  closed_on: date | None = None, escalation: str | None = None) -> Disposition | None:
    """了结, only with a result: 整改到位予以了结, or 整改不力予以追究 — which may escalate
    to a further 后期处置 (责任追究, 移交 …).  The linked 后期处置 gets the same result."""
    _may_handle(warning, user)
    if warning.state == WarningState.CLOSED.value:
        raise Refused(f"该预警已于{cn_date(warning.closed_on)}了结。")
    if warning.state != WarningState.HANDLING.value:
        raise Refused("尚未作出处置决定，不能了结；请先处置。")
    if result not in DispositionOutcome.values():
        raise Refused(f"了结须有结果：{'，或'.join(DispositionOutcome.values())}。", "result")
    closed_on = closed_on or date.today()
    if closed_on > date.today() or closed_on < warning.decided_on:
        raise Refused("了结日期应在处置决定之后、今天之前。", "closed_on")
    if not (note or "").strip():
        raise Refused("请填写了结说明（整改落实情况）。", "note")
    further = None
    if escalation:
        if result != DispositionOutcome.PURSUED.value:
            raise Refused("整改到位予以了结的，不再追究。", "escalation")
        if escalation not in DispositionKind.values():
            raise Refused(f"追究方式应为：{'、'.join(DispositionKind.values())}。", "escalation")
        if warning.person_id or warning.section_id:
            further = Disposition(person=warning.person, section=None if warning.person else warning.section,
                                  kind=escalation, source=disposition_source(warning), decided_on=closed_on,
                                  decided_by=_organ(user), reason=f"整改不力予以追究：{note.strip()}")
            further.place()
            db.session.add(further)
    disposition = warning.disposition
    if disposition is not None and not disposition.outcome:
        disposition.outcome, disposition.outcome_on, disposition.outcome_note = result, closed_on, note.strip()
    warning.state, warning.result, warning.closed_on = WarningState.CLOSED.value, result, closed_on
    warning.closing_note, warning.closed_by = note.strip(), actor_name(user)
    if escalation:
        warning.closing_note += f"（追究：{escalation}）"
    _commit()
    return further


# ── what pages and reminders ask ─────────────────────────────────────────
def overdue_condition(today: date):
    """SQL for the warnings that show red (the twin of ``RiskWarning.is_overdue``): past their
    deadline, or waiting more than UNHANDLED_DAYS for a decision."""
    from sqlalchemy import and_, or_
    waited = datetime.combine(today - timedelta(days=UNHANDLED_DAYS), datetime.min.time())
    return or_(and_(RiskWarning.state == WarningState.HANDLING.value, RiskWarning.deadline < today),
               and_(RiskWarning.state == WarningState.OPEN.value, RiskWarning.raised_at < waited))


def overdue(scope_condition, today: date | None = None) -> list[RiskWarning]:
    """The warnings inside a scope that show red."""
    return db.session.scalars(select(RiskWarning).where(scope_condition, overdue_condition(today or date.today()))
                              .order_by(RiskWarning.raised_at)).all()


def waiting_warnings(today: date, lead_days: int) -> list[tuple[RiskWarning, str]]:
    """For the reminders: warnings with no decision ``lead_days`` after they were raised,
    and those past their deadline, each with its line of text."""
    from sqlalchemy import and_, or_
    since = datetime.combine(today - timedelta(days=lead_days), datetime.min.time())
    found = db.session.scalars(select(RiskWarning).where(or_(
        and_(RiskWarning.state == WarningState.OPEN.value, RiskWarning.raised_at < since),
        and_(RiskWarning.state == WarningState.HANDLING.value, RiskWarning.deadline < today)))
        .order_by(RiskWarning.raised_at)).all()
    return [(w, f"{w.unit.name} {w.subject}：{w.colour_enum.label}（{w.rule.name}）"
                f"{'已逾期未了结（期限 ' + cn_date(w.deadline) + '）' if w.state == WarningState.HANDLING.value else '尚未处置（' + cn_date(w.raised_at.date()) + ' 预警）'}"
                f"，由{w.colour_enum.handled_by}处置") for w in found]


def quarter_checks(year: int, quarter: int, unit_id: int, section_id: int | None = None) -> list[tuple]:
    """The measures of a unit's (or one section's) approved registers of ``year`` in the viewer's
    scope, each with its check of the quarter or None: who checked what, and what nobody checked."""
    from sqlalchemy.orm import joinedload

    from app.risks.models import ControlMeasure, RiskForm, RiskPoint
    from app.security.scope import criteria, current_scope
    from app.workflow.flows import APPROVED
    query = (select(ControlMeasure).join(RiskPoint, ControlMeasure.risk_id == RiskPoint.id)
             .join(RiskForm, RiskPoint.form_id == RiskForm.id)
             .where(RiskForm.round == year, RiskForm.stage == APPROVED.key, ControlMeasure.unit_id == unit_id,
                    criteria(ControlMeasure, current_scope()))
             .options(joinedload(ControlMeasure.risk)).order_by(RiskPoint.owner_id, ControlMeasure.id))
    if section_id is not None:
        query = query.where(ControlMeasure.section_id == section_id)
    measures = db.session.scalars(query).unique().all()
    checks = {c.measure_id: c for c in db.session.scalars(select(MeasureCheck).where(
        MeasureCheck.year == year, MeasureCheck.quarter == quarter,
        MeasureCheck.measure_id.in_([m.id for m in measures])))} if measures else {}
    return [(m, checks.get(m.id)) for m in measures]


def warnings_resting_on(signal: Signal) -> bool:
    """Whether a warning was raised on this signal's facts (then it is evidence, and stays)."""
    keys = db.session.scalars(select(RiskWarning.fact_key).where(
        (RiskWarning.fact_key == f"signal:{signal.id}") | RiskWarning.fact_key.like("signals:%"))).all()
    return any(k == f"signal:{signal.id}" or str(signal.id) in k.removeprefix("signals:").split(",") for k in keys)
