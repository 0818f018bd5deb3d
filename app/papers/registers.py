"""The paper forms of each kind of register, in the order printed."""
from app.papers import (s000_a5_person_finding, s000_a6_section_finding, s000_a7_section_register,
                        s000_a8_person_register, s002_a3_unit_register, s002_a4_section_register,
                        s002_a5_person_register)

LAYOUTS = {
    "个人": [s002_a5_person_register.grid, s000_a8_person_register.grid, s000_a5_person_finding.grid],
    "部门": [s002_a4_section_register.grid, s000_a7_section_register.grid, s000_a6_section_finding.grid],
    "单位": [s002_a3_unit_register.grid],
}
