"""What the catalogue tables list: the unit's confirmed powers in scope, their
counts per category, and who filled them in (from the audit trail)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, cast, func, select, String
from sqlalchemy.orm import joinedload

from app.audit.models import AuditLog
from app.catalogue.models import Power
from app.enums import PowerCategory, PowerStatus
from app.extensions import db
from app.security.scope import criteria, current_scope


def _listed(unit):
    """The catalogue lists confirmed powers only (「经审定确认的权力项目」), in scope."""
    return and_(Power.unit_id == unit.id, Power.status != PowerStatus.DRAFT.value,
                criteria(Power, current_scope()))


def drafts_of(unit) -> int:
    return db.session.scalar(select(func.count(Power.id)).where(
        Power.unit_id == unit.id, Power.status == PowerStatus.DRAFT.value, criteria(Power, current_scope())))


def powers_of(unit, category: str | None = None) -> list[Power]:
    """The unit's listed powers, by category in the forms' order, then as entered."""
    order = case({c.value: i for i, c in enumerate(PowerCategory)}, value=Power.category)
    query = (select(Power).where(_listed(unit))
             .options(joinedload(Power.section), joinedload(Power.unit)).order_by(order, Power.id))
    if category:
        query = query.where(Power.category == category)
    return list(db.session.scalars(query))


def counts_of(unit) -> dict[str, int]:
    """Powers per category by one GROUP BY (the 共N项 and 合计 figures)."""
    rows = db.session.execute(
        select(Power.category, func.count()).where(_listed(unit)).group_by(Power.category))
    return {category: n for category, n in rows}


@dataclass
class Filler:
    name: str
    at: datetime


def filled_by(unit) -> Filler | None:
    """Who last entered or changed a listed power of the unit, and when: the
    填表人 of its catalogue tables (not whoever downloads them)."""
    from app.security.models import SYSTEM_USERNAME, Login
    ids = select(cast(Power.id, String)).where(_listed(unit))
    entry = db.session.scalars(select(AuditLog).where(  # seeds and jobs fill in nothing
        AuditLog.table_name == Power.__tablename__, AuditLog.record_id.in_(ids), AuditLog.actor != SYSTEM_USERNAME)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(1)).first()
    if entry is None:
        return None
    login = db.session.get(Login, entry.actor_id) if entry.actor_id else None
    name = login.person.name if login is not None and login.person is not None else entry.actor
    return Filler(name, entry.at)
