"""The review flows, as data: stages in order, who acts at each, what each fills on paper.

Each county's office edits its own flows on a page (:mod:`app.workflow.configure`):
it picks stages from the stage kinds below (:data:`CATALOGUE`), orders them, says
who acts at each, which field of its paper forms each stage's opinion or signature
fills, and who may add 帮查 comments.  Every save is a new version
(:class:`app.workflow.models.ReviewFlow`); a form keeps the version it was started
under to the end.  Every flow begins with 自查拟写 and ends with 审核确定.

Two flows ship (:data:`VARIANTS`):

- 实施细则 (seed 000), the flows of its 附件4 and 附件3, printed on its 附件5–8:
  Individual form: 个人自查（本科室同志、上下级业务领导帮查）→ 拟写 → 科室领导审核
  → 领导小组办公室审核 → 返回本人确认填表 → 领导小组汇总审核 → 局班子审核确定.
  Section form: 科室自查（分管领导、上下级业务科室帮查）→ 拟写 → 分管领导审核 → 领导小组审核
  → 返回科室确认填表 → 科室/单位内部公示 → 领导小组进一步修改 → 局班子审核确定.
- 推进计划 (seed 002), printed on its registers 附件3–5: the individual form passes
  the 科室 and then the 分管领导 before the office, filling 科室意见, 分管领导意见 and
  党组（党委）意见 each by its own reviewer.
Unit form (seed 002 附件3, in both): 拟写 → 领导小组办公室审核 → 返回单位确认填表 → 党组（党委）审定.
"""
from dataclasses import dataclass, replace
from enum import StrEnum

from app.enums import Owner


class Actor(StrEnum):
    """Who acts at a stage; :mod:`app.workflow.engine` decides who that is for a form."""
    OWNER = "本人"                 # the person; a section's head; a unit's principal leader
    SECTION_HEAD = "科室领导"       # 科室负责人 of the form's section (for the head's own form: his 分管领导)
    SUPERVISOR = "分管领导"         # the section's 分管领导
    OFFICE = "领导小组办公室"       # acts for the 领导小组 too
    LEADERSHIP = "局班子"           # 单位领导 of the form's unit
    UNIT_ADMIN = "单位管理员"


# What the flow page says of each actor.
ACTOR_WORDS = {
    Actor.OWNER: "本人（登记表的责任人）",
    Actor.SECTION_HEAD: "科室领导（科室负责人；科室负责人本人的登记表由其分管领导办理）",
    Actor.SUPERVISOR: "分管领导（科室的分管领导）",
    Actor.OFFICE: "领导小组办公室",
    Actor.LEADERSHIP: "单位领导班子（党组、党委）",
    Actor.UNIT_ADMIN: "单位管理员",
}


class Kind(StrEnum):
    DRAFT = "拟写"      # the owner writes; peers may add 帮查 comments
    REVIEW = "审核"     # approve or send back, with an opinion
    SIGN = "确认签字"   # the owner reads the whole form and signs with his password
    NOTICE = "公示"     # shown inside the unit; the acting role closes the notice period
    DONE = "审定"


# Who may act at a stage of each kind: nobody reviews his own form, nobody signs for its owner.
ACTORS_OF_KIND = {
    Kind.REVIEW: (Actor.SECTION_HEAD, Actor.SUPERVISOR, Actor.OFFICE, Actor.LEADERSHIP),
    Kind.NOTICE: (Actor.UNIT_ADMIN, Actor.OFFICE),
    Kind.SIGN: (Actor.OWNER,),
}
# The owner's own leaders review before he confirms: he signs what they have seen, and after
# his signature come only the office's, the notice's and the leadership's (final approval).
BEFORE_SIGNATURE = (Actor.SECTION_HEAD, Actor.SUPERVISOR)


class Action(StrEnum):
    SUBMIT = "提交"
    APPROVE = "通过"
    RETURN = "退回"
    SIGN = "签字"
    PEER = "帮查"
    PUBLISH = "公示"
    UNPUBLISH = "撤销公示"
    REVISE = "新版本"


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    kind: Kind
    actor: Actor | None = None
    fills: tuple[str, ...] = ()        # the fields of the paper forms this stage's opinion or signature fills
    owner_may_return: bool = False     # (确认签字) the owner may send the form back with his opinion

    def as_data(self) -> dict:
        return {"key": self.key, "label": self.label, "actor": self.actor.value if self.actor else None,
                "fills": list(self.fills), "owner_may_return": self.owner_may_return}


DRAFT = Stage("draft", "自查拟写", Kind.DRAFT, Actor.OWNER)
APPROVED = Stage("approved", "审核确定", Kind.DONE)

# The stage kinds a county's flow is made of, with their usual label and actor.  The
# key is what a form stores; its kind (what can be done there) never changes.
CATALOGUE: dict[str, Stage] = {s.key: s for s in (
    Stage("section_review", "科室领导审核", Kind.REVIEW, Actor.SECTION_HEAD),
    Stage("supervisor_review", "分管领导审核", Kind.REVIEW, Actor.SUPERVISOR),
    Stage("office_review", "领导小组办公室审核", Kind.REVIEW, Actor.OFFICE),
    Stage("group_review", "领导小组审核", Kind.REVIEW, Actor.OFFICE),
    Stage("confirm", "返回本人确认填表", Kind.SIGN, Actor.OWNER, owner_may_return=True),
    Stage("notice", "科室/单位内部公示", Kind.NOTICE, Actor.UNIT_ADMIN),
    Stage("group_revise", "领导小组进一步修改", Kind.REVIEW, Actor.OFFICE),
    Stage("final_review", "局班子审核确定", Kind.REVIEW, Actor.LEADERSHIP),
)}

# Who may be asked for 帮查 while the owner drafts (beside the reviewers' actors).
COLLEAGUES = "本科室同志"
PEER_CHOICES = (COLLEAGUES, Actor.SECTION_HEAD.value, Actor.SUPERVISOR.value, Actor.OFFICE.value,
                Actor.LEADERSHIP.value)


@dataclass(frozen=True)
class Flow:
    """One version of one county's flow for one kind of form."""
    kind: Owner
    stages: tuple[Stage, ...]           # between 自查拟写 and 审核确定
    peers: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()        # the paper forms printed (app.papers.registers keys)
    id: int | None = None               # None: a flow shipped with the code, not yet a county's
    number: int = 0
    title: str = ""

    @property
    def all(self) -> tuple[Stage, ...]:
        return (DRAFT, *self.stages, APPROVED)

    def stage(self, key: str) -> Stage:
        found = next((s for s in self.all if s.key == key), None)
        return found or _generic(self.kind, key)

    def after(self, key: str) -> list[Stage]:
        keys = [s.key for s in self.all]
        return list(self.all[keys.index(key) + 1:]) if key in keys else []

    def has(self, actor: Actor) -> bool:
        return any(s.actor is actor for s in self.stages)

    def as_data(self) -> dict:
        return {"stages": [s.as_data() for s in self.stages], "peers": list(self.peers),
                "papers": list(self.papers)}


def stage_from(data: dict) -> Stage:
    """A stage as stored or sent: its kind from the catalogue, the rest from ``data``."""
    base = CATALOGUE.get(data.get("key")) or Stage(str(data.get("key")), str(data.get("key")), Kind.REVIEW)
    actor = data.get("actor")
    return replace(base, label=data.get("label") or base.label,
                   actor=Actor(actor) if actor in Actor._value2member_map_ else base.actor,
                   fills=tuple(data.get("fills") or ()),
                   owner_may_return=bool(data.get("owner_may_return")) and base.kind is Kind.SIGN)


def flow_from(kind: Owner, data: dict, **identity) -> Flow:
    return Flow(Owner(kind), tuple(stage_from(s) for s in data.get("stages") or ()),
                tuple(data.get("peers") or ()), tuple(data.get("papers") or ()), **identity)


def _s(key, label=None, actor=None, fills=()) -> Stage:
    base = CATALOGUE[key]
    return replace(base, label=label or base.label, actor=actor or base.actor, fills=tuple(fills))


# The flows that ship: each county starts from one of them (its first version).
VARIANTS: dict[str, dict[Owner, Flow]] = {
    "000": {
        Owner.PERSON: Flow(Owner.PERSON, (
            # seed 000 calls 分管领导 the leader in charge of the owner's level (附件3: 科室分管领导,
            # 局分管领导): for a member his 科室领导, for a 股长 his 分管领导 — who acts here.
            _s("section_review", fills=["分管领导签字"]),
            _s("office_review"),
            _s("confirm", fills=["填表人签字"]),
            _s("group_review", "领导小组汇总审核"),
            _s("final_review"),
        ), (COLLEAGUES, Actor.SECTION_HEAD.value, Actor.SUPERVISOR.value),
            ("s000_a8_person_register", "s000_a5_person_finding")),
        Owner.SECTION: Flow(Owner.SECTION, (
            _s("supervisor_review"),
            _s("group_review"),
            _s("confirm", "返回科室确认填表", fills=["负责填表人签字", "填表人签字"]),
            _s("notice"),
            _s("group_revise", fills=["改正意见"]),
            # 第一责任人: the unit's principal leadership, who approve it in the end
            _s("final_review", fills=["第一责任人签字"]),
        ), (Actor.SUPERVISOR.value, Actor.OFFICE.value),
            ("s000_a7_section_register", "s000_a6_section_finding")),
        Owner.UNIT: Flow(Owner.UNIT, (
            _s("office_review"),
            _s("confirm", "返回单位确认填表"),
            _s("final_review", "党组（党委）审定", fills=["党组（党委）意见"]),
        ), (Actor.OFFICE.value,), ("s002_a3_unit_register",)),
    },
    "002": {
        Owner.PERSON: Flow(Owner.PERSON, (
            _s("section_review", fills=["科室意见"]),
            _s("supervisor_review", fills=["分管领导意见"]),
            _s("office_review"),
            _s("confirm"),
            _s("final_review", "党组（党委）审定", fills=["党组（党委）意见"]),
        ), (COLLEAGUES, Actor.SECTION_HEAD.value, Actor.SUPERVISOR.value), ("s002_a5_person_register",)),
        Owner.SECTION: Flow(Owner.SECTION, (
            _s("supervisor_review", fills=["分管领导意见"]),
            _s("office_review"),
            _s("confirm", "返回科室确认填表"),
            _s("final_review", "党组（党委）审定", fills=["党组（党委）意见"]),
        ), (Actor.SUPERVISOR.value, Actor.OFFICE.value), ("s002_a4_section_register",)),
        Owner.UNIT: Flow(Owner.UNIT, (
            _s("office_review"),
            _s("confirm", "返回单位确认填表"),
            _s("final_review", "党组（党委）审定", fills=["党组（党委）意见"]),
        ), (Actor.OFFICE.value,), ("s002_a3_unit_register",)),
    },
}
VARIANT_NAMES = {"000": "实施细则（附件3、附件4；附件5—8）", "002": "推进计划（附件3—5，个人岗位经分管领导审核）"}
DEFAULT_VARIANT = "000"
DEFAULTS = VARIANTS[DEFAULT_VARIANT]   # the flow of a county that has not saved one, and of rows loaded in bulk

# The default flows' stages, by kind: their labels are the ones lists and sums show.
FLOWS: dict[Owner, list[Stage]] = {kind: list(flow.all) for kind, flow in DEFAULTS.items()}
# Who may add 帮查 comments, by default.
PEERS = {kind: flow.peers for kind, flow in DEFAULTS.items()}


def _generic(kind, key: str) -> Stage:
    """A stage by its key alone: its kind is the catalogue's, its label the default flow's."""
    for s in FLOWS.get(Owner(kind), ()):
        if s.key == key:
            return s
    if key in CATALOGUE:
        return CATALOGUE[key]
    return {DRAFT.key: DRAFT, APPROVED.key: APPROVED}.get(key) or Stage(key, key, Kind.REVIEW)


def stage(kind, key: str) -> Stage:
    """The stage ``key`` of a kind of form, in general (a form's own is ``engine.current``)."""
    return _generic(kind, key)


def all_stage_labels() -> dict[str, str]:
    """Every stage key with a label, for filters (keys repeat across flows)."""
    labels = {}
    for flow in FLOWS.values():
        for s in flow:
            labels.setdefault(s.key, s.label)
    for s in CATALOGUE.values():
        labels.setdefault(s.key, s.label)
    return labels


def label_of(kind: str, key: str) -> str:
    """The label of a stage of the flow of a kind of form (Owner value)."""
    return stage(Owner(kind), key).label
