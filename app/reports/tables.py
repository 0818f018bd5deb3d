"""The two 汇总表 by the names the views and the CLI use; each form is
declared in :mod:`app.papers` (seed 000 附件9, seed 002 附件6)."""
from app.papers.s000_a9_summary import Link, grid as summary_9  # noqa: F401
from app.papers.s002_a6_summary import grid as summary_6  # noqa: F401
