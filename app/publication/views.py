"""Public pages (no login): a unit's published risks and measures, and the
print views: a person's 桌卡, a section's notice, a unit's notice board.
Each shows the content its owner signed, verified (验签)."""
from flask import abort
from flask_appbuilder import BaseView
from flask_appbuilder.views import expose
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.enums import Owner
from app.extensions import db
from app.organisation.models import Unit
from app.risks.models import RiskForm, RiskPoint
from app.workflow.flows import APPROVED
from app.workflow.signature import signed_views


def published_forms(*conditions):
    return db.session.scalars(
        select(RiskForm).where(RiskForm.published.is_(True), RiskForm.stage == APPROVED.key, *conditions)
        .options(selectinload(RiskForm.risks).selectinload(RiskPoint.measures),
                 selectinload(RiskForm.risks).selectinload(RiskPoint.methods),
                 selectinload(RiskForm.owner), selectinload(RiskForm.section))
        .order_by(RiskForm.owner_kind.desc(), RiskForm.id)).all()


class Publication(BaseView):
    route_base = "/public"
    default_view = "index"

    @expose("/")
    def index(self):
        units = db.session.scalars(select(Unit).where(Unit.id.in_(
            select(RiskForm.unit_id).where(RiskForm.published.is_(True)))).order_by(Unit.code)).all()
        return self.render_template("publication/index.html", units=units)

    @expose("/<code>")
    def unit(self, code):
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            abort(404)
        forms = published_forms(RiskForm.unit_id == unit.id)
        groups = {kind: [f for f in forms if f.owner_kind == kind.value] for kind in Owner}
        # individuals are shown by post for leaders, the rest by section
        return self.render_template("publication/unit.html", unit=unit, groups=groups, Owner=Owner,
                                    signed=signed_views(forms))

    @expose("/form/<int:form_id>")
    def print_view(self, form_id):
        forms = published_forms(RiskForm.id == form_id)
        if not forms:
            abort(404)
        form = forms[0]
        signed = signed_views(forms).get(form.id)
        if signed is None:
            abort(404)
        template = {"个人": "publication/deskcard.html", "部门": "publication/notice.html",
                    "单位": "publication/notice.html"}[form.owner_kind]
        return self.render_template(template, form=form, signed=signed)


def register(appbuilder):
    appbuilder.add_view_no_menu(Publication)
    appbuilder.add_link("PublicPages", label="公示（公开页面）", href="/public/", icon="fa-bullhorn",
                        category="Risks", category_label="廉政风险")
