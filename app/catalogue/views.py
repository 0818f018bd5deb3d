"""Pages: 职权 (CRUD, status, flowchart editor) and the catalogue tables."""
from flask import abort, flash, redirect, request, Response, url_for
from flask_appbuilder import BaseView
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from sqlalchemy import select
from flask_appbuilder.fieldwidgets import Select2ManyWidget

from app.catalogue import flowchart, steps, tables
from app.catalogue.importer import LAYOUT_CHOICES, ImportRefused, import_catalogue
from app.catalogue.models import Power
from app.catalogue.services import set_status
from app.enums import DisclosureForm, DisclosureScope, DisclosureTime, PowerCategory, PowerStatus
from app.errors import Refused
from app.exports import download
from app.exports.xlsx import workbook
from app.extensions import db
from app.forms import FieldRule, choice_field
from app.organisation import rules
from app.organisation.models import Unit
from app.security import roles
from app.security.scope import criteria, current_scope
from app.security.scoped_views import VIEW_PERMISSIONS, ScopedModelView, interface
from app.web import JoinedChoicesField, xlsx_response

STEP_FORM = [("name", "环节名称", "如：受理、审查、决定"), ("actor", "办理主体", "如：政务服务中心窗口"),
             ("condition", "条件", "办理该环节须具备的条件"), ("procedure", "程序", "具体做法"),
             ("time_limit", "期限", "如：5个工作日"), ("supervision", "监督方式", "如：电子监察、纪检监督")]


def _chart(power) -> str:
    """The flowchart with each step's highest risk level marked."""
    from app.risks.queries import step_levels
    return flowchart.for_power(power, step_levels(power.id))


class PowerView(ScopedModelView):
    route_base = "/power"
    datamodel = interface(Power)
    class_permission_name = roles.POWER
    method_permission_name = {**VIEW_PERMISSIONS, "flowchart": "read", "steps": "edit",
                              "confirm": "edit", "publish": "edit", "redraft": "edit"}
    list_title, show_title, add_title, edit_title = "职权目录", "职权详情", "新增职权", "修改职权"
    show_template = "catalogue/power_show.html"
    list_columns = ["name", "unit", "category", "section", "status"]
    add_columns = edit_columns = ["unit", "name", "category", "subject", "basis", "disclosure_forms",
                                  "disclosure_scope", "disclosure_time", "fee", "section", "remarks"]
    show_fieldsets = [
        ("职权", {"fields": ["unit", "name", "category", "subject", "basis", "section", "status"]}),
        ("公开与收费", {"fields": ["disclosure_forms", "disclosure_scope", "disclosure_time", "fee", "remarks"]}),
    ]
    search_columns = ["name", "unit", "category", "status", "section", "basis"]
    label_columns = {"unit": "单位", "name": "权力名称", "category": "权力类别", "subject": "实施主体",
                     "basis": "实施依据", "disclosure_forms": "公开形式", "disclosure_scope": "公开范围",
                     "disclosure_time": "公开时间", "fee": "收费依据和标准", "section": "承办机构/处室",
                     "remarks": "备注", "status": "状态"}
    description_columns = {
        "basis": "法律、法规、规章和有关文件全称，注明发布时间、文号及具体条款",
        "fee": "列明收费依据名称及具体条款；不收费的，直接填写「不收费」",
        "subject": "不填则为本单位"}
    add_form_extra_fields = edit_form_extra_fields = {
        "category": choice_field(PowerCategory, "权力类别"),
        "disclosure_forms": JoinedChoicesField("公开形式", choices=DisclosureForm.choices(),
                                               widget=Select2ManyWidget()),
        "disclosure_scope": choice_field(DisclosureScope, "公开范围", required=False),
        "disclosure_time": choice_field(DisclosureTime, "公开时间", required=False),
    }
    base_order = ("id", "asc")
    formatters_columns = {key: (lambda v: v or "") for key in
                          ("remarks", "section", "disclosure_forms", "disclosure_scope", "disclosure_time")}
    validators_columns = {"section": [FieldRule(rules.other_unit_error, "unit", what="承办处室")]}

    def pre_add(self, item):
        item.subject = item.subject or (item.unit.name if item.unit else None)
        item.fee = item.fee or "不收费"
        super().pre_add(item)

    def _power(self, pk) -> Power:
        power = self.datamodel.get(pk, self._base_filters)
        if power is None:
            abort(404)
        return power

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        power = self._power(pk)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=self._show(pk),
            related_views=self._related_views, power=power, svg=_chart(power))

    @expose("/<int:pk>/flowchart.svg")
    @has_access
    def flowchart(self, pk):
        return Response(_chart(self._power(pk)), mimetype="image/svg+xml")

    @expose("/<int:pk>/steps", methods=["GET", "POST"])
    @has_access
    def steps(self, pk):
        power = self._power(pk)
        if request.method == "POST":
            form, op = request.form, request.form.get("op")
            error = {
                "save": lambda: steps.save_step(power, form, form.get("step", type=int),
                                                form.get("after", type=int), form.get("label")),
                "up": lambda: steps.move_step(power, form.get("step", type=int), -1),
                "down": lambda: steps.move_step(power, form.get("step", type=int), 1),
                "delete": lambda: steps.delete_step(power, form.get("step", type=int)),
                "link": lambda: steps.add_arrow(power, form.get("source", type=int),
                                                form.get("target", type=int), form.get("label")),
                "unlink": lambda: steps.delete_arrow(power, form.get("arrow", type=int)),
            }.get(op, lambda: "未知操作。")
            try:
                error = error()
            except Refused as refused:   # a value no record may hold (app.field_limits)
                error = str(refused)
            if error:
                db.session.rollback()
                flash(error, "danger")
            return redirect(url_for("PowerView.steps", pk=pk))
        editing = request.args.get("edit", type=int)
        return self.render_template(
            "catalogue/steps.html", power=power, svg=_chart(power), fields=STEP_FORM,
            editing_step=next((s for s in power.steps if s.id == editing), None))

    def _move(self, items, status: PowerStatus):
        items = items if isinstance(items, list) else [items]
        moved, refused = set_status(items, status)
        if moved:
            flash(f"{moved} 项职权已改为「{status.value}」。", "success")
        if refused:
            flash("所选职权均未修改：" + "；".join(refused), "danger")
        return redirect(self.get_redirect())

    @action("confirm", "确认", "确认所选职权？", "fa-check")
    def confirm(self, items):
        return self._move(items, PowerStatus.CONFIRMED)

    @action("publish", "公开", "公开所选职权？", "fa-bullhorn")
    def publish(self, items):
        return self._move(items, PowerStatus.PUBLISHED)

    @action("redraft", "退回草稿", "将所选职权退回草稿？", "fa-undo")
    def redraft(self, items):
        return self._move(items, PowerStatus.DRAFT)


class CatalogueView(BaseView):
    """职权目录 tables of one unit: pages, Excel, template, import."""
    route_base = "/catalogue"
    default_view = "index"
    class_permission_name = roles.POWER
    method_permission_name = {"index": "read", "unit": "read", "download": "read", "download_docx": "read",
                              "template": "read", "upload": "add"}
    TABLES = {"summary": "附件1 行政职权目录总表", "category": "附件2 行政职权目录分表",
              "directory": "职权目录（含合计）"}

    def _unit(self, unit_id) -> Unit:
        unit = db.session.scalar(select(Unit).where(Unit.id == unit_id, criteria(Unit, current_scope())))
        if unit is None:
            abort(404)
        return unit

    def _grids(self, unit, table, category=None):
        if table == "summary":
            return [tables.summary_table(unit)]
        if table == "category":
            category = category or PowerCategory.LICENSING.value
            if category not in PowerCategory.values():
                abort(404)
            return [tables.category_table(unit, category)]
        if table == "directory":
            return [tables.directory(unit)]
        if table == "all":
            return tables.all_tables(unit)
        abort(404)

    @expose("/")
    @has_access
    def index(self):
        units = db.session.scalars(select(Unit).where(criteria(Unit, current_scope())).order_by(Unit.code)).all()
        if len(units) == 1:
            return redirect(url_for("CatalogueView.unit", unit_id=units[0].id))
        return self.render_template("catalogue/units.html", units=units)

    @expose("/<int:unit_id>/")
    @has_access
    def unit(self, unit_id):
        unit = self._unit(unit_id)
        table = request.args.get("table", "summary")
        category = request.args.get("category", PowerCategory.LICENSING.value)
        return self.render_template("catalogue/tables.html", unit=unit, table=table,
                                    drafts=tables.drafts_of(unit),
                                    category=category, grids=self._grids(unit, table, category),
                                    tables=self.TABLES, categories=PowerCategory.external())

    def _file(self, unit_id, table, fmt):
        unit = self._unit(unit_id)
        grids = self._grids(unit, table, request.args.get("category"))
        name = {"all": "职权目录全套"}.get(table) or grids[0].title
        return download.paper(grids, f"{unit.name}-{name}", fmt)

    @expose("/<int:unit_id>/<table>.xlsx")
    @has_access
    def download(self, unit_id, table):
        return self._file(unit_id, table, "xlsx")

    @expose("/<int:unit_id>/<table>.docx")
    @has_access
    def download_docx(self, unit_id, table):
        return self._file(unit_id, table, "docx")

    @expose("/<int:unit_id>/template.xlsx")
    @has_access
    def template(self, unit_id):
        """The import template: seed 002's 职权目录, or with ``?layout=000`` seed 000's 分表, one sheet per category."""
        unit = self._unit(unit_id)
        layout = "000" if request.args.get("layout") == "000" else "002"
        name = "行政职权目录分表模板" if layout == "000" else "职权目录模板"
        return xlsx_response(workbook(tables.template(unit, layout)), f"{unit.name}-{name}.xlsx")

    @expose("/<int:unit_id>/import", methods=["GET", "POST"])
    @has_access
    def upload(self, unit_id):
        """Imports a workbook in either layout; afterwards the page lists the powers just imported (drafts)."""
        unit = self._unit(unit_id)
        problems, result = [], None
        if request.method == "POST":
            file = request.files.get("file")
            if not file or not file.filename:
                problems = ["请选择要导入的 .xlsx 文件。"]
            else:
                try:
                    result = import_catalogue(unit, file.stream)
                except ImportRefused as refused:
                    db.session.rollback()
                    problems = [str(p) for p in refused.problems]
        return self.render_template("catalogue/import.html", unit=unit, problems=problems, result=result,
                                    layouts=LAYOUT_CHOICES)


def register(appbuilder):
    menu = dict(category=roles.CATALOGUE_MENU, category_label="职权目录", category_icon="fa-book")
    appbuilder.add_view(PowerView, "Power", label="职权", icon="fa-gavel", **menu)
    appbuilder.add_view(CatalogueView, "CatalogueTables", label="目录总表与分表", icon="fa-table", **menu)
