"""The figures of the 汇总表 as they stand, one row per form and place.

A row of :class:`SummaryFigure` holds what one form's risk points placed in one
unit / section / owner add to the 汇总表: risks by type × level, risks,
measures, methods, and the form's person (for 参与查找人数).  A row of
:class:`SummaryRule` says that a 制度 answers risks of that form in that
place (for 新建立制度 / 修订制度, counted once per rule).  The form's round
and review stage are copied on, so the 汇总表 of any round, stage, unit or
data scope is a sum over these rows, never over the risks themselves.

They are derived data: :mod:`app.reports.figures` rewrites a form's rows in
the transaction that changes it, and ``flask --app run verify`` compares the
whole table with a recount.  Only ``form_id`` is a foreign key (a form's
rows go with it); the place columns are copies, like the risk's own.
"""
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.enums import RiskLevel, RiskType
from app.extensions import db
from app.security.scope import Scoped


def cell_column(risk_type: RiskType, level: RiskLevel) -> str:
    """The column holding the count of one of 附件9's nine risk cells: ``moral_first`` …"""
    return f"{risk_type.name.lower()}_{level.name.lower()}"


CELL_COLUMNS = {(t, lv): cell_column(t, lv) for t in RiskType for lv in RiskLevel}
COUNT_COLUMNS = [*CELL_COLUMNS.values(), "risks", "measures", "methods"]


class _Place(Scoped):
    """Where the counted risks sit (copied from them) and the form's round and stage."""
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "owner_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("risk_form.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(30))
    unit_id: Mapped[int] = mapped_column(Integer)
    section_id: Mapped[Optional[int]] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(Integer)


class SummaryFigure(_Place, db.Model):
    __tablename__ = "summary_figure"
    # by round for the 汇总表; by place alone for the home page's totals over every round
    __table_args__ = (Index("ix_summary_figure_round_unit", "round", "unit_id"),
                      Index("ix_summary_figure_unit", "unit_id"), Index("ix_summary_figure_section", "section_id"),
                      Index("ix_summary_figure_owner", "owner_id"))
    owner_kind: Mapped[str] = mapped_column(String(4))            # the risks' 个人 / 部门 / 单位
    person_id: Mapped[Optional[int]] = mapped_column(Integer)     # the form's person, on a person's form
    risks: Mapped[int] = mapped_column(Integer, default=0)
    measures: Mapped[int] = mapped_column(Integer, default=0)
    methods: Mapped[int] = mapped_column(Integer, default=0)
    # the nine cells of 附件9, named by cell_column()
    moral_first: Mapped[int] = mapped_column(Integer, default=0)
    moral_second: Mapped[int] = mapped_column(Integer, default=0)
    moral_third: Mapped[int] = mapped_column(Integer, default=0)
    duty_first: Mapped[int] = mapped_column(Integer, default=0)
    duty_second: Mapped[int] = mapped_column(Integer, default=0)
    duty_third: Mapped[int] = mapped_column(Integer, default=0)
    institutional_first: Mapped[int] = mapped_column(Integer, default=0)
    institutional_second: Mapped[int] = mapped_column(Integer, default=0)
    institutional_third: Mapped[int] = mapped_column(Integer, default=0)


assert set(COUNT_COLUMNS) <= set(SummaryFigure.__table__.c.keys()), "a cell of RiskType × RiskLevel has no column"


class SummaryRule(_Place, db.Model):
    __tablename__ = "summary_rule"
    __table_args__ = (Index("ix_summary_rule_round_unit", "round", "unit_id"),)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rule.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(4))                  # 新建立 / 修订
