"""Pages for risk points, their measures and supervision methods, rules, and
the list of registers."""
from flask import redirect, url_for
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose

from app.enums import ControlStage, RiskLevel, RiskType, RuleKind
from app.catalogue.models import FlowStep, Power
from app.forms import FieldRule, choice_field
from app.risks import rules
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import select
from app.security.scope import criteria, current_scope
from app.risks.content import FormContent
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, Rule, SupervisionMethod
from app.security import roles
from app.security.scoped_views import ScopedModelView, interface

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


class SupervisionMethodView(FormContent, ScopedModelView):
    route_base = "/method"
    datamodel = interface(SupervisionMethod)
    class_permission_name = roles.RISK_CONTENT
    list_title, add_title, edit_title, show_title = "监督办法", "新增监督办法", "修改监督办法", "监督办法"
    list_columns = ["content", "risk"]
    add_columns = edit_columns = show_columns = ["risk", "content"]
    label_columns = {**LABELS, "content": "监督办法"}


class ControlMeasureView(FormContent, ScopedModelView):
    route_base = "/control"
    datamodel = interface(ControlMeasure)
    class_permission_name = roles.RISK_CONTENT
    list_title, add_title, edit_title, show_title = "防控措施", "新增防控措施", "修改防控措施", "防控措施"
    list_columns = ["stage", "content", "responsible", "risk"]
    add_columns = edit_columns = show_columns = ["risk", "stage", "content", "responsible"]
    search_columns = ["stage", "content", "responsible"]
    label_columns = {**LABELS, "content": "措施内容"}
    add_form_extra_fields = edit_form_extra_fields = {"stage": choice_field(ControlStage, "防控阶段")}


class RiskPointView(FormContent, ScopedModelView):
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
    description_columns = {
        "level": "一级：可能违反党纪国法，纪检监察监控；二级：可能违反党委政府规章制度，效能监察监控；"
                 "三级：可能违反单位内部制度，部门领导监控",
        "risk_type": "个人：思想道德、岗位职责；部门：岗位职责、制度机制；单位：制度机制",
        "step": "风险点所在的权力运行流程环节（可不填），流程图上将标出该环节"}
    add_form_extra_fields = edit_form_extra_fields = {
        "risk_type": choice_field(RiskType, "风险类别"), "level": choice_field(RiskLevel, "风险等级")}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"step": [["id", StepInScope, None]]}
    validators_columns = {"step": [FieldRule(rules.other_power_error, "power")]}
    formatters_columns = {"power": lambda v: v or "", "step": lambda v: v or ""}
    related_views = [ControlMeasureView, SupervisionMethodView]
    base_order = ("id", "asc")

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
    menu = dict(category=roles.RISK_MENU, category_label="廉政风险", category_icon="fa-shield")
    appbuilder.add_view_no_menu(ControlMeasureView)
    appbuilder.add_view_no_menu(SupervisionMethodView)
    appbuilder.add_view(RiskFormView, "RiskForm", label="登记表", icon="fa-file-text-o", **menu)
    appbuilder.add_view(RiskPointView, roles.RISK_CONTENT, label="廉政风险点", icon="fa-exclamation-triangle", **menu)
    appbuilder.add_view(RuleView, "Rule", label="制度", icon="fa-balance-scale", **menu)
