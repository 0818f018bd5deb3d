"""Risk registers a unit keeps in Excel in the paper layouts, made into DRAFT
registers for their owners — never signed, never advanced: the owner still reads
his draft, submits it and, when it comes back to him, confirms and signs it himself
(「任何人不得代替撰写廉政风险点，不得代替填报表格」 binds people, not the draft).

A workbook holds one register per sheet, in any of the five paper layouts,
recognised from its headings:

==========  =====================================  ===============================
layout      who it belongs to                       risks
==========  =====================================  ===============================
000 附件8   姓名 (岗位名称 tells two namesakes apart)  风险类别 | 潜在风险点及表现 | 防控措施
000 附件7   部门 (its 责任人)                        风险类别 | 潜在风险点 | 防控措施
002 附件5   岗位 (the sheet named after the person    序号 | 廉政风险点主要内容及表现形式 |
            when several hold the post)               风险等级 | 防控措施 | 责任人
002 附件4   内设部门 (its 责任人)                     (as 附件5)
002 附件3   单位 (its principal leader)               (as 附件5)
==========  =====================================  ===============================

The 000 forms have no 风险等级 column: the level is written after the risk,
「……（二级）」, as the app's own export prints it, or in a 风险等级 column (the
template's).  The 002 forms have no 风险类别: their risks are 岗位职责 risks
(制度机制 on a unit's form, the only kind a unit's register holds).  Measures are
read line by line as the export prints them (「前期预防：…；…」, 「监督办法：…」);
a line without a stage is a 前期预防 measure, said on the result page for the owner
to check.  The pledge is imported; opinion rows (科室意见, 分管领导意见,
党组（党委）意见, 改正意见) and signature lines are the reviewers' and the owner's
and are never imported.

A register whose owner's form of that round is past 自查拟写 is frozen
(app.risks.content): the whole file is refused, naming the sheet, and nothing is
written.  An owner's draft already there is added to: a risk of the same type and
text is updated (level, measures), others are added, the owner's own rows stay.
"""
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.audit.trail import acting_as
from app.enums import ControlStage, Owner, RiskLevel, RiskType
from app.exports.grid import HEAD, LABEL, Grid
from app.extensions import db
from app.imports.common import ImportRefused, Problem, heading, limit_problem, refused, text
from app.organisation.models import Person, Post, Section
from app.papers import (s000_a7_section_register, s000_a8_person_register, s002_a3_unit_register,
                        s002_a4_section_register, s002_a5_person_register)
from app.papers.common import Sheet, pairs
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, SupervisionMethod
from app.uploads import UnreadableSheet, read_sheets

METHOD = "监督办法"
STAGE_LINE = re.compile(r"^(" + "|".join([*ControlStage.values(), METHOD]) + r")[:：]\s*(.*)$")
LEVEL_AFTER = re.compile(r"\s*[(（](" + "|".join(RiskLevel.values()) + r")[)）]\s*$")
NUMBERING = re.compile(r"^\s*(?:[(（]?\d+[)）.、．]|[①-⑩])\s*")
OPINIONS = ("科室意见", "分管领导意见", "党组(党委)意见", "改正意见")
FOOTER = ("填表人签字", "负责填表人签字", "第一责任人签字", "填表日期", "填表时间", "填写说明", "填表说明")


@dataclass(frozen=True, eq=False)
class Layout:
    key: str
    name: str
    owner: Owner
    risk: str                   # the heading of the risk column, as compared
    types: tuple = ()           # 风险类别 rows of a 000 form; () for 002's (no such column)
    pledge: str | None = None   # the pledge row's label


A8 = Layout("000-8", "000 附件8 " + s000_a8_person_register.TITLE, Owner.PERSON, "潜在风险点及表现",
            (RiskType.MORAL, RiskType.DUTY), "个人防范风险公开承诺")
A7 = Layout("000-7", "000 附件7 " + s000_a7_section_register.TITLE, Owner.SECTION, "潜在风险点",
            (RiskType.DUTY, RiskType.INSTITUTIONAL))
B5 = Layout("002-5", "002 附件5 " + s002_a5_person_register.TITLE, Owner.PERSON, "廉政风险点主要内容及表现形式",
            pledge="个人廉政承诺")
B4 = Layout("002-4", "002 附件4 " + s002_a4_section_register.TITLE, Owner.SECTION, "廉政风险点主要内容及表现形式")
B3 = Layout("002-3", "002 附件3 " + s002_a3_unit_register.TITLE, Owner.UNIT, "廉政风险点主要内容及表现形式")
LAYOUTS = {layout.key: layout for layout in (A8, A7, B5, B4, B3)}
# 002's forms say nothing of the type: what their risks are.
DEFAULT_TYPE = {Owner.PERSON: RiskType.DUTY, Owner.SECTION: RiskType.DUTY, Owner.UNIT: RiskType.INSTITUTIONAL}
LABELS = {"姓名", "单位", "岗位名称", "职务", "任职时间", "岗位职责", "部门", "责任人姓名", "部门工作职责",
          "内设部门", "岗位", "主要职责", "部门职责"}
CLOSING = set(OPINIONS) | {"个人防范风险公开承诺", "个人廉政承诺"}


# ── reading ─────────────────────────────────────────────────────────────
@dataclass
class Risk:
    row: int
    type: str
    content: str
    level: str
    measures: list[tuple[str, str, str | None]]   # (stage, content, 责任人)
    methods: list[str]
    guessed_stage: bool = False


@dataclass
class Register:
    """One sheet: whose register it is, as written, and its risks."""
    sheet: str
    layout: Layout
    labels: dict[str, tuple[str, int]]     # label -> (value, row)
    heading_row: int
    risks: list[Risk] = field(default_factory=list)
    pledge: str | None = None
    opinions: list[str] = field(default_factory=list)   # opinion rows found filled (not imported)
    level_column: bool = False                           # a 风险等级 column (002, the 000 template)


def _value_after(values, i) -> str:
    """The value right of a label: the next cell holding something, unless it is another label."""
    for value in values[i + 1:]:
        if value not in (None, ""):
            return "" if heading(value) in LABELS | CLOSING else text(value)
    return ""


def _layout(cells: set, labels: dict) -> Layout | None:
    if A8.risk in cells:
        return A8
    if A7.risk in cells:
        return A7
    if B5.risk in cells:
        return B4 if "内设部门" in labels else B5 if "岗位" in labels else B3
    return None


def _measures(written: str, responsible: str | None) -> tuple[list, list, bool]:
    """(measures, methods, whether a stage was guessed) from the 防控措施 cell."""
    measures, methods, stage, guessed = [], [], None, False
    for line in written.split("\n"):
        line = line.strip()
        if not line:
            continue
        found = STAGE_LINE.match(line)
        if found:
            stage, line = found.group(1), found.group(2)
        elif stage is None:
            stage, guessed = ControlStage.PREVENTION.value, True
        for item in re.split(r"[；;]", line):
            item = NUMBERING.sub("", item).strip().rstrip("。") if NUMBERING.match(item) else item.strip()
            if not item:
                continue
            if stage == METHOD:
                methods.append(item)
            else:
                measures.append((stage, item, responsible or None))
    return measures, methods, guessed


def _parse(title: str, rows) -> Register | None:
    known = {A8.risk, A7.risk, B5.risk}
    at = next((i for i, (_, values) in enumerate(rows) if known & {heading(v) for v in values}), None)
    if at is None:
        return None
    labels = {}
    for number, values in rows[:at]:
        for i, value in enumerate(values):
            h = heading(value)
            if h in LABELS and h not in labels:
                labels[h] = (_value_after(values, i), number)
    heading_row, heads = rows[at]
    layout = _layout({heading(v) for v in heads}, labels)
    cols = {heading(v): i for i, v in enumerate(heads) if v not in (None, "")}
    register = Register(title, layout, labels, heading_row, level_column="风险等级" in cols)
    kind = None
    for number, values in rows[at + 1:]:
        filled = [(i, v) for i, v in enumerate(values) if v not in (None, "")]
        if not filled:
            continue
        first = heading(filled[0][1])
        if first.startswith(FOOTER):
            break
        if first in CLOSING:
            value = _value_after(values, filled[0][0])
            if first == layout.pledge:
                register.pledge = value or None
            elif value:
                register.opinions.append(first)
            continue
        get = lambda name: text(values[cols[name]]) if name in cols and cols[name] < len(values) else ""  # noqa: E731
        if layout.types:
            kind = get("风险类别") or kind
        content = get(layout.risk)
        if not content:
            continue
        level = get("风险等级")
        if not level and (found := LEVEL_AFTER.search(content)):
            level, content = found.group(1), content[:found.start()].strip()
        measures, methods, guessed = _measures(get("防控措施"), get("责任人"))
        register.risks.append(Risk(number, kind or "", content, level, measures, methods, guessed))
    return register


def read(stream) -> tuple[list[Register], list[str]]:
    """The registers of the workbook, and the sheets that hold none."""
    try:
        sheets = read_sheets(stream)
    except UnreadableSheet as unreadable:
        raise refused(unreadable)
    registers, skipped = [], []
    for title, rows in sheets:
        register = _parse(title, rows)
        if register is not None:
            registers.append(register)
        elif rows:
            skipped.append(title)
    if not registers:
        raise ImportRefused([Problem(1, "表头", "找不到登记表的表头（「潜在风险点及表现」「潜在风险点」或"
                                           "「廉政风险点主要内容及表现形式」），请使用登记表模板或纸质表格的格式。")])
    return registers, skipped


# ── checking ────────────────────────────────────────────────────────────
@dataclass
class Plan:
    register: Register
    kind: Owner
    owner: Person
    person: Person | None = None
    section: Section | None = None
    form: RiskForm | None = None     # the owner's draft of the round, when there is one


def _type(written: str, layout: Layout) -> RiskType | None:
    if not layout.types:
        return DEFAULT_TYPE[layout.owner]
    return next((t for t in layout.types if written.removesuffix("风险") == t.value), None)


def _owner(unit, register: Register, problems: list) -> Plan | None:
    layout, labels, sheet = register.layout, register.labels, register.sheet
    bad = lambda label, message: problems.append(  # noqa: E731
        Problem(labels.get(label, ("", register.heading_row))[1], label, message, sheet))
    written = lambda label: labels.get(label, ("", 0))[0]  # noqa: E731
    if written("单位") and written("单位") not in (unit.name, unit.code):
        bad("单位", f"「{written('单位')}」不是本单位；只能导入「{unit.name}」的登记表。")
        return None
    if layout.owner is Owner.UNIT:
        leader = db.session.scalars(select(Person).where(Person.unit_id == unit.id, Person.is_leader)
                                    .order_by(Person.id).limit(1)).first()
        if leader is None:
            bad("单位", "本单位还没有班子成员（主要领导），单位登记表无人负责；请先在花名册中标明班子成员。")
            return None
        return Plan(register, Owner.UNIT, leader)
    if layout.owner is Owner.SECTION:
        label = "部门" if layout is A7 else "内设部门"
        name = written(label)
        section = db.session.scalars(select(Section).where(Section.unit_id == unit.id, Section.name == name)).first()
        if not name:
            bad(label, "必须填写。")
        elif section is None:
            bad(label, f"本单位没有科室「{name}」。")
        elif section.head is None:
            bad(label, f"科室「{name}」还没有责任人，部门登记表无人负责；请先为科室指定责任人。")
        elif written("责任人姓名") and written("责任人姓名") != section.head.name:
            bad("责任人姓名", f"科室「{name}」的责任人是「{section.head.name}」，不是「{written('责任人姓名')}」。")
        else:
            return Plan(register, Owner.SECTION, section.head, section=section)
        return None
    people = select(Person).where(Person.unit_id == unit.id).order_by(Person.id)
    if layout is A8:
        name, post = written("姓名"), written("岗位名称")
        if not name:
            bad("姓名", "必须填写。")
            return None
        found = list(db.session.scalars(people.where(Person.name == name)))
        if len(found) > 1 and post:
            found = [p for p in found if p.post and p.post.name == post]
        if not found:
            bad("姓名", f"本单位没有名为「{name}」的工作人员" + (f"（岗位「{post}」）。" if post else "。"))
            return None
        if len(found) > 1:
            bad("姓名", f"本单位有 {len(found)} 位「{name}」，请在「岗位名称」写明其岗位以区分。")
            return None
        return Plan(register, Owner.PERSON, found[0], person=found[0])
    post = written("岗位")
    if not post:
        bad("岗位", "必须填写。")
        return None
    found = list(db.session.scalars(people.join(Post, Person.post_id == Post.id).where(Post.name == post)))
    if len(found) > 1:
        found = [p for p in found if p.name == sheet] or found
    if not found:
        bad("岗位", f"本单位没有岗位为「{post}」的工作人员。")
        return None
    if len(found) > 1:
        bad("岗位", f"本单位有 {len(found)} 人在岗位「{post}」（{'、'.join(p.name for p in found)}），"
                  "请把工作表命名为本人姓名。")
        return None
    return Plan(register, Owner.PERSON, found[0], person=found[0])


def _form_of(plan: Plan, unit, round_: int) -> RiskForm | None:
    """The owner's register of the round, if there is one."""
    query = select(RiskForm).where(RiskForm.owner_kind == plan.kind.value, RiskForm.round == round_,
                                   RiskForm.unit_id == unit.id)
    if plan.kind is Owner.PERSON:
        query = query.where(RiskForm.person_id == plan.person.id)
    elif plan.kind is Owner.SECTION:
        query = query.where(RiskForm.section_id == plan.section.id, RiskForm.person_id.is_(None))
    else:
        query = query.where(RiskForm.section_id.is_(None), RiskForm.person_id.is_(None))
    return db.session.scalars(query.order_by(RiskForm.id)).first()


def _check_risks(register: Register, problems: list) -> None:
    layout, sheet = register.layout, register.sheet
    column = {"content": layout.risk, "level": "风险等级" if register.level_column else layout.risk}
    allowed = "、".join(f"{t.value}风险" for t in layout.types)
    for risk in register.risks:
        bad = lambda col, message: problems.append(Problem(risk.row, col, message, sheet))  # noqa: E731
        kind = _type(risk.type, layout)
        if kind is None:
            bad("风险类别", f"「{risk.type}」应为：{allowed}。" if risk.type else f"必须填写，应为：{allowed}。")
        else:
            risk.type = kind.value
        if risk.level not in RiskLevel.values():
            levels = "、".join(RiskLevel.values())
            bad(column["level"], f"风险等级「{risk.level}」应为：{levels}。" if risk.level else
                f"未写明风险等级：请在内容后注明（{RiskLevel.SECOND.value}）这样的等级，或在「风险等级」列选择{levels}。")
        found = limit_problem(RiskPoint, "content", risk.content, risk.row, layout.risk, sheet)
        if found:
            problems.append(found)
        for _, content, responsible in risk.measures:
            for attr, value, col in (("content", content, "防控措施"), ("responsible", responsible, "责任人")):
                found = limit_problem(ControlMeasure, attr, value, risk.row, col, sheet)
                if found:
                    problems.append(found)
        for content in risk.methods:
            found = limit_problem(SupervisionMethod, "content", content, risk.row, "防控措施", sheet)
            if found:
                problems.append(found)
    if register.pledge:
        found = limit_problem(RiskForm, "pledge", register.pledge, register.heading_row, layout.pledge, sheet)
        if found:
            problems.append(found)
    if not register.risks:
        problems.append(Problem(register.heading_row, layout.risk, "这张登记表没有填写任何风险点。", sheet))


def check(unit, registers: list[Register], round_: int) -> tuple[list[Plan], list[Problem]]:
    from app.workflow import engine
    from app.workflow.flows import Kind
    problems, plans, owners = [], [], {}
    for register in registers:
        _check_risks(register, problems)
        plan = _owner(unit, register, problems)
        if plan is None:
            continue
        key = (plan.kind, plan.person.id if plan.person else None, plan.section.id if plan.section else None)
        if key in owners:
            problems.append(Problem(register.heading_row, "文件", f"与工作表「{owners[key]}」是同一人的登记表，"
                                                                f"一个人每年度只有一张{plan.kind.value}登记表。", register.sheet))
            continue
        owners[key] = register.sheet
        plan.form = _form_of(plan, unit, round_)
        if plan.form is not None and engine.current(plan.form).kind is not Kind.DRAFT:
            problems.append(Problem(register.heading_row, "文件",
                                    f"「{plan.form}」已处于「{engine.current(plan.form).label}」环节，已冻结，不能导入；"
                                    "如需修改，请由审核人退回本人后再导入。", register.sheet))
            continue
        plans.append(plan)
    return plans, problems


# ── writing ─────────────────────────────────────────────────────────────
class _OwnerAsUser:
    """The owner, as ``engine.create_form`` reads its user: the draft it makes is his."""

    def __init__(self, person):
        self.person = person


@dataclass
class Imported:
    round: int
    created: list[RiskForm] = field(default_factory=list)
    updated: list[RiskForm] = field(default_factory=list)
    risks: int = 0
    skipped: list[str] = field(default_factory=list)       # sheets holding no register
    notes: list[str] = field(default_factory=list)         # what the owners should check

    @property
    def forms(self) -> list[RiskForm]:
        return self.created + self.updated


def _write(plan: Plan, unit, round_: int, result: Imported) -> None:
    from app.workflow import engine
    form = plan.form
    if form is None:
        form = engine.create_form(plan.kind, round_, _OwnerAsUser(plan.owner), person=plan.person,
                                  section=plan.section, unit=unit, commit=False)
        db.session.flush()
        result.created.append(form)
    else:
        result.updated.append(form)
    mine = {(r.risk_type, r.content): r for r in form.risks}
    own = dict(unit_id=form.unit_id, section_id=form.section_id, owner_id=form.owner_id)
    for risk in plan.register.risks:
        point = mine.get((risk.type, risk.content))
        if point is None:
            point = RiskPoint(form=form, owner_kind=form.owner_kind, risk_type=risk.type, content=risk.content,
                              level=risk.level, **own)
            db.session.add(point)
        else:
            point.level = risk.level
        if [(m.stage, m.content, m.responsible) for m in point.measures] != risk.measures:
            point.measures = [ControlMeasure(stage=s, content=c, responsible=r, **own) for s, c, r in risk.measures]
        if [m.content for m in point.methods] != risk.methods:
            point.methods = [SupervisionMethod(content=c, **own) for c in risk.methods]
        result.risks += 1
    if plan.register.pledge and plan.kind is Owner.PERSON and form.pledge != plan.register.pledge:
        form.pledge = plan.register.pledge


def import_registers(unit, stream, round_: int | None = None, actor: str | None = None) -> Imported:
    """Checks every sheet, then writes the drafts in one transaction, as ``actor`` (the importing login)."""
    from app.errors import Refused
    from app.security.models import SYSTEM_USERNAME
    round_ = round_ or date.today().year
    registers, skipped = read(stream)
    plans, problems = check(unit, registers, round_)
    if problems:
        raise ImportRefused(problems)
    result = Imported(round_, skipped=skipped)
    try:
        with acting_as(actor or SYSTEM_USERNAME):   # the system drafts for the owners (app.risks.content)
            for plan in plans:
                _write(plan, unit, round_, result)
            db.session.commit()
    except Refused as refusal:   # a rule checked at the flush (another user's step in between)
        db.session.rollback()
        raise ImportRefused([Problem(1, "文件", str(refusal))])
    for plan in plans:
        register = plan.register
        if any(r.guessed_stage for r in register.risks):
            result.notes.append(f"工作表「{register.sheet}」：未注明防线的防控措施记为「{ControlStage.PREVENTION.value}」，"
                                "请本人核对。")
        if register.opinions:
            result.notes.append(f"工作表「{register.sheet}」：{'、'.join(register.opinions)}由审核人在系统中填写，"
                                "文件中的内容未导入。")
    return result


# ── templates ───────────────────────────────────────────────────────────
TEMPLATE_RISKS = 6


def _levels_and_types(g: Grid, first: int, last: int, type_col: int | None, level_col: int, types=()):
    if type_col is not None:
        g.choose(first, last, type_col, [f"{t.value}风险" for t in types])
    g.choose(first, last, level_col, RiskLevel.values())


def _template_000(unit, layout: Layout, names: list[str], sections: list[str], posts: list[str]) -> Grid:
    """000 附件7/8 with a 风险等级 column beside the risk (the paper writes the level in the text)."""
    county = unit.county.name
    module = s000_a8_person_register if layout is A8 else s000_a7_section_register
    footer = ["填表人签字：　　　　　　分管领导签字：　　　　　　填表日期：　　年　　月　　日" if layout is A8 else
              "负责填表人签字：　　　　　　第一责任人签字：　　　　　　填表日期：　　年　　月　　日"]
    g = Grid(county + module.TITLE, [12, 30, 8, 14, 12, 24], sheet="个人登记表" if layout is A8 else "部门登记表",
             footer=footer, notes=MEASURE_NOTE)
    if layout is A8:
        pairs(g, [("姓名", ""), ("单位", unit.name), ("岗位名称", "")])
        pairs(g, [("职务", ""), ("任职时间", ""), ("", "")])
        pairs(g, [("岗位职责", "")], spans={1: 5})
        g.choose(0, 0, 1, names, prompt="本单位工作人员的姓名")
        g.choose(0, 0, 5, posts, strict=False)
    else:
        pairs(g, [("部门", ""), ("责任人姓名", ""), ("职务", "")])
        pairs(g, [("任职时间", ""), ("部门工作职责", "")], spans={3: 3})
        g.choose(0, 0, 1, sections, prompt="本单位的科室")
    g.header_from, g.header_rows = g.height, 1
    g.append(["风险类别", layout.risk, "风险等级", "防控措施"], HEAD, spans={3: 3})
    first = g.height
    for kind in layout.types:
        for _ in range(TEMPLATE_RISKS // 2):
            row = g.height
            g.add(row, 0, f"{kind.value}风险", kind=LABEL)
            g.add(row, 1, "")
            g.add(row, 2, "")
            g.add(row, 3, "", cols=3)
    _levels_and_types(g, first, g.height - 1, 0, 2, layout.types)
    pairs(g, [("个人防范风险公开承诺", "")] if layout is A8 else [("改正意见", "")], spans={1: 5})
    return g


def _template_002(unit, layout: Layout, sections: list[str], posts: list[str]) -> Grid:
    blank = {"content": "", "level": "", "measures": [], "methods": []}
    content = {"unit": unit.name, "section": "", "post": "", "risks": [dict(blank) for _ in range(TEMPLATE_RISKS)]}
    module = {B5: s002_a5_person_register, B4: s002_a4_section_register, B3: s002_a3_unit_register}[layout]
    g = module.grid(Sheet(content))
    g.notes = MEASURE_NOTE
    first = g.header_from + 1
    _levels_and_types(g, first, first + TEMPLATE_RISKS - 1, None, 3)
    if layout is B4:
        g.choose(0, 0, 4, sections, prompt="本单位的科室")
    elif layout is B5:
        g.choose(0, 0, 4, posts, prompt="本单位的岗位；同一岗位有几人时，请把工作表命名为本人姓名")
    return g


MEASURE_NOTE = ("填写说明：防控措施按防线分行填写，如「前期预防：……；……」「中期监控：……」「后期处置：……」「监督办法：……」，"
                "未注明防线的记为前期预防。导入后为本人的草稿，须由本人核对、提交，并在返回确认时本人签字。")


def template(unit, key: str) -> Grid:
    layout = LAYOUTS[key]
    names = list(db.session.scalars(select(Person.name).where(Person.unit_id == unit.id).order_by(Person.id)))
    sections = list(db.session.scalars(select(Section.name).where(Section.unit_id == unit.id).order_by(Section.id)))
    posts = list(dict.fromkeys(db.session.scalars(select(Post.name).where(Post.unit_id == unit.id).order_by(Post.id))))
    if layout.types:
        return _template_000(unit, layout, names, sections, posts)
    return _template_002(unit, layout, sections, posts)
