"""Each county's flows: which version a form follows, the rules a flow must keep,
and saving an edited flow as the county's next version.  Called by the page and
the API alike (:mod:`app.workflow.flow_views`).

A flow is valid when (messages in Chinese, at the stage or list they are about):

- its stages are stage kinds of the catalogue, each used once, each acted by an
  actor its kind allows (nobody reviews his own form; only the owner signs);
- it has exactly one 确认签字, after every review by the owner's own leaders
  (科室领导, 分管领导) and followed by the final approval (its last stage is a
  review): the owner signs what they saw, the leadership approves what he signed;
- every opinion and signature field of the paper forms it prints is filled by
  exactly one stage, by the right person (:mod:`app.workflow.fields`): the
  owner's signature only by his 确认签字, nobody else's by it.
"""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.enums import Owner
from app.errors import Invalid, Refused, Stale
from app.extensions import db
from app.organisation.models import County, Unit
from app.papers.registers import papers_of
from app.security import roles
from app.security.scope import criteria, scope_of
from app.workflow.fields import FIELDS, expected_actor
from app.workflow.flows import (ACTORS_OF_KIND, BEFORE_SIGNATURE, CATALOGUE, DEFAULTS, PEER_CHOICES, VARIANTS,
                                Actor, Flow, Kind, Stage, flow_from)
from app.workflow.models import ReviewFlow

SYSTEM_NAME = "系统"   # the shipped first version
LABEL_LIMIT = 30


class FlowErrors(Invalid):
    """An edited flow that breaks the rules: one or more messages per field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("；".join(m for messages in errors.values() for m in messages), next(iter(errors)))
        self.errors = errors


# ── which flow a form follows ───────────────────────────────────────────
def flow_of(form) -> Flow:
    """The flow (version) the form was started under; the default for rows loaded in bulk."""
    row = form.flow
    return row.flow if row is not None else DEFAULTS[form.kind]


def county_of_unit(unit_id) -> int | None:
    return db.session.scalar(select(Unit.county_id).where(Unit.id == unit_id)) if unit_id else None


def _latest(county_id: int, kind: Owner) -> ReviewFlow | None:
    return db.session.scalar(select(ReviewFlow).where(
        ReviewFlow.county_id == county_id, ReviewFlow.owner_kind == Owner(kind).value)
        .order_by(ReviewFlow.number.desc()).limit(1))


def current_row(county_id: int, kind: Owner, in_flush: bool = True) -> ReviewFlow:
    """The county's current version for this kind of form; a county that never saved
    one gets the default flow as its first version (outside a flush: in a savepoint,
    so two first forms at once make one)."""
    with db.session.no_autoflush:
        row = _latest(county_id, kind)
    if row is not None:
        return row
    row = _version(county_id, kind, DEFAULTS[Owner(kind)], 1, None)
    if in_flush:
        db.session.add(row)
        return row
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        row = _latest(county_id, kind)
    return row


def current_flow(county_id: int, kind: Owner) -> tuple[Flow, ReviewFlow | None]:
    """The flow new forms of the county follow, and its row (None: the default, not yet saved)."""
    row = _latest(county_id, kind)
    return (row.flow if row is not None else DEFAULTS[Owner(kind)]), row


def _version(county_id, kind, flow: Flow, number: int, user) -> ReviewFlow:
    return ReviewFlow(county_id=county_id, owner_kind=Owner(kind).value, number=number,
                      definition=flow.as_data(), created_at=clock.now(),
                      created_by_id=user.id if user is not None else None,
                      created_by_name=_name(user) if user is not None else SYSTEM_NAME)


def _name(user) -> str:
    return (user.person.name if getattr(user, "person", None) else user.username)[:50]


def install_variant(county: County, variant: str) -> None:
    """Gives the county the flows of a shipped variant as its next versions (seeds)."""
    for kind, flow in VARIANTS[variant].items():
        row = _latest(county.id, kind)
        db.session.add(_version(county.id, kind, flow, (row.number if row else 0) + 1, None))
    db.session.flush()


# ── who may edit ────────────────────────────────────────────────────────
def counties_in_scope(user) -> list[County]:
    return list(db.session.scalars(select(County).where(criteria(County, scope_of(user))).order_by(County.id)))


def may_edit(user, county: County) -> bool:
    return roles.may(user, roles.REVIEW_FLOW, roles.EDIT) and county in counties_in_scope(user)


# ── the rules ───────────────────────────────────────────────────────────
def _strings(value) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def check(kind: Owner, data) -> tuple[Flow, dict[str, list[str]]]:
    """The flow ``data`` describes (stages, peers, papers), and what is wrong with it."""
    kind = Owner(kind)
    errors: dict[str, list[str]] = defaultdict(list)
    if not isinstance(data, dict):
        return Flow(kind, ()), {"stages": ["流程的内容应为一个对象：stages、peers、papers。"]}
    available = papers_of(kind.value)
    papers = _strings(data.get("papers"))
    if papers is None:
        errors["papers"].append("选用的表格应为表格代码的列表。")
        papers = []
    for key in papers:
        if key not in available:
            errors["papers"].append(f"「{key}」不是{kind.value}登记表的表格。")
    papers = [k for k in available if k in papers]
    if not papers and "papers" not in errors:
        errors["papers"].append("请至少选用一种表格：登记表按选用的表格打印和导出。")
    peers = _strings(data.get("peers"))
    if peers is None or any(p not in PEER_CHOICES for p in peers):
        errors["peers"].append(f"帮查人只能从{'、'.join(PEER_CHOICES)}中选择。")
        peers = [p for p in peers or [] if p in PEER_CHOICES]
    printed = list(dict.fromkeys(f for k in papers for f in available[k].FIELDS))
    known = {f for m in available.values() for f in m.FIELDS}

    raw_stages = data.get("stages")
    if not isinstance(raw_stages, list) or not all(isinstance(s, dict) for s in raw_stages):
        errors["stages"].append("流程环节应为环节的列表。")
        raw_stages = []
    stages: list[tuple[int, Stage]] = []
    for i, raw in enumerate(raw_stages):
        stage = _stage(i, raw, printed, known, errors)
        if stage is not None and kind is Owner.UNIT and stage.actor in BEFORE_SIGNATURE:
            errors[f"stages.{i}"].append("单位登记表不经科室领导、分管领导审核：请选择领导小组办公室或单位领导班子。")
        if stage is not None:
            if any(s.key == stage.key for _, s in stages):
                errors[f"stages.{i}"].append(f"「{CATALOGUE[stage.key].label}」在流程中出现了两次：每种环节只能用一次。")
                continue
            stages.append((i, stage))
    _order(stages, errors)
    _coverage(papers, available, stages, errors)
    flow = Flow(kind, tuple(s for _, s in stages), tuple(p for p in PEER_CHOICES if p in peers), tuple(papers))
    return flow, dict(errors)


def _stage(i: int, raw: dict, printed: list[str], known: set, errors) -> Stage | None:
    where = f"stages.{i}"
    base = CATALOGUE.get(raw.get("key"))
    if base is None:
        errors[where].append(f"请从列出的环节中选择（{'、'.join(s.label for s in CATALOGUE.values())}）。")
        return None
    label = raw.get("label")
    label = label.strip() if isinstance(label, str) else ""
    if len(label) > LABEL_LIMIT:
        errors[where].append(f"环节名称不能超过 {LABEL_LIMIT} 个字。")
    actor_value = raw.get("actor") or base.actor.value
    actor = Actor(actor_value) if actor_value in Actor._value2member_map_ else None
    allowed = ACTORS_OF_KIND[base.kind]
    if actor is None:
        errors[where].append(f"请选择办理人（{'、'.join(a.value for a in allowed)}）。")
    elif actor not in allowed:
        errors[where].append({
            Kind.SIGN: "确认签字只能由本人办理：任何人不得代替本人签字。",
            Kind.REVIEW: "审核环节由科室领导、分管领导、领导小组办公室或单位领导班子办理，本人不能审核自己的登记表。",
            Kind.NOTICE: "公示环节由单位管理员或领导小组办公室办理。",
        }[base.kind])
    fills = _strings(raw.get("fills"))
    if fills is None:
        errors[where].append("填写的栏目应为栏目名称的列表。")
        fills = []
    for name in fills:
        field = FIELDS.get(name)
        if name not in known or field is None:
            errors[where].append(f"「{name}」不是本类登记表上的栏目。")
        elif field.owners and base.kind is not Kind.SIGN:
            errors[where].append(f"「{name}」是本人的签字，只能由本人的确认签字环节填写：任何人不得代签。")
        elif not field.owners and base.kind is Kind.SIGN:
            errors[where].append(f"本人确认签字只填写本人的签字栏，不能填写「{name}」。")
    fills = [f for f in printed if f in set(fills)]   # a paper not printed has no fields to fill
    return Stage(base.key, label or base.label, base.kind, actor or base.actor, tuple(fills),
                 bool(raw.get("owner_may_return")) and base.kind is Kind.SIGN)


def _order(stages: list[tuple[int, Stage]], errors) -> None:
    """One 确认签字, after the owner's own leaders' reviews, before the final approval."""
    signs = [(i, s) for i, s in stages if s.kind is Kind.SIGN]
    if not signs:
        errors["stages"].append("流程中没有「确认签字」环节：登记表须返回本人确认签字后才能审定，任何人不得代签。")
        return
    for i, s in signs[1:]:
        errors[f"stages.{i}"].append("只能有一个确认签字环节。")
    at = stages.index(signs[0])
    for i, s in stages[at + 1:]:
        if s.actor in BEFORE_SIGNATURE:
            errors[f"stages.{i}"].append(
                f"「{s.label}」由{s.actor.value}办理，应排在本人确认签字之前：本人确认的是{s.actor.value}审核过的内容，"
                "签字之后只有领导小组、公示和单位领导班子的最终审定。")
    sign_at = signs[0][0]
    if at == len(stages) - 1:
        errors[f"stages.{sign_at}"].append(
            "本人确认签字之后须有最终审定环节（如「局班子审核确定」）：流程以本人签字、领导审定结束。")
    elif stages[-1][1].kind is not Kind.REVIEW:
        errors[f"stages.{stages[-1][0]}"].append("流程的最后一个环节须是最终审定（审核环节），不能是公示或签字。")


def _coverage(papers: list[str], available, stages: list[tuple[int, Stage]], errors) -> None:
    """Every field of the printed papers filled by one stage, by the right person."""
    actors = {s.actor for _, s in stages}
    where_printed: dict[str, list[str]] = {}
    for key in papers:
        for name in available[key].FIELDS:
            where_printed.setdefault(name, []).append(available[key].TITLE)
    for name, titles in where_printed.items():
        fillers = [(i, s) for i, s in stages if name in s.fills]
        on = "、".join(f"「{t}」" for t in titles)
        if not fillers:
            field = FIELDS[name]
            who = "本人的确认签字环节" if field.owners else f"{expected_actor(name, actors).value}办理的环节"
            errors["fields"].append(f"{on}的「{name}」没有环节填写：请在{who}勾选「{name}」。")
        elif len(fillers) > 1:
            errors["fields"].append(f"「{name}」由{'、'.join(f'「{s.label}」' for _, s in fillers)}几个环节填写，"
                                    "只能由一个环节填写。")
        else:
            i, s = fillers[0]
            expected = expected_actor(name, actors)
            if s.actor is not expected and not FIELDS[name].owners:
                errors[f"stages.{i}"].append(f"「{name}」应由{expected.value}填写，不能由「{s.label}」（{s.actor.value}）填写。")


# ── saving an edited flow ───────────────────────────────────────────────
def save(county: County, kind: Owner, data, user, base: int | None) -> ReviewFlow:
    """Saves ``data`` as the county's next version of its flow for ``kind``.

    ``base`` is the version the editor showed (0 for the default, never saved):
    a save built on an older one is refused, as is a flow that breaks the rules
    (:class:`FlowErrors`) or one that changes nothing."""
    if not may_edit(user, county):
        raise Refused("只有本县的领导小组办公室可以修改本县的审核流程。")
    flow, errors = check(kind, data)
    if errors:
        raise FlowErrors(errors)
    current = _latest(county.id, kind)
    number = current.number if current is not None else 0
    if base is not None and base != number:
        who = f"{current.created_by_name}于{_when(current)}" if current is not None else "他人"
        raise Stale(f"该流程已由{who}修改为第 {number} 版（您修改的是第 {base} 版）：请刷新页面，在最新一版上修改。",
                    "version")
    if current is not None and check(kind, current.definition)[0].as_data() == flow.as_data():
        raise Refused("流程没有改动，未保存新的一版。")
    row = _version(county.id, kind, flow, number + 1, user)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise Stale("该流程刚刚已被他人修改：请刷新页面，在最新一版上修改。", "version")
    db.session.commit()
    return row


def _when(row: ReviewFlow) -> str:
    from app.formatting import cn_date
    return cn_date(row.created_at)


def template(kind: Owner, variant: str) -> Flow | None:
    """A shipped flow to start an edit from."""
    return VARIANTS.get(variant, {}).get(Owner(kind))


def from_data(kind: Owner, data: dict) -> Flow:
    """A flow as sent, for showing it again beside its errors."""
    try:
        return flow_from(kind, data if isinstance(data, dict) else {})
    except (TypeError, ValueError, AttributeError):
        return Flow(Owner(kind), ())
