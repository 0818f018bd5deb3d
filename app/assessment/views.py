"""Pages: 季度自查 (with who has and has not filed), 专项检查 and 每半年抽查 (with
the drawn sample), 考核 and 表彰, 整改通知 (print, Excel, 跟踪回访, closing, overdue)."""
from datetime import date
from urllib.parse import quote

from flask import Response, abort, g, redirect, request, url_for
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, Select2ManyWidget, Select2Widget
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from markupsafe import Markup
from sqlalchemy import select
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from app import paging
from app.assessment import documents, rules, services
from app.assessment.hooks import Drafting, Grading, OpenNotice, Organised
from app.assessment.models import Assessment, Commendation, Inspection, RectificationNotice, SelfCheck
from app.enums import QUARTERS, Grade, InspectionKind, InspectionMethod, Standard, colour_of
from app.exports import download
from app.exports.xlsx import workbook
from app.papers import notice as notice_paper
from app.extensions import db
from app.formatting import cn_date
from app.forms import FieldRule, choice_field
from app.organisation.models import Person, Section
from app.organisation.rules import other_unit_error
from app.security import roles
from app.security.scope import criteria, current_scope
from app.security.scoped_views import VIEW_PERMISSIONS, ScopedModelView, interface
from app.web import JoinedChoicesField, attempt, parse_date, record_or_404, xlsx_response

EVALS = [f"{s.key}_eval" for s in Standard]
RATINGS = [f"{s.key}_{part}" for s in Standard for part in ("grade", "comment")]
LABELS = {
    "unit": "单位", "section": "科室", "year": "年度", "quarter": "季度", "quarter_label": "季度",
    "gap_analysis": "差距分析", "effect": "量化效果", "self_grade": "自评等次", "status": "状态",
    "filed_at": "报送时间", "filed_by": "报送人",
    **{f"{s.key}_eval": f"对照「{s.value}」自我评估" for s in Standard},
    **{f"{s.key}_grade": f"「{s.value}」等次" for s in Standard},
    **{f"{s.key}_comment": f"「{s.value}」评语" for s in Standard},
    "kind": "检查类型", "title": "检查名称", "held_on": "检查日期", "organiser": "组织单位",
    "units": "被检查单位", "sections": "被检查科室", "checked": "被检查单位", "team": "检查组成员",
    "methods": "检查方法", "findings": "检查发现的问题",
    "assessed_on": "考核日期", "inspection": "依据的检查", "grade": "综合评定等次", "feedback": "反馈意见",
    "assessed_by": "录入人", "notice": "整改通知", "commendation": "表彰",
    "number": "文号", "issued_on": "下达日期", "issuer": "下达机关", "problems": "存在的问题",
    "requirements": "整改要求", "deadline": "整改期限", "closed_on": "了结日期", "closing_note": "了结意见",
    "assessment": "考核",
}


def year_field():
    return IntegerField("年度", default=lambda: date.today().year,
                        validators=[InputRequired(message="请填写年度。"), FieldRule(rules.year_error)])


def quarter_field():
    return SelectField("季度", coerce=int, choices=list(enumerate(QUARTERS, 1)), widget=Select2Widget(),
                       validators=[DataRequired(message="请选择季度。"), FieldRule(rules.quarter_error, "year")])


def current_quarter_args() -> tuple[int, int]:
    year, quarter = rules.current_quarter()
    year, quarter = request.args.get("year", year, type=int), request.args.get("quarter", quarter, type=int)
    if quarter not in (1, 2, 3, 4):
        abort(400)
    return year, quarter


class SelfCheckView(Drafting, ScopedModelView):
    route_base = "/selfcheck"
    datamodel = interface(SelfCheck)
    class_permission_name = roles.SELF_CHECK
    method_permission_name = {**VIEW_PERMISSIONS, "filing": "read", "filing_year": "read", "filing_xlsx": "read", "filing_docx": "read", "attachment": "read",
                              "file": "file", "attach": "edit", "detach": "edit"}
    list_title, show_title, add_title, edit_title = "季度自查", "季度自查报告", "填写季度自查报告", "修改季度自查报告"
    show_template = "assessment/selfcheck_show.html"
    list_columns = ["year", "quarter_label", "unit", "section", "self_grade", "status", "filed_at"]
    add_columns = edit_columns = ["unit", "section", "year", "quarter", "gap_analysis", "effect", *EVALS, "self_grade"]
    show_fieldsets = [
        ("报告", {"fields": ["unit", "section", "year", "quarter_label", "status", "filed_at", "filed_by"]}),
        ("差距分析与量化效果", {"fields": ["gap_analysis", "effect"]}),
        ("对照考核标准自我评估", {"fields": [*EVALS, "self_grade"]}),
    ]
    search_columns = ["year", "quarter", "unit", "self_grade"]
    label_columns = LABELS
    description_columns = {
        "section": "不选科室即为单位的自查报告", "gap_analysis": "对照考核标准查找差距，分析原因",
        "effect": "用数据说明防控成效，如查找风险点数、整改问题数、群众满意率",
        **{f"{s.key}_eval": s.text for s in Standard}}
    formatters_columns = {"filed_at": cn_date, "section": lambda v: v or "（单位）"}
    add_form_extra_fields = edit_form_extra_fields = {
        "year": year_field(), "quarter": quarter_field(),
        "self_grade": choice_field(Grade, "自评等次", required=False)}
    validators_columns = {"section": [FieldRule(other_unit_error, "unit", what="科室")]}
    base_order = ("id", "desc")

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        report = record_or_404(self, pk)
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=self._show(pk),
                                    related_views=self._related_views, report=report)

    @expose("/<int:pk>/file", methods=["POST"])
    @has_access
    def file(self, pk):
        report = record_or_404(self, pk)
        attempt(lambda: services.file_self_check(report, g.user), "自查报告已报送领导小组办公室。")
        return redirect(url_for("SelfCheckView.show", pk=pk))

    @expose("/<int:pk>/attach", methods=["POST"])
    @has_access
    def attach(self, pk):
        report = record_or_404(self, pk)
        upload = request.files.get("file")
        attempt(lambda: services.attach(report, g.user, upload.filename if upload else "",
                                        upload.read() if upload else b""), "附件已上传。")
        return redirect(url_for("SelfCheckView.show", pk=pk))

    def _attachment(self, pk, attachment_id):
        report = record_or_404(self, pk)
        attachment = next((a for a in report.attachments if a.id == attachment_id), None)
        if attachment is None:
            abort(404)
        return report, attachment

    @expose("/<int:pk>/attachment/<int:attachment_id>")
    @has_access
    def attachment(self, pk, attachment_id):
        _, attachment = self._attachment(pk, attachment_id)
        return Response(services.attachment_content(attachment), mimetype="application/octet-stream", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}"})

    @expose("/<int:pk>/attachment/<int:attachment_id>/delete", methods=["POST"])
    @has_access
    def detach(self, pk, attachment_id):
        report, attachment = self._attachment(pk, attachment_id)
        attempt(lambda: services.detach(report, attachment), "附件已删除。")
        return redirect(url_for("SelfCheckView.show", pk=pk))

    @expose("/filing")
    @has_access
    def filing(self):
        """Who has and has not filed the quarter's report, in the viewer's scope."""
        year, quarter = current_quarter_args()
        rows = documents.filing(year, quarter, current_scope())
        missing = request.args.get("missing") == "1"
        return self.render_template("assessment/filing.html", year=year, quarter=quarter, quarters=QUARTERS,
                                    rows=paging.of_list([r for r in rows if not (missing and r.filed)]),
                                    missing=missing, filed=sum(r.filed for r in rows), total=len(rows))

    @expose("/filing/year")
    @has_access
    def filing_year(self):
        """A unit (and section) × quarter table of the year: who filed which quarter, and when."""
        year = request.args.get("year", rules.current_quarter()[0], type=int)
        rows = documents.filing_by_quarter(year, current_scope())
        return self.render_template("assessment/filing_year.html", year=year, quarters=QUARTERS,
                                    rows=paging.of_list(rows))

    @expose("/filing.xlsx")
    @has_access
    def filing_xlsx(self):
        year, quarter = current_quarter_args()
        grid = notice_paper.filing_grid(documents.filing(year, quarter, current_scope()), year, quarter)
        return xlsx_response(workbook([grid]), f"{grid.title}.xlsx")

    @expose("/filing.docx")
    @has_access
    def filing_docx(self):
        year, quarter = current_quarter_args()
        grid = notice_paper.filing_grid(documents.filing(year, quarter, current_scope()), year, quarter)
        return download.paper([grid], grid.title, "docx")


def _names(records) -> str:
    return "、".join(map(str, records)) or "（未选）"


class InspectionView(Organised, ScopedModelView):
    route_base = "/inspection"
    datamodel = interface(Inspection)
    class_permission_name = roles.INSPECTION
    method_permission_name = {**VIEW_PERMISSIONS, "sample": "sample"}
    list_title, show_title, add_title, edit_title = "检查与抽查", "检查详情", "新增检查", "修改检查"
    show_template = "assessment/inspection_show.html"
    list_columns = ["held_on", "kind", "title", "checked", "organiser"]
    add_columns = edit_columns = ["kind", "title", "held_on", "units", "sections", "team", "methods", "findings"]
    show_columns = ["kind", "title", "held_on", "organiser", "units", "sections", "team", "methods", "findings"]
    search_columns = ["kind", "title", "held_on", "organiser"]
    label_columns = LABELS
    description_columns = {"sections": "每半年抽查可不选，改为在详情页随机抽取科室和人员",
                           "team": "检查组组长及成员"}
    formatters_columns = {"held_on": cn_date, "units": _names, "sections": _names}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_field(InspectionKind, "检查类型"),
        "methods": JoinedChoicesField("检查方法", choices=InspectionMethod.choices(), widget=Select2ManyWidget())}
    base_order = ("held_on", "desc")

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        inspection = record_or_404(self, pk)
        sample = None
        if inspection.sample_seed is not None:
            scope = current_scope()
            sections = db.session.scalars(select(Section).where(
                Section.id.in_(inspection.sample_section_ids), criteria(Section, scope))).all()
            persons = db.session.scalars(select(Person).where(
                Person.id.in_(inspection.sample_person_ids), criteria(Person, scope))).all()
            sample = {"sections": sections, "persons": persons,
                      "reproduces": services.sample_reproduces(inspection, g.user)}
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=self._show(pk),
                                    related_views=self._related_views, inspection=inspection, sample=sample,
                                    spot_check=InspectionKind.SPOT_CHECK.value)

    @expose("/<int:pk>/sample", methods=["POST"])
    @has_access
    def sample(self, pk):
        inspection = record_or_404(self, pk)
        form = request.form
        attempt(lambda: services.draw_sample(inspection, g.user, form.get("sections", 0, type=int),
                                             form.get("persons", 0, type=int), form.get("seed", type=int)),
                "样本已随机抽取并记录。")
        return redirect(url_for("InspectionView.show", pk=pk))


class CommendationView(ScopedModelView):
    route_base = "/commendation"
    datamodel = interface(Commendation)
    class_permission_name = roles.ASSESSMENT
    base_permissions = ["can_read"]
    list_title = show_title = "表彰"
    list_columns = ["year", "unit", "title", "issued_on", "issuer"]
    show_columns = list_columns + ["assessment"]
    label_columns = {**LABELS, "title": "表彰名称"}
    formatters_columns = {"issued_on": cn_date}
    base_order = ("year", "desc")


class AssessmentView(Grading, ScopedModelView):
    route_base = "/assessment"
    datamodel = interface(Assessment)
    class_permission_name = roles.ASSESSMENT
    list_title, show_title, add_title, edit_title = "年度考核", "考核详情", "考核评定", "修改考核"
    list_columns = ["year", "unit", "grade", "assessed_on", "notice", "commendation"]
    add_columns = edit_columns = ["unit", "year", "assessed_on", "inspection", *RATINGS, "grade", "feedback"]
    show_fieldsets = [
        ("考核", {"fields": ["unit", "year", "assessed_on", "inspection", "assessed_by"]}),
        ("四项考核标准", {"fields": RATINGS}),
        ("综合评定", {"fields": ["grade", "feedback", "notice", "commendation"]}),
    ]
    search_columns = ["year", "unit", "grade"]
    label_columns = LABELS
    formatters_columns = {"assessed_on": cn_date, "notice": lambda v: v or "", "commendation": lambda v: v or ""}
    add_form_extra_fields = edit_form_extra_fields = {
        "year": year_field(),
        "grade": choice_field(Grade, "综合评定等次",
                              description="优秀的单位给予表彰；不及格的单位将生成书面整改通知"),
        "feedback": TextAreaField("反馈意见", widget=BS3TextAreaFieldWidget(), description="反馈到被考核单位",
                                  validators=[FieldRule(rules.fail_needs_feedback, "grade")]),
        **{f"{s.key}_grade": choice_field(Grade, f"「{s.value}」等次", required=False, description=s.text)
           for s in Standard}}
    base_order = ("year", "desc")
    related_views = [CommendationView]


def _status(status):
    """A notice's status in its colour (overdue ones in red)."""
    colour = colour_of(status)
    return Markup('<span class="label label-{}">{}</span>').format(colour, status) if colour else status


class NoticeView(OpenNotice, ScopedModelView):
    """整改通知: made by grading; the office adjusts, follows up and closes it."""
    route_base = "/notice"
    datamodel = interface(RectificationNotice)
    class_permission_name = roles.NOTICE
    base_permissions = ["can_read", "can_edit", roles.VISIT, roles.CLOSE]
    method_permission_name = {**VIEW_PERMISSIONS, "print_view": "read", "xlsx": "read", "docx": "read", "overdue": "read",
                              "visit": "visit", "close": "close"}
    list_title, edit_title = "整改通知", "修改整改通知"
    list_columns = ["number", "unit", "issued_on", "deadline", "status", "closed_on"]
    edit_columns = ["problems", "requirements", "deadline"]
    search_columns = ["number", "unit", "deadline", "closed_on"]
    label_columns = LABELS
    formatters_columns = {"issued_on": cn_date, "deadline": cn_date, "closed_on": cn_date, "status": _status}
    base_order = ("deadline", "asc")

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        notice = record_or_404(self, pk)
        closer = roles.may(g.user, roles.NOTICE, roles.CLOSE)
        return self.render_template("assessment/notice.html", notice=notice, grid=notice_paper.notice_grid(notice),
                                    closer=closer, today=date.today())

    @expose("/<int:pk>/print")
    @has_access
    def print_view(self, pk):
        notice = record_or_404(self, pk)
        return self.render_template("assessment/print.html", grids=[notice_paper.notice_grid(notice)],
                                    back=url_for("NoticeView.show", pk=pk))

    @expose("/<int:pk>.xlsx")
    @has_access
    def xlsx(self, pk):
        notice = record_or_404(self, pk)
        return xlsx_response(workbook([notice_paper.notice_grid(notice)]), f"整改通知-{notice.unit.name}.xlsx")

    @expose("/<int:pk>.docx")
    @has_access
    def docx(self, pk):
        record = record_or_404(self, pk)
        return download.paper([notice_paper.notice_grid(record)], f"整改通知-{record.unit.name}", "docx")

    @expose("/<int:pk>/visit", methods=["POST"])
    @has_access
    def visit(self, pk):
        notice, form = record_or_404(self, pk), request.form
        visited_on = parse_date(form.get("visited_on"))
        attempt(lambda: services.record_visit(notice, g.user, visited_on, form.get("visitors"), form.get("findings")),
                "跟踪回访已记录。")
        return redirect(url_for("NoticeView.show", pk=pk))

    @expose("/<int:pk>/close", methods=["POST"])
    @has_access
    def close(self, pk):
        notice = record_or_404(self, pk)
        attempt(lambda: services.close_notice(notice, g.user, request.form.get("note")), "整改通知已了结。")
        return redirect(url_for("NoticeView.show", pk=pk))

    @expose("/overdue")
    @has_access
    def overdue(self):
        today = date.today()
        return self.render_template("assessment/overdue.html", notices=services.overdue_notices(current_scope(), today),
                                    today=today)


def register(appbuilder):
    menu = dict(category=roles.ASSESSMENT_MENU, category_label="考核监督", category_icon="fa-check-square-o")
    appbuilder.add_view(SelfCheckView, roles.SELF_CHECK, label="季度自查", icon="fa-list-alt", **menu)
    appbuilder.add_link(roles.SELF_CHECK_FILING, label="自查报送情况", href="/selfcheck/filing", icon="fa-tasks",
                        **menu)
    appbuilder.add_view(InspectionView, roles.INSPECTION, label="检查与抽查", icon="fa-search", **menu)
    appbuilder.add_view(AssessmentView, roles.ASSESSMENT, label="年度考核", icon="fa-star-half-o", **menu)
    appbuilder.add_view_no_menu(CommendationView)
    appbuilder.add_view(NoticeView, roles.NOTICE, label="整改通知", icon="fa-exclamation-circle", **menu)
    appbuilder.add_link(roles.OVERDUE_NOTICES, label="逾期整改通知", href="/notice/overdue", icon="fa-clock-o", **menu)
