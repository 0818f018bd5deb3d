"""The paper forms of each kind of register, in the order printed.

A county's flow (app.workflow.flows) names, by the keys below, which of them it
prints; each declares in ``FIELDS`` the opinion and signature fields the stages
of the review fill."""
from types import ModuleType

from app.papers import (s000_a5_person_finding, s000_a6_section_finding, s000_a7_section_register,
                        s000_a8_person_register, s002_a3_unit_register, s002_a4_section_register,
                        s002_a5_person_register)

PAPERS: dict[str, tuple[ModuleType, ...]] = {
    "个人": (s002_a5_person_register, s000_a8_person_register, s000_a5_person_finding),
    "部门": (s002_a4_section_register, s000_a7_section_register, s000_a6_section_finding),
    "单位": (s002_a3_unit_register,),
}
LAYOUTS = {kind: [m.grid for m in modules] for kind, modules in PAPERS.items()}


def key_of(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1]


def papers_of(kind: str) -> dict[str, ModuleType]:
    """The paper forms a register of this kind may be printed on, by key, in the order printed."""
    return {key_of(m): m for m in PAPERS[str(kind)]}


def layouts(kind: str, keys) -> list:
    """The grid builders of the chosen papers, in the order printed (every paper when none is chosen)."""
    chosen = [m for k, m in papers_of(kind).items() if k in set(keys)] or list(PAPERS[str(kind)])
    return [m.grid for m in chosen]
