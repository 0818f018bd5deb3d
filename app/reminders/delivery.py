"""Delivery: each recipient's reminder becomes one row of the delivery log and
one in-app message in the same transaction; the row's unique key (rule,
period, recipient) lets only the first scheduler, run or retry insert it.

Whoever sends an e-mail — the run that made the row, the retry job, the
office's 重新发送 — first claims the row with a conditional UPDATE (a random
token and a lease, ``REMINDER_CLAIM_SECONDS``) and keeps renewing the lease
from a side thread while it talks to the server, so a slow server never lets a
second sender take the row; a sender that dies lets its lease run out and a
retry takes over.  Every exception of one delivery is written on its row in
words the office can read and the next row goes on.  A transient failure is
retried with back-off (1, 2, 4 … minutes); after ``REMINDER_MAX_ATTEMPTS``,
or at once when retrying cannot help (a bad address, a refused recipient), the
row is 发送失败 and the office of the county is told once (``alerts``); the
office can send it again from the 发送记录 page.
"""
import logging
import re
import smtplib
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from app import clock
from app.enums import DeliveryStatus
from app.extensions import db
from app.reminders import alerts
from app.reminders.models import Delivery, Message, ReminderRule
from app.reminders.rules import due
from app.reminders.settings import setting
from app.security.models import Login
from app.security.scope import in_scope_many, scope_of

BACKOFF = timedelta(minutes=1)      # 1, 2, 4, 8 … minutes, at most a day
MAX_BACKOFF = timedelta(days=1)
SENDABLE = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)
log = logging.getLogger(__name__)
ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\]+$")


@dataclass
class Outcome:
    """What a run, a retry or a resend did: reminders newly recorded (each with
    its in-app message), e-mails that went, e-mails that did not go this time."""
    recorded: int = 0
    sent: int = 0
    failed: int = 0

    def count(self, result: str | None) -> None:
        if result == "sent":
            self.sent += 1
        elif result == "failed":
            self.failed += 1

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"新生成 {self.recorded} 条提醒，邮件发出 {self.sent} 封" + (
            f"，{self.failed} 封未能发出（见发送记录）" if self.failed else "")


# A job runs at ``now`` on the reminders' calendar (clock.local_now(), Beijing time; a test
# may set it); what it writes is stored in UTC (clock.stored). Claims and ``sent_at`` read the real clock.


def _clock() -> datetime:
    """The real time of claims and of ``sent_at``, in UTC (a job's ``now`` may be a test's clock)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def recipients(rule: ReminderRule, items) -> dict[Login, list]:
    """Each active login holding one of the rule's roles, with the items in his
    scope: the logins with what their scope reads in one query, and each
    distinct scope checked against all the items at once (``in_scope_many``)."""
    from flask_appbuilder.security.sqla.models import Role
    from sqlalchemy.orm import selectinload

    from app.organisation.models import Person, Unit

    wanted = set(rule.role_names)
    query = select(Login).join(Login.roles).where(Role.name.in_(wanted), Login.active)
    if rule.county_id is not None:  # a county's rule reminds that county's logins only
        query = query.join(Person, Login.person_id == Person.id).join(Unit, Person.unit_id == Unit.id) \
                     .where(Unit.county_id == rule.county_id)
    logins = db.session.scalars(query.order_by(Login.id).options(
        selectinload(Login.roles), selectinload(Login.person).selectinload(Person.unit).selectinload(Unit.county),
        selectinload(Login.person).selectinload(Person.supervised_sections))).unique().all()
    records = [i.record for i in items]
    checked: dict = {}
    found = {}
    for login in logins:
        scope = scope_of(_Authenticated(login))
        if scope not in checked:
            checked[scope] = in_scope_many(records, scope)
        mine = [i for i, yes in zip(items, checked[scope]) if yes]
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


def run_rule(rule: ReminderRule, now: datetime | None = None) -> Outcome:
    """Runs one rule at ``now``: records what is newly due, then sends it."""
    now = now or clock.local_now()
    period, items = due(rule, now)
    made = []
    if period is not None and items:
        for login, mine in recipients(rule, items).items():
            delivery_id = _record(rule, period, login, mine, now)
            if delivery_id is not None:
                made.append(delivery_id)
    db.session.execute(update(ReminderRule).where(ReminderRule.id == rule.id).values(last_run_at=clock.stored(now)))
    db.session.commit()
    outcome = Outcome(recorded=len(made))
    for delivery_id in made:
        outcome.count(send(delivery_id, now))
    return outcome


def _record(rule, period, login, items, now) -> int | None:
    name = login.person.name if login.person else login.username
    text = "\n".join(f"{n}. {i.text}" for n, i in enumerate(items, 1))
    at = clock.stored(now)
    subject = rule.subject.replace("{period}", period)
    body = rule.body.replace("{name}", name).replace("{period}", period).replace("{items}", text)
    for attempt in range(5):
        delivery = Delivery(rule_id=rule.id, period=period, login_id=login.id, email=login.email or None,
                            subject=subject, body=body, attempts=0, created_at=at, next_try_at=at,
                            status=DeliveryStatus.PENDING.value if login.email else DeliveryStatus.NO_EMAIL.value)
        try:
            db.session.add(delivery)
            db.session.flush()
            db.session.add(Message(login_id=login.id, delivery_id=delivery.id, subject=subject, body=body,
                                   created_at=at))
            db.session.commit()   # the key is taken: no other run records it again
            return delivery.id
        except IntegrityError:
            db.session.rollback()
            return None
        except OperationalError:  # SQLite: another scheduler is writing; try again shortly
            db.session.rollback()
            time.sleep(0.2 * (attempt + 1))
    raise RuntimeError("数据库忙，提醒未能记录。")


def _claim(delivery_id: int, token: str, *conditions, **values) -> bool:
    """Takes the row for this sender if nobody holds it (or his lease ran out)."""
    t = _clock()
    claimed = db.session.execute(update(Delivery).where(
        Delivery.id == delivery_id, *conditions,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= t))
        .values(claim_token=token, claimed_until=t + timedelta(seconds=setting("REMINDER_CLAIM_SECONDS")),
                **values))
    db.session.commit()
    return claimed.rowcount == 1


class _Holding:
    """Renews a claim from a side thread while the e-mail is on its way."""

    def __init__(self, delivery_id: int, token: str):
        self.engine, self.delivery_id, self.token = db.engine, delivery_id, token
        self.lease = setting("REMINDER_CLAIM_SECONDS")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._renew, daemon=True, name=f"claim-{delivery_id}")

    def _renew(self):
        while not self.stop.wait(self.lease / 3):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(Delivery.__table__).where(
                        Delivery.__table__.c.id == self.delivery_id,
                        Delivery.__table__.c.claim_token == self.token)
                        .values(claimed_until=_clock() + timedelta(seconds=self.lease)))
            except Exception:  # noqa: BLE001  the next renewal tries again; the lease covers a gap
                log.warning("提醒 %s 的认领续期失败", self.delivery_id, exc_info=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def send(delivery_id: int, now: datetime, *, resend: bool = False, token: str | None = None) -> str | None:
    """Claims one delivery and sends its e-mail: "sent", "failed", or None when
    another sender holds it or it is not waiting to be sent."""
    if token is None:
        token = uuid.uuid4().hex
        if not _claim(delivery_id, token, Delivery.status.in_(SENDABLE)):
            return None
    delivery = db.session.get(Delivery, delivery_id)
    db.session.refresh(delivery)
    to, subject, body, attempts = delivery.email, delivery.subject, delivery.body, delivery.attempts
    db.session.commit()   # no transaction held open while the server takes its time
    try:
        if not ADDRESS.match(to or ""):
            raise InvalidAddress(to)
        with _Holding(delivery_id, token):
            send_mail(to, subject, body)
    except Exception as error:  # noqa: BLE001  every failure of one e-mail stays on its row
        db.session.rollback()
        _failed(delivery_id, token, attempts + 1, error, now, resend)
        return "failed"
    _sent(delivery_id, token)
    return "sent"


def _sent(delivery_id: int, token: str) -> None:
    values = dict(status=DeliveryStatus.SENT.value, sent_at=_clock().replace(microsecond=0),
                  attempts=Delivery.attempts + 1, last_error=None, next_try_at=None,
                  claim_token=None, claimed_until=None)
    done = db.session.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.claim_token == token)
                              .values(**values))
    if done.rowcount != 1:   # the lease ran out while sending (renewals failed): say so on the row
        db.session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
            **values | {"last_error": "发送期间认领已过期，可能已被其他任务重复发送。"}))
    db.session.commit()


class InvalidAddress(ValueError):
    pass


PERMANENT = (ValueError, UnicodeError, smtplib.SMTPRecipientsRefused)   # retrying cannot help


def permanent(error: Exception) -> bool:
    if isinstance(error, PERMANENT):
        return True
    return (isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
            and not isinstance(error, smtplib.SMTPAuthenticationError))


def describe(error: Exception) -> str:
    """An error of one e-mail in words the office can read, with the technical text after it."""
    kinds = [(InvalidAddress, "收件邮箱地址无效"),
             (smtplib.SMTPAuthenticationError, "邮件服务器登录失败（检查 MAIL_USERNAME / MAIL_PASSWORD）"),
             (smtplib.SMTPRecipientsRefused, "收件地址被邮件服务器拒收"),
             (smtplib.SMTPSenderRefused, "发件地址被邮件服务器拒收（检查 MAIL_FROM）"),
             (smtplib.SMTPDataError, "邮件服务器拒收了邮件内容"),
             (smtplib.SMTPServerDisconnected, "邮件服务器中途断开了连接"),
             (smtplib.SMTPException, "邮件服务器返回错误"),
             (ConnectionRefusedError, "邮件服务器拒绝连接（服务器未启动或端口不对）"),
             (socket.gaierror, "找不到邮件服务器（检查 MAIL_SERVER）"),
             (TimeoutError, "邮件服务器响应超时"),
             (OSError, "连接邮件服务器时网络出错"),
             (UnicodeError, "邮件内容编码出错"),
             (ValueError, "标题或地址含换行等不允许的字符")]
    label = next((text for kind, text in kinds if isinstance(error, kind)), "发送时出错")
    return f"{label}（{type(error).__name__}: {error}）"[:2000]


def _failed(delivery_id: int, token: str, attempts: int, error: Exception, now: datetime, resend: bool) -> None:
    final = resend or permanent(error) or attempts >= setting("REMINDER_MAX_ATTEMPTS")
    values = dict(attempts=attempts, last_error=describe(error), claim_token=None, claimed_until=None)
    if final:
        values |= dict(status=DeliveryStatus.FAILED.value, next_try_at=None)
    else:
        values |= dict(status=DeliveryStatus.RETRYING.value, next_try_at=clock.stored(now + backoff(attempts)))
    done = db.session.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.claim_token == token)
                              .values(**values))
    if done.rowcount == 1 and final:
        alerts.tell_office(db.session.get(Delivery, delivery_id), _clock().replace(microsecond=0))
    db.session.commit()


def retry_due(now: datetime | None = None) -> Outcome:
    """Sends the e-mails whose back-off has run out, and those whose sender
    stopped before sending (its claim ran out)."""
    now = now or clock.local_now()
    t = _clock()
    waiting = db.session.scalars(select(Delivery.id).where(
        Delivery.status.in_(SENDABLE), Delivery.next_try_at <= clock.stored(now),
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= t)).order_by(Delivery.id)).all()
    db.session.commit()
    outcome = Outcome()
    for delivery_id in waiting:
        outcome.count(send(delivery_id, now))
    return outcome


RESEND_REFUSED = {
    DeliveryStatus.SENT.value: "已发送，不再重发",
    DeliveryStatus.PENDING.value: "正在发送，请勿重复操作",
    DeliveryStatus.RETRYING.value: "正在等待自动重试，无需重发",
    DeliveryStatus.NO_EMAIL.value: "接收人没有邮箱，只有站内消息",
}


def resend(delivery_id: int) -> tuple[str | None, str]:
    """The office's 重新发送 of a 发送失败 delivery: one attempt now, to the
    recipient's current address.  The claim and the status change are one
    UPDATE, so a second click (or a second office) finds the row no longer
    failed and sends nothing."""
    token = uuid.uuid4().hex
    address = db.session.scalar(select(Login.email).join(Delivery, Delivery.login_id == Login.id)
                                .where(Delivery.id == delivery_id))   # as corrected since, if it was
    if not address:
        return None, "接收人没有邮箱，只有站内消息"
    if not _claim(delivery_id, token, Delivery.status == DeliveryStatus.FAILED.value,
                  status=DeliveryStatus.PENDING.value, email=address):
        delivery = db.session.get(Delivery, delivery_id)
        if delivery is None:
            return None, "没有这条发送记录"
        db.session.refresh(delivery)
        return None, RESEND_REFUSED.get(delivery.status, "正在由其他任务发送，请勿重复操作")
    result = send(delivery_id, clock.local_now(), resend=True, token=token)
    delivery = db.session.get(Delivery, delivery_id)
    return result, "已重新发送" if result == "sent" else f"仍未发出：{delivery.last_error}"


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
