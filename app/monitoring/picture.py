"""The 廉情 picture: warnings by colour and state, by unit, by month — each one GROUP
BY inside the viewer's scope — and the units × colours table as a grid (page and Excel)."""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, extract, func, select

from app.enums import WarningColour, WarningState
from app.exports.grid import HEAD, LABEL, TOTAL, Grid
from app.extensions import db
from app.formatting import cn_date
from app.monitoring.models import RiskWarning
from app.monitoring.services import overdue_condition
from app.organisation.models import Unit
from app.security.scope import criteria, current_scope

COLOURS = list(WarningColour)


def _where(unit_id: int | None):
    conditions = [criteria(RiskWarning, current_scope())]
    if unit_id:
        conditions.append(RiskWarning.unit_id == unit_id)
    return and_(*conditions)


def by_colour_and_state(unit_id: int | None = None) -> dict[str, dict[str, int]]:
    table = {c.value: {s.value: 0 for s in WarningState} for c in COLOURS}
    for colour, state, n in db.session.execute(
            select(RiskWarning.colour, RiskWarning.state, func.count(RiskWarning.id)).where(_where(unit_id))
            .group_by(RiskWarning.colour, RiskWarning.state)):
        table[colour][state] = n
    return table


def by_month(year: int, unit_id: int | None = None) -> dict[str, list[int]]:
    """Warnings raised in each month of ``year``, per colour."""
    table = {c.value: [0] * 12 for c in COLOURS}
    month = extract("month", RiskWarning.raised_at)
    for colour, m, n in db.session.execute(
            select(RiskWarning.colour, month, func.count(RiskWarning.id))
            .where(_where(unit_id), RiskWarning.raised_at >= datetime(year, 1, 1),
                   RiskWarning.raised_at < datetime(year + 1, 1, 1))
            .group_by(RiskWarning.colour, month)):
        table[colour][int(m) - 1] = n
    return table


@dataclass
class UnitLine:
    unit_id: int
    name: str
    open: dict = field(default_factory=dict)     # colour -> not closed
    total: dict = field(default_factory=dict)    # colour -> all
    overdue: int = 0

    @property
    def worst(self) -> str | None:
        """The most serious colour still open, for the map-like table."""
        return next((c.value for c in COLOURS if self.open.get(c.value)), None)


def by_unit(today: date | None = None) -> list[UnitLine]:
    """Every unit in scope, with its warnings per colour (open / all) and how many show red."""
    today = today or date.today()
    scope = current_scope()
    lines = {uid: UnitLine(uid, name) for uid, name in db.session.execute(
        select(Unit.id, Unit.name).where(criteria(Unit, scope)).order_by(Unit.code))}
    still_open = case((RiskWarning.state != WarningState.CLOSED.value, 1))
    for uid, colour, n_open, n_all in db.session.execute(
            select(RiskWarning.unit_id, RiskWarning.colour, func.count(still_open), func.count(RiskWarning.id))
            .where(_where(None)).group_by(RiskWarning.unit_id, RiskWarning.colour)):
        if uid in lines:
            lines[uid].open[colour], lines[uid].total[colour] = n_open, n_all
    for uid, n in db.session.execute(select(RiskWarning.unit_id, func.count(RiskWarning.id))
                                     .where(_where(None), overdue_condition(today)).group_by(RiskWarning.unit_id)):
        if uid in lines:
            lines[uid].overdue = n
    return list(lines.values())


def units_grid(lines: list[UnitLine]) -> Grid:
    """单位 × 预警颜色 (未了结 / 全部), with the overdue ones: the table the office and the commission read."""
    grid = Grid("廉情分析表（各单位预警情况）", [24] + [8, 8] * len(COLOURS) + [10, 10],
                subtitle=f"制表日期：{cn_date(date.today())}", header_rows=2, sheet="廉情分析")
    grid.add(0, 0, "单位", rows=2, kind=HEAD)
    for i, colour in enumerate(COLOURS):
        grid.add(0, 1 + 2 * i, colour.label, cols=2, kind=HEAD)
        grid.add(1, 1 + 2 * i, "未了结", kind=HEAD).add(1, 2 + 2 * i, "合计", kind=HEAD)
    grid.add(0, 1 + 2 * len(COLOURS), "逾期或超期未处置", rows=2, kind=HEAD)
    grid.add(0, 2 + 2 * len(COLOURS), "预警合计", rows=2, kind=HEAD)
    for line in lines:
        row = grid.height
        grid.add(row, 0, line.name, kind=LABEL)
        for i, colour in enumerate(COLOURS):
            grid.add(row, 1 + 2 * i, line.open.get(colour.value, 0)).add(row, 2 + 2 * i, line.total.get(colour.value, 0))
        grid.add(row, 1 + 2 * len(COLOURS), line.overdue).add(row, 2 + 2 * len(COLOURS), sum(line.total.values()))
    row = grid.height
    grid.add(row, 0, "合计", kind=TOTAL)
    for i, colour in enumerate(COLOURS):
        grid.add(row, 1 + 2 * i, sum(x.open.get(colour.value, 0) for x in lines), kind=TOTAL)
        grid.add(row, 2 + 2 * i, sum(x.total.get(colour.value, 0) for x in lines), kind=TOTAL)
    grid.add(row, 1 + 2 * len(COLOURS), sum(x.overdue for x in lines), kind=TOTAL)
    grid.add(row, 2 + 2 * len(COLOURS), sum(sum(x.total.values()) for x in lines), kind=TOTAL)
    return grid
