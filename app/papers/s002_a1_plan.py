"""seed 002 附件1 廉政风险防控管理工作推进计划表, one per county (the paper's
title names none): each phase's dates, its 工作内容, 主要任务 and 工作要求, as
the county office keeps them."""
from sqlalchemy import select

from app.exports.grid import HEAD, LABEL, Grid
from app.extensions import db
from app.formatting import cn_date
from app.organisation.models import County
from app.plan.models import PlanPhase

TITLE = "廉政风险防控管理工作推进计划表"
HEADINGS = ["时 间", "工 作\n内 容", "主要任务", "工作要求"]


def grid(county: County) -> Grid:
    """One county's plan (each county keeps its own)."""
    g = Grid(TITLE, [22, 12, 40, 60], header_rows=1, sheet=f"推进计划表（{county.name}）"[:31])
    g.append(HEADINGS, HEAD)
    for phase in db.session.scalars(select(PlanPhase).where(PlanPhase.county_id == county.id)
                                    .order_by(PlanPhase.position, PlanPhase.id)):
        row = g.height
        g.add(row, 0, f"{cn_date(phase.starts_on)}至{cn_date(phase.ends_on)}")
        g.add(row, 1, phase.title, kind=LABEL)
        g.add(row, 2, phase.tasks or "")
        g.add(row, 3, phase.requirements or "")
    return g


def grids(counties) -> list[Grid]:
    return [grid(c) for c in counties]
