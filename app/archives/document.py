"""An archive as one document: its parts in the order of seed 000 四(四)4, read
from its entries and, live, from what the app already knows about the cadre.
The page, the print, the workbook and the Word file draw the same grid
(:mod:`app.papers.archive`); the API returns the same parts as data."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.archives.models import Disposition, IntegrityArchive, IntegrityTalk
from app.assessment.models import Assessment
from app.enums import ArchiveEntryKind as K
from app.enums import Owner
from app.extensions import db
from app.formatting import cn_date
from app.risks.models import RiskForm
from app.workflow.signature import signed_view

@dataclass
class Part:
    title: str
    headings: list[str]
    rows: list[list]


def signed_risks(person) -> list[list]:
    """His risks year by year: as he signed them, each signature verified; a
    form not signed yet shows its rows, marked as such."""
    forms = db.session.scalars(select(RiskForm).where(
        RiskForm.owner_id == person.id, RiskForm.owner_kind == Owner.PERSON.value)
        .order_by(RiskForm.round.desc()).options(selectinload(RiskForm.risks)))
    rows = []
    for form in forms:
        signed = signed_view(form)
        if signed is not None:
            mark = "" if signed.ok else f"（{signed.verdict}）"
            rows += [[form.round, r["type"], r["content"] + mark, r["level"]] for r in signed.content["risks"]]
        else:
            rows += [[form.round, r.risk_type, f"{r.content}（未签字，{form.stage_label}）", r.level]
                     for r in form.risks]
    return rows


def basics(archive: IntegrityArchive) -> list[tuple[str, str]]:
    p = archive.person
    return [("姓名", p.name), ("性别", p.gender or ""), ("单位", p.unit.name),
            ("科室", p.section.name if p.section else "单位领导"), ("岗位", p.post.name if p.post else ""),
            ("职务", p.title or ""), ("任职时间", cn_date(p.appointed_on)), ("建档日期", cn_date(archive.opened_on)),
            ("建档机关", archive.keeper or "")]


def parts(archive: IntegrityArchive) -> list[Part]:
    person = archive.person
    entries = {kind: [] for kind in K}
    for e in archive.entries:
        entries[K(e.kind)].append(e)

    def dated(kind):
        return [[cn_date(e.occurred_on), e.content] for e in entries[kind]]

    declarations = sorted(entries[K.DECLARATION] + entries[K.DECLARATION_CHANGE], key=lambda e: e.occurred_on)
    risks = signed_risks(person)
    talks = db.session.scalars(select(IntegrityTalk).where(IntegrityTalk.cadre_id == person.id)
                               .order_by(IntegrityTalk.held_on.desc()))
    dispositions = db.session.scalars(select(Disposition).where(Disposition.person_id == person.id)
                                      .order_by(Disposition.decided_on.desc()))
    assessments = db.session.scalars(select(Assessment).where(Assessment.unit_id == person.unit_id)
                                     .order_by(Assessment.year.desc()))
    return [
        Part("岗位职责", ["岗位", "岗位职责"], [[person.post.name, person.post.duties or ""]] if person.post else []),
        Part("职务任免", ["日期", "任免情况"], dated(K.APPOINTMENT)),
        Part("廉政风险界定情况", ["年度", "风险类别", "风险点", "风险等级"], [list(r) for r in risks]),
        Part("组织处理", ["日期", "处理情况"], dated(K.ORGANISATIONAL)),
        Part("纪律处分", ["日期", "处分情况"], dated(K.DISCIPLINARY)),
        Part("个人有关事项申报及变更", ["日期", "类别", "申报内容"],
             [[cn_date(e.occurred_on), e.kind.removeprefix("个人有关事项"), e.content] for e in declarations]),
        Part("本人及配偶收入", ["日期", "收入情况"], dated(K.INCOME)),
        Part("配偶、子女从业情况", ["日期", "从业情况"], dated(K.FAMILY_EMPLOYMENT)),
        Part("廉政谈话", ["日期", "谈话人", "谈话记录"],
             [[cn_date(t.held_on), t.talker.name, t.content + (f"\n本人表态：{t.response}" if t.response else "")]
              for t in talks]),
        Part("后期处置", ["日期", "处置方式", "问题来源", "事由", "处理结果"],
             [[cn_date(d.decided_on), d.kind, d.source, d.reason,
               f"{d.outcome}（{cn_date(d.outcome_on)}）" if d.outcome else "处理中"] for d in dispositions]),
        Part("所在单位考核", ["年度", "等次", "反馈意见"], [[a.year, a.grade, a.feedback or ""] for a in assessments]),
        _warnings(person),
    ]


def _warnings(person) -> Part:
    """预警 about the cadre (app.monitoring) and how each ended."""
    from app.monitoring.models import RiskWarning
    warnings = db.session.scalars(select(RiskWarning).where(RiskWarning.person_id == person.id)
                                  .order_by(RiskWarning.raised_at.desc()))
    return Part("预警", ["日期", "预警", "预警规则", "处置", "结果"],
                [[cn_date(w.raised_at.date()), f"{w.colour}预警", w.rule.name,
                  f"{w.decision}（期限{cn_date(w.deadline)}）" if w.decision else "待处置",
                  f"{w.result}（{cn_date(w.closed_on)}）" if w.result else w.status] for w in warnings])


def as_data(archive: IntegrityArchive) -> dict:
    """The document for the API: basics and parts as plain JSON."""
    return {"basics": dict(basics(archive)),
            "parts": [{"title": p.title, "rows": [dict(zip(p.headings, map(str, r))) for r in p.rows]}
                      for p in parts(archive)]}
