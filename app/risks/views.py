"""Pages for risk points, their measures and supervision methods, rules, and
the list of registers."""
from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from flask_appbuilder.widgets import ListWidget, ShowWidget

from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import select

from app.catalogue.models import FlowStep, Power
from app.enums import ControlStage, Owner, RiskLevel, RiskType, RuleKind
from app.extensions import db
from app.forms import FieldRule, choice_field
from app.risks import rules
from app.risks.content import FormContent, form_of, refusal
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, Rule, SupervisionMethod
from app.security import roles
from app.security.scope import criteria, current_scope
from app.security.scoped_views import ScopedModelView, interface
from app.workflow.flows import Kind, stage

LABELS = {"form": "登记表", "risk_type": "风险类别", "content": "具体内容及表现形式", "level": "风险等级",
          "monitor": "监控主体", "power": "所涉职权", "step": "所涉流程环节", "unit": "单位",
          "section": "科室", "owner": "本人/责任人", "owner_kind": "类型", "stage": "防控阶段",
          "responsible": "责任人", "risk": "风险点", "name": "制度名称", "kind": "类型",
          "issued_on": "印发时间", "risks": "所针对的风险点", "round": "年度", "person": "工作人员",
          "revision": "版本", "signed_revision": "已签字版本", "published": "已公示",
          "entered_stage_at": "进入本环节时间", "pledge": "个人廉政承诺", "correction": "改正意见"}


class StepInScope(BaseFilter):
    """Flowchart steps of the powers the viewer may see."""
    name, arg_name = "数据范围", "step_scope"

    def apply(self, query, value):
        return query.filter(FlowStep.power_id.in_(select(Power.id).where(criteria(Power, current_scope()))))


def writable_rows(model, pks, user) -> set:
    """Which of the rows ``pks`` of ``model`` sit on a form ``user`` may still write
    (his own, with him at 自查拟写): one query for a page of rows."""
    person = getattr(user, "person", None)
    if not pks or person is None:
        return set()
    query = select(model.id, RiskForm.owner_kind, RiskForm.stage)
    if model is not RiskPoint:
        query = query.join(RiskPoint, RiskPoint.id == model.risk_id)
    query = query.join(RiskForm, RiskForm.id == RiskPoint.form_id)
    rows = db.session.execute(query.where(model.id.in_([int(pk) for pk in pks]), RiskForm.owner_id == person.id))
    return {pk for pk, kind, key in rows if stage(Owner(kind), key).kind is Kind.DRAFT}


def rows_widget(model):
    """A list widget that offers edit and delete only on rows their viewer may still write."""
    class ContentListWidget(ListWidget):
        template = "risks/content_list.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.template_args["writable"] = writable_rows(model, kwargs.get("pks") or [], g.user)
    return ContentListWidget


def _in_scope(model, pk):
    return db.session.scalar(select(model).where(model.id == pk, criteria(model, current_scope())))


def back_to_form():
    """The register the record of a content page belongs to, for its back link; None on other pages."""
    model = {"RiskPointView": RiskPoint, "ControlMeasureView": ControlMeasure,
             "SupervisionMethodView": SupervisionMethod}.get((request.endpoint or "").split(".")[0])
    pk = str((request.view_args or {}).get("pk", ""))
    if model is not None and pk.isdigit():
        item = _in_scope(model, int(pk))
    elif request.args.get("_flt_0_risk", type=int):    # an add page opened from a risk
        item = _in_scope(RiskPoint, request.args.get("_flt_0_risk", type=int))
    elif request.args.get("_flt_0_form", type=int):    # an add page opened from a register
        return _in_scope(RiskForm, request.args.get("_flt_0_form", type=int))
    else:
        return None
    return form_of(item) if item is not None else None


class ContentShowWidget(ShowWidget):
    template = "risks/show_widget.html"


class ContentPages:
    """Mixin for the pages of a form's content: a frozen form (or another's) offers
    no edit page, its rows no edit or delete icon, and each page leads back to its
    register; the writes themselves are refused by app.risks.content all the same."""

    show_template = "risks/content_show.html"
    edit_template = "risks/content_edit.html"
    add_template = "risks/content_add.html"
    show_widget = ContentShowWidget

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        if request.method == "GET":
            item = self.datamodel.get(pk, self._base_filters)
            reason = refusal(form_of(item), g.user) if item is not None else None
            if reason:
                flash(reason, "warning")
                return redirect(url_for("FormPages.page", form_id=form_of(item).id))
        return super().edit(pk)


class SupervisionMethodView(ContentPages, FormContent, ScopedModelView):
    route_base = "/method"
    datamodel = interface(SupervisionMethod)
    class_permission_name = roles.RISK_CONTENT
    list_title, add_title, edit_title, show_title = "监督办法", "新增监督办法", "修改监督办法", "监督办法"
    list_columns = ["content", "risk"]
    add_columns = edit_columns = show_columns = ["risk", "content"]
    label_columns = {**LABELS, "content": "监督办法"}
    list_widget = rows_widget(SupervisionMethod)


class ControlMeasureView(ContentPages, FormContent, ScopedModelView):
    route_base = "/control"
    datamodel = interface(ControlMeasure)
    class_permission_name = roles.RISK_CONTENT
    list_title, add_title, edit_title, show_title = "防控措施", "新增防控措施", "修改防控措施", "防控措施"
    list_columns = ["stage", "content", "responsible", "risk"]
    add_columns = edit_columns = show_columns = ["risk", "stage", "content", "responsible"]
    search_columns = ["stage", "content", "responsible"]
    label_columns = {**LABELS, "content": "措施内容"}
    add_form_extra_fields = edit_form_extra_fields = {"stage": choice_field(
        ControlStage, "防控阶段", blank="请选择防控阶段",
        description="；".join(f"{s.value}：{s.hint}" for s in ControlStage))}
    list_widget = rows_widget(ControlMeasure)


class RiskPointView(ContentPages, FormContent, ScopedModelView):
    route_base = "/risk"
    datamodel = interface(RiskPoint)
    class_permission_name = roles.RISK_CONTENT
    list_title, add_title, edit_title, show_title = "廉政风险点", "新增廉政风险点", "修改廉政风险点", "廉政风险点"
    list_columns = ["content", "risk_type", "level", "monitor", "owner", "unit", "form"]
    add_columns = edit_columns = ["form", "risk_type", "content", "level", "power", "step"]
    show_columns = ["form", "owner", "unit", "section", "risk_type", "content", "level", "monitor",
                    "power", "step"]
    # relation filters render every choice: only small tables (units) are offered
    search_columns = ["content", "risk_type", "level", "owner_kind", "unit"]
    label_columns = LABELS
    description_columns = {"step": "风险点所在的权力运行流程环节（可不填），流程图上将标出该环节"}
    # the help written for 类别 and 等级 shown at the field; nothing chosen until the user chooses
    add_form_extra_fields = edit_form_extra_fields = {
        "risk_type": choice_field(RiskType, "风险类别", blank="请选择风险类别",
                                  description="；".join(f"{t.value}：{t.hint}" for t in RiskType)),
        "level": choice_field(RiskLevel, "风险等级", blank="请选择风险等级",
                              description="；".join(f"{v.value}：{v.hint}" for v in RiskLevel))}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"step": [["id", StepInScope, None]]}
    validators_columns = {"step": [FieldRule(rules.other_power_error, "power")]}
    formatters_columns = {"power": lambda v: v or "", "step": lambda v: v or ""}
    base_order = ("id", "asc")
    show_template = "risks/risk_show.html"
    list_widget = rows_widget(RiskPoint)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The risk with its measures and methods, a way back to its register, and the
        one-page editor offered only while the viewer may still write it."""
        widgets = self._show(pk)
        risk = self.datamodel.get(pk, self._base_filters)
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    risk=risk, writable=refusal(risk.form, g.user) is None)

    def post_add_redirect(self):
        return self._back_to_form()

    def post_edit_redirect(self):
        return self._back_to_form()

    def _back_to_form(self):
        from flask import request
        form_id = request.args.get("_flt_0_form") or request.form.get("form")
        if form_id:
            return redirect(url_for("FormPages.page", form_id=form_id))
        return redirect(self.get_redirect())


class RuleView(ScopedModelView):
    route_base = "/rule"
    datamodel = interface(Rule)
    class_permission_name = roles.RULE
    list_title, add_title, edit_title, show_title = "制度", "新增制度", "修改制度", "制度"
    list_columns = ["name", "kind", "unit", "section", "issued_on"]
    add_columns = edit_columns = show_columns = ["unit", "section", "name", "kind", "issued_on",
                                                 "content", "risks"]
    search_columns = ["name", "kind", "unit", "section"]
    label_columns = {**LABELS, "content": "主要内容"}
    add_form_extra_fields = edit_form_extra_fields = {"kind": choice_field(RuleKind, "类型")}


class RiskFormView(ScopedModelView):
    """登记表 list; a form opens on its own page."""
    route_base = "/register"
    datamodel = interface(RiskForm)
    class_permission_name = roles.RISK_FORM
    base_permissions = ["can_read"]
    list_title = "登记表"
    list_columns = ["round", "owner_kind", "owner", "unit", "section", "stage_label", "revision",
                    "signed_revision", "published"]
    search_columns = ["round", "owner_kind", "unit", "stage", "published"]
    label_columns = {**LABELS, "stage_label": "当前环节", "stage": "当前环节"}
    base_order = ("id", "desc")
    formatters_columns = {"published": lambda v: "是" if v else "否"}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        if self.datamodel.get(pk, self._base_filters) is None:
            from flask import abort
            abort(404)
        return redirect(url_for("FormPages.page", form_id=pk))


def register(appbuilder):
    from app.risks.editor import RiskEditor
    menu = dict(category=roles.RISK_MENU, category_label="廉政风险", category_icon="fa-shield")
    current_app.add_template_global(back_to_form, "form_back")
    appbuilder.add_view_no_menu(RiskEditor)
    appbuilder.add_view_no_menu(ControlMeasureView)
    appbuilder.add_view_no_menu(SupervisionMethodView)
    appbuilder.add_view(RiskFormView, "RiskForm", label="登记表", icon="fa-file-text-o", **menu)
    appbuilder.add_view(RiskPointView, roles.RISK_CONTENT, label="廉政风险点", icon="fa-exclamation-triangle", **menu)
    appbuilder.add_view(RuleView, "Rule", label="制度", icon="fa-balance-scale", **menu)
