"""考核 (seed 000 四(四)): quarterly self-checks, inspections and spot checks,
the yearly assessment of each unit and what its grade brings — a
commendation for 优秀, a rectification notice with follow-up visits for 不及格.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (JSON, Column, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Table,
                        Text, UniqueConstraint, event)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import QUARTERS, NoticeStatus, SelfCheckStatus, Standard
from app.extensions import db
from app.organisation.models import Section, Unit
from app.security.scope import Scoped
from app.versions import Versioned


class SelfCheck(Versioned, Scoped, db.Model):
    """季度自查报告 of a unit (no section) or of one of its sections, filed to the office."""

    __tablename__ = "self_check"
    __scope__ = {"unit": "unit_id", "section": "section_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    quarter: Mapped[int] = mapped_column(Integer)
    gap_analysis: Mapped[Optional[str]] = mapped_column(Text)        # 差距分析
    effect: Mapped[Optional[str]] = mapped_column(Text)              # 量化效果
    # 对照四项考核标准自我评估
    leadership_eval: Mapped[Optional[str]] = mapped_column(Text)
    measures_eval: Mapped[Optional[str]] = mapped_column(Text)
    self_check_eval: Mapped[Optional[str]] = mapped_column(Text)
    improvement_eval: Mapped[Optional[str]] = mapped_column(Text)
    self_grade: Mapped[Optional[str]] = mapped_column(String(4))     # 自评等次
    filed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)   # 报送领导小组办公室
    filed_by: Mapped[Optional[str]] = mapped_column(String(50))

    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    attachments: Mapped[list["SelfCheckAttachment"]] = relationship(
        back_populates="self_check", order_by="SelfCheckAttachment.id", cascade="all, delete-orphan")

    @property
    def quarter_label(self) -> str:
        return QUARTERS[self.quarter - 1] if self.quarter in (1, 2, 3, 4) else ""

    @property
    def status(self) -> SelfCheckStatus:
        return SelfCheckStatus.FILED if self.filed_at else SelfCheckStatus.NOT_FILED

    def validate(self) -> dict[str, str]:
        from app.assessment.rules import self_check_errors
        return self_check_errors(self)

    def __repr__(self) -> str:
        return f"{self.year}年{self.quarter_label} {self.section or self.unit} 自查报告"


class SelfCheckAttachment(db.Model):
    """An attachment of a self-check; its bytes sit in ``self_check_file``, out
    of the audit trail (which records every field as JSON)."""

    __tablename__ = "self_check_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    self_check_id: Mapped[int] = mapped_column(ForeignKey("self_check.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200), info={"label": "附件名称"})
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str] = mapped_column(String(50))

    self_check: Mapped[SelfCheck] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return self.filename


self_check_file = Table(
    "self_check_file", db.Model.metadata,
    Column("attachment_id", ForeignKey("self_check_attachment.id", ondelete="CASCADE"), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)


@event.listens_for(SelfCheckAttachment, "after_delete")
def _drop_file(_mapper, connection, attachment):
    # SQLite leaves foreign keys unenforced, so the bytes go with their row here.
    from app.audit import trail
    connection.execute(self_check_file.delete().where(self_check_file.c.attachment_id == attachment.id))
    trail.record(connection, self_check_file.name, attachment.id, trail.DELETE, record=attachment.filename)


inspection_unit = Table(
    "inspection_unit", db.Model.metadata,
    Column("inspection_id", ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
)
inspection_section = Table(
    "inspection_section", db.Model.metadata,
    Column("inspection_id", ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True),
    Column("section_id", ForeignKey("section.id", ondelete="CASCADE"), primary_key=True),
)


class Inspection(Versioned, Scoped, db.Model):
    """专项检查 or 每半年抽查, placed by the unit of the body that organised it."""

    __tablename__ = "inspection"
    __scope__ = {"unit": "organiser_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    team: Mapped[Optional[str]] = mapped_column(Text)            # 检查组成员
    methods: Mapped[Optional[str]] = mapped_column(String(200))  # 检查方法, joined by 、
    findings: Mapped[Optional[str]] = mapped_column(Text)        # 检查发现的问题
    # the random sample of a spot check: drawn once, reproducible from its seed
    sample_seed: Mapped[Optional[int]] = mapped_column(Integer)
    sample_section_ids: Mapped[Optional[list]] = mapped_column(JSON)
    sample_person_ids: Mapped[Optional[list]] = mapped_column(JSON)
    sampled_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    sampled_by: Mapped[Optional[str]] = mapped_column(String(50))

    organiser: Mapped[Unit] = relationship()
    units: Mapped[list[Unit]] = relationship(secondary=inspection_unit, order_by=Unit.code)
    sections: Mapped[list[Section]] = relationship(secondary=inspection_section, order_by=Section.id)

    @property
    def checked(self) -> str:
        return "、".join(u.name for u in self.units)

    def validate(self) -> dict[str, str]:
        from app.assessment.rules import inspection_errors
        return inspection_errors(self)

    def __repr__(self) -> str:
        return f"{self.held_on.year if self.held_on else ''}年{self.kind}：{self.title}"


class Assessment(Versioned, Scoped, db.Model):
    """考核: one unit, one year — the four standards rated with comments, a grade, feedback."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_assessment_unit_year"),)
    __scope__ = {"unit": "unit_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    inspection_id: Mapped[Optional[int]] = mapped_column(ForeignKey("inspection.id"), index=True)
    # one grade and comment per Standard, named by Standard.key
    leadership_grade: Mapped[Optional[str]] = mapped_column(String(4))
    leadership_comment: Mapped[Optional[str]] = mapped_column(Text)
    measures_grade: Mapped[Optional[str]] = mapped_column(String(4))
    measures_comment: Mapped[Optional[str]] = mapped_column(Text)
    self_check_grade: Mapped[Optional[str]] = mapped_column(String(4))
    self_check_comment: Mapped[Optional[str]] = mapped_column(Text)
    improvement_grade: Mapped[Optional[str]] = mapped_column(String(4))
    improvement_comment: Mapped[Optional[str]] = mapped_column(Text)
    grade: Mapped[str] = mapped_column(String(4), index=True)   # 综合评定等次
    feedback: Mapped[Optional[str]] = mapped_column(Text)       # 反馈意见
    assessed_by: Mapped[Optional[str]] = mapped_column(String(50))

    unit: Mapped[Unit] = relationship()
    inspection: Mapped[Optional[Inspection]] = relationship()
    notice: Mapped[Optional["RectificationNotice"]] = relationship(back_populates="assessment")
    commendation: Mapped[Optional["Commendation"]] = relationship(back_populates="assessment")

    def ratings(self) -> list[tuple[Standard, str | None, str | None]]:
        return [(s, getattr(self, f"{s.key}_grade"), getattr(self, f"{s.key}_comment")) for s in Standard]

    def validate(self) -> dict[str, str]:
        from app.assessment.rules import assessment_errors
        return assessment_errors(self)

    def __repr__(self) -> str:
        return f"{self.unit} {self.year}年度考核（{self.grade}）"


class RectificationNotice(Versioned, Scoped, db.Model):
    """整改通知, issued in writing to a unit graded 不及格; open until the office closes it."""

    __tablename__ = "rectification_notice"
    __scope__ = {"unit": "unit_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)   # 文号
    issued_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(100))
    problems: Mapped[Optional[str]] = mapped_column(Text)          # 存在的问题
    requirements: Mapped[str] = mapped_column(Text)                # 整改要求
    deadline: Mapped[date] = mapped_column(Date, index=True)       # 整改期限
    closed_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    closing_note: Mapped[Optional[str]] = mapped_column(Text)
    closed_by: Mapped[Optional[str]] = mapped_column(String(50))

    assessment: Mapped[Assessment] = relationship(back_populates="notice")
    unit: Mapped[Unit] = relationship()
    visits: Mapped[list["FollowUpVisit"]] = relationship(
        back_populates="notice", order_by="FollowUpVisit.visited_on", cascade="all, delete-orphan")

    def is_overdue(self, today: date | None = None) -> bool:
        return self.closed_on is None and self.deadline < (today or date.today())

    @property
    def status(self) -> NoticeStatus:
        if self.closed_on:
            return NoticeStatus.CLOSED
        return NoticeStatus.OVERDUE if self.is_overdue() else NoticeStatus.OPEN

    def validate(self) -> dict[str, str]:
        from app.assessment.rules import notice_errors
        return notice_errors(self)

    def __repr__(self) -> str:
        return f"{self.number} {self.unit}"


class FollowUpVisit(Scoped, db.Model):
    """跟踪回访 of a unit under a rectification notice."""

    __tablename__ = "follow_up_visit"
    __scope__ = {"unit": "unit_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("rectification_notice.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    visitors: Mapped[str] = mapped_column(String(200), info={"label": "回访人员"})
    findings: Mapped[str] = mapped_column(Text, info={"label": "回访情况"})   # 整改进展及回访意见
    recorded_by: Mapped[str] = mapped_column(String(50))

    notice: Mapped[RectificationNotice] = relationship(back_populates="visits")

    def __repr__(self) -> str:
        return f"{self.visited_on} 回访"


class Commendation(Versioned, Scoped, db.Model):
    """表彰 of a unit graded 优秀."""

    __tablename__ = "commendation"
    __scope__ = {"unit": "unit_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(100))

    assessment: Mapped[Assessment] = relationship(back_populates="commendation")
    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return self.title
