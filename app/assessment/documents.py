"""The 整改通知 on paper and the self-check filing list, as grids."""
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

from app.assessment.models import RectificationNotice, SelfCheck
from app.enums import QUARTERS
from app.exports.grid import HEAD, LABEL, Grid
from app.extensions import db
from app.formatting import cn_date
from app.organisation.models import Section, Unit
from app.security.scope import Scope, criteria


def notice_grid(notice: RectificationNotice) -> Grid:
    """整改通知书: to whom, why, what to do, by when; with the visits so far."""
    a = notice.assessment
    visits = "\n".join(f"{cn_date(v.visited_on)}　{v.visitors}：{v.findings}" for v in notice.visits) or "尚未回访"
    closed = f"{cn_date(notice.closed_on)} 了结：{notice.closing_note}" if notice.closed_on else "整改中"
    g = Grid("廉政风险防范管理整改通知书", [14, 66], landscape=False, sheet="整改通知", subtitle=notice.number,
             footer=[f"{notice.issuer}（印章）", cn_date(notice.issued_on)])
    for label, value in [
        ("被通知单位", notice.unit.name),
        ("通知事由", f"经考核，你单位{a.year}年度廉政风险防范管理工作考核结果为「{a.grade}」。"
                 "根据廉政风险防范管理考核办法，现以书面形式下达整改通知。"),
        ("存在的问题", notice.problems or a.feedback or ""),
        ("整改要求", notice.requirements),
        ("整改期限", f"请于{cn_date(notice.deadline)}前完成整改，并将整改情况书面报送领导小组办公室。"),
        ("下达日期", cn_date(notice.issued_on)),
        ("跟踪回访", visits),
        ("了结情况", closed),
    ]:
        row = g.height
        g.add(row, 0, label, kind=LABEL).add(row, 1, value)
    return g


class Place(NamedTuple):
    """A unit or section as the filing list shows it: a light row, so a city's
    nine thousand of them are read without building ORM objects."""
    id: int
    name: str
    code: str = ""


@dataclass
class Filing:
    unit: Place
    section: Place | None
    report: SelfCheck | None

    @property
    def filed(self) -> bool:
        return self.report is not None and self.report.filed_at is not None


def filing(year: int, quarter: int, scope: Scope) -> list[Filing]:
    """Every unit and section in scope with its report of the quarter, if any."""
    units = [Place(*r) for r in db.session.execute(
        select(Unit.id, Unit.name, Unit.code).where(criteria(Unit, scope)).order_by(Unit.code))]
    sections = db.session.execute(select(Section.id, Section.name, Section.unit_id)
                                  .where(criteria(Section, scope)).order_by(Section.id)).all()
    reports = {(r.unit_id, r.section_id): r for r in db.session.scalars(
        select(SelfCheck).where(SelfCheck.year == year, SelfCheck.quarter == quarter, criteria(SelfCheck, scope)))}
    by_unit = {}
    for section_id, name, unit_id in sections:
        by_unit.setdefault(unit_id, []).append(Place(section_id, name))
    rows = []
    for u in units:
        rows.append(Filing(u, None, reports.get((u.id, None))))
        rows += [Filing(u, s, reports.get((u.id, s.id))) for s in by_unit.get(u.id, [])]
    return rows


def filing_grid(rows: list[Filing], year: int, quarter: int) -> Grid:
    g = Grid(f"{year}年{QUARTERS[quarter - 1]}廉政风险防范管理自查报告报送情况", [24, 20, 10, 20, 10],
             sheet="自查报送情况",
             footer=[f"应报 {len(rows)} 份，已报送 {sum(r.filed for r in rows)} 份，"
                     f"未报送 {sum(not r.filed for r in rows)} 份。"])
    g.append(["单位", "科室", "状态", "报送时间", "自评等次"], kind=HEAD)
    g.header_rows = 1
    for r in rows:
        g.append([r.unit.name, r.section.name if r.section else "（单位）", "已报送" if r.filed else "未报送",
                  cn_date(r.report.filed_at) if r.filed else "", (r.report.self_grade or "") if r.filed else ""])
    return g
