"""Pages: 推进计划 (phases, tasks, deliverables; kept by the office), each unit's
submissions (in scope), and per unit what is in and when, overdue in red."""
from datetime import date

from flask import request, url_for
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from sqlalchemy import select

from app import paging
from app.exports import download
from app.extensions import db
from app.enums import PlanState
from app.formatting import cn_date
from app.organisation.models import County
from app.papers import s002_a1_plan
from app.plan import services
from app.plan.models import PlanDeliverable, PlanPhase, PlanSubmission
from app.security import roles
from app.security.scope import criteria, current_scope
from app.security.scoped_views import VIEW_PERMISSIONS, ScopedModelView, interface

LABELS = {"position": "序号", "title": "工作内容", "starts_on": "开始日期", "ends_on": "结束日期",
          "tasks": "主要任务", "requirements": "工作要求", "deliverables": "报送材料", "phase": "阶段",
          "name": "报送材料", "due_on": "报送期限", "deliverable": "报送材料", "unit": "单位",
          "submitted_on": "报送日期", "note": "备注", "county": "行政区划"}


class PlanPhaseView(ScopedModelView):
    """Each county's plan, kept by its office and read by its units (the city reads them all)."""
    route_base = "/plan/phase"
    datamodel = interface(PlanPhase)
    class_permission_name = roles.PLAN
    list_title = show_title = "推进计划"
    method_permission_name = {**VIEW_PERMISSIONS, "paper": "read", "paper_file": "read"}
    list_template = "plan/phase_list.html"
    list_columns = ["county", "position", "title", "starts_on", "ends_on", "tasks", "requirements"]
    add_columns = edit_columns = ["county", "position", "title", "starts_on", "ends_on", "tasks", "requirements"]

    @staticmethod
    def _papers():
        """附件1 of each county the reader's scope holds (his own; the city's every one)."""
        counties = db.session.scalars(select(County).where(criteria(County, current_scope())).order_by(County.id))
        return s002_a1_plan.grids(counties)

    @expose("/paper")
    @has_access
    def paper(self):
        """附件1 推进计划表 as on paper, to read and print."""
        return self.render_template("assessment/print.html", grids=self._papers(),
                                    back=url_for("PlanPhaseView.list"), downloads=[
                                        ("下载 Excel", url_for("PlanPhaseView.paper_file", fmt="xlsx")),
                                        ("下载 Word", url_for("PlanPhaseView.paper_file", fmt="docx"))])

    @expose("/paper.<fmt>")
    @has_access
    def paper_file(self, fmt):
        return download.paper(self._papers(), s002_a1_plan.TITLE, fmt)
    show_columns = add_columns + ["deliverables"]
    label_columns = LABELS
    formatters_columns = {"starts_on": cn_date, "ends_on": cn_date}
    base_order = ("position", "asc")


class PlanDeliverableView(ScopedModelView):
    route_base = "/plan/deliverable"
    datamodel = interface(PlanDeliverable)
    class_permission_name = roles.PLAN
    method_permission_name = VIEW_PERMISSIONS
    list_title = show_title = "报送材料及期限"
    list_columns = ["phase", "name", "due_on"]
    add_columns = edit_columns = show_columns = ["phase", "name", "due_on"]
    label_columns = LABELS
    formatters_columns = {"due_on": cn_date}
    base_order = ("due_on", "asc")


class PlanSubmissionView(ScopedModelView):
    route_base = "/plan/submission"
    datamodel = interface(PlanSubmission)
    class_permission_name = roles.PLAN_SUBMISSION
    method_permission_name = {**VIEW_PERMISSIONS, "status": "read"}
    list_title = show_title = add_title = edit_title = "推进计划报送"
    list_columns = ["deliverable", "unit", "submitted_on", "note"]
    add_columns = edit_columns = show_columns = ["deliverable", "unit", "submitted_on", "note"]
    search_columns = ["deliverable", "unit"]
    label_columns = LABELS
    formatters_columns = {"submitted_on": cn_date}
    base_order = ("submitted_on", "desc")

    @expose("/status")
    @has_access
    def status(self):
        """A unit × deliverable table: whether each is in and when; ``?overdue=1`` only the units
        with something overdue."""
        today = date.today()
        columns, rows = services.grid(current_scope())
        overdue = sum(s.state(today) is PlanState.OVERDUE for r in rows for s in r.cells.values())
        if request.args.get("overdue"):
            rows = [r for r in rows if r.overdue(today)]
        return self.render_template("plan/status.html", columns=columns, rows=paging.of_list(rows), today=today,
                                    overdue=overdue)


def register(appbuilder):
    menu = dict(category=roles.PLAN_MENU, category_label="推进计划", category_icon="fa-calendar")
    appbuilder.add_view(PlanPhaseView, roles.PLAN, label="推进计划表", icon="fa-calendar", **menu)
    appbuilder.add_view(PlanDeliverableView, roles.PLAN_DELIVERABLES, label="报送材料及期限", icon="fa-file-text-o", **menu)
    appbuilder.add_view(PlanSubmissionView, roles.PLAN_SUBMISSION, label="报送登记", icon="fa-inbox", **menu)
    appbuilder.add_link(roles.PLAN_STATUS, label="报送情况", href="/plan/submission/status", icon="fa-tasks", **menu)
    appbuilder.add_link(roles.PLAN_OVERDUE, label="逾期未报", href="/plan/submission/status?overdue=1",
                        icon="fa-clock-o", **menu)
