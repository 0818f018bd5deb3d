"""Moving a form through its flow: every step is one function here, called by
the pages, the API, the demo and the tests alike.

Each function checks that the form is still at the stage the actor saw
(``expected``) and that the actor may act there, then changes the form and
records who, when, what.  A refusal raises :class:`Refused` and changes nothing.
"""

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.security import check_password_hash

from app import clock
from app.enums import Owner
from app.errors import Refused
from app.extensions import db
from app.organisation.models import Person, Section
from app.risks.models import FormRevision, ReviewStep, RiskForm
from app.security import roles
from app.security.scope import criteria, in_scope, scope_of
from app.workflow import configure, notify
from app.workflow.configure import current_row, flow_of
from app.workflow.flows import COLLEAGUES, Action, Actor, Kind, Stage, flow_from
from app.workflow.models import ReviewFlow
from app.workflow.signature import content_hash, seal_revision, snapshot

# The action each reviewing actor needs (app.security.roles); the owner needs none.
ACTION_OF_ACTOR = {
    Actor.SECTION_HEAD: roles.REVIEW_AS_SECTION_HEAD, Actor.SUPERVISOR: roles.REVIEW_AS_SUPERVISOR,
    Actor.OFFICE: roles.REVIEW_AS_OFFICE, Actor.LEADERSHIP: roles.REVIEW_AS_LEADERSHIP,
    Actor.UNIT_ADMIN: roles.CLOSE_NOTICE_PERIOD,
}


now = clock.now  # every step, signature and stage entry in UTC


def _roles(user) -> set[str]:
    return {r.name for r in user.roles}


def _may(user, actor: Actor) -> bool:
    return roles.may(user, roles.RISK_FORM, ACTION_OF_ACTOR[actor])


def actor_condition(user, actor: Actor):
    """The forms on which ``user`` is ``actor``, as SQL: written once, it is
    both the check before a step (:func:`acts_as`) and the to-do list."""
    person = user.person
    if person is None:
        return false()
    if actor is Actor.OWNER:
        return RiskForm.owner_id == person.id
    supervised = RiskForm.section_id.in_(select(Section.id).where(Section.supervisor_id == person.id))
    if actor is Actor.SECTION_HEAD:
        # a head reviews his members; a head's own form goes to his 分管领导
        head = select(Section.head_id).where(Section.id == RiskForm.section_id).scalar_subquery()
        conditions = []
        if _may(user, Actor.SECTION_HEAD) and person.section_id:
            conditions.append(and_(RiskForm.section_id == person.section_id, RiskForm.owner_id != head))
        if _may(user, Actor.SUPERVISOR):
            conditions.append(and_(supervised, RiskForm.owner_id == head))
        return or_(*conditions) if conditions else false()
    if not _may(user, actor):
        return false()
    if actor is Actor.SUPERVISOR:
        return supervised
    if actor is Actor.OFFICE:
        return criteria(RiskForm, scope_of(user))
    return RiskForm.unit_id == person.unit_id  # LEADERSHIP, UNIT_ADMIN


def acts_as(user, form: RiskForm, actor: Actor) -> bool:
    """Whether ``user`` is ``actor`` for this form."""
    if user is None or user.person is None:
        return False
    if actor is Actor.OWNER:   # no query needed for the commonest question
        return user.person.id == form.owner_id
    with db.session.no_autoflush:
        return bool(db.session.scalar(select(true()).where(RiskForm.id == form.id, actor_condition(user, actor))))


def current(form: RiskForm) -> Stage:
    """The stage the form stands at, in the flow (version) it follows."""
    return flow_of(form).stage(form.stage)


def passed_over(form: RiskForm, s: Stage) -> bool:
    """Whether the form goes past stage ``s`` without stopping: a 科室领导 stage on the
    section head's own form, in a flow with a 分管领导 stage of its own (his 分管领导
    reviews him once, at that stage, and gives the 分管领导's opinion, not the 科室's),
    or a 科室/分管领导 stage on a form of no section (a leader's own)."""
    if s.actor not in (Actor.SECTION_HEAD, Actor.SUPERVISOR) or form.kind is Owner.UNIT:
        return False
    if form.section is None:
        return True
    return (s.actor is Actor.SECTION_HEAD and form.section.head_id == form.owner_id
            and flow_of(form).has(Actor.SUPERVISOR))


def next_stage(form: RiskForm) -> Stage:
    """The stage after the form's current one that it stops at."""
    found = next((s for s in flow_of(form).after(form.stage) if not passed_over(form, s)), None)
    if found is None:
        raise Refused(f"登记表的当前环节「{form.stage_label}」不在它的审核流程中，不能流转；请联系领导小组办公室。")
    return found


def may_act(user, form: RiskForm) -> bool:
    s = current(form)
    return s.actor is not None and acts_as(user, form, s.actor)


def is_peer(user, form: RiskForm) -> bool:
    """Colleagues and leaders who may add 帮查 comments while the owner drafts."""
    if user.person is None or user.person.id == form.owner_id:
        return False
    for peer in flow_of(form).peers:
        if peer == COLLEAGUES:
            if form.section_id and user.person.section_id == form.section_id:
                return True
        elif peer in Actor._value2member_map_ and acts_as(user, form, Actor(peer)):
            return True
    return False


def todo_criteria(user):
    """SQL for the forms waiting for ``user`` (his to-do list): for each actor, the
    forms standing at a stage that actor holds in the flow (version) they follow,
    on which he is that actor."""
    at = {}   # actor -> [(the flows' ids, or None for the default, with that stage key)]
    for kind, flow in configure.DEFAULTS.items():
        for s in flow.all:
            if s.actor is not None:
                at.setdefault(s.actor, []).append((None, kind, s.key))
    rows = db.session.execute(select(ReviewFlow.id, ReviewFlow.owner_kind, ReviewFlow.definition)
                              .where(criteria(ReviewFlow, scope_of(user)))).all()
    for flow_id, kind, definition in rows:
        for s in flow_from(Owner(kind), definition or {}).all:
            if s.actor is not None:
                at.setdefault(s.actor, []).append((flow_id, kind, s.key))
    conditions = []
    for actor, places in at.items():
        by_key = {}
        for flow_id, kind, key in places:
            by_key.setdefault((key, kind if flow_id is None else None), []).append(flow_id)
        stages = [and_(RiskForm.stage == key, RiskForm.flow_id.is_(None), RiskForm.owner_kind == Owner(kind).value)
                  if kind is not None else and_(RiskForm.stage == key, RiskForm.flow_id.in_(ids))
                  for (key, kind), ids in by_key.items()]
        conditions.append(and_(or_(*stages), actor_condition(user, actor)))
    return or_(*conditions)


# ── content ─────────────────────────────────────────────────────────────
def begin_edit(form: RiskForm, user, owner_only: bool = True) -> None:
    """Called (by :mod:`app.risks.content`) before any change to a form's content.

    Only the owner writes, and only while the form is with him (自查拟写); the
    system (an import, a seed) writes drafts without being the owner.  A change
    to a signed revision opens a new revision that must be signed again.
    """
    if owner_only and (user is None or user.person is None or user.person.id != form.owner_id):
        raise Refused("只有本人可以填写自己的登记表（任何人不得代替撰写廉政风险点，不得代替填报表格）。")
    if current(form).kind is not Kind.DRAFT:
        raise Refused(f"登记表「{form}」正处于「{current(form).label}」环节，已冻结，不能修改；"
                      "如需修改，请由审核人退回。")
    if form.is_signed:
        form.revision += 1
        if user is not None:
            _record(form, user, Action.REVISE,
                    f"在第 {form.signed_revision} 版签字后修改，形成第 {form.revision} 版")


# ── steps of the flow ───────────────────────────────────────────────────
def _expect(form: RiskForm, expected: str | None):
    if expected is not None and expected != form.stage:
        raise Refused(f"该登记表已流转到「{current(form).label}」环节，您的操作未执行。")


def _record(form, user, action: Action, opinion=None, at_stage=None):
    role = "、".join(sorted(_roles(user))) or ""
    step = ReviewStep(
        form_id=form.id, stage=at_stage or form.stage, action=action.value, opinion=opinion,
        actor_id=user.id, actor_name=user.person.name if user.person else user.username,
        actor_role=role[:30], at=now(), revision=form.revision)
    db.session.add(step)
    return step


def _move(form, user, action: Action, opinion, to_key: str):
    step = _record(form, user, action, opinion)
    form.stage = to_key
    form.entered_stage_at = now()
    _commit(form, flush_only=True)   # the step's id and the stage's version check, before anyone is told
    notify.stage_entered(form, current(form), step, action, opinion, user)
    _commit(form)


def _commit(form, flush_only: bool = False):
    try:
        db.session.flush() if flush_only else db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Refused("该登记表刚刚已被他人处理，请刷新后查看当前环节。")


def submit(form: RiskForm, user, expected: str | None = None) -> None:
    """The owner hands his draft to the first reviewer."""
    _expect(form, expected)
    if current(form).kind is not Kind.DRAFT or not acts_as(user, form, Actor.OWNER):
        raise Refused("只有本人可以在拟写环节提交自己的登记表。")
    if not form.risks:
        raise Refused("登记表中还没有风险点，请先填写再提交。")
    _move(form, user, Action.SUBMIT, None, next_stage(form).key)


def approve(form: RiskForm, user, opinion: str | None = None, expected: str | None = None) -> None:
    _expect(form, expected)
    s = current(form)
    if s.kind not in (Kind.REVIEW, Kind.NOTICE) or not acts_as(user, form, s.actor):
        raise Refused(f"您不是「{s.label}」环节的审核人，不能审核此登记表。")
    _move(form, user, Action.APPROVE, (opinion or "").strip() or "同意", next_stage(form).key)


def send_back(form: RiskForm, user, opinion: str, expected: str | None = None) -> None:
    """Any reviewer, at his stage, returns the form to its owner with an opinion."""
    _expect(form, expected)
    s = current(form)
    if s.kind not in (Kind.REVIEW, Kind.NOTICE) or not acts_as(user, form, s.actor):
        raise Refused(f"您不是「{s.label}」环节的审核人，不能退回此登记表。")
    if not (opinion or "").strip():
        raise Refused("退回时请写明意见。")
    _move(form, user, Action.RETURN, opinion.strip(), flow_of(form).all[0].key)


def decline(form: RiskForm, user, opinion: str, expected: str | None = None) -> None:
    """At 确认签字 the owner does not sign: he sends the form back to himself with
    his opinion, as a reviewer's return does (it reopens his draft)."""
    _expect(form, expected)
    if current(form).kind is not Kind.SIGN:
        raise Refused(f"登记表正处于「{current(form).label}」环节，不在确认签字环节，不能不同意退回。")
    if not (acts_as(user, form, Actor.OWNER) and roles.may(user, roles.RISK_FORM, roles.DECLINE)):
        raise Refused("只有登记表的本人可以在确认签字环节不同意并退回。")
    if not (opinion or "").strip():
        raise Refused("不同意签字时请写明意见。")
    _move(form, user, Action.RETURN, opinion.strip(), flow_of(form).all[0].key)


def sign(form: RiskForm, user, password: str, expected: str | None = None) -> FormRevision:
    """The owner confirms the form as registered, re-entering his password."""
    _expect(form, expected)
    if current(form).kind is not Kind.SIGN:
        raise Refused(f"登记表正处于「{current(form).label}」环节，不需要签字。")
    if not acts_as(user, form, Actor.OWNER):
        raise Refused("只有登记表的本人可以确认签字，任何人不得代签。")
    if not password or not check_password_hash(user.password, password):
        raise Refused("密码不正确，签字未完成。")
    if not user.own_password:
        raise Refused("您的密码是由他人设置或重置的，不能用于签字。请先在「个人信息 → 修改密码」中"
                      "自行修改密码，再回来签字。")
    content = snapshot(form)
    revision = FormRevision(form_id=form.id, number=form.revision, content=content,
                            content_hash=content_hash(content), signed_by_id=user.id,
                            signer_name=user.person.name, signed_at=now())
    revision.signature = seal_revision(revision)
    db.session.add(revision)
    form.signed_revision = form.revision
    _move(form, user, Action.SIGN, f"确认签字（第 {form.revision} 版，{revision.content_hash[:12]}…）",
          next_stage(form).key)
    return revision


def peer_comment(form: RiskForm, user, opinion: str) -> None:
    """帮查: a colleague or leader comments while the owner drafts."""
    if current(form).kind is not Kind.DRAFT:
        raise Refused("帮查意见只能在本人自查拟写期间提出。")
    if not is_peer(user, form):
        raise Refused("您不在此登记表的帮查范围内。")
    if not (opinion or "").strip():
        raise Refused("请填写帮查意见。")
    _record(form, user, Action.PEER, opinion.strip())
    _commit(form)


def set_published(form: RiskForm, user, published: bool) -> None:
    """公示 an approved form, or withdraw it; both are logged."""
    if current(form).kind is not Kind.DONE:
        raise Refused("只有审核确定的登记表才能公示。")
    if not (roles.may(user, roles.RISK_FORM, roles.PUBLISH) and in_scope(form, scope_of(user))):
        raise Refused("只有领导小组办公室或本单位管理员可以公示或撤销公示。")
    if form.published == published:
        raise Refused("该登记表已经公示。" if published else "该登记表尚未公示。")
    form.published = published
    _record(form, user, Action.PUBLISH if published else Action.UNPUBLISH)
    _commit(form)


def create_form(kind: Owner, round_: int, user, *, person=None, section=None, unit=None,
                commit: bool = True) -> RiskForm:
    """A blank form for an owner; only the owner himself starts his own.
    ``commit=False``: left in the transaction (an import writes all its drafts or none)."""
    me = user.person
    if me is None:
        raise Refused("您的账号没有对应的工作人员，不能填写登记表。")
    if kind is Owner.PERSON:
        person = person or me
        owner, unit, section = person, person.unit, person.section
    elif kind is Owner.SECTION:
        section = section or me.section
        if section is None:
            raise Refused("请先为科室指定责任人。")
        owner, unit = section.head, section.unit
    else:
        unit = unit or me.unit
        owner = (db.session.query(Person).filter_by(unit_id=unit.id, is_leader=True)
                 .order_by(Person.id).first())
        person = section = None
    if owner is None or owner.id != me.id:
        raise Refused("登记表只能由本人（科室为科室负责人、单位为主要领导）创建和填写，任何人不得代替填报表格。")
    exists = db.session.query(RiskForm).filter_by(
        owner_kind=kind.value, round=round_, unit_id=unit.id,
        section_id=section.id if section and kind is not Owner.UNIT else None,
        person_id=person.id if kind is Owner.PERSON else None).first()
    if exists:
        raise Refused(f"{round_}年度的该登记表已经存在。")
    flow = current_row(unit.county_id, kind, in_flush=False)   # the version it follows to the end
    form = RiskForm(owner_kind=kind.value, round=round_, unit=unit,
                    section=section if kind is not Owner.UNIT else None,
                    person=person if kind is Owner.PERSON else None, owner=owner, flow=flow,
                    stage=flow.flow.all[0].key, entered_stage_at=now(), revision=1)
    db.session.add(form)
    if commit:
        db.session.commit()
    return form
