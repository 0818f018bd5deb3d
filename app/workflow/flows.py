"""The review flows, as data: stages in order, who acts at each, what comes next.

Individual form (附件4): 个人自查（本科室同志、上下级业务领导帮查）→ 拟写 → 科室领导审核
→ 领导小组办公室审核 → 返回本人确认填表 → 领导小组汇总审核 → 局班子审核确定.
Section form (附件3): 科室自查（分管领导、上下级业务科室帮查）→ 拟写 → 分管领导审核
→ 领导小组审核 → 返回科室确认填表 → 科室/单位内部公示 → 领导小组进一步修改 → 局班子审核确定.
Unit form (seed 002 附件3): 拟写 → 领导小组办公室审核 → 返回单位确认填表 → 党组（党委）审定.
"""
from dataclasses import dataclass
from enum import StrEnum

from app.enums import Owner


class Actor(StrEnum):
    """Who acts at a stage; :mod:`app.workflow.engine` decides who that is for a form."""
    OWNER = "本人"                 # the person; a section's head; a unit's principal leader
    SECTION_HEAD = "科室领导"       # 科室负责人 of the form's section
    SUPERVISOR = "分管领导"         # the section's 分管领导
    OFFICE = "领导小组办公室"       # acts for the 领导小组 too
    LEADERSHIP = "局班子"           # 单位领导 of the form's unit
    UNIT_ADMIN = "单位管理员"


class Kind(StrEnum):
    DRAFT = "拟写"      # the owner writes; peers may add 帮查 comments
    REVIEW = "审核"     # approve or send back, with an opinion
    SIGN = "确认签字"   # the owner reads the whole form and signs with his password
    NOTICE = "公示"     # shown inside the unit; the acting role closes the notice period
    DONE = "审定"


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
    opinion: str | None = None  # the field of the paper form this stage's opinion fills


DRAFT = Stage("draft", "自查拟写", Kind.DRAFT, Actor.OWNER)
APPROVED = Stage("approved", "审核确定", Kind.DONE)

FLOWS: dict[Owner, list[Stage]] = {
    Owner.PERSON: [
        DRAFT,
        Stage("section_review", "科室领导审核", Kind.REVIEW, Actor.SECTION_HEAD, "科室意见"),
        Stage("office_review", "领导小组办公室审核", Kind.REVIEW, Actor.OFFICE),
        Stage("confirm", "返回本人确认填表", Kind.SIGN, Actor.OWNER),
        Stage("group_review", "领导小组汇总审核", Kind.REVIEW, Actor.OFFICE),
        Stage("final_review", "局班子审核确定", Kind.REVIEW, Actor.LEADERSHIP, "党组（党委）意见"),
        APPROVED,
    ],
    Owner.SECTION: [
        DRAFT,
        Stage("supervisor_review", "分管领导审核", Kind.REVIEW, Actor.SUPERVISOR, "分管领导意见"),
        Stage("group_review", "领导小组审核", Kind.REVIEW, Actor.OFFICE),
        Stage("confirm", "返回科室确认填表", Kind.SIGN, Actor.OWNER),
        Stage("notice", "科室/单位内部公示", Kind.NOTICE, Actor.UNIT_ADMIN),
        Stage("group_revise", "领导小组进一步修改", Kind.REVIEW, Actor.OFFICE, "改正意见"),
        Stage("final_review", "局班子审核确定", Kind.REVIEW, Actor.LEADERSHIP, "党组（党委）意见"),
        APPROVED,
    ],
    Owner.UNIT: [
        DRAFT,
        Stage("office_review", "领导小组办公室审核", Kind.REVIEW, Actor.OFFICE),
        Stage("confirm", "返回单位确认填表", Kind.SIGN, Actor.OWNER),
        Stage("final_review", "党组（党委）审定", Kind.REVIEW, Actor.LEADERSHIP, "党组（党委）意见"),
        APPROVED,
    ],
}

# Who may add 帮查 comments while the owner drafts.
PEERS = {
    Owner.PERSON: (Actor.SECTION_HEAD, Actor.SUPERVISOR, "本科室同志"),
    Owner.SECTION: (Actor.SUPERVISOR, Actor.OFFICE),
    Owner.UNIT: (Actor.OFFICE,),
}


def stages(kind: Owner) -> list[Stage]:
    return FLOWS[kind]


def stage(kind: Owner, key: str) -> Stage:
    return next(s for s in FLOWS[kind] if s.key == key)


def next_stage(kind: Owner, key: str) -> Stage:
    flow = FLOWS[kind]
    return flow[[s.key for s in flow].index(key) + 1]


def all_stage_labels() -> dict[str, str]:
    """Every stage key with a label, for filters (keys repeat across flows)."""
    labels = {}
    for flow in FLOWS.values():
        for s in flow:
            labels.setdefault(s.key, s.label)
    return labels


def label_of(kind: str, key: str) -> str:
    """The label of a stage of the flow of a kind of form (Owner value)."""
    return stage(Owner(kind), key).label
