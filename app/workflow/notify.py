"""People told when a form moves: its step's actors get an in-app message and
an e-mail through the reminders' delivery log (app.reminders.delivery), once
per (form, stage entry, recipient) — the delivery row's unique key is
(the 登记表流转 rule, "F<form>S<step>", login), the step being the ReviewStep
that recorded the move.

Who is told: the actors of the stage the form enters (the owner when it is
returned, with the opinion, or waits for his signature; the reviewers of the
next review); when it is approved, those who may publish it (公示). The rows
are added to the step's own transaction, so a step that fails tells nobody;
the scheduler's retry job sends the e-mails (within a minute). The office
turns the whole thing off by disabling the rule 登记表流转通知."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.enums import DeliveryStatus, ReminderKind
from app.extensions import db
from app.reminders.models import Delivery, Message, ReminderRule
from app.security import roles
from app.security.models import Login
from app.security.scope import in_scope, scope_of
from app.workflow.flows import Action, Actor, Kind

RULE_KEY = "form_step"
RULE_NAME = "登记表流转通知"


def rule() -> ReminderRule:
    """The delivery log's rule for these messages, made on first use."""
    found = db.session.scalar(select(ReminderRule).where(ReminderRule.key == RULE_KEY))
    if found is not None:
        return found
    made = ReminderRule(key=RULE_KEY, name=RULE_NAME, kind=ReminderKind.FORM_STEP.value,
                        schedule="0 9 * * *", lead_days=0, roles="",
                        subject="登记表流转通知", body="由登记表的每一步发出，不按时间表运行。", enabled=True)
    try:
        with db.session.begin_nested():
            db.session.add(made)
        return made
    except IntegrityError:   # another request made it first
        return db.session.scalar(select(ReminderRule).where(ReminderRule.key == RULE_KEY))


def _candidates(form, actor: Actor | None) -> list[Login]:
    """Logins that might act: the form's unit's people, and the county-wide roles."""
    from app.organisation.models import Person

    query = select(Login).where(Login.active.is_(True), Login.person_id.is_not(None))
    if actor is Actor.OWNER:
        query = query.where(Login.person_id == form.owner_id)
    elif actor in (Actor.SECTION_HEAD, Actor.SUPERVISOR, Actor.LEADERSHIP, Actor.UNIT_ADMIN):
        query = query.where(Login.person_id.in_(select(Person.id).where(Person.unit_id == form.unit_id)))
    return list(db.session.scalars(query.order_by(Login.id)))


class _Acting:
    """A login as scope and permission checks read it outside his own request."""
    is_authenticated = True

    def __init__(self, login):
        self.id, self.roles, self.person = login.id, login.roles, login.person


def recipients(form, entered) -> list[Login]:
    """Who must hear that ``form`` entered the stage ``entered``."""
    from app.workflow.engine import acts_as

    if entered.kind is Kind.DONE:
        return [login for login in _candidates(form, None)
                if roles.may(_Acting(login), roles.RISK_FORM, roles.PUBLISH)
                and in_scope(form, scope_of(_Acting(login)))]
    if entered.actor is None:
        return []
    return [login for login in _candidates(form, entered.actor) if acts_as(_Acting(login), form, entered.actor)]


def _text(form, entered, action: Action, opinion, actor_name: str) -> tuple[str, str]:
    if action is Action.RETURN:
        return (f"登记表被退回：{form}",
                f"{actor_name}退回了您的登记表「{form}」，意见：{opinion}\n请修改后重新提交。")
    if entered.kind is Kind.SIGN:
        return (f"请确认签字：{form}", f"您的登记表「{form}」已审核，请阅读全文并签字确认。")
    if entered.kind is Kind.DONE:
        return (f"待公示：{form}", f"登记表「{form}」已审核确定，请安排公示。")
    return (f"待您{entered.label}：{form}",
            f"登记表「{form}」已由{actor_name}{action.value}，现处于「{entered.label}」环节，请您办理。"
            + (f"\n意见：{opinion}" if opinion else ""))


def stage_entered(form, entered, step, action: Action, opinion, actor) -> int:
    """Adds, in the caller's transaction, one delivery row and one message for
    each person who must act on ``form`` at ``entered``; returns how many."""
    notice_rule = rule()
    if not notice_rule.enabled:
        return 0
    actor_name = actor.person.name if actor.person else actor.username
    subject, body = _text(form, entered, action, opinion, actor_name)
    now = clock.now()
    told = 0
    for login in recipients(form, entered):
        if login.id == actor.id:
            continue   # he did it himself
        row = Delivery(rule_id=notice_rule.id, period=f"F{form.id}S{step.id}", login_id=login.id,
                       email=login.email or None, subject=subject[:200], body=body, attempts=0,
                       created_at=now, next_try_at=now,
                       status=(DeliveryStatus.PENDING if login.email else DeliveryStatus.NO_EMAIL).value)
        db.session.add(row)
        db.session.flush()
        db.session.add(Message(login_id=login.id, delivery_id=row.id, subject=subject[:200], body=body,
                               created_at=now))
        told += 1
    return told
