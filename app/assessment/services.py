"""The steps of 考核 that are more than saving a record: file a self-check and
its attachments, grade an assessment, record a follow-up visit, close a
notice, draw a spot-check sample.

Each refuses with :class:`Refused` and a Chinese message and then changes
nothing; the pages, the API, the demo and the tests all call these.
"""
import hashlib
import os
import random
import secrets
from datetime import date, timedelta

from sqlalchemy import func, select

from app import clock
from app.assessment import rules
from app.assessment.models import (Commendation, FollowUpVisit, Inspection, RectificationNotice, SelfCheck,
                                   SelfCheckAttachment, self_check_file)
from app.enums import Grade, InspectionKind
from app.errors import Refused
from app.extensions import db
from app.formatting import cn_date
from app.organisation.models import Person, Section
from app.security import roles
from app.security.scope import Scope, criteria, scope_of

RECTIFY_DAYS = 90                    # default 整改期限 after a notice is issued
MAX_ATTACHMENT = 10 * 1024 * 1024


_now = clock.now


def actor_name(user) -> str:
    return user.person.name if user.person else user.username


def leading_group(unit) -> str:
    return f"{unit.county.name}廉政风险防范管理工作领导小组"


# ── 季度自查 ─────────────────────────────────────────────────────────────
def ensure_draft(report: SelfCheck) -> None:
    if report.filed_at:
        raise Refused(f"自查报告已于{cn_date(report.filed_at)}报送领导小组办公室，不能再修改。")


def file_self_check(report: SelfCheck, user) -> None:
    """报送: the report goes to the office, complete, and is frozen."""
    if not roles.may(user, roles.SELF_CHECK, roles.FILE):
        raise Refused("只有单位管理员或科室负责人可以报送自查报告。")
    ensure_draft(report)
    missing = rules.missing_for_filing(report)
    if missing:
        raise Refused(missing)
    report.filed_at, report.filed_by = _now(), actor_name(user)
    db.session.commit()


def attach(report: SelfCheck, user, filename: str, content: bytes) -> SelfCheckAttachment:
    ensure_draft(report)
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    if not name:
        raise Refused("请选择要上传的附件。")
    if not content:
        raise Refused(f"附件「{name}」是空文件。")
    if len(content) > MAX_ATTACHMENT:
        raise Refused("单个附件不能超过 10 MB。")
    attachment = SelfCheckAttachment(self_check=report, filename=name[-200:], size=len(content),
                                     sha256=hashlib.sha256(content).hexdigest(), uploaded_at=_now(),
                                     uploaded_by=actor_name(user))
    db.session.add(attachment)
    db.session.flush()
    db.session.execute(self_check_file.insert().values(attachment_id=attachment.id, content=content))
    db.session.commit()
    return attachment


def attachment_content(attachment: SelfCheckAttachment) -> bytes:
    return db.session.scalar(select(self_check_file.c.content)
                             .where(self_check_file.c.attachment_id == attachment.id))


def detach(report: SelfCheck, attachment: SelfCheckAttachment) -> None:
    ensure_draft(report)
    db.session.delete(attachment)
    db.session.commit()


# ── 考核 ─────────────────────────────────────────────────────────────────
def grade(assessment, user) -> None:
    """Settles what the grade brings, in the transaction that saves it:
    不及格 → a written 整改通知 with requirements and a deadline; 优秀 → a
    commendation.  Once either exists, the grade that brought it stays."""
    with db.session.no_autoflush:
        notice, commendation = assessment.notice, assessment.commendation
    if notice is not None or commendation is not None:
        settled_by, what = (Grade.FAIL, "下达整改通知") if notice is not None else (Grade.EXCELLENT, "给予表彰")
        if assessment.grade != settled_by:
            raise Refused(f"该考核已据「{settled_by}」{what}，综合评定等次不能再修改。", "grade")
        return
    assessment.assessed_by = assessment.assessed_by or actor_name(user)
    if assessment.grade == Grade.FAIL:
        assessment.notice = draft_notice(assessment)
    elif assessment.grade == Grade.EXCELLENT:
        unit = _unit(assessment)
        assessment.commendation = Commendation(
            unit=unit, year=assessment.year, issued_on=assessment.assessed_on, issuer=leading_group(unit),
            title=f"{assessment.year}年度廉政风险防范管理工作考核优秀单位")


def _unit(record):
    from app.organisation.models import Unit
    return record.unit or db.session.get(Unit, record.unit_id)


def draft_notice(assessment) -> RectificationNotice:
    """The notice as the assessment writes it: the weak standards with their
    comments and the feedback as problems, requirements to match, 90 days."""
    unit, issued = _unit(assessment), assessment.assessed_on
    weak = [(s, g, c) for s, g, c in assessment.ratings() if g in (Grade.FAIL, Grade.PASS)]
    # with no comment, a weak standard is said to fall short of its wording, never quoted as if met
    problems = [f"{s.value}（{g}）：{c or f'未达到标准要求（{s.text}）'}" for s, g, c in weak] + [
        assessment.feedback or ""]
    requirements = [f"对照「{s.value}」标准整改：{s.text}" for s, _, _ in weak] + [
        "针对考核反馈的问题逐项制定整改措施，明确责任领导、责任人和完成时限。",
        "完善相关制度机制，堵塞管理漏洞，防止问题反弹。",
        "整改完成后形成书面整改报告，经单位主要领导签字后报领导小组办公室。",
    ]
    prefix = f"廉防整改〔{issued.year}〕"
    with db.session.no_autoflush:
        issued_before = db.session.scalar(select(func.count()).select_from(RectificationNotice)
                                          .where(RectificationNotice.number.like(prefix + "%")))
    return RectificationNotice(
        unit=unit, number=f"{prefix}{issued_before + 1}号", issued_on=issued, issuer=leading_group(unit),
        problems="\n".join(f"{i}. {p}" for i, p in enumerate(filter(None, problems), 1)),
        requirements="\n".join(f"{i}. {r}" for i, r in enumerate(requirements, 1)),
        deadline=issued + timedelta(days=RECTIFY_DAYS))


def record_visit(notice: RectificationNotice, user, visited_on: date | None, visitors: str,
                 findings: str) -> FollowUpVisit:
    """跟踪回访 of a unit under an open notice."""
    if not roles.may(user, roles.NOTICE, roles.VISIT):
        raise Refused("只有领导小组办公室或纪委监察可以记录跟踪回访。")
    if notice.closed_on:
        raise Refused("该整改通知已了结，不再跟踪回访。")
    if visited_on is None:
        raise Refused("请填写回访日期。")
    if visited_on < notice.issued_on or visited_on > date.today():
        raise Refused(f"回访日期应在整改通知下达（{cn_date(notice.issued_on)}）之后、今天之前。")
    if not (visitors or "").strip():
        raise Refused("请填写回访人员。")
    if not (findings or "").strip():
        raise Refused("请填写回访情况（整改进展及意见）。")
    visit = FollowUpVisit(notice=notice, unit_id=notice.unit_id, visited_on=visited_on,
                          visitors=visitors.strip(), findings=findings.strip(), recorded_by=actor_name(user))
    db.session.add(visit)
    db.session.commit()
    return visit


def close_notice(notice: RectificationNotice, user, note: str, closed_on: date | None = None) -> None:
    """The office closes a notice once a follow-up visit found it rectified."""
    if not roles.may(user, roles.NOTICE, roles.CLOSE):
        raise Refused("只有领导小组办公室可以了结整改通知。")
    if notice.closed_on:
        raise Refused(f"该整改通知已于{cn_date(notice.closed_on)}了结。")
    if not notice.visits:
        raise Refused("尚未跟踪回访，不能了结整改通知。")
    if not (note or "").strip():
        raise Refused("请填写了结意见（整改落实情况）。")
    notice.closed_on, notice.closing_note, notice.closed_by = closed_on or date.today(), note.strip(), actor_name(user)
    db.session.commit()


def overdue_notices(scope: Scope, today: date | None = None) -> list[RectificationNotice]:
    return list(db.session.scalars(
        select(RectificationNotice).where(RectificationNotice.closed_on.is_(None),
                                          RectificationNotice.deadline < (today or date.today()),
                                          criteria(RectificationNotice, scope))
        .order_by(RectificationNotice.deadline)))


# ── 每半年抽查: the random sample ─────────────────────────────────────────
def population(inspection: Inspection, scope: Scope) -> tuple[list[int], list[int]]:
    """The sections and persons a sample is drawn from, in a fixed order:
    those in the drawer's scope, within the checked units if any are named."""
    units = [u.id for u in inspection.units]
    sections = select(Section.id).where(criteria(Section, scope)).order_by(Section.id)
    persons = select(Person.id).where(criteria(Person, scope)).order_by(Person.id)
    if units:
        sections, persons = sections.where(Section.unit_id.in_(units)), persons.where(Person.unit_id.in_(units))
    return list(db.session.scalars(sections)), list(db.session.scalars(persons))


def sample(seed: int, section_ids: list[int], person_ids: list[int], sections: int, persons: int):
    """The same seed over the same population always draws the same ids."""
    rng = random.Random(seed)
    return (rng.sample(section_ids, min(sections, len(section_ids))),
            rng.sample(person_ids, min(persons, len(person_ids))))


def draw_sample(inspection: Inspection, user, sections: int, persons: int, seed: int | None = None) -> None:
    """Draws and records a spot check's sample, once, over the drawer's scope."""
    if not roles.may(user, roles.INSPECTION, roles.SAMPLE):
        raise Refused("只有领导小组办公室或纪委监察可以抽取样本。")
    if inspection.kind != InspectionKind.SPOT_CHECK:
        raise Refused("只有每半年抽查可以随机抽取样本。")
    if inspection.sample_seed is not None:
        raise Refused(f"本次抽查已抽取样本（随机种子 {inspection.sample_seed}），不能重新抽取。")
    if sections < 0 or persons < 0 or sections + persons == 0:
        raise Refused("请填写要抽取的科室数和人数。")
    section_ids, person_ids = population(inspection, scope_of(user))
    if not section_ids and not person_ids:
        raise Refused("抽样范围内没有科室和人员。")
    seed = seed if seed is not None else secrets.randbelow(999_999) + 1
    inspection.sample_section_ids, inspection.sample_person_ids = sample(
        seed, section_ids, person_ids, sections, persons)
    inspection.sample_seed, inspection.sampled_at, inspection.sampled_by = seed, _now(), actor_name(user)
    db.session.commit()


def sample_reproduces(inspection: Inspection, user) -> bool:
    """Whether the recorded seed, drawn again over the same scope, gives the recorded sample."""
    section_ids, person_ids = population(inspection, scope_of(user))
    drawn = sample(inspection.sample_seed, section_ids, person_ids,
                   len(inspection.sample_section_ids or []), len(inspection.sample_person_ids or []))
    return drawn == (inspection.sample_section_ids or [], inspection.sample_person_ids or [])
