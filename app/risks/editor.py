"""One page for a risk point with its 防控措施 and 监督办法: written, checked and
saved together in one POST.

A risk is answered by measures in three lines of defence (前期预防, 中期监控,
后期处置, seed 000 三、3) and by its 监督办法; on paper they are one row of the
register, so they are typed on one page: the risk's fields, a row per measure,
a row per method (rows added in the browser by ``static/js/rows.js``). The
save obeys what every other door obeys — only the owner, only while the form is
with him (:mod:`app.risks.content`), the field limits and each model's rules
(:func:`app.security.scoped_views.check`), related rows within the page's
choices (power and step are the 廉政风险点 page's searched fields; a measure or
method row must be one of this risk's), and record versions (:mod:`app.versions`,
each row carries the version it showed). One bad row and nothing is written.
"""
from types import SimpleNamespace

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, RadioField, SelectField, \
    StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app import field_limits, versions
from app.enums import ControlStage, Owner, RiskLevel, RiskType
from app.errors import Refused
from app.extensions import db
from app.risks import content, documents
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, SupervisionMethod
from app.risks.rules import measure_errors, risk_errors
from app.security import roles
from app.security.choices import SearchedChoice
from app.security.scoped_views import check, unchanged_on_refusal

METHOD_HINT = "由谁、以什么方式监督本风险点的防控措施落实，如：科室负责人每季度检查、纪检监察机关定期抽查。"
NOT_THIS_RISKS = "第 {n} 条{what}不属于这个风险点，不能保存；请刷新页面后再填写。"


class Pick(RadioField):
    """A required choice that starts with nothing chosen (no misleading default); a value
    outside the choices is answered by the risk's own rule (app.risks.rules), in its words."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)


class MeasureRow(Form):
    id = HiddenField("编号")
    version = HiddenField("版本")
    stage = SelectField("防控阶段", choices=[("", "请选择")] + ControlStage.choices())
    content = TextAreaField("措施内容")
    responsible = StringField("责任人")
    remove = BooleanField("删除")


class MethodRow(Form):
    id = HiddenField("编号")
    version = HiddenField("版本")
    content = TextAreaField("监督办法")
    remove = BooleanField("删除")


ROWS = {"measures": (ControlMeasure, "防控措施", ("content", "responsible")),
        "methods": (SupervisionMethod, "监督办法", ("content",))}


def _risk_page():
    """The 廉政风险点 page: its searched power and step fields (and their choices route) serve here."""
    from app.risks.views import RiskPointView
    return next(v for v in current_app.appbuilder.baseviews if isinstance(v, RiskPointView))


def entry_class(kind: Owner):
    """The page's form for a register of ``kind``: only the risk types that register may hold."""
    page = _risk_page()

    class RiskEntry(FlaskForm):
        version = HiddenField("版本")
        risk_type = Pick("风险类别", [DataRequired(message="请选择风险类别。")],
                         choices=[(t.value, t.value) for t in RiskType.for_owner(kind)])
        content = TextAreaField("具体内容及表现形式",
                                validators=[DataRequired(message="请填写风险点的具体内容及表现形式。")])
        level = Pick("风险等级", [DataRequired(message="请选择风险等级。")], choices=RiskLevel.choices())
        power = SearchedChoice("所涉职权", [Optional()], view=page, column="power", mode="add")
        step = SearchedChoice("所涉流程环节", [Optional()], view=page, column="step", mode="add")
        measures = FieldList(FormField(MeasureRow))
        methods = FieldList(FormField(MethodRow))

    return RiskEntry


def _filled(row) -> bool:
    return any((getattr(row, name).data or "").strip() for name in ("content", "responsible") if hasattr(row, name))


def _column(model, name):
    return model.__table__.columns[name]


def _text_errors(model, row, names) -> None:
    for name in names:
        field = getattr(row, name)
        message = field_limits.text_error(field.data or "", field.label.text,
                                          field_limits.limit_of(_column(model, name)))
        if message:
            field.errors.append(message)


def validate(entry, form: RiskForm, risk: RiskPoint | None) -> bool:
    """The page's fields, then what each record's own rules say of them, at the field."""
    ok = entry.validate()
    entry.problems = []
    risk_probe = SimpleNamespace(form=form, risk_type=entry.risk_type.data, level=entry.level.data,
                                 content=entry.content.data, power=entry.power.data, step=entry.step.data)
    for name, message in risk_errors(risk_probe).items():
        field = getattr(entry, name)
        if not field.errors and not (name in ("risk_type", "level", "content") and not field.data):
            field.errors.append(message)
    _text_errors(RiskPoint, entry, ("content",))
    for key, (model, what, texts) in ROWS.items():
        known = {r.id for r in getattr(risk, key)} if risk is not None else set()
        seen = set()
        for n, item in enumerate(getattr(entry, key), 1):
            row = item.form
            row_id = (row.id.data or "").strip()
            if row_id:
                if not row_id.isdigit() or int(row_id) not in known or row_id in seen:
                    entry.problems.append(NOT_THIS_RISKS.format(n=n, what=what))
                    continue
                seen.add(row_id)
            if row.remove.data or (not row_id and not _filled(row)):
                continue   # to be deleted, or a blank row left as it came
            _text_errors(model, row, texts)
            if model is ControlMeasure:
                for name, message in measure_errors(SimpleNamespace(stage=row.stage.data,
                                                                    content=row.content.data)).items():
                    field = getattr(row, name)
                    if not field.errors:
                        field.errors.append("请选择防控阶段。" if name == "stage" and not field.data else message)
            elif not (row.content.data or "").strip():
                row.content.errors.append("请填写监督办法的内容。")
    return ok and not entry.problems and not any(messages(entry))


def messages(entry) -> list[str]:
    """Every error on the page, each named by its field (and row), for the summary at the top."""
    found = list(getattr(entry, "problems", []))
    for field in entry:
        if isinstance(field, FieldList):
            what = ROWS[field.name][1]
            for n, item in enumerate(field, 1):
                for sub in item.form:
                    found += [f"第 {n} 条{what}（{sub.label.text}）：{e}" for e in sub.errors]
        elif field.errors:
            found += [f"{field.label.text}：{e}" for e in field.errors]
    return found


def _place(item, form: RiskForm) -> None:
    item.unit_id, item.section_id, item.owner_id = form.unit_id, form.section_id, form.owner_id


def save(form: RiskForm, risk: RiskPoint | None, entry, user) -> RiskPoint:
    """Writes the risk and its rows in one transaction; a refusal writes nothing."""
    with unchanged_on_refusal():
        rows = {key: {r.id: r for r in getattr(risk, key)} if risk is not None else {} for key in ROWS}
        if risk is not None:
            versions.check_seen(risk, versions.seen(entry.version.data))
        for key in ROWS:
            for item in getattr(entry, key):
                if item.form.id.data:
                    versions.check_seen(rows[key][int(item.form.id.data)], versions.seen(item.form.version.data))
        touched, removed = [], []
        with db.session.no_autoflush:
            if risk is None:
                risk = RiskPoint(form=form, owner_kind=form.owner_kind)
                db.session.add(risk)
            _place(risk, form)
            risk.risk_type, risk.level = entry.risk_type.data, entry.level.data
            risk.content = entry.content.data.strip()
            risk.power, risk.step = entry.power.data, entry.step.data
            touched.append(risk)
            for key, (model, _what, texts) in ROWS.items():
                for item in getattr(entry, key):
                    row = item.form
                    record = rows[key].get(int(row.id.data)) if row.id.data else None
                    if record is not None and row.remove.data:
                        removed.append(record)
                        continue
                    if record is None and (row.remove.data or not _filled(row)):
                        continue
                    if record is None:
                        record = model(risk=risk)
                        db.session.add(record)
                    _place(record, form)
                    for name in texts:
                        setattr(record, name, (getattr(row, name).data or "").strip() or (
                            None if _column(model, name).nullable else ""))
                    if model is ControlMeasure:
                        record.stage = row.stage.data
                    touched.append(record)
            for record in removed:   # the rule is asked while the row still hangs on its risk
                content.check(record, user)
            for record in touched:
                check(record)
                content.check(record, user)
        for record in removed:
            db.session.delete(record)
        try:
            db.session.commit()
        except StaleDataError as error:
            db.session.rollback()
            raise versions.explain_stale(error)
    return risk


def entry_for(form: RiskForm, risk: RiskPoint | None):
    """The page's form: posted, or filled from the risk (a new one: one row per line of defence)."""
    cls = entry_class(form.kind)
    if request.method == "POST":
        return cls()
    if risk is None:
        data = {"measures": [{"stage": s.value} for s in ControlStage], "methods": [{}]}
    else:
        data = {"version": risk.version, "risk_type": risk.risk_type, "level": risk.level,
                "content": risk.content, "power": risk.power, "step": risk.step,
                "measures": [{"id": m.id, "version": m.version, "stage": m.stage, "content": m.content,
                              "responsible": m.responsible or ""} for m in risk.measures]
                or [{"stage": s.value} for s in ControlStage],
                "methods": [{"id": m.id, "version": m.version, "content": m.content} for m in risk.methods] or [{}]}
    return cls(formdata=None, data=data)


class RiskEditor(BaseView):
    """新增 / 修改 a risk point of a register with its measures and methods, on one page."""
    route_base = "/forms"
    class_permission_name = roles.RISK_CONTENT
    method_permission_name = {"new": "add", "edit": "edit", "delete": "delete"}

    @expose("/<int:form_id>/risk/new", methods=["GET", "POST"])
    @has_access
    def new(self, form_id):
        return self._page(form_id, None)

    @expose("/<int:form_id>/risk/<int:risk_id>", methods=["GET", "POST"])
    @has_access
    def edit(self, form_id, risk_id):
        return self._page(form_id, risk_id)

    @expose("/<int:form_id>/risk/<int:risk_id>/delete", methods=["POST"])
    @has_access
    def delete(self, form_id, risk_id):
        form, risk = _load(form_id, risk_id)
        back = redirect(url_for("FormPages.page", form_id=form.id, _anchor="risks"))
        try:
            with unchanged_on_refusal():
                versions.check_seen(risk, versions.seen(request.form.get(versions.SEEN)))
                content.check(risk, g.user)
                db.session.delete(risk)
                db.session.commit()
        except Refused as refused:
            flash(str(refused), "danger")
        except StaleDataError as error:
            db.session.rollback()
            flash(str(versions.explain_stale(error)), "danger")
        else:
            flash("风险点及其防控措施、监督办法已删除。", "success")
        return back

    def _page(self, form_id, risk_id):
        form, risk = _load(form_id, risk_id)
        reason = content.refusal(form, g.user)
        if reason:   # nothing editable is offered, and nothing posted is taken
            flash(reason, "danger" if request.method == "POST" else "warning")
            return redirect(url_for("FormPages.page", form_id=form.id))
        entry = entry_for(form, risk)
        if request.method == "POST" and validate(entry, form, risk):
            try:
                saved = save(form, risk, entry, g.user)
            except Refused as refused:
                entry.problems.append(str(refused))
            else:
                flash("风险点及其防控措施、监督办法已保存。", "success")
                if request.form.get("then") == "next":
                    return redirect(url_for("RiskEditor.new", form_id=form.id))
                return redirect(url_for("FormPages.page", form_id=form.id, _anchor=f"risk-{saved.id}"))
        steps = documents.history(form)
        return self.render_template(
            "risks/editor.html", form=form, risk=risk, entry=entry, problems=messages(entry)
            if request.method == "POST" else [], types=RiskType.for_owner(form.kind), levels=list(RiskLevel),
            stages=list(ControlStage), method_hint=METHOD_HINT,
            blank_measure=MeasureRow(prefix="measures-__index__-"), blank_method=MethodRow(prefix="methods-__index__-"),
            **documents.notes(form, steps, drafting=True))


def _load(form_id, risk_id):
    """The form in the viewer's scope (else 404) and, when named, one of its risks (else 404)."""
    from app.workflow.views import load_form
    form = load_form(form_id)
    if risk_id is None:
        return form, None
    risk = next((r for r in form.risks if r.id == risk_id), None)
    if risk is None:
        abort(404)
    return form, risk
