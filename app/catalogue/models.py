"""职权 (power), its 流程环节 (flow steps) and the transitions between them."""
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import NO_FEE, PowerCategory, PowerStatus
from app.extensions import db
from app.organisation import rules
from app.organisation.models import Section, Unit, _unit_of
from app.security.scope import Scoped
from app.versions import Versioned

LIST_SEPARATOR = "、"  # how several 公开形式 are written in one cell, as on paper


class Power(Versioned, Scoped, db.Model):
    """职权: one power of one unit, as listed in its 职权目录."""

    __tablename__ = "power"
    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_power_unit_name"),)
    __scope__ = {"unit": "unit_id", "section": "section_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30), index=True)
    subject: Mapped[Optional[str]] = mapped_column(String(100))          # 实施主体
    basis: Mapped[Optional[str]] = mapped_column(Text)                   # 实施依据
    disclosure_forms: Mapped[Optional[str]] = mapped_column(String(100)) # 公开形式, 、-separated
    disclosure_scope: Mapped[Optional[str]] = mapped_column(String(20))  # 公开范围
    disclosure_time: Mapped[Optional[str]] = mapped_column(String(20))   # 公开时间
    fee: Mapped[Optional[str]] = mapped_column(Text, default=NO_FEE)     # 收费依据和标准
    remarks: Mapped[Optional[str]] = mapped_column(Text)                 # 备注
    status: Mapped[str] = mapped_column(String(10), default=PowerStatus.DRAFT.value, index=True)

    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    steps: Mapped[list["FlowStep"]] = relationship(
        back_populates="power", order_by="FlowStep.seq", cascade="all, delete-orphan")

    def validate(self) -> dict[str, str]:
        errors = {
            "category": None if self.category in PowerCategory.values()
            else f"权力类别「{self.category}」不在规定的类别中。",
            "section": rules.other_unit_error(_unit_of(self), self.section, "承办处室"),
        }
        return {k: v for k, v in errors.items() if v}

    def __repr__(self) -> str:
        return self.name


class FlowStep(Versioned, db.Model):
    """流程环节: one box of the power's 权力运行流程图."""

    __tablename__ = "flow_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    power_id: Mapped[int] = mapped_column(ForeignKey("power.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    # the labels name a field in a refusal (app.field_limits): steps have no page of their own
    name: Mapped[str] = mapped_column(String(50), info={"label": "环节名称"})
    actor: Mapped[Optional[str]] = mapped_column(String(100), info={"label": "办理主体"})
    condition: Mapped[Optional[str]] = mapped_column(Text, info={"label": "条件"})
    procedure: Mapped[Optional[str]] = mapped_column(Text, info={"label": "程序"})
    time_limit: Mapped[Optional[str]] = mapped_column(String(50), info={"label": "期限"})
    supervision: Mapped[Optional[str]] = mapped_column(Text, info={"label": "监督方式"})

    power: Mapped[Power] = relationship(back_populates="steps")
    exits: Mapped[list["FlowTransition"]] = relationship(
        foreign_keys="FlowTransition.source_id", cascade="all, delete-orphan",
        back_populates="source")

    def __repr__(self) -> str:
        return f"{self.power.name} · {self.name}"


class FlowTransition(db.Model):
    """An arrow of the flowchart, e.g. 受理 →(不符合条件) 不予受理."""

    __tablename__ = "flow_transition"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("flow_step.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("flow_step.id", ondelete="CASCADE"), index=True)
    label: Mapped[Optional[str]] = mapped_column(String(30), info={"label": "连线说明"})

    source: Mapped[FlowStep] = relationship(foreign_keys=[source_id], back_populates="exits")
    target: Mapped[FlowStep] = relationship(foreign_keys=[target_id])

    def __repr__(self) -> str:
        return f"步骤 {self.source_id} → 步骤 {self.target_id}" + (f"（{self.label}）" if self.label else "")
