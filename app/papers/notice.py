"""整改通知书 on paper, and the list of who filed the quarter's self-check report."""
from app.assessment.documents import Filing
from app.assessment.models import RectificationNotice
from app.enums import QUARTERS
from app.exports.grid import HEAD, LABEL, Grid
from app.formatting import cn_date


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
