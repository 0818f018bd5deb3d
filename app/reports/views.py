"""Pages: the two 汇总表 with drill-down, their Excel, and the full export."""
import os
from datetime import date

from flask import abort, after_this_request, request, send_file, url_for
from flask_appbuilder import BaseView
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import paging
from app.enums import Owner, RiskLevel, RiskType
from app.exports import download
from app.exports.download import XLSX
from app.exports.xlsx import workbook
from app.extensions import db
from app.organisation.models import County, Unit
from app.reports import dashboard, export, tables
from app.reports.summary import ALL_STAGES, Filters
from app.risks.models import RiskForm, RiskPoint
from app.security import roles
from app.security.scope import criteria, current_scope
from app.web import xlsx_response
from app.workflow.flows import APPROVED, all_stage_labels

def read_filters(default_stage: str | None = None) -> Filters:
    """The filters of the address, each checked against the viewer's scope; the
    summaries count approved registers unless asked (``default_stage``)."""
    scope = current_scope()
    unit_id = request.args.get("unit", type=int)
    county_id = request.args.get("county", type=int)
    if unit_id and db.session.scalar(select(Unit.id).where(Unit.id == unit_id, criteria(Unit, scope))) is None:
        abort(404)
    if county_id and db.session.scalar(select(Unit.id).where(Unit.county_id == county_id, criteria(Unit, scope))
                                       .limit(1)) is None:
        abort(404)
    return Filters(round=request.args.get("round", date.today().year, type=int), unit_id=unit_id,
                   stage=stage_asked(request.args.get("stage", default_stage)), county_id=county_id)


def stage_asked(value: str | None) -> str | None:
    """The review state the figures count: approved registers unless another is asked for,
    every state (drafts too) for ``all``."""
    if value == ALL_STAGES:
        return None
    return value or APPROVED.key


def counties_in_scope() -> list[County]:
    return db.session.scalars(select(County).where(County.id.in_(
        select(Unit.county_id).where(criteria(Unit, current_scope())))).order_by(County.id)).all()


def rows_by(filters: Filters, counties: list) -> str:
    """附件9 by section inside a unit, by unit inside a county, by county above (the city)."""
    if filters.unit_id:
        return "section"
    return "unit" if filters.county_id or len(counties) <= 1 else "county"


def _link(endpoint: str, filters: Filters):
    def link(**where):
        args = {"round": filters.round, "stage": filters.stage or ALL_STAGES, "unit": filters.unit_id,
                "county": filters.county_id, **where}
        return url_for(endpoint, **{k: v for k, v in args.items() if v is not None})
    return link


def drill_link(filters: Filters):
    """A number's address: the risks behind it."""
    return _link("Reports.risks", filters)


def open_link(filters: Filters):
    """A county's or unit's address: its own 汇总表, one level down."""
    return _link("Reports.summary", filters)


class Reports(BaseView):
    route_base = "/reports"
    default_view = "summary"
    class_permission_name = roles.REPORTS
    method_permission_name = {"summary": "read", "summary_xlsx": "read", "summary_docx": "read", "risks": "read",
                              "full_export": "read", "dashboard": "read"}

    @expose("/dashboard")
    @has_access
    def dashboard(self):
        round_ = request.args.get("round", date.today().year, type=int)
        return self.render_template("reports/dashboard.html", round=round_,
                                    waiting=dashboard.waiting(round_),
                                    risks=dashboard.risks_by_type_and_level(round_),
                                    units=dashboard.unit_progress(round_),
                                    no_self_check=dashboard.units_without_self_check(date.today()),
                                    quarter=(date.today().month - 1) // 3 + 1,
                                    phase=dashboard.current_phase(date.today()))

    def _grids(self, filters: Filters, counties: list, link=None, opener=None):
        link = link or (lambda **_: None)
        opener = opener or (lambda **_: None)
        by = rows_by(filters, counties)
        place = (db.session.get(Unit, filters.unit_id) if filters.unit_id else
                 db.session.get(County, filters.county_id) if filters.county_id else
                 counties[0] if len(counties) == 1 else None)
        name = place.name if place else ""
        return [tables.summary_9(filters, by, name, link, opener), tables.summary_6(filters, name, link)]

    @expose("/summary")
    @has_access
    def summary(self):
        filters = read_filters()
        counties = counties_in_scope()
        county = filters.county_id or (counties[0].id if len(counties) == 1 else None)
        units = db.session.scalars(select(Unit).where(criteria(Unit, current_scope()), Unit.county_id == county)
                                   .order_by(Unit.code)).all() if county else []
        return self.render_template("reports/summary.html", filters=filters, units=units, counties=counties,
                                    stages=all_stage_labels(),
                                    grids=self._grids(filters, counties, drill_link(filters), open_link(filters)))

    @expose("/summary.xlsx")
    @has_access
    def summary_xlsx(self):
        filters = read_filters()
        return xlsx_response(workbook(self._grids(filters, counties_in_scope())),
                             f"廉政风险汇总表-{filters.round}年度.xlsx")

    @expose("/summary.docx")
    @has_access
    def summary_docx(self):
        filters = read_filters()
        return download.paper(self._grids(filters, counties_in_scope()), f"廉政风险汇总表-{filters.round}年度", "docx")

    @expose("/risks")
    @has_access
    def risks(self):
        """The risks behind a number of the 汇总表, in scope."""
        filters = read_filters()
        conditions = [filters.risks()]
        section = request.args.get("section", type=int)
        if section is not None:
            conditions.append(RiskPoint.section_id == section if section else RiskPoint.section_id.is_(None))
        for arg, column, allowed in (("type", RiskPoint.risk_type, RiskType.values()),
                                     ("level", RiskPoint.level, RiskLevel.values()),
                                     ("kind", RiskPoint.owner_kind, Owner.values())):
            value = request.args.get(arg)
            if value:
                if value not in allowed:
                    abort(400)
                conditions.append(column == value)
        items = paging.paginate(
            select(RiskPoint).join(RiskForm, RiskPoint.form_id == RiskForm.id).where(*conditions)
            .options(joinedload(RiskPoint.unit), joinedload(RiskPoint.section), joinedload(RiskPoint.owner),
                     joinedload(RiskPoint.form)).order_by(RiskPoint.id))
        return self.render_template("reports/risks.html", items=items, args=request.args)

    @expose("/export.xlsx")
    @has_access
    def full_export(self):
        path = export.to_temp_file(read_filters(default_stage=ALL_STAGES))   # every risk, drafts too

        @after_this_request
        def remove(response):
            try:
                os.remove(path)
            except OSError:
                pass
            return response
        return send_file(path, mimetype=XLSX, as_attachment=True,
                         download_name=f"廉政风险明细-{date.today():%Y%m%d}.xlsx")


def register(appbuilder):
    menu = dict(category=roles.REPORT_MENU, category_label="统计报表", category_icon="fa-line-chart")
    appbuilder.add_view(Reports, roles.REPORTS, label="汇总表", icon="fa-bar-chart", **menu)
    appbuilder.add_link(roles.DASHBOARD, label="工作进度", href="/reports/dashboard", icon="fa-tachometer", **menu)
