"""推进计划表 (seed 002 附件1): phases with dates, their tasks and requirements,
the deliverables each unit must hand in by a date, and what each unit handed in when."""
from datetime import date
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.organisation.models import Unit
from app.security.scope import Scoped


class PlanPhase(db.Model):
    """A phase of the plan (动员部署, 依法规范职权, …), county-wide."""

    __tablename__ = "plan_phase"
    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(50))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    tasks: Mapped[Optional[str]] = mapped_column(Text)          # 主要任务
    requirements: Mapped[Optional[str]] = mapped_column(Text)   # 工作要求

    deliverables: Mapped[list["PlanDeliverable"]] = relationship(
        back_populates="phase", order_by="PlanDeliverable.due_on", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return self.title


class PlanDeliverable(db.Model):
    """What every unit reports to the county commission by ``due_on``."""

    __tablename__ = "plan_deliverable"
    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("plan_phase.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)

    phase: Mapped[PlanPhase] = relationship(back_populates="deliverables")

    def __repr__(self) -> str:
        return self.name


class PlanSubmission(Scoped, db.Model):
    """A unit has handed in a deliverable, on a date."""

    __tablename__ = "plan_submission"
    __table_args__ = (UniqueConstraint("deliverable_id", "unit_id", name="uq_plan_submission"),)
    __scope__ = {"unit": "unit_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("plan_deliverable.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    note: Mapped[Optional[str]] = mapped_column(String(200))

    deliverable: Mapped[PlanDeliverable] = relationship()
    unit: Mapped[Unit] = relationship()

    def validate(self) -> dict[str, str]:
        if self.submitted_on and self.submitted_on > date.today():
            return {"submitted_on": "报送日期不能晚于今天。"}
        return {}

    def __repr__(self) -> str:
        return f"{self.unit} {self.deliverable}"
