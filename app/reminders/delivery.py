"""Delivery: each recipient's reminder becomes one row of the delivery log and
one in-app message in the same transaction; the row's unique key (rule,
period, recipient) lets only the first scheduler, run or retry insert it, and
only the inserter sends the e-mail.  A failed e-mail stays in the log with its
error and is retried with back-off by :func:`retry_due`; a retry is claimed by
a conditional UPDATE, so two schedulers never send the same retry twice.
"""
import smtplib
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from app.enums import DeliveryStatus
from app.extensions import db
from app.reminders.models import Delivery, Message, ReminderRule
from app.reminders.rules import TIMEZONE, due
from app.security.models import Login
from app.security.scope import in_scope, scope_of

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)        # a sender holds a row this long; after that a retry may take it
BACKOFF = timedelta(minutes=1)      # 1, 2, 4, 8 … minutes, at most a day
MAX_BACKOFF = timedelta(days=1)


def local_now() -> datetime:
    """The clock of the jobs: Asia/Shanghai, naive like every DateTime column here."""
    return datetime.now(ZoneInfo(TIMEZONE)).replace(tzinfo=None, microsecond=0)


def recipients(rule: ReminderRule, items) -> dict[Login, list]:
    """Each active login holding one of the rule's roles, with the items in his scope."""
    from flask_appbuilder.security.sqla.models import Role

    wanted = set(rule.role_names)
    logins = db.session.scalars(select(Login).join(Login.roles).where(Role.name.in_(wanted), Login.active)
                                .order_by(Login.id)).unique().all()
    found = {}
    for login in logins:
        scope = scope_of(_Authenticated(login))
        mine = [i for i in items if in_scope(i.record, scope)]
        if mine:
            found[login] = mine
    return found


class _Authenticated:
    """A login as ``scope_of`` reads it outside a request."""
    is_authenticated = True

    def __init__(self, login):
        self.roles, self.person = login.roles, login.person


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def run_rule(rule: ReminderRule, now: datetime | None = None) -> list[Delivery]:
    """Runs one rule at ``now``: records and sends what is newly due; returns the new deliveries."""
    now = now or local_now()
    period, items = due(rule, now)
    made = []
    if period is not None and items:
        for login, mine in recipients(rule, items).items():
            delivery = _record(rule, period, login, mine, now)
            if delivery is not None:
                made.append(delivery)
    db.session.execute(update(ReminderRule).where(ReminderRule.id == rule.id).values(last_run_at=now))
    db.session.commit()
    for delivery in made:
        if delivery.status == DeliveryStatus.PENDING.value:
            _send(delivery, now)
    return made


def _record(rule, period, login, items, now) -> Delivery | None:
    name = login.person.name if login.person else login.username
    text = "\n".join(f"{n}. {i.text}" for n, i in enumerate(items, 1))
    subject = rule.subject.replace("{period}", period)
    body = rule.body.replace("{name}", name).replace("{period}", period).replace("{items}", text)
    for attempt in range(5):
        delivery = Delivery(rule_id=rule.id, period=period, login_id=login.id, email=login.email or None,
                            subject=subject, body=body, attempts=0, created_at=now, next_try_at=now + LEASE,
                            status=DeliveryStatus.PENDING.value if login.email else DeliveryStatus.NO_EMAIL.value)
        try:
            db.session.add(delivery)
            db.session.flush()
            db.session.add(Message(login_id=login.id, delivery_id=delivery.id, subject=subject, body=body,
                                   created_at=now))
            db.session.commit()   # the key is taken: from here on only this run sends it
            return delivery
        except IntegrityError:
            db.session.rollback()
            return None
        except OperationalError:  # SQLite: another scheduler is writing; try again shortly
            db.session.rollback()
            time.sleep(0.2 * (attempt + 1))
    raise RuntimeError("数据库忙，提醒未能记录。")


def _send(delivery: Delivery, now: datetime) -> bool:
    try:
        send_mail(delivery.email, delivery.subject, delivery.body)
    except (OSError, smtplib.SMTPException) as e:
        delivery.attempts += 1
        delivery.last_error = f"{type(e).__name__}: {e}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_try_at = DeliveryStatus.FAILED.value, None
        else:
            delivery.status = DeliveryStatus.RETRYING.value
            delivery.next_try_at = now + backoff(delivery.attempts)
        db.session.commit()
        return False
    delivery.attempts += 1
    delivery.status, delivery.sent_at, delivery.next_try_at = DeliveryStatus.SENT.value, now, None
    delivery.last_error = None
    db.session.commit()
    return True


def retry_due(now: datetime | None = None) -> int:
    """Sends again the e-mails whose back-off has run out, and those whose sender
    stopped before sending (its lease ran out); returns how many went."""
    now = now or local_now()
    sent = 0
    waiting = db.session.scalars(select(Delivery).where(
        Delivery.status.in_([DeliveryStatus.RETRYING.value, DeliveryStatus.PENDING.value]),
        Delivery.next_try_at <= now).order_by(Delivery.id)).all()
    for delivery in waiting:
        claimed = db.session.execute(update(Delivery).where(
            Delivery.id == delivery.id, Delivery.status == delivery.status,
            Delivery.attempts == delivery.attempts, Delivery.next_try_at == delivery.next_try_at)
            .values(status=DeliveryStatus.PENDING.value, next_try_at=now + LEASE))
        db.session.commit()
        if claimed.rowcount != 1:
            continue   # another scheduler took it
        db.session.refresh(delivery)
        sent += _send(delivery, now)
    return sent


def send_mail(to: str, subject: str, body: str) -> None:
    """One e-mail through the SMTP server of the settings (MAIL_*)."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = cfg["MAIL_FROM"], to, subject
    message.set_content(body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def unread_count(login_id: int) -> int:
    from sqlalchemy import func
    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.login_id == login_id, Message.read_at.is_(None))) or 0
