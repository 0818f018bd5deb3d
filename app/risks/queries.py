"""Questions other domains ask about risks."""
from sqlalchemy import select

from app.enums import RiskLevel
from app.extensions import db
from app.risks.models import RiskPoint


def step_levels(power_id: int) -> dict[int, str]:
    """The highest risk level hanging on each step of a power's flowchart."""
    order = RiskLevel.values()
    levels: dict[int, str] = {}
    rows = db.session.execute(select(RiskPoint.step_id, RiskPoint.level).distinct()
                              .where(RiskPoint.power_id == power_id, RiskPoint.step_id.is_not(None)))
    for step_id, level in rows:
        if step_id not in levels or order.index(level) < order.index(levels[step_id]):
            levels[step_id] = level
    return levels
