"""Every risk of the scope with its owner, level, measures and review state,
streamed into a flat worksheet (xlsxwriter ``constant_memory``): rows are
written as they come from the database, so a city-wide export does not hold
the workbook in memory."""
import os
import tempfile

from sqlalchemy import func, select

from app.extensions import db
from app.exports.grid import display_width
from app.exports.xlsx import new_workbook, write_cell
from app.organisation.models import Person, Section, Unit
from app.risks.models import ControlMeasure, RiskForm, RiskPoint
from app.reports.summary import Filters
from app.workflow.flows import label_of

HEADINGS = ["序号", "单位", "科室", "本人/责任人", "职务", "类型", "风险类别", "具体内容及表现形式", "风险等级",
            "监控主体", "前期预防", "中期监控", "后期处置", "年度", "审核环节", "已签字版本", "已公示"]
WIDTHS = [7, 24, 14, 10, 12, 6, 10, 50, 8, 10, 40, 40, 40, 6, 16, 10, 8]
BATCH = 2000


def _measures(stage):
    """One aggregated column per stage (string_agg on PostgreSQL, group_concat on SQLite)."""
    dialect = db.engine.dialect.name
    joined = (func.string_agg(ControlMeasure.content, "；") if dialect == "postgresql"
              else func.group_concat(ControlMeasure.content, "；"))
    return (select(joined).where(ControlMeasure.risk_id == RiskPoint.id, ControlMeasure.stage == stage)
            .correlate(RiskPoint).scalar_subquery())


def query(filters: Filters):
    from app.enums import ControlStage
    return (select(RiskPoint.id, Unit.name, Section.name, Person.name, Person.title, RiskPoint.owner_kind,
                   RiskPoint.risk_type, RiskPoint.content, RiskPoint.level,
                   *[_measures(s.value) for s in ControlStage],
                   RiskForm.round, RiskForm.stage, RiskForm.signed_revision, RiskForm.published)
            .join(RiskForm, RiskPoint.form_id == RiskForm.id)
            .join(Unit, RiskPoint.unit_id == Unit.id)
            .outerjoin(Section, RiskPoint.section_id == Section.id)
            .join(Person, RiskPoint.owner_id == Person.id)
            .where(filters.risks()).order_by(Unit.code, RiskPoint.section_id, RiskPoint.id))


def write(filters: Filters, path: str) -> int:
    """Writes the export to ``path``; returns the number of risks."""
    from app.enums import RiskLevel
    book = new_workbook(path, constant_memory=True)
    sheet = book.add_worksheet("廉政风险明细")
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                            "font_name": "宋体", "text_wrap": True})
    cell = book.add_format({"border": 1, "valign": "top", "font_name": "宋体", "text_wrap": True})
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, max(width, display_width(HEADINGS[col]) + 2))
    sheet.write_row(0, 0, HEADINGS, head)
    sheet.freeze_panes(1, 0)
    n = 0
    result = db.session.execute(query(filters).execution_options(yield_per=BATCH))
    for row in result:
        (_, unit, section, person, title, kind, risk_type, content, level, pre, mid, post,
         round_, stage, signed, published) = row
        n += 1
        values = [n, unit, section or "", person, title or "", kind, risk_type, content, level,
                  RiskLevel(level).monitor, pre or "", mid or "", post or "", round_,
                  label_of(kind, stage), signed or "", "是" if published else "否"]
        for col, value in enumerate(values):
            write_cell(sheet, n, col, value, cell)
    sheet.autofilter(0, 0, max(n, 1), len(HEADINGS) - 1)
    book.close()
    return n


def to_temp_file(filters: Filters) -> str:
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    write(filters, path)
    return path
