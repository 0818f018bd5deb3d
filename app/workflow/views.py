"""The pages of the review: to-do list, my forms, a form with its history and
the actions open to the viewer, and the owner's confirmation and signature."""
from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import paging, versions
from app.enums import Owner
from app.errors import Refused
from app.exports import download
from app.exports.xlsx import workbook
from app.extensions import db
from app.risks import documents
from app.risks.models import RiskForm, RiskPoint
from app.security import roles
from app.security.scope import criteria, current_scope
from app.workflow import engine
from app.web import xlsx_response
from app.workflow.configure import flow_of
from app.workflow.flows import Kind

OPS = {
    "submit": lambda form, f: engine.submit(form, g.user, f.get("expected")),
    "approve": lambda form, f: engine.approve(form, g.user, f.get("opinion"), f.get("expected")),
    "return": lambda form, f: engine.send_back(form, g.user, f.get("opinion"), f.get("expected")),
    "decline": lambda form, f: engine.decline(form, g.user, f.get("opinion"), f.get("expected")),
    "peer": lambda form, f: engine.peer_comment(form, g.user, f.get("opinion")),
    "publish": lambda form, f: engine.set_published(form, g.user, True),
    "unpublish": lambda form, f: engine.set_published(form, g.user, False),
}
DONE_MESSAGES = {"submit": "已提交审核。", "approve": "已审核通过。", "return": "已退回本人修改。",
                 "decline": "您没有签字，登记表已退回您本人修改；修改后请重新提交审核。",
                 "peer": "帮查意见已记录。", "publish": "已公示。", "unpublish": "已撤销公示。"}


def load_form(form_id) -> RiskForm:
    """A form inside the viewer's scope, with its content in a few queries; else 404."""
    form = db.session.scalar(
        select(RiskForm).where(RiskForm.id == form_id, criteria(RiskForm, current_scope()))
        .options(selectinload(RiskForm.risks).selectinload(RiskPoint.measures),
                 selectinload(RiskForm.risks).selectinload(RiskPoint.methods)))
    if form is None:
        abort(404)
    return form


class FormPages(BaseView):
    route_base = "/forms"
    default_view = "todo"
    class_permission_name = roles.FORM_PAGES
    method_permission_name = {"todo": "read", "mine": "read", "page": "read", "revision": "read",
                              "download": "read", "download_docx": "read", "act": "edit", "sign": "edit", "new": "edit",
                              "pledge": "edit"}

    @expose("/todo")
    @has_access
    def todo(self):
        """The forms waiting for the viewer, longest waiting first, a page at a time."""
        forms = paging.paginate(
            select(RiskForm).where(engine.todo_criteria(g.user), criteria(RiskForm, current_scope()))
            .order_by(RiskForm.entered_stage_at, RiskForm.id)
            # the page's rows first, then their places: not joined to every waiting form before sorting
            .options(*(selectinload(relation) for relation in (RiskForm.unit, RiskForm.section, RiskForm.person,
                                                                RiskForm.owner, RiskForm.flow))))
        return self.render_template("workflow/todo.html", forms=forms, today=date.today())

    @expose("/mine")
    @has_access
    def mine(self):
        person = g.user.person
        forms = db.session.scalars(select(RiskForm).where(RiskForm.owner_id == (person.id if person else -1))
                                   .order_by(RiskForm.round.desc())).all()
        kinds = [Owner.PERSON]
        if person and person.section and person.section.head_id == person.id:
            kinds.append(Owner.SECTION)
        if person and person.is_leader:
            kinds.append(Owner.UNIT)
        return self.render_template("workflow/mine.html", forms=forms, kinds=kinds, year=date.today().year)

    @expose("/new", methods=["POST"])
    @has_access
    def new(self):
        try:
            form = engine.create_form(Owner(request.form["kind"]), int(request.form["round"]), g.user)
        except (Refused, ValueError, KeyError) as e:
            db.session.rollback()
            flash(str(e) if isinstance(e, Refused) else "请选择登记表类型和年度。", "danger")
            return redirect(url_for("FormPages.mine"))
        flash("登记表已建立。请填写第一个廉政风险点及其防控措施、监督办法。", "success")
        return redirect(url_for("RiskEditor.new", form_id=form.id))

    @expose("/<int:form_id>")
    @has_access
    def page(self, form_id):
        form = load_form(form_id)
        stage = engine.current(form)
        flow = flow_of(form)
        history = documents.history(form)
        grids, signed = documents.paper(form)
        return self.render_template(
            "workflow/form.html", form=form, stage=stage, flow=flow.all, flow_title=flow.title, Kind=Kind,
            **documents.notes(form, history, drafting=stage.kind is Kind.DRAFT),
            passed_over={s.key for s in flow.stages if engine.passed_over(form, s)},
            grids=grids, signed=signed, history=history,
            revisions=documents.revisions(form), may_act=engine.may_act(g.user, form),
            is_owner=engine.acts_as(g.user, form, engine.Actor.OWNER),
            is_peer=engine.is_peer(g.user, form),
            may_publish=roles.may(g.user, roles.RISK_FORM, roles.PUBLISH))

    @expose("/<int:form_id>/revision/<int:number>")
    @has_access
    def revision(self, form_id, number):
        form = load_form(form_id)
        grids, signed = documents.paper(form, number)
        if signed is None:
            abort(404)
        return self.render_template("workflow/revision.html", form=form, revision=signed.revision,
                                    signed=signed, grids=grids)

    @expose("/<int:form_id>.xlsx")
    @has_access
    def download(self, form_id):
        form = load_form(form_id)
        return xlsx_response(workbook(documents.paper(form)[0]), f"{form}.xlsx")

    @expose("/<int:form_id>.docx")
    @has_access
    def download_docx(self, form_id):
        form = load_form(form_id)
        return download.paper(documents.paper(form)[0], str(form), "docx")

    @expose("/<int:form_id>/act", methods=["POST"])
    @has_access
    def act(self, form_id):
        form = load_form(form_id)
        op = request.form.get("op")
        if op not in OPS:
            abort(400)
        try:
            OPS[op](form, request.form)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "danger")
        else:
            flash(DONE_MESSAGES[op], "success")
        return redirect(url_for("FormPages.page", form_id=form_id))

    @expose("/<int:form_id>/pledge", methods=["POST"])
    @has_access
    def pledge(self, form_id):
        form = load_form(form_id)
        try:
            versions.check_seen(form, versions.seen(request.form.get(versions.SEEN)))
            engine.begin_edit(form, g.user)
            form.pledge = (request.form.get("pledge") or "").strip() or None
            if "correction" in request.form:
                form.correction = (request.form.get("correction") or "").strip() or None
            db.session.commit()
            if request.form.get("then") == "submit":  # 保存并提交: what was typed is never lost
                engine.submit(form, g.user, request.form.get("expected"))
                flash(DONE_MESSAGES["submit"], "success")
            else:
                flash("已保存。", "success")
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "danger")
        return redirect(url_for("FormPages.page", form_id=form_id))

    @expose("/<int:form_id>/sign", methods=["GET", "POST"])
    @has_access
    def sign(self, form_id):
        """返回本人确认填表: the owner reads the form as it will be registered, and signs."""
        form = load_form(form_id)
        if request.method == "POST":
            try:
                revision = engine.sign(form, g.user, request.form.get("password"), request.form.get("expected"))
            except Refused as refused:
                db.session.rollback()
                flash(str(refused), "danger")
                # signed from the form's own page (it shows the whole form too): back there
                again = "FormPages.page" if request.form.get("from") == "page" else "FormPages.sign"
                return redirect(url_for(again, form_id=form_id))
            flash(f"已签字确认第 {revision.number} 版，登记表已转入下一环节。", "success")
            return redirect(url_for("FormPages.page", form_id=form_id))
        return self.render_template("workflow/sign.html", form=form, stage=engine.current(form), Kind=Kind,
                                    grids=documents.paper(form)[0], is_owner=engine.acts_as(
                                        g.user, form, engine.Actor.OWNER))


def register(appbuilder):
    from app.workflow import flow_views
    menu = dict(category=roles.RISK_MENU, category_label="廉政风险", category_icon="fa-shield")
    appbuilder.add_view(FormPages, roles.FORM_PAGES, label="我的待办", icon="fa-inbox", **menu)
    appbuilder.add_link(roles.MY_FORMS, label="我的登记表", href="/forms/mine", icon="fa-pencil-square-o", **menu)
    flow_views.register(appbuilder)
