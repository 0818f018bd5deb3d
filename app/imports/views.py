"""Pages: import a unit's 花名册 and its risk registers from Excel (the 职权目录's
import is the catalogue's own page).  Only those who keep a unit's data
(``roles.IMPORTS``: the unit's administrator, the county's office, the
administrator) import, and only into units of their scope; each page shows what
was just imported, linked."""
from datetime import date

from flask import abort, g, request
from flask_appbuilder import BaseView
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from sqlalchemy import select

from app.web import xlsx_response
from app.exports.xlsx import workbook
from app.extensions import db
from app.imports import people, registers
from app.imports.common import ImportRefused
from app.organisation.models import Unit
from app.security import roles
from app.security.scope import criteria, current_scope


def unit_in_scope(unit_id) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.id == unit_id, criteria(Unit, current_scope())))
    if unit is None:
        abort(404)
    return unit


def _upload(run):
    """(problems, result) of running the import on the uploaded file; a refusal writes nothing."""
    file = request.files.get("file")
    if not file or not file.filename:
        return ["请选择要导入的 .xlsx 文件。"], None
    try:
        return [], run(file.stream)
    except ImportRefused as refused:
        db.session.rollback()
        return [str(p) for p in refused.problems], None


class ImportView(BaseView):
    route_base = "/imports"
    default_view = "index"
    class_permission_name = roles.IMPORTS
    method_permission_name = {"index": "read", "people_template": "read", "register_template": "read",
                              "people": "add", "registers": "add"}

    @expose("/")
    @has_access
    def index(self):
        units = db.session.scalars(select(Unit).where(criteria(Unit, current_scope())).order_by(Unit.code)).all()
        return self.render_template("imports/index.html", units=units,
                                    catalogue=roles.may(g.user, roles.POWER, roles.ADD))

    @expose("/<int:unit_id>/people/template.xlsx")
    @has_access
    def people_template(self, unit_id):
        unit = unit_in_scope(unit_id)
        return xlsx_response(workbook([people.template(unit)]), f"{unit.name}-花名册模板.xlsx")

    @expose("/<int:unit_id>/people", methods=["GET", "POST"])
    @has_access
    def people(self, unit_id):
        unit = unit_in_scope(unit_id)
        if not roles.may(g.user, roles.PERSON, roles.PLACE):
            abort(403)
        problems, result = [], None
        if request.method == "POST":
            problems, result = _upload(lambda stream: people.import_people(unit, stream))
        return self.render_template("imports/people.html", unit=unit, problems=problems, result=result,
                                    headings=people.HEADINGS[1:])

    @expose("/<int:unit_id>/registers/<layout>.xlsx")
    @has_access
    def register_template(self, unit_id, layout):
        unit = unit_in_scope(unit_id)
        if layout not in registers.LAYOUTS:
            abort(404)
        return xlsx_response(workbook([registers.template(unit, layout)]),
                             f"{unit.name}-{registers.LAYOUTS[layout].name}模板.xlsx")

    @expose("/<int:unit_id>/registers", methods=["GET", "POST"])
    @has_access
    def registers(self, unit_id):
        unit = unit_in_scope(unit_id)
        problems, result, year = [], None, date.today().year
        round_ = request.form.get("round", type=int) or year
        if request.method == "POST":
            if not year - 1 <= round_ <= year + 1:
                problems = [f"年度应在 {year - 1} 至 {year + 1} 之间。"]
            else:
                problems, result = _upload(lambda stream: registers.import_registers(
                    unit, stream, round_, g.user.username))
        return self.render_template("imports/registers.html", unit=unit, problems=problems, result=result,
                                    layouts=registers.LAYOUTS, round=round_, years=(year - 1, year, year + 1))


def register(appbuilder):
    appbuilder.add_view(ImportView, roles.IMPORTS, label="从 Excel 导入", icon="fa-upload",
                        category=roles.ORGANISATION_MENU, category_label="组织机构", category_icon="fa-sitemap")
