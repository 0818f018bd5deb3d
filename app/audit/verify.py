"""验签与审计链检查: every signed revision, the chained logs and their guards,
and the 汇总表 figures against a recount.

One function, :func:`run`, used by ``flask --app run verify`` and by the
office's 验签 page; it reads in batches, so a whole city fits in memory.
"""
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import joinedload, selectinload

from app.audit import chain
from app.extensions import db
from app.risks.models import FormRevision, RiskForm, RiskPoint
from app.workflow.signature import verify

GUARDS = {"audit_log": "审计日志", "archive_read": "档案查阅记录"}


@dataclass
class Report:
    revisions: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)   # section → problems

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())

    def lines(self) -> list[str]:
        out = [f"已检查签字版本 {self.revisions} 个。"]
        for section, found in self.problems.items():
            out.append(f"{section}：" + ("通过" if not found else f"发现 {len(found)} 处问题"))
            out += [f"  - {p}" for p in found]
        out.append("结论：全部通过。" if self.ok else "结论：验签失败，记录可能被篡改，请报告纪委监察。")
        return out


def _forms(ids):
    return {f.id: f for f in db.session.scalars(
        select(RiskForm).where(RiskForm.id.in_(ids)).options(
            selectinload(RiskForm.risks).options(
                selectinload(RiskPoint.measures), selectinload(RiskPoint.methods),
                joinedload(RiskPoint.power), joinedload(RiskPoint.step))))}


def check_revisions(report: Report, batch: int = 500) -> None:
    found, last_id = [], 0
    while True:
        revisions = db.session.scalars(select(FormRevision).where(FormRevision.id > last_id)
                                       .order_by(FormRevision.id).limit(batch)).all()
        if not revisions:
            break
        forms = _forms({r.form_id for r in revisions})
        for revision in revisions:
            form = forms.get(revision.form_id)
            for problem in verify(revision, form):
                found.append(f"{form or '登记表 #%s' % revision.form_id} 第 {revision.number} 版：{problem}")
        report.revisions += len(revisions)
        last_id = revisions[-1].id
        db.session.expunge_all()
    report.problems["签字版本"] = found


def _guarded(table: str) -> bool:
    """Whether the database still refuses UPDATE and DELETE on ``table``."""
    if db.engine.dialect.name == "postgresql":
        sql = ("SELECT count(*) FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) "
               "AND NOT tgisinternal AND tgenabled <> 'D'")
        return db.session.execute(text(sql), {"t": table}).scalar() >= 2
    sql = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
    return db.session.execute(text(sql), {"t": table}).scalar() >= 2


def run() -> Report:
    report = Report()
    check_revisions(report)
    for table, label in GUARDS.items():
        found = chain.check(table)
        if not _guarded(table):
            found.insert(0, "数据库中禁止修改、删除的触发器已被移除或停用。")
        report.problems[label] = found
    from app.reports import figures
    report.problems["汇总数字"] = figures.differences(db.session)
    db.session.rollback()
    return report
