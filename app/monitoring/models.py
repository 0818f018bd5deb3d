"""监测信息, 措施落实, 预警规则 and 预警 (seed 002 附件1 建立长效机制; seed 000 中期监控, 后期处置).

Signals, checks and warnings hang on a person, a section or a unit and are
scoped like every other record (``__scope__``).  A warning is unique by (rule,
subject, facts) in the database itself, so the same facts never raise it twice,
whichever job, scheduler or entry raises it.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.archives.models import Disposition
from app.enums import QUARTERS, SignalSource, WarningColour, WarningState
from app.extensions import db
from app.organisation.models import County, Person, Section, Unit
from app.risks.models import ControlMeasure, RiskPoint
from app.security.scope import Scoped
from app.versions import Versioned


def _subject(record) -> str:
    return str(record.person or record.section or record.unit or "")


class Signal(Versioned, Scoped, db.Model):
    """监测信息: what the office, the commission or a unit learnt during the year, about whom,
    where it fits on which risk and measure, and whether it was verified."""

    __tablename__ = "signal"
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "person_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"), index=True)
    risk_id: Mapped[Optional[int]] = mapped_column(ForeignKey("risk_point.id", ondelete="SET NULL"), index=True)
    measure_id: Mapped[Optional[int]] = mapped_column(ForeignKey("control_measure.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    score: Mapped[Optional[int]] = mapped_column(Integer)                # 民主测评 满意率 (%)
    verification: Mapped[str] = mapped_column(String(10), default="待核实")  # 核实情况
    verification_note: Mapped[Optional[str]] = mapped_column(Text)
    reporter: Mapped[Optional[str]] = mapped_column(String(100))          # 举报人: 信访举报 only
    recorded_by: Mapped[Optional[str]] = mapped_column(String(50))
    recorded_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    person: Mapped[Optional[Person]] = relationship()
    risk: Mapped[Optional[RiskPoint]] = relationship()
    measure: Mapped[Optional[ControlMeasure]] = relationship()

    @property
    def subject(self) -> str:
        return _subject(self)

    @property
    def confidential(self) -> bool:
        return self.source == SignalSource.PETITION.value

    def place(self) -> None:
        """The subject as far as it is given: a measure names its risk, a risk its owner,
        a person his section and unit, a section its unit."""
        if self.measure is not None and self.risk is None:
            self.risk = self.measure.risk
        if self.person is None and self.section is None and self.unit is None and self.risk is not None:
            risk = self.risk
            self.person = risk.owner if risk.owner_kind == "个人" else None
            self.section = risk.section if risk.owner_kind == "部门" else None
            self.unit = risk.unit
        if self.person is not None:
            self.unit, self.section = self.person.unit, self.section or self.person.section
        elif self.section is not None:
            self.unit = self.section.unit

    def validate(self) -> dict[str, str]:
        from app.monitoring.validation import signal_errors
        return signal_errors(self)

    def __repr__(self) -> str:
        return f"{self.received_on} {self.source}：{self.subject}"


class MeasureCheck(Versioned, Scoped, db.Model):
    """措施落实: one measure of an approved register checked for one quarter."""

    __tablename__ = "measure_check"
    __table_args__ = (UniqueConstraint("measure_id", "year", "quarter", name="uq_measure_check_quarter"),)
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "owner_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("control_measure.id", ondelete="CASCADE"), index=True)
    # copied from the measure, so scope and the quarter's list are one indexed filter away
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk_point.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    quarter: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(4), index=True)    # 已落实 / 部分落实 / 未落实
    evidence: Mapped[Optional[str]] = mapped_column(Text)         # 落实情况及佐证
    checked_on: Mapped[date] = mapped_column(Date, index=True)
    checked_by: Mapped[Optional[str]] = mapped_column(String(50))

    measure: Mapped[ControlMeasure] = relationship()
    risk: Mapped[RiskPoint] = relationship()
    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    owner: Mapped[Person] = relationship()

    @property
    def quarter_label(self) -> str:
        return QUARTERS[self.quarter - 1] if self.quarter in (1, 2, 3, 4) else ""

    def place(self) -> None:
        if self.measure is not None:
            m = self.measure
            self.risk_id, self.unit_id, self.section_id, self.owner_id = m.risk_id, m.unit_id, m.section_id, m.owner_id

    def validate(self) -> dict[str, str]:
        from app.monitoring.validation import check_errors
        return check_errors(self)

    def __repr__(self) -> str:
        return f"{self.year}年{self.quarter_label} {self.measure}：{self.result}"


# Evidence files: out of the ORM and so out of the audit trail (which stores every field as JSON).
measure_check_file = Table(
    "measure_check_file", db.Model.metadata,
    Column("id", Integer, primary_key=True),
    Column("check_id", ForeignKey("measure_check.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("uploaded_by", String(50), nullable=False),
)


class WarningRule(Versioned, Scoped, db.Model):
    """预警规则, edited by the office: which facts count (``kind`` and its parameters),
    over what period, and the colour of the warning they raise.  A county's rule is
    its office's and looks only at that county; a rule with no county is city-wide
    (全市), the administrator's, and looks at every county."""

    __tablename__ = "warning_rule"
    __scope__ = {"county": "county_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[Optional[int]] = mapped_column(ForeignKey("county.id", name="fk_warning_rule_county"),
                                                     index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    colour: Mapped[str] = mapped_column(String(4))
    source: Mapped[Optional[str]] = mapped_column(String(20))   # 监测信息来源
    level: Mapped[Optional[str]] = mapped_column(String(4))     # 风险等级
    count: Mapped[Optional[int]] = mapped_column(Integer)       # 次数（不少于）
    months: Mapped[Optional[int]] = mapped_column(Integer)      # 期间（月）
    threshold: Mapped[Optional[int]] = mapped_column(Integer)   # 满意率低于（%）
    days: Mapped[Optional[int]] = mapped_column(Integer)        # 逾期超过（天）
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[Optional[str]] = mapped_column(Text)

    county: Mapped[Optional[County]] = relationship()

    def validate(self) -> dict[str, str]:
        from app.monitoring.rules import rule_errors
        return rule_errors(self)

    def __repr__(self) -> str:
        return self.name


class RiskWarning(Scoped, db.Model):
    """预警: raised by a rule about a person, a section or a unit, handled by those its
    colour names, closed only with a result."""

    __tablename__ = "risk_warning"
    __table_args__ = (UniqueConstraint("rule_id", "subject_key", "fact_key", name="uq_warning_rule_subject_facts"),)
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "person_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("warning_rule.id"), index=True)
    colour: Mapped[str] = mapped_column(String(4), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(30))        # person:12 / section:3 / unit:1
    fact_key: Mapped[str] = mapped_column(String(200))          # what the rule found, e.g. signal:7
    facts: Mapped[str] = mapped_column(Text)                    # 预警事实
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)  # rests on 信访举报
    risk_id: Mapped[Optional[int]] = mapped_column(ForeignKey("risk_point.id", ondelete="SET NULL"), index=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    state: Mapped[str] = mapped_column(String(4), index=True, default=WarningState.OPEN.value)
    decision: Mapped[Optional[str]] = mapped_column(String(10))     # 处置方式 (DispositionKind)
    decided_on: Mapped[Optional[date]] = mapped_column(Date)
    decided_by: Mapped[Optional[str]] = mapped_column(String(50))
    deadline: Mapped[Optional[date]] = mapped_column(Date, index=True)
    handling_note: Mapped[Optional[str]] = mapped_column(Text)
    disposition_id: Mapped[Optional[int]] = mapped_column(ForeignKey("disposition.id", ondelete="SET NULL"), index=True)
    closed_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    result: Mapped[Optional[str]] = mapped_column(String(10))       # DispositionOutcome
    closing_note: Mapped[Optional[str]] = mapped_column(Text)
    closed_by: Mapped[Optional[str]] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # two handlers at once: one wins

    rule: Mapped[WarningRule] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    person: Mapped[Optional[Person]] = relationship()
    risk: Mapped[Optional[RiskPoint]] = relationship()
    disposition: Mapped[Optional[Disposition]] = relationship()
    follow_ups: Mapped[list["WarningFollowUp"]] = relationship(
        back_populates="warning", order_by="(WarningFollowUp.on, WarningFollowUp.id)", cascade="all, delete-orphan")

    @property
    def subject(self) -> str:
        return _subject(self)

    @property
    def colour_enum(self) -> WarningColour:
        return WarningColour(self.colour)

    def is_overdue(self, today: date | None = None) -> bool:
        """处置中 past its deadline, or 待处置 longer than the handlers are given."""
        from app.monitoring.services import UNHANDLED_DAYS
        today = today or date.today()
        if self.state == WarningState.HANDLING.value:
            return self.deadline is not None and self.deadline < today
        if self.state == WarningState.OPEN.value:
            return (today - self.raised_at.date()).days > UNHANDLED_DAYS
        return False

    @property
    def status(self) -> str:
        if self.state == WarningState.HANDLING.value and self.is_overdue():
            return "逾期未了结"
        if self.state == WarningState.OPEN.value and self.is_overdue():
            return "超期未处置"
        return self.state

    @property
    def facts_shown(self) -> str:
        """The facts as the viewer may read them: those resting on 信访举报 only for
        readers of 信访举报 (``access.sees_petitions``)."""
        from app.monitoring.access import facts_for_viewer
        return facts_for_viewer(self)

    def __repr__(self) -> str:
        return f"{self.colour}预警：{self.subject}（{self.rule.name if self.rule else ''}）"


class WarningFollowUp(db.Model):
    """跟踪: what was seen of a warning's handling, before it is closed."""

    __tablename__ = "warning_follow_up"
    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("risk_warning.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(50))

    warning: Mapped[RiskWarning] = relationship(back_populates="follow_ups")

    def __repr__(self) -> str:
        return f"{self.on} {self.note[:20]}"
