"""推进计划 (seed 002 附件1): phases, tasks, deliverables and what each unit has handed in."""
