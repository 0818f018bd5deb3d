"""优化修正: next year's round built on this year's approved registers, and what changed.

Who starts a round (a decision, also in the README): the office.  For every owner in
its scope whose register of year Y is approved (审核确定), :func:`start_round` makes
the draft of year Y+1 through the engine's ``create_form`` — the same rules as when the
owner starts his own: one register per owner and round; a person's is his own, a
section's its head's, a unit's its principal leader's — and copies last year's risks,
measures and methods into it, each new risk keeping ``previous_id``.  A draft nobody
signed is not a signature: the owner still revises it, submits it, confirms and signs
it himself through the whole review; nothing here writes or signs for him.  制度
links are not carried over: the 汇总表 counts the rules made or revised for a round.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.trail import acting_as
from app.enums import Owner, RiskLevel, WarningState
from app.errors import Refused
from app.exports.grid import HEAD, LABEL, TOTAL, Grid
from app.extensions import db
from app.formatting import cn_date
from app.monitoring.models import RiskWarning
from app.organisation.models import Person
from app.reports.summary import Filters, rows, total
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, SupervisionMethod
from app.security import roles
from app.security.models import SYSTEM_USERNAME
from app.security.scope import criteria, current_scope, scope_of
from app.workflow import engine
from app.workflow.flows import APPROVED


class _OwnerAsUser:
    """The owner, as ``engine.create_form`` reads its user: the form it makes is his."""

    def __init__(self, person):
        self.person = person


@dataclass
class RoundStart:
    year: int
    made: list[RiskForm] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (register, why)


def current_owner(form: RiskForm) -> Person | None:
    """Who owns this register's successor now: the person; the section's head; the unit's principal leader."""
    if form.kind is Owner.PERSON:
        return form.person
    if form.kind is Owner.SECTION:
        return form.section.head if form.section else None
    return db.session.scalars(select(Person).where(Person.unit_id == form.unit_id, Person.is_leader)
                              .order_by(Person.id).limit(1)).first()


def start_round(year: int, user, today: date | None = None) -> RoundStart:
    """Drafts of ``year + 1`` for every owner in ``user``'s scope with an approved register of ``year``."""
    today = today or date.today()
    if not roles.may(user, roles.ROUNDS, roles.ADD):
        raise Refused("您无权开始新的年度。")
    if year > today.year:
        raise Refused(f"{year}年度尚未开始，不能据以开始{year + 1}年度。", "round")
    approved = db.session.scalars(
        select(RiskForm).where(RiskForm.round == year, RiskForm.stage == APPROVED.key,
                               criteria(RiskForm, scope_of(user)))
        .options(selectinload(RiskForm.risks).selectinload(RiskPoint.measures),
                 selectinload(RiskForm.risks).selectinload(RiskPoint.methods))
        .order_by(RiskForm.unit_id, RiskForm.id)).all()
    if not approved:
        raise Refused(f"您的范围内没有{year}年度审定的登记表，无法开始{year + 1}年度。", "round")
    result = RoundStart(year + 1)
    for old in approved:
        owner = current_owner(old)
        if owner is None:
            result.skipped.append((str(old), "无人负责（科室无责任人或单位无主要领导）"))
            continue
        try:
            new = engine.create_form(old.kind, year + 1, _OwnerAsUser(owner), person=old.person,
                                     section=old.section, unit=old.unit)
        except Refused as refused:
            db.session.rollback()
            result.skipped.append((str(old), str(refused)))
            continue
        with acting_as(getattr(user, "username", None) or SYSTEM_USERNAME):
            copy_content(old, new)   # written for the owner, as an import would (app.risks.content)
            db.session.commit()
        result.made.append(new)
    return result


def copy_content(old: RiskForm, new: RiskForm) -> None:
    """Last year's risks with their measures and methods, each linked to its row of last year."""
    new.pledge = old.pledge
    for risk in old.risks:
        same_unit = risk.power is not None and risk.power.unit_id == new.unit_id
        copy = RiskPoint(form=new, unit_id=new.unit_id, section_id=new.section_id, owner_id=new.owner_id,
                         owner_kind=new.owner_kind, risk_type=risk.risk_type, content=risk.content, level=risk.level,
                         power_id=risk.power_id if same_unit else None, step_id=risk.step_id if same_unit else None,
                         previous_id=risk.id)
        db.session.add(copy)
        for m in risk.measures:
            db.session.add(ControlMeasure(risk=copy, unit_id=new.unit_id, section_id=new.section_id,
                                          owner_id=new.owner_id, stage=m.stage, content=m.content,
                                          responsible=m.responsible))
        for m in risk.methods:
            db.session.add(SupervisionMethod(risk=copy, unit_id=new.unit_id, section_id=new.section_id,
                                             owner_id=new.owner_id, content=m.content))


# ── what changed ─────────────────────────────────────────────────────────
@dataclass
class RiskChange:
    old: RiskPoint
    new: RiskPoint
    changes: list[tuple[str, str, str]]   # (what, last year, this year)


@dataclass
class FormDiff:
    form: RiskForm
    previous: RiskForm | None
    added: list[RiskPoint] = field(default_factory=list)
    removed: list[RiskPoint] = field(default_factory=list)
    changed: list[RiskChange] = field(default_factory=list)
    unchanged: list[RiskChange] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed),
                "unchanged": len(self.unchanged)}


def previous_form(form: RiskForm) -> RiskForm | None:
    """Last year's register of the same owner: the one its rows were carried over from, else
    the register of the round before with the same owner key."""
    previous_ids = [r.previous_id for r in form.risks if r.previous_id]
    linked = db.session.scalar(select(RiskPoint.form_id).where(RiskPoint.id == previous_ids[0])) \
        if previous_ids else None
    if linked:
        return db.session.get(RiskForm, linked)
    return db.session.scalars(select(RiskForm).where(
        RiskForm.round == form.round - 1, RiskForm.owner_kind == form.owner_kind, RiskForm.unit_id == form.unit_id,
        RiskForm.section_id.is_(None) if form.section_id is None else RiskForm.section_id == form.section_id,
        RiskForm.person_id.is_(None) if form.person_id is None else RiskForm.person_id == form.person_id)).first()


def _measure_lines(risk: RiskPoint) -> list[str]:
    return [f"{m.stage}：{m.content}" for m in risk.measures]


def risk_changes(old: RiskPoint, new: RiskPoint) -> list[tuple[str, str, str]]:
    changes = []
    for label, attr in (("风险类别", "risk_type"), ("具体内容及表现形式", "content"), ("风险等级", "level")):
        if getattr(old, attr) != getattr(new, attr):
            changes.append((label, getattr(old, attr), getattr(new, attr)))
    before, after = _measure_lines(old), _measure_lines(new)
    if before != after:
        dropped = [m for m in before if m not in after]
        added = [m for m in after if m not in before]
        changes.append(("防控措施", "\n".join(dropped) or "（无删除）", "\n".join(added) or "（无新增）"))
    methods_before, methods_after = [m.content for m in old.methods], [m.content for m in new.methods]
    if methods_before != methods_after:
        changes.append(("监督办法", "\n".join(methods_before), "\n".join(methods_after)))
    return changes


def diff_form(form: RiskForm) -> FormDiff:
    """This register against last year's: rows carried over by the round copy are paired by
    their link (``previous_id``); a row written afresh is paired with a row of last year of
    the same type and text, if one is left; the rest were added or removed."""
    previous = previous_form(form)
    diff = FormDiff(form, previous)
    old_rows = {r.id: r for r in (previous.risks if previous else [])}
    pairs, fresh = [], []
    for risk in form.risks:
        old = old_rows.pop(risk.previous_id, None) if risk.previous_id else None
        (pairs.append((old, risk)) if old is not None else fresh.append(risk))
    for risk in fresh:
        old = next((o for o in old_rows.values() if (o.risk_type, o.content) == (risk.risk_type, risk.content)), None)
        if old is None:
            diff.added.append(risk)
        else:
            pairs.append((old_rows.pop(old.id), risk))
    for old, risk in sorted(pairs, key=lambda pair: pair[1].id):
        change = RiskChange(old, risk, risk_changes(old, risk))
        (diff.changed if change.changes else diff.unchanged).append(change)
    diff.removed = list(old_rows.values())
    return diff


@dataclass
class UnitDiffRow:
    label: str
    form: RiskForm | None
    previous: RiskForm | None
    counts: dict[str, int]


def diff_unit(unit_id: int, round_: int) -> list[UnitDiffRow]:
    """Each register of the unit in the viewer's scope, this round against the last."""
    scope = current_scope()

    def forms_of(year):
        return db.session.scalars(select(RiskForm).where(RiskForm.unit_id == unit_id, RiskForm.round == year,
                                                         criteria(RiskForm, scope))
                                  .options(selectinload(RiskForm.risks).selectinload(RiskPoint.measures),
                                           selectinload(RiskForm.risks).selectinload(RiskPoint.methods))
                                  .order_by(RiskForm.owner_kind, RiskForm.section_id, RiskForm.id)).all()
    lines, matched = [], set()
    for form in forms_of(round_):
        diff = diff_form(form)
        if diff.previous is not None:
            matched.add(diff.previous.id)
        lines.append(UnitDiffRow(_owner_label(form), form, diff.previous, diff.counts))
    for old in forms_of(round_ - 1):
        if old.id not in matched:
            lines.append(UnitDiffRow(_owner_label(old), None, old, {"added": 0, "removed": len(old.risks),
                                                                    "changed": 0, "unchanged": 0}))
    return lines


def _owner_label(form: RiskForm) -> str:
    who = {Owner.PERSON: form.person, Owner.SECTION: form.section, Owner.UNIT: form.unit}[form.kind]
    return f"{who}（{form.owner_kind}登记表）"


# ── the 汇总表, two rounds side by side ──────────────────────────────────
COMPARED = [("三类风险合计", lambda r: r.risks)] + \
    [(lv.value, lambda r, lv=lv: sum(n for (t, level), n in r.cells.items() if level is lv)) for lv in RiskLevel] + \
    [("防控措施", lambda r: r.measures), ("监督办法", lambda r: r.methods)]


def compare_grid(round_: int, against: int, unit_id: int | None = None, unit_name: str = "") -> Grid:
    """附件9's figures for two rounds side by side, per unit (or per section of one unit), with the change."""
    by = "section" if unit_id else "unit"
    now_rows = {r.key: r for r in rows(Filters(round_, unit_id), by)}
    then_rows = {r.key: r for r in rows(Filters(against, unit_id), by)}
    grid = Grid(f"廉政风险汇总对比表（{against}年度与{round_}年度）", [18] + [7] * (3 * len(COMPARED)),
                subtitle=f"单位：{unit_name or '全部'}　　　　制表日期：{cn_date(date.today())}", header_rows=2,
                sheet="年度对比")
    grid.add(0, 0, "单位（科室）", rows=2, kind=HEAD)
    for i, (label, _) in enumerate(COMPARED):
        grid.add(0, 1 + 3 * i, label, cols=3, kind=HEAD)
        for j, text in enumerate((f"{against}", f"{round_}", "增减")):
            grid.add(1, 1 + 3 * i + j, text, kind=HEAD)
    keys = sorted(set(now_rows) | set(then_rows), key=lambda k: (k is None, (now_rows.get(k) or then_rows.get(k)).label))
    lines = [(k, then_rows.get(k), now_rows.get(k)) for k in keys]
    lines.append((None, total(list(then_rows.values())), total(list(now_rows.values()))))
    for n, (key, then, now) in enumerate(lines):
        is_total = n == len(lines) - 1
        row = grid.height
        label = "总合计" if is_total else (now or then).label
        grid.add(row, 0, label, kind=TOTAL if is_total else LABEL)
        for i, (_, value) in enumerate(COMPARED):
            a, b = (value(then) if then else 0), (value(now) if now else 0)
            for j, v in enumerate((a, b, f"{b - a:+d}" if b != a else "0")):
                grid.add(row, 1 + 3 * i + j, v, kind=TOTAL if is_total else "body")
    return grid


# ── 本年度预警, for the owner revising his draft ─────────────────────────
def year_warnings(form: RiskForm) -> list[RiskWarning]:
    """Warnings about the register's owner closed since the start of last year's round,
    in the viewer's scope: what he should look at while revising."""
    since = date(form.round - 1, 1, 1)
    if form.kind is Owner.PERSON:
        about = RiskWarning.person_id == form.person_id
    elif form.kind is Owner.SECTION:
        about = (RiskWarning.section_id == form.section_id) & RiskWarning.person_id.is_(None)
    else:
        about = (RiskWarning.unit_id == form.unit_id) & RiskWarning.section_id.is_(None) \
            & RiskWarning.person_id.is_(None)
    return db.session.scalars(select(RiskWarning).where(
        about, RiskWarning.state == WarningState.CLOSED.value, RiskWarning.closed_on >= since,
        criteria(RiskWarning, current_scope())).order_by(RiskWarning.closed_on.desc())).all()

