"""REST: /api/v1/reminder/ (the rules; each county's office its own; ``POST /<id>/run``
runs one by hand) and /api/v1/message/ (one's own messages, ``GET /unread``)."""
from flask import current_app, g
from flask_appbuilder import ModelRestApi
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name

from app.extensions import db
from app.reminders import delivery, scheduler
from app.reminders.models import Message, ReminderRule
from app.reminders.views import OwnMessages, run_error
from app.security import roles
from app.security.scoped_views import API_PERMISSIONS, ScopedApi, interface


class ReminderRuleApi(ScopedApi):
    resource_name = "reminder"
    class_permission_name = roles.REMINDER_RULE
    method_permission_name = {**API_PERMISSIONS, "run": "edit"}
    datamodel = interface(ReminderRule)
    list_columns = ["id", "key", "name", "county.name", "kind", "schedule", "lead_days", "roles", "enabled",
                    "last_run_at"]
    show_columns = list_columns + ["subject", "body"]
    add_columns = edit_columns = ["county", "key", "name", "kind", "schedule", "lead_days", "roles", "subject",
                                  "body", "enabled"]

    @expose("/<int:pk>/run", methods=["POST"])
    @protect()
    @safe
    @permission_name("run")
    def run(self, pk):
        """Runs one rule now.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: "recorded: new reminders (each with its in-app message); sent: e-mails that went; failed: e-mails that did not go (see the delivery log)"}
            404: {$ref: '#/components/responses/404'}
            422: {description: the rule's stored settings cannot run (saved before they were checked)}
            503: {description: the database was unavailable; nothing was lost}
        """
        rule = self.datamodel.get(pk, self._base_filters)
        if rule is None:
            return self.response_404()
        key = rule.key
        try:
            outcome = scheduler.run_once(current_app._get_current_object(), key)
        except Exception as error:  # noqa: BLE001  a failed run is a message, never a 500
            db.session.rollback()
            current_app.logger.exception("提醒规则 %s 经 API 执行失败", key)
            from sqlalchemy.exc import DBAPIError
            return self.response(503 if isinstance(error, DBAPIError) else 422,
                                 message=f"执行失败：{run_error(error)}")
        return self.response(200, **outcome.as_dict())


class MessageApi(ModelRestApi):
    resource_name = "message"
    class_permission_name = roles.MESSAGE
    method_permission_name = {**API_PERMISSIONS, "unread": "read"}
    include_route_methods = {"get", "get_list", "unread"}
    datamodel = SQLAInterface(Message, db.session)
    base_filters = [["id", OwnMessages, None]]
    list_columns = ["id", "created_at", "subject", "read_at"]
    show_columns = list_columns + ["body"]

    @expose("/unread", methods=["GET"])
    @protect()
    @safe
    @permission_name("unread")
    def unread(self):
        """How many of one's messages are unread.
        ---
        get:
          responses:
            200: {description: the count}
        """
        return self.response(200, unread=delivery.unread_count(g.user.id))


def register(appbuilder):
    for api in (ReminderRuleApi, MessageApi):
        appbuilder.add_api(api)
