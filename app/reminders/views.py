"""Pages: 提醒规则 (the office edits them and may run one by hand), 定时任务 (each
job with its next run), 发送记录 (the delivery log with errors), 我的消息 (every
login's in-app messages, with the unread count)."""

from flask import abort, current_app, flash, g, redirect, url_for
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from sqlalchemy import select
from markupsafe import Markup
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired

from app import clock
from app.enums import DeliveryStatus, ReminderKind
from app.extensions import db
from app.forms import FieldRule, choice_field
from app.reminders import crontab, delivery, rules, scheduler
from app.reminders.models import Delivery, Message, ReminderRule
from app.security import roles
from app.security.scope import criteria, current_scope
from app.security.scoped_views import VIEW_PERMISSIONS, ScopedModelView, interface

LABELS = {"key": "标识", "name": "名称", "kind": "提醒类型", "schedule": "执行时间（crontab）",
          "lead_days": "提前天数", "roles": "接收角色", "subject": "标题", "body": "正文", "enabled": "启用",
          "last_run_at": "上次执行", "rule": "提醒规则", "period": "周期", "login": "接收人", "email": "邮箱",
          "status": "状态", "attempts": "发送次数", "last_error": "最近错误", "next_try_at": "下次重试",
          "created_at": "生成时间", "sent_at": "发送时间", "read_at": "阅读时间", "county": "所属县（空为全市）"}


class PresetInput(BS3TextFieldWidget):
    """A text input offering the usual schedules (crontab.PRESETS) as one types."""

    def __call__(self, field, **kwargs):
        options = "".join(Markup('<option value="{}">{}</option>').format(line, words)
                          for line, words in crontab.PRESETS.items())
        return super().__call__(field, list="schedule-presets", **kwargs) + Markup(
            f'<datalist id="schedule-presets">{options}</datalist>')


class ReminderRuleView(ScopedModelView):
    """A county's rules are its office's; a rule with no county is city-wide, the administrator's."""
    route_base = "/reminder/rule"
    datamodel = interface(ReminderRule)
    class_permission_name = roles.REMINDER_RULE
    method_permission_name = {**VIEW_PERMISSIONS, "run": "edit", "jobs": "read"}
    list_title = show_title = add_title = edit_title = "提醒规则"
    list_columns = ["name", "county", "kind", "schedule", "lead_days", "roles", "enabled", "last_run_at"]
    add_columns = edit_columns = ["county", "key", "name", "kind", "schedule", "lead_days", "roles", "subject",
                                  "body", "enabled"]
    show_columns = add_columns + ["last_run_at"]
    label_columns = LABELS
    description_columns = {
        "schedule": "点击输入框选用常用时间（每周一、每季度首月1日、每半年、每年……），或按 crontab 填写："
                    "分 时 日 月 周（北京时间），如“0 8 * * 1”为每周一 8:00；周：0 或 7 为周日，1-5 为周一至周五",
        "lead_days": "季度、半年、年末前多少天开始提醒；审核滞留为停留天数；期限类为到期前天数",
        "roles": "以“、”分隔的角色名；每人只收到其数据范围内的事项",
        "body": "可用 {name}（接收人）、{period}（周期）、{items}（事项清单）"}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_field(ReminderKind, "提醒类型"),
        "schedule": StringField("执行时间", widget=PresetInput(),
                                validators=[FieldRule(rules.schedule_error)]),
        "lead_days": IntegerField("提前天数", default=0, validators=[
            InputRequired(message="请填写提前天数（整数）。"), FieldRule(rules.lead_days_error)])}
    # Checked at the field, with the same functions the API's ``validate()`` uses.
    validators_columns = {"name": [FieldRule(rules.name_error)], "subject": [FieldRule(rules.subject_error)],
                          "body": [FieldRule(rules.body_error)]}
    formatters_columns = {"schedule": crontab.in_words}
    base_order = ("id", "asc")

    @expose("/<int:pk>/run", methods=["POST"])
    @has_access
    def run(self, pk):
        """Runs one rule now, by hand (the office's button)."""
        rule = self.datamodel.get(pk, self._base_filters)
        if rule is None:
            abort(404)
        name = rule.name
        try:
            outcome = scheduler.run_once(current_app._get_current_object(), rule.key)
        except Exception as error:  # noqa: BLE001  a failed run is a message, never a 500
            db.session.rollback()
            current_app.logger.exception("提醒规则 %s 手动执行失败", rule.key)
            flash(f"执行“{name}”失败：{run_error(error)}", "danger")
        else:
            flash(f"已执行“{name}”：{outcome}。", "warning" if outcome.failed else "success")
        return redirect(url_for("ReminderRuleView.jobs"))

    @expose("/jobs")
    @has_access
    def jobs(self):
        """Every job with its next run (from its crontab) and its last run."""
        rules = db.session.scalars(select(ReminderRule).where(criteria(ReminderRule, current_scope()))
                                   .order_by(ReminderRule.id)).all()
        now = clock.local_now()
        return self.render_template("reminders/jobs.html", rows=[(r, _next_run(r, now)) for r in rules], now=now)


def _next_run(rule, now) -> str:
    if not rule.enabled:
        return "已停用"
    try:
        fire = scheduler.next_run(rule, now)
    except ValueError:   # saved before crontab lines were checked
        return "执行时间有误，请修改"
    return fire.strftime("%Y-%m-%d %H:%M") if fire else "不再执行"


def run_error(error: Exception) -> str:
    """Why a whole run failed, for the office (the details go to the log)."""
    from sqlalchemy.exc import DBAPIError
    if isinstance(error, DBAPIError):
        return "数据库暂时不可用，请稍后再试（定时任务会自动重试）。"
    if isinstance(error, (OverflowError, ValueError)):
        return "规则的设置超出范围，请检查提前天数和执行时间。"
    return "内部错误，已记入日志。"


def _status(status: str) -> Markup:
    """发送失败 in red: the office re-sends it with the list's or the record's 重新发送."""
    if status == DeliveryStatus.FAILED.value:
        return Markup('<span class="delivery-failed" style="color:#c0392b;font-weight:bold">{}</span>').format(status)
    return Markup("<span>{}</span>").format(status)


class DeliveryView(ScopedModelView):
    """The delivery log: each reader sees what went to the logins in his scope."""
    route_base = "/reminder/delivery"
    datamodel = interface(Delivery)
    class_permission_name = roles.DELIVERY
    method_permission_name = {**VIEW_PERMISSIONS, "action": "resend", "action_post": "resend", "resend": "resend"}
    base_permissions = ["can_read", roles.RESEND]
    list_title = show_title = "发送记录"
    list_columns = ["created_at", "rule", "period", "login", "status", "attempts", "sent_at", "last_error"]
    show_columns = list_columns + ["email", "next_try_at", "alerted_at", "subject", "body"]
    search_columns = ["rule", "period", "status"]
    label_columns = {**LABELS, "alerted_at": "已通知办公室"}
    formatters_columns = {"status": _status}
    base_order = ("id", "desc")

    @action("resend", "重新发送", "重新发送所选的发送失败的提醒？", "fa-repeat")
    def resend(self, items):
        items = items if isinstance(items, list) else [items]
        for item in items:
            if item is None:
                continue
            result, message = delivery.resend(item.id)
            flash(f"{item.login} {item.period}：{message}", "success" if result == "sent" else "warning")
        return redirect(url_for("DeliveryView.list"))


class OwnMessages(BaseFilter):
    name = "本人"
    arg_name = "own"

    def apply(self, query, value):
        return query.filter(Message.login_id == (g.user.id if getattr(g, "user", None) else -1))


class MessageView(ModelView):
    route_base = "/message"
    datamodel = SQLAInterface(Message, db.session)
    class_permission_name = roles.MESSAGE
    method_permission_name = VIEW_PERMISSIONS
    base_permissions = ["can_read"]
    base_filters = [["id", OwnMessages, None]]
    list_title, show_title = "我的消息", "消息"
    list_template = "reminders/messages.html"
    list_columns = ["created_at", "subject", "status"]
    show_columns = ["created_at", "subject", "body", "read_at"]
    label_columns = LABELS
    base_order = ("id", "desc")

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs["unread"] = delivery.unread_count(g.user.id)
        return super().render_template(template, **kwargs)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is not None and item.read_at is None:
            item.read_at = clock.now()
            db.session.commit()
        return super().show(pk)


def unread_messages():
    """The navbar's unread count, for a logged-in page (one COUNT query)."""
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"unread_messages": delivery.unread_count(user.id)}


def register(appbuilder):
    current_app.context_processor(unread_messages)
    menu = dict(category=roles.REMINDER_MENU, category_label="提醒", category_icon="fa-bell")
    appbuilder.add_view(MessageView, roles.MESSAGE, label="我的消息", icon="fa-envelope", **menu)
    appbuilder.add_view(ReminderRuleView, roles.REMINDER_RULE, label="提醒规则", icon="fa-bell-o", **menu)
    appbuilder.add_link(roles.REMINDER_JOBS, label="定时任务", href="/reminder/rule/jobs", icon="fa-clock-o", **menu)
    appbuilder.add_view(DeliveryView, roles.DELIVERY, label="发送记录", icon="fa-list", **menu)
