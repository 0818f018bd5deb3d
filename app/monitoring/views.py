"""Pages: 监测信息, 措施落实 (with the quarter's checked and unchecked measures), 预警规则,
预警 (handled and closed on its page), the 廉情 picture, and the yearly rounds
(start the next one, what changed per register and per unit, two rounds side by side)."""
from datetime import date
from urllib.parse import quote

from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, Select2Widget
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from markupsafe import Markup
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from app.archives.hooks import Placing
from app.archives.rules import past_date_error
from app.enums import (QUARTERS, CheckResult, DispositionKind, DispositionOutcome, RiskLevel, SignalSource,
                       Verification, WarningColour, WarningRuleKind, WarningState)
from app.errors import Refused
from app.exports.xlsx import workbook
from app.extensions import db
from app.formatting import cn_date, yes_no
from app.forms import FieldRule
from app.monitoring import access, picture, rounds, rules, services, validation
from app.monitoring.models import MeasureCheck, RiskWarning, Signal, WarningRule
from app.organisation.models import Person, Section, Unit
from app.risks.models import ControlMeasure, RiskForm, RiskPoint
from app.security import roles
from app.security.choices import SearchedChoice
from app.security.scope import criteria, current_scope
from app.security.scoped_views import VIEW_PERMISSIONS, ScopedModelView, interface
from app.workflow.flows import APPROVED
from app.web import attempt, parse_date, record_or_404, xlsx_response

LABELS = {
    "source": "信息来源", "received_on": "获取日期", "unit": "单位", "section": "科室", "person": "工作人员",
    "subject": "涉及对象", "risk": "风险点", "measure": "防控措施", "content": "内容", "score": "满意率（%）",
    "verification": "核实情况", "verification_note": "核实说明", "reporter": "举报人",
    "recorded_by": "登记人", "recorded_at": "登记时间",
    "year": "年度", "quarter": "季度", "quarter_label": "季度", "result": "落实情况", "evidence": "落实情况及佐证",
    "checked_on": "检查日期", "checked_by": "检查人", "owner": "责任人（登记表本人）",
    "name": "规则名称", "kind": "预警条件", "colour": "预警颜色", "level": "风险等级", "count": "次数（不少于）",
    "months": "期间（月）", "threshold": "满意率低于（%）", "days": "逾期超过（天）", "enabled": "启用",
    "description": "说明", "params": "参数",
    "rule": "预警规则", "raised_at": "预警时间", "status": "状态", "state": "状态", "facts_shown": "预警事实",
    "decision": "处置方式", "decided_on": "处置日期", "deadline": "整改期限", "closed_on": "了结日期",
}


def _colour(value):
    if value not in WarningColour.values():
        return value or ""
    c = WarningColour(value)
    return Markup('<span class="label" style="background:{}">{}</span>').format(c.css, c.label)


def _status(value):
    red = value in ("逾期未了结", "超期未处置")
    return Markup('<span class="label label-danger">{}</span>').format(value) if red else value


class InScope(SearchedChoice):
    """A related record chosen among those in the viewer's scope (and ``where()``),
    searched as one types (``app.security.choices``); anything else is refused in
    Chinese at the field (``explain`` may say more about a record that exists).
    ``rules`` are field validators run on a chosen record."""

    def __init__(self, label, model, order, where=None, explain=None, required=False, description="",
                 get_label=None, rules=(), **kwargs):
        first = InputRequired(message=f"请选择{label}。") if required else Optional()
        super().__init__(label, [first, *rules], model=model, where=where, order=order, get_label=get_label,
                         description=description, **kwargs)
        self.explain = explain

    def refusal(self, raw) -> str:
        record = db.session.get(self.model, int(raw)) if str(raw).isdigit() else None
        message = self.explain(record) if self.explain and record is not None else None
        return message or f"所选{self.label.text}不存在或不在您的数据范围内。"


class OptionalInteger(IntegerField):
    """An integer that may be left empty (None); anything else that is not a number is refused in Chinese."""

    def process_formdata(self, valuelist):
        if valuelist and str(valuelist[0]).strip() == "":
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请填写整数。")


def enum_field(enum, label, required=True, rules=(), description=""):
    """A select over one of ``app.enums`` with field rules (an extra field gets no ``validators_columns``)."""
    choices = enum.choices() if required else [("", "（未填）")] + enum.choices()
    first = DataRequired(message=f"请选择{label}。") if required else Optional()
    return SelectField(label, choices=choices, description=description, widget=Select2Widget(),
                       default=None if required else "", validators=[first, *rules])


def _rounds():
    """This round's and last round's registers: what signals and checks are about."""
    return RiskForm.round >= date.today().year - 1


def _risks_of_rounds():
    return [RiskPoint.form_id.in_(select(RiskForm.id).where(_rounds()))]


def _measures_of_rounds(approved=False):
    forms = select(RiskForm.id).where(_rounds(), *([RiskForm.stage == APPROVED.key] if approved else []))
    return [ControlMeasure.risk_id.in_(select(RiskPoint.id).where(RiskPoint.form_id.in_(forms)))]


def _risk_label(risk):
    return f"{risk.form.round}年 {risk.owner.name} {risk.level}：{risk.content[:30]}"


def _signal_fields():
    return {
        "source": enum_field(SignalSource, "信息来源", rules=[FieldRule(validation.source_error)]),
        "verification": enum_field(Verification, "核实情况"),
        "person": InScope("工作人员", Person, [Person.unit_id, Person.id], rules=[FieldRule(validation.person_error)]),
        "section": InScope("科室", Section, [Section.unit_id, Section.id],
                           rules=[FieldRule(validation.section_error, "person")]),
        "unit": InScope("单位", Unit, [Unit.code], rules=[FieldRule(validation.unit_error, "person", "section")]),
        "risk": InScope("风险点", RiskPoint, [RiskPoint.id.desc()], where=_risks_of_rounds, get_label=_risk_label,
                        rules=[FieldRule(validation.risk_error, "person")]),
        "measure": InScope("防控措施", ControlMeasure, [ControlMeasure.id.desc()], where=_measures_of_rounds,
                           get_label=lambda m: f"{m.risk.owner.name}｜{m.stage}：{m.content[:30]}",
                           rules=[FieldRule(validation.measure_of_risk_error, "risk")]),
        "score": OptionalInteger("满意率（%）", description="民主测评时填写", validators=[FieldRule(validation.score_error)]),
    }


class SignalView(Placing, ScopedModelView):
    """监测信息: 信访举报 only for readers of them (``access.readable_signals``)."""
    route_base = "/signal"
    datamodel = interface(Signal)
    class_permission_name = roles.SIGNAL
    base_filters = [["id", access.ReadableSignals, None]]
    list_title, show_title, add_title, edit_title = "监测信息", "监测信息", "登记监测信息", "修改监测信息"
    list_columns = ["received_on", "source", "subject", "unit", "verification", "score", "recorded_by"]
    add_columns = edit_columns = ["source", "received_on", "person", "section", "unit", "risk", "measure", "content",
                                  "score", "verification", "verification_note", "reporter"]
    show_fieldsets = [("监测信息", {"fields": ["source", "received_on", "unit", "section", "person", "risk", "measure",
                                             "content", "score"]}),
                      ("核实", {"fields": ["verification", "verification_note", "reporter", "recorded_by",
                                         "recorded_at"]})]
    search_columns = ["source", "received_on", "unit", "verification"]
    label_columns = LABELS
    description_columns = {
        "person": "关于个人的选工作人员；关于科室的只选科室；关于单位的只选单位",
        "risk": "涉及某个廉政风险点时选择（本年度和上年度）",
        "verification": "经核实“属实”“部分属实”的才计入预警",
        "reporter": "仅信访举报填写；只有纪检监察机关可见，不向被反映单位显示"}
    formatters_columns = {"received_on": cn_date, "recorded_at": cn_date, "section": lambda v: v or "",
                          "person": lambda v: v or "", "risk": lambda v: v or "", "score": lambda v: "" if v is None else v}
    add_form_extra_fields = edit_form_extra_fields = _signal_fields()
    validators_columns = {
        "received_on": [FieldRule(lambda d: past_date_error(d, "获取日期"))],
        "reporter": [FieldRule(validation.reporter_error, "source")],
    }
    base_order = ("received_on", "desc")

    def pre_add(self, item):
        item.verification = item.verification or Verification.PENDING.value
        super().pre_add(item)
        item.recorded_by, item.recorded_at = services.actor_name(g.user), services.clock()

    def post_add(self, item):
        _announce(services.signal_saved(item))

    def post_update(self, item):
        _announce(services.signal_saved(item))

    def pre_delete(self, item):
        if services.warnings_resting_on(item):
            raise Refused("已据此信息生成预警，不能删除。")


def _announce(raised):
    if raised:
        flash(f"据此信息生成预警 {len(raised)} 条。", "warning")


# ── 措施落实 ─────────────────────────────────────────────────────────────
def _approved_measures():
    return _measures_of_rounds(approved=True)


def _measure_label(m):
    return f"{m.risk.owner.name}｜{m.risk.level}「{m.risk.content[:20]}」｜{m.stage}：{m.content[:24]}"


class CheckView(Placing, ScopedModelView):
    route_base = "/measurecheck"
    datamodel = interface(MeasureCheck)
    class_permission_name = roles.MEASURE_CHECK
    method_permission_name = {**VIEW_PERMISSIONS, "quarter": "read", "attach": "edit", "evidence": "read"}
    list_title, show_title, add_title, edit_title = "措施落实", "措施落实检查", "登记措施落实情况", "修改措施落实情况"
    show_template = "monitoring/check_show.html"
    list_columns = ["year", "quarter_label", "owner", "measure", "result", "checked_on", "checked_by"]
    add_columns = edit_columns = ["measure", "year", "quarter", "result", "evidence", "checked_on"]
    show_columns = ["unit", "section", "owner", "risk", "measure", "year", "quarter_label", "result", "evidence",
                    "checked_on", "checked_by"]
    search_columns = ["year", "quarter", "result", "unit", "section"]
    label_columns = LABELS
    formatters_columns = {"checked_on": cn_date, "section": lambda v: v or "",
                          "result": lambda v: Markup('<span class="label label-danger">{}</span>').format(v)
                          if v == CheckResult.NOT_DONE.value else v}
    add_form_extra_fields = edit_form_extra_fields = {
        "measure": InScope("防控措施", ControlMeasure, [ControlMeasure.owner_id, ControlMeasure.id],
                           where=_approved_measures, explain=validation.measure_error, required=True,
                           description="只能选择已审定登记表中的防控措施", get_label=_measure_label),
        "year": IntegerField("年度", default=lambda: date.today().year,
                             validators=[InputRequired(message="请填写年度。")]),
        "quarter": SelectField("季度", coerce=int, choices=list(enumerate(QUARTERS, 1)), widget=Select2Widget(),
                               default=lambda: (date.today().month - 1) // 3 + 1,
                               validators=[FieldRule(validation.quarter_error, "year")]),
        "result": enum_field(CheckResult, "落实情况"),
        "evidence": TextAreaField("落实情况及佐证", widget=BS3TextAreaFieldWidget(),
                                  validators=[InputRequired(message="请填写落实情况及佐证。")]),
    }
    validators_columns = {"checked_on": [FieldRule(lambda d: past_date_error(d, "检查日期"))]}
    base_order = ("id", "desc")

    def pre_add(self, item):
        super().pre_add(item)
        item.checked_by = services.actor_name(g.user)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        check = record_or_404(self, pk)
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=self._show(pk),
                                    related_views=self._related_views, check=check,
                                    files=services.evidence_files(check.id))

    @expose("/<int:pk>/attach", methods=["POST"])
    @has_access
    def attach(self, pk):
        check = record_or_404(self, pk)
        upload = request.files.get("file")
        attempt(lambda: services.attach_evidence(check, g.user, upload.filename if upload else "",
                                                 upload.read() if upload else b""), "佐证材料已上传。")
        return redirect(url_for("CheckView.show", pk=pk))

    @expose("/<int:pk>/evidence/<int:file_id>")
    @has_access
    def evidence(self, pk, file_id):
        check = record_or_404(self, pk)
        found = services.evidence_file(check.id, file_id)
        if found is None:
            abort(404)
        return Response(found.content, mimetype="application/octet-stream", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}"})

    @expose("/quarter")
    @has_access
    def quarter(self):
        """A unit's (or section's) measures of the quarter: checked with what result, or unchecked."""
        year = request.args.get("year", date.today().year, type=int)
        quarter = request.args.get("quarter", (date.today().month - 1) // 3 + 1, type=int)
        if quarter not in (1, 2, 3, 4):
            abort(400)
        scope = current_scope()
        units = db.session.scalars(select(Unit).where(criteria(Unit, scope)).order_by(Unit.code)).all()
        unit_id = request.args.get("unit", type=int) or (units[0].id if len(units) == 1 else None)
        if unit_id and unit_id not in {u.id for u in units}:
            abort(404)
        section_id = request.args.get("section", type=int)
        lines = services.quarter_checks(year, quarter, unit_id, section_id) if unit_id else []
        return self.render_template("monitoring/quarter.html", year=year, quarter=quarter, quarters=QUARTERS,
                                    units=units, unit_id=unit_id, lines=lines,
                                    unchecked=sum(c is None for _, c in lines))


# ── 预警规则 ─────────────────────────────────────────────────────────────
def _param(name):
    return [FieldRule(lambda kind, value: rules.param_error(kind, name, None if value == "" else value), "kind")]


def _param_select(enum, name):
    """An optional select whose need depends on the rule's kind (so no Optional() ending the checks)."""
    return SelectField(LABELS[name], choices=[("", "（不需要）")] + enum.choices(), widget=Select2Widget(),
                       default="", validators=_param(name))


class WarningRuleView(ScopedModelView):
    """A county's rules are its office's (a new one goes to its county); a rule with
    no county is city-wide, the administrator's."""
    route_base = "/warning/rule"
    datamodel = interface(WarningRule)
    class_permission_name = roles.WARNING_RULE
    method_permission_name = {**VIEW_PERMISSIONS, "run": "edit"}
    list_title, show_title, add_title, edit_title = "预警规则", "预警规则", "新增预警规则", "修改预警规则"
    list_template = "monitoring/rules.html"
    list_columns = ["name", "county", "kind", "params", "colour", "enabled"]
    add_columns = edit_columns = ["county", "name", "kind", "source", "level", "count", "months", "threshold", "days",
                                  "colour", "enabled", "description"]
    show_columns = ["county", "name", "kind", "params", "colour", "enabled", "description"]
    label_columns = {**LABELS, "county": "所属县（空为全市）"}
    formatters_columns = {"colour": _colour, "enabled": yes_no}
    description_columns = {
        "kind": "；".join(f"{k.value}：{text}" for k, text in rules.EXPLAINED.items()),
        "source": "“经核实的监测信息涉及风险”“同一人多次经核实的监测信息”填写",
        "level": "“风险措施未落实或未检查”“经核实的监测信息涉及风险”填写",
        "colour": "；".join(f"{c.label}由{c.handled_by}（{'、'.join(access.handlers_of(c))}）处置"
                            for c in WarningColour)}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": enum_field(WarningRuleKind, "预警条件"),
        "colour": enum_field(WarningColour, "预警颜色"),
        "source": _param_select(SignalSource, "source"),
        "level": _param_select(RiskLevel, "level"),
        **{name: OptionalInteger(LABELS[name], validators=_param(name)) for name in ("count", "months", "threshold", "days")},
        "enabled": BooleanField("启用", default=True),   # unticked is 否, not a missing field
    }
    base_order = ("id", "asc")

    def pre_add(self, item):
        item.source, item.level = item.source or None, item.level or None
        super().pre_add(item)   # its own rules, the county it may choose, the scope

    def pre_update(self, item):
        item.source, item.level = item.source or None, item.level or None
        super().pre_update(item)

    def pre_delete(self, item):
        if db.session.scalar(select(RiskWarning.id).where(RiskWarning.rule_id == item.id).limit(1)):
            raise Refused("已据此规则生成预警，不能删除；不再使用的请停用。")

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.update(job=services.WARNINGS_JOB, schedule=services.WARNINGS_SCHEDULE,
                          may_run=self.appbuilder.sm.has_access("can_edit", roles.WARNING_RULE))
        return super().render_template(template, **kwargs)

    @expose("/run", methods=["POST"])
    @has_access
    def run(self):
        """Runs every enabled rule now (what the nightly job does)."""
        raised = services.raise_warnings()
        flash(f"已按全部启用的规则检查一遍：新生成预警 {len(raised)} 条。", "success")
        return redirect(url_for("WarningRuleView.list"))


# ── 预警 ─────────────────────────────────────────────────────────────────
class WarningView(ScopedModelView):
    """预警: read in scope; handled and closed on its page by those its colour names."""
    route_base = "/warning"
    datamodel = interface(RiskWarning)
    class_permission_name = roles.WARNING
    include_route_methods = {"list", "show", "handle", "follow", "close", "overdue"}
    base_permissions = ["can_read", "can_edit"]
    method_permission_name = {"list": "read", "show": "read", "overdue": "read",
                              "handle": "edit", "follow": "edit", "close": "edit"}
    list_title = show_title = "预警"
    list_columns = ["raised_at", "colour", "subject", "unit", "rule", "status", "decision", "deadline", "result"]
    search_columns = ["colour", "state", "unit", "section", "person", "rule", "raised_at"]
    label_columns = {**LABELS, "result": "了结结果"}
    formatters_columns = {"raised_at": cn_date, "deadline": cn_date, "colour": _colour, "status": _status,
                          "decision": lambda v: v or "", "result": lambda v: v or ""}
    base_order = ("raised_at", "desc")

    def _page(self, warning, errors=None, values=None, status=200):
        user = g.user
        handler = access.may_handle(user, warning)
        return self.render_template(
            "monitoring/warning.html", warning=warning, handler=handler, errors=errors or {},
            values=values or {}, decisions=DispositionKind, outcomes=DispositionOutcome, today=date.today(),
            States=WarningState, handled_by=access.handlers_of(warning.colour_enum),
            dispositions=_dispositions_of(warning) if handler else []), status

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        return self._page(record_or_404(self, pk))

    def _step(self, pk, op, done):
        warning = record_or_404(self, pk)
        try:
            op(warning, request.form)
        except Refused as refused:
            db.session.rollback()
            warning = record_or_404(self, pk)
            if refused.field:
                return self._page(warning, {refused.field: str(refused)}, request.form)
            flash(str(refused), "danger")
        else:
            flash(done, "success")
        return redirect(url_for("WarningView.show", pk=pk))

    @expose("/<int:pk>/handle", methods=["POST"])
    @has_access
    def handle(self, pk):
        return self._step(pk, lambda w, f: services.handle_warning(
            w, g.user, f.get("decision"), parse_date(f.get("deadline")), f.get("note"),
            f.get("disposition", type=int), parse_date(f.get("decided_on"))), "已作出处置决定，并记入后期处置。")

    @expose("/<int:pk>/follow", methods=["POST"])
    @has_access
    def follow(self, pk):
        return self._step(pk, lambda w, f: services.follow_up(w, g.user, f.get("note"), parse_date(f.get("on"))),
                          "跟踪情况已记录。")

    @expose("/<int:pk>/close", methods=["POST"])
    @has_access
    def close(self, pk):
        return self._step(pk, lambda w, f: services.close_warning(
            w, g.user, f.get("result") or None, f.get("note"), parse_date(f.get("closed_on")),
            f.get("escalation") or None), "预警已了结。")

    @expose("/overdue")
    @has_access
    def overdue(self):
        today = date.today()
        return self.render_template("monitoring/overdue.html", today=today, warnings=services.overdue(
            criteria(RiskWarning, current_scope()), today))


def _dispositions_of(warning):
    """Open 后期处置 records of the warning's person or section, to link instead of typing again."""
    from app.archives.models import Disposition
    if warning.person_id:
        about = Disposition.person_id == warning.person_id
    elif warning.section_id:
        about = (Disposition.section_id == warning.section_id) & Disposition.person_id.is_(None)
    else:
        return []
    return db.session.scalars(select(Disposition).where(about, Disposition.outcome.is_(None))
                              .order_by(Disposition.decided_on.desc())).all()


# ── 廉情 ─────────────────────────────────────────────────────────────────
class IntegrityPicture(BaseView):
    route_base = "/watch/picture"
    default_view = "overview"
    class_permission_name = roles.PICTURE
    method_permission_name = {"overview": "read", "xlsx": "read", "unit": "read"}

    @expose("/")
    @has_access
    def overview(self):
        year = request.args.get("year", date.today().year, type=int)
        return self.render_template("monitoring/picture.html", year=year, unit=None, lines=picture.by_unit(),
                                    states=picture.by_colour_and_state(), months=picture.by_month(year),
                                    colours=list(WarningColour))

    @expose("/units.xlsx")
    @has_access
    def xlsx(self):
        grid = picture.units_grid(picture.by_unit())
        return xlsx_response(workbook([grid]), f"{grid.title}.xlsx")

    @expose("/unit/<int:unit_id>")
    @has_access
    def unit(self, unit_id):
        unit = db.session.scalar(select(Unit).where(Unit.id == unit_id, criteria(Unit, current_scope())))
        if unit is None:
            abort(404)
        year = request.args.get("year", date.today().year, type=int)
        warnings = db.session.scalars(select(RiskWarning).where(
            RiskWarning.unit_id == unit_id, criteria(RiskWarning, current_scope()))
            .order_by(RiskWarning.raised_at.desc())).all()
        return self.render_template("monitoring/picture.html", year=year, unit=unit, warnings=warnings,
                                    states=picture.by_colour_and_state(unit_id),
                                    months=picture.by_month(year, unit_id), colours=list(WarningColour))


# ── 优化修正 ─────────────────────────────────────────────────────────────
class RoundPages(BaseView):
    route_base = "/watch/round"
    default_view = "index"
    class_permission_name = roles.ROUNDS
    method_permission_name = {"index": "read", "start": "add", "form": "read", "unit": "read",
                              "summary": "read", "summary_xlsx": "read"}

    @expose("/")
    @has_access
    def index(self):
        year = request.args.get("round", date.today().year, type=int)
        units = db.session.scalars(select(Unit).where(criteria(Unit, current_scope())).order_by(Unit.code)).all()
        return self.render_template("monitoring/rounds.html", year=year, units=units,
                                    may_start=roles.may(g.user, roles.ROUNDS, roles.ADD))

    @expose("/start", methods=["POST"])
    @has_access
    def start(self):
        year = request.form.get("round", type=int)
        try:
            if year is None:
                raise Refused("请填写据以开始的年度。", "round")
            made = rounds.start_round(year, g.user)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "danger")
            return redirect(url_for("RoundPages.index"))
        flash(f"已开始{made.year}年度：为 {len(made.made)} 名责任人建立了据{year}年度审定内容复制的登记表草稿"
              f"（由本人修改、提交并签字确认）" + (f"；{len(made.skipped)} 份未建立：" +
                                          "；".join(f"{name}（{why}）" for name, why in made.skipped[:10])
                                          if made.skipped else "。"), "success")
        return redirect(url_for("RoundPages.index", round=made.year))

    @expose("/form/<int:form_id>")
    @has_access
    def form(self, form_id):
        form = db.session.scalar(select(RiskForm).where(RiskForm.id == form_id, criteria(RiskForm, current_scope())))
        if form is None:
            abort(404)
        return self.render_template("monitoring/diff.html", diff=rounds.diff_form(form),
                                    warnings=rounds.year_warnings(form))

    @expose("/unit/<int:unit_id>")
    @has_access
    def unit(self, unit_id):
        unit = db.session.scalar(select(Unit).where(Unit.id == unit_id, criteria(Unit, current_scope())))
        if unit is None:
            abort(404)
        year = request.args.get("round", date.today().year, type=int)
        return self.render_template("monitoring/diff_unit.html", unit=unit, year=year,
                                    lines=rounds.diff_unit(unit_id, year))

    def _compare(self):
        year = request.args.get("round", date.today().year, type=int)
        against = request.args.get("against", year - 1, type=int)
        unit_id = request.args.get("unit", type=int)
        unit = None
        if unit_id:
            unit = db.session.scalar(select(Unit).where(Unit.id == unit_id, criteria(Unit, current_scope())))
            if unit is None:
                abort(404)
        return year, against, unit, rounds.compare_grid(year, against, unit_id, unit.name if unit else "")

    @expose("/summary")
    @has_access
    def summary(self):
        year, against, unit, grid = self._compare()
        units = db.session.scalars(select(Unit).where(criteria(Unit, current_scope())).order_by(Unit.code)).all()
        return self.render_template("monitoring/compare.html", year=year, against=against, unit=unit, units=units,
                                    grid=grid)

    @expose("/summary.xlsx")
    @has_access
    def summary_xlsx(self):
        _, _, _, grid = self._compare()
        return xlsx_response(workbook([grid]), f"{grid.title}.xlsx")


# ── what other pages show (template globals, called from small includes) ─
def form_watch(form):
    """For a register's page: last year's register and what changed, and 本年度预警 while drafting."""
    from app.workflow.flows import DRAFT
    previous = rounds.previous_form(form)
    return {"previous": previous, "draft": form.stage == DRAFT.key,
            "counts": rounds.diff_form(form).counts if previous else None,
            "warnings": rounds.year_warnings(form) if form.stage == DRAFT.key else []}


def selfcheck_watch(report):
    """For a quarterly self-check: the unit's (or section's) measure checks of that quarter."""
    lines = services.quarter_checks(report.year, report.quarter, report.unit_id, report.section_id)
    return {"lines": lines, "unchecked": sum(c is None for _, c in lines)}


def dashboard_watch():
    """For the dashboard: warnings by colour and state, and the overdue ones, in scope."""
    today = date.today()
    return {"states": picture.by_colour_and_state(), "colours": list(WarningColour),
            "overdue": len(services.overdue(criteria(RiskWarning, current_scope()), today)),
            "may_read": current_app.appbuilder.sm.has_access("can_read", roles.PICTURE)}


def register(appbuilder):
    current_app.jinja_env.globals.update(form_watch=form_watch, selfcheck_watch=selfcheck_watch,
                                         dashboard_watch=dashboard_watch, warning_colour=WarningColour)
    menu = dict(category=roles.WATCH_MENU, category_label="监测预警", category_icon="fa-eye")
    appbuilder.add_view(WarningView, roles.WARNING, label="预警", icon="fa-bell", **menu)
    appbuilder.add_link(roles.WARNINGS_OVERDUE, label="逾期和超期未处置预警", href="/warning/overdue",
                        icon="fa-clock-o", category=roles.WATCH_MENU)
    appbuilder.add_view(SignalView, roles.SIGNAL, label="监测信息", icon="fa-bullhorn", **menu)
    appbuilder.add_view(CheckView, roles.MEASURE_CHECK, label="措施落实", icon="fa-check", **menu)
    appbuilder.add_link(roles.QUARTER_CHECKS, label="本季度措施落实情况", href="/measurecheck/quarter",
                        icon="fa-tasks", category=roles.WATCH_MENU)
    appbuilder.add_view(WarningRuleView, roles.WARNING_RULE, label="预警规则", icon="fa-sliders", **menu)
    appbuilder.add_view(IntegrityPicture, roles.PICTURE, label="廉情分析", icon="fa-map", **menu)
    appbuilder.add_view(RoundPages, roles.ROUNDS, label="年度优化修正", icon="fa-refresh", **menu)
    _warnings_on_organisation_pages(appbuilder)


def _warnings_on_organisation_pages(appbuilder):
    """The person, section and unit pages list their warnings (a related tab, in scope)."""
    from app.organisation.views import PersonView, SectionView, UnitView
    for view in appbuilder.baseviews:
        if type(view) in (PersonView, SectionView, UnitView) and WarningView not in view.related_views:
            view.related_views = [*view.related_views, WarningView]
    appbuilder._process_inner_views()
