"""What each opinion and signature field of the paper forms means: whose it is.

A paper form declares the fields it prints (``FIELDS`` of its module in
:mod:`app.papers`); here each field says who fills it, so a county's flow is
checked to fill every field of its papers by the right person
(:mod:`app.workflow.configure`), and nobody but the owner signs his line.
"""
from dataclasses import dataclass

from app.workflow.flows import Actor


@dataclass(frozen=True)
class PaperField:
    name: str
    signature: bool            # a signature line under the form; else an opinion box
    who: tuple[Actor, ...]     # who fills it: the first of them the flow has a stage for

    @property
    def owners(self) -> bool:
        """The owner's own signature: only his 确认签字 fills it."""
        return self.who == (Actor.OWNER,)

    @property
    def words(self) -> str:
        return "本人的签字" if self.owners else ("签字栏" if self.signature else "意见栏")


FIELDS: dict[str, PaperField] = {f.name: f for f in (
    PaperField("填表人签字", True, (Actor.OWNER,)),
    PaperField("负责填表人签字", True, (Actor.OWNER,)),
    # the unit's principal leadership (党风廉政建设 第一责任人), not the section head who filled it in
    PaperField("第一责任人签字", True, (Actor.LEADERSHIP,)),
    # the leader in charge of the owner: the 分管领导 where the flow has a stage of his; in seed
    # 000's flow (no such stage) the 科室领导, who for a 股长's own form is his 分管领导
    PaperField("分管领导签字", True, (Actor.SUPERVISOR, Actor.SECTION_HEAD)),
    PaperField("科室意见", False, (Actor.SECTION_HEAD,)),
    PaperField("分管领导意见", False, (Actor.SUPERVISOR,)),
    PaperField("党组（党委）意见", False, (Actor.LEADERSHIP,)),
    PaperField("改正意见", False, (Actor.OFFICE,)),
)}


def expected_actor(name: str, actors: set) -> Actor | None:
    """Who must fill field ``name`` in a flow whose stages are acted by ``actors``."""
    found = FIELDS.get(name)
    if found is None:
        return None
    return next((a for a in found.who if a in actors), found.who[0])
