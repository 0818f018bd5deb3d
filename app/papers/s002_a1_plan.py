"""seed 002 附件1 廉政风险防控管理工作推进计划表: each phase's dates, its
工作内容, 主要任务 and 工作要求, as the county office keeps them."""
from sqlalchemy import select

from app.exports.grid import HEAD, LABEL, Grid
from app.extensions import db
from app.formatting import cn_date
from app.plan.models import PlanPhase

TITLE = "廉政风险防控管理工作推进计划表"
HEADINGS = ["时 间", "工 作\n内 容", "主要任务", "工作要求"]


def grid() -> Grid:
    g = Grid(TITLE, [22, 12, 40, 60], header_rows=1, sheet="推进计划表")
    g.append(HEADINGS, HEAD)
    for phase in db.session.scalars(select(PlanPhase).order_by(PlanPhase.position, PlanPhase.id)):
        row = g.height
        g.add(row, 0, f"{cn_date(phase.starts_on)}至{cn_date(phase.ends_on)}")
        g.add(row, 1, phase.title, kind=LABEL)
        g.add(row, 2, phase.tasks or "")
        g.add(row, 3, phase.requirements or "")
    return g
