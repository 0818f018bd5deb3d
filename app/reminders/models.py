"""Reminder rules (edited by the office), the delivery log — one row per
(rule, period, recipient), unique in the database, so nothing is sent twice —
and each login's in-app messages."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import MessageStatus
from app.extensions import db
from app.organisation.models import County
from app.security.models import Login
from app.security.scope import Scoped
from app.versions import Versioned


class ReminderRule(Versioned, Scoped, db.Model):
    """One reminder: what it looks for (``kind``), when it runs (a crontab line,
    Asia/Shanghai), how far ahead (``lead_days``), who receives it, and the text.

    A county's rule is its office's and reminds only that county's logins; a
    rule with no county is city-wide (全市), kept by the administrator, and
    reminds every county's logins, each of the items in his own scope."""

    __tablename__ = "reminder_rule"
    __scope__ = {"county": "county_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[Optional[int]] = mapped_column(ForeignKey("county.id", name="fk_reminder_rule_county"), index=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)      # the job id is "reminder:<key>"
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    schedule: Mapped[str] = mapped_column(String(60))              # crontab: 分 时 日 月 周
    lead_days: Mapped[int] = mapped_column(Integer, default=0, info={"range": (0, 366)})  # up to a year ahead
    roles: Mapped[str] = mapped_column(String(200))                # role names, joined by 、
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)                        # {items}, {period}, {name}
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_run_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    county: Mapped[Optional[County]] = relationship()

    @property
    def role_names(self) -> list[str]:
        return [r.strip() for r in (self.roles or "").replace(",", "、").split("、") if r.strip()]

    @property
    def job_id(self) -> str:
        return f"reminder:{self.key}"

    def validate(self) -> dict[str, str]:
        from app.reminders.rules import rule_errors
        return rule_errors(self)

    def __repr__(self) -> str:
        return self.name


class Delivery(Scoped, db.Model):
    """发送记录: a reminder for one recipient in one period, and how its e-mail went;
    seen by those whose scope holds the recipient."""

    __tablename__ = "reminder_delivery"
    __scope__ = {"through": "login"}
    __table_args__ = (UniqueConstraint("rule_id", "period", "login_id", name="uq_delivery_rule_period_login"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("reminder_rule.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(30))
    login_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    email: Mapped[Optional[str]] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    next_try_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime)        # when the server took it
    # Whoever sends holds the row: a random token and a lease it renews while it talks to the server.
    claim_token: Mapped[Optional[str]] = mapped_column(String(32))
    claimed_until: Mapped[Optional[datetime]] = mapped_column(DateTime)
    alerted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)     # the office was told it failed

    rule: Mapped[ReminderRule] = relationship()
    login: Mapped[Login] = relationship()

    def __repr__(self) -> str:   # columns only: the audit trail names a row before its relations load
        return f"{self.subject}（{self.period}）"


class Message(db.Model):
    """站内消息 of one login; unread until he opens it."""

    __tablename__ = "message"
    id: Mapped[int] = mapped_column(primary_key=True)
    login_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reminder_delivery.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    read_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    login: Mapped[Login] = relationship()

    @property
    def status(self) -> MessageStatus:
        return MessageStatus.READ if self.read_at else MessageStatus.UNREAD

    def __repr__(self) -> str:
        return self.subject


class SchedulerLease(db.Model):
    """Which scheduler process is the active one (one row per lease name): the
    holder renews ``expires_at``; once it has passed, another process takes over."""

    __tablename__ = "scheduler_lease"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(DateTime)    # UTC
    expires_at: Mapped[datetime] = mapped_column(DateTime)     # UTC

    def __repr__(self) -> str:
        return f"{self.name}: {self.holder}"
