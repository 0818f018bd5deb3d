"""推进计划表 (seed 002 附件1): phases with dates, their tasks and requirements,
the deliverables each unit must hand in by a date, and what each unit handed in when."""
from datetime import date
from typing import Optional

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.organisation.models import County, Unit
from app.security.scope import Scoped
from app.versions import Versioned


class PlanPhase(Versioned, Scoped, db.Model):
    """A phase of a county's plan (动员部署, 依法规范职权, …), for all its units."""

    __tablename__ = "plan_phase"
    __scope__ = {"county": "county_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id", name="fk_plan_phase_county"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(50))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    tasks: Mapped[Optional[str]] = mapped_column(Text)          # 主要任务
    requirements: Mapped[Optional[str]] = mapped_column(Text)   # 工作要求

    county: Mapped[County] = relationship()
    deliverables: Mapped[list["PlanDeliverable"]] = relationship(
        back_populates="phase", order_by="PlanDeliverable.due_on", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return self.title


class PlanDeliverable(Versioned, Scoped, db.Model):
    """What every unit of the phase's county reports to its commission by ``due_on``."""

    __tablename__ = "plan_deliverable"
    __scope__ = {"through": "phase"}
    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("plan_phase.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)

    phase: Mapped[PlanPhase] = relationship(back_populates="deliverables")

    def __repr__(self) -> str:
        return self.name


class PlanSubmission(Versioned, Scoped, db.Model):
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
        deliverable = self.deliverable or (db.session.get(PlanDeliverable, self.deliverable_id)
                                           if self.deliverable_id else None)
        unit = self.unit or (db.session.get(Unit, self.unit_id) if self.unit_id else None)
        if deliverable and unit and deliverable.phase.county_id != unit.county_id:
            return {"deliverable": f"“{deliverable}”是其他县的推进计划，{unit}不需报送。"}
        return {}

    def __repr__(self) -> str:
        return f"{self.unit} {self.deliverable}"
