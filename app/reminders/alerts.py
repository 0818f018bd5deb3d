"""The office told, by one in-app message, of a reminder whose e-mail failed for good.

"The office" is whoever may send such a reminder again: the active logins of a
county-level role granted ``roles.RESEND`` on the 发送记录, in the rule's
county (or, for a rule without one, the recipient's county).  The row's
``alerted_at`` is set by a conditional UPDATE in the same transaction as the
messages, so two senders racing never tell the office twice.
"""
import re
from datetime import datetime

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select, update

from app.extensions import db
from app.reminders.models import Delivery, Message
from app.security import roles
from app.security.models import Login
from app.security.scope import Level


def resending_roles() -> list[str]:
    """The county-level roles that may send a failed reminder again."""
    return [name for name, role in roles.ROLES.items() if role.level == Level.COUNTY and any(
        re.match(resource, roles.DELIVERY) and re.match(permission, roles.RESEND)
        for resource, permission in role.permissions)]


def office_logins(county_id: int | None) -> list[Login]:
    from app.organisation.models import Person, Unit

    query = (select(Login).join(Login.roles).join(Person, Login.person_id == Person.id)
             .join(Unit, Person.unit_id == Unit.id)
             .where(Role.name.in_(resending_roles()), Login.active).order_by(Login.id))
    if county_id is not None:
        query = query.where(Unit.county_id == county_id)
    return db.session.scalars(query).unique().all()


def county_of(delivery: Delivery) -> int | None:
    county_id = getattr(delivery.rule, "county_id", None)
    person = delivery.login.person if delivery.login else None
    return county_id if county_id is not None else person.unit.county_id if person else None


def tell_office(delivery: Delivery, now: datetime) -> int:
    """Writes the office's messages, once per delivery; the caller commits."""
    first = db.session.execute(update(Delivery).where(Delivery.id == delivery.id, Delivery.alerted_at.is_(None))
                               .values(alerted_at=now))
    if first.rowcount != 1:
        return 0
    db.session.refresh(delivery)
    who = delivery.login.person.name if delivery.login and delivery.login.person else delivery.login
    subject = f"提醒邮件发送失败：{delivery.rule.name}"[:200]
    body = (f"发给 {who}（{delivery.email or '无邮箱'}）的提醒“{delivery.subject}”（{delivery.period}）"
            f"经 {delivery.attempts} 次尝试仍未发出。\n最近错误：{delivery.last_error}\n"
            "请核对邮箱地址或邮件服务器设置后，在“提醒 → 发送记录”中重新发送。")
    offices = office_logins(county_of(delivery))
    for login in offices:
        db.session.add(Message(login_id=login.id, subject=subject, body=body, created_at=now))
    return len(offices)
