"""Risk points and what answers them, gathered on one register per owner and round.

A :class:`RiskForm` is the 登记表 of one owner (a person, a section or a
unit) for one round (年度); its risks, their measures and supervision methods
are its content.  Only the form's owner writes that content and signs it
(「任何人不得代替撰写廉政风险点，不得代替填报表格」); the review that carries
it lives in :mod:`app.workflow`.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import (JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalogue.models import FlowStep, Power
from app.enums import Owner, RiskLevel
from app.extensions import db
from app.organisation.models import Person, Section, Unit
from app.security.scope import Scoped
from app.versions import Versioned
from app.workflow.models import ReviewFlow


class RiskForm(Scoped, db.Model):
    """登记表: one owner's register for one round, moving through its review flow."""

    __tablename__ = "risk_form"
    __table_args__ = (
        UniqueConstraint("owner_kind", "round", "unit_id", "section_id", "person_id",
                         name="uq_risk_form_owner_round"),
    )
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "owner_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(4))          # 个人 / 部门 / 单位
    round: Mapped[int] = mapped_column(Integer, index=True)     # 年度
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"), index=True)
    # who writes and signs it: the person; a section's head; a unit's principal leader
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30), index=True)
    entered_stage_at: Mapped[datetime] = mapped_column(DateTime)
    revision: Mapped[int] = mapped_column(Integer, default=1)           # the working revision
    signed_revision: Mapped[Optional[int]] = mapped_column(Integer)     # the last one signed
    pledge: Mapped[Optional[str]] = mapped_column(Text, info={"max_length": 1000})   # 个人廉政承诺 / 公开承诺
    correction: Mapped[Optional[str]] = mapped_column(Text, info={"max_length": 1000})  # 改正意见 (附件7)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # the version of its county's review flow it was started under, and follows to the end
    # (none: rows loaded in bulk, which follow the default flow)
    flow_id: Mapped[Optional[int]] = mapped_column(ForeignKey("review_flow.id", name="fk_risk_form_flow"),
                                                   index=True)

    __mapper_args__ = {"version_id_col": version}  # two reviewers at once: one wins

    # loaded with the form: its name (__repr__) is made of them, on every list
    unit: Mapped[Unit] = relationship(lazy="joined")
    section: Mapped[Optional[Section]] = relationship(lazy="joined")
    person: Mapped[Optional[Person]] = relationship(foreign_keys=[person_id], lazy="joined")
    owner: Mapped[Person] = relationship(foreign_keys=[owner_id], lazy="joined")
    flow: Mapped[Optional["ReviewFlow"]] = relationship(lazy="joined")
    risks: Mapped[list["RiskPoint"]] = relationship(
        back_populates="form", order_by="RiskPoint.id", cascade="all, delete-orphan")

    @property
    def kind(self) -> Owner:
        return Owner(self.owner_kind)

    @property
    def stage_label(self) -> str:
        from app.workflow.configure import flow_of
        return flow_of(self).stage(self.stage).label

    @property
    def is_signed(self) -> bool:
        """The working revision is the one signed: its content is frozen."""
        return self.signed_revision is not None and self.signed_revision == self.revision

    def __repr__(self) -> str:
        who = {Owner.PERSON: self.person, Owner.SECTION: self.section, Owner.UNIT: self.unit}[self.kind]
        return f"{self.round}年度 {who} {self.owner_kind}登记表"


class RiskPoint(Versioned, Scoped, db.Model):
    """廉政风险点: one risk on one form, optionally on a step of a power's flowchart."""

    __tablename__ = "risk_point"
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "owner_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("risk_form.id", ondelete="CASCADE"), index=True)
    # copied from the form, so scope and summaries are one indexed filter away
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(4), index=True)
    risk_type: Mapped[str] = mapped_column(String(10), index=True)     # 风险类别
    content: Mapped[str] = mapped_column(Text, info={"max_length": 500})  # 具体内容及表现形式 (a cell of 附件5–8)
    level: Mapped[str] = mapped_column(String(4), index=True)          # 风险等级
    power_id: Mapped[Optional[int]] = mapped_column(ForeignKey("power.id", ondelete="SET NULL"), index=True)
    step_id: Mapped[Optional[int]] = mapped_column(ForeignKey("flow_step.id", ondelete="SET NULL"), index=True)
    # 优化修正: the row of last year's register this one was carried over from (app.monitoring.rounds)
    previous_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("risk_point.id", ondelete="SET NULL", name="fk_risk_point_previous"), index=True)

    form: Mapped[RiskForm] = relationship(back_populates="risks")
    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    owner: Mapped[Person] = relationship()
    power: Mapped[Optional[Power]] = relationship()
    step: Mapped[Optional[FlowStep]] = relationship()
    previous: Mapped[Optional["RiskPoint"]] = relationship(remote_side=[id])
    measures: Mapped[list["ControlMeasure"]] = relationship(
        back_populates="risk", order_by="ControlMeasure.id", cascade="all, delete-orphan")
    methods: Mapped[list["SupervisionMethod"]] = relationship(
        back_populates="risk", order_by="SupervisionMethod.id", cascade="all, delete-orphan")

    @property
    def monitor(self) -> str:
        return RiskLevel(self.level).monitor if self.level in RiskLevel.values() else ""

    def validate(self) -> dict[str, str]:
        from app.risks.rules import risk_errors
        return risk_errors(self)

    def __repr__(self) -> str:
        return self.content[:30]


class OfRisk(Versioned, Scoped):
    """What hangs on one risk: its owner's place copied from the risk's form."""
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "owner_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk_point.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)


class ControlMeasure(OfRisk, db.Model):
    """防控措施 of one risk, in one of the three lines of defence."""

    __tablename__ = "control_measure"
    stage: Mapped[str] = mapped_column(String(10))          # 前期预防 / 中期监控 / 后期处置
    content: Mapped[str] = mapped_column(Text, info={"max_length": 500})
    responsible: Mapped[Optional[str]] = mapped_column(String(100))  # 责任人

    risk: Mapped[RiskPoint] = relationship(back_populates="measures")

    def validate(self) -> dict[str, str]:
        from app.risks.rules import measure_errors
        return measure_errors(self)

    def __repr__(self) -> str:
        return f"{self.stage}：{self.content[:20]}"


class SupervisionMethod(OfRisk, db.Model):
    """监督办法 of one risk."""

    __tablename__ = "supervision_method"
    content: Mapped[str] = mapped_column(Text, info={"max_length": 500})

    risk: Mapped[RiskPoint] = relationship(back_populates="methods")

    def __repr__(self) -> str:
        return self.content[:30]


rule_risk = Table(
    "rule_risk", db.Model.metadata,
    Column("rule_id", ForeignKey("rule.id", ondelete="CASCADE"), primary_key=True),
    Column("risk_id", ForeignKey("risk_point.id", ondelete="CASCADE"), primary_key=True),
)


class Rule(Versioned, Scoped, db.Model):
    """制度 of a unit or section, newly made or revised to answer risks."""

    __tablename__ = "rule"
    __scope__ = {"unit": "unit_id", "section": "section_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(4))            # 新建立 / 修订
    issued_on: Mapped[Optional[datetime]] = mapped_column(DateTime)
    content: Mapped[Optional[str]] = mapped_column(Text)

    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    risks: Mapped[list[RiskPoint]] = relationship(secondary=rule_risk)

    def __repr__(self) -> str:
        return self.name


class FormRevision(db.Model):
    """A signed revision of a form: its content as signed, frozen, with a hash."""

    __tablename__ = "form_revision"
    __table_args__ = (UniqueConstraint("form_id", "number", name="uq_form_revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("risk_form.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))   # SHA-256 of the canonical JSON
    signature: Mapped[Optional[str]] = mapped_column(String(64))  # keyed seal: app.workflow.signature
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    signer_name: Mapped[str] = mapped_column(String(50))
    signed_at: Mapped[datetime] = mapped_column(DateTime)

    form: Mapped[RiskForm] = relationship()

    def __repr__(self) -> str:
        return f"登记表 {self.form_id} 第 {self.number} 版（{self.signer_name} 签字）"


class ReviewStep(db.Model):
    """One thing done to a form: submitted, approved, sent back, signed, 帮查 …"""

    __tablename__ = "review_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("risk_form.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(30))      # the stage it was done at
    action: Mapped[str] = mapped_column(String(10))     # see app.workflow.flows.Action
    opinion: Mapped[Optional[str]] = mapped_column(Text, info={"max_length": 500, "label": "意见"})
    actor_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    actor_name: Mapped[str] = mapped_column(String(50))
    actor_role: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    revision: Mapped[int] = mapped_column(Integer)

    form: Mapped[RiskForm] = relationship()

    def __repr__(self) -> str:
        return f"登记表 {self.form_id} {self.action}（{self.actor_name}）"
