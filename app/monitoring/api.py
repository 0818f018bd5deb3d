"""REST: /api/v1/signal/, /api/v1/measurecheck/, /api/v1/warningrule/ and /api/v1/warning/
with POST /api/v1/warning/<id>/<handle|follow|close>.

A refusal with a field answers 422 ``{"message": {field: [message]}}`` like a refused
save; one without a field 409 with the message."""
from datetime import date

from flask import g
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.archives.hooks import Placing
from app.errors import Refused
from app.extensions import db
from app.monitoring import access, services
from app.monitoring.models import MeasureCheck, RiskWarning, Signal, WarningRule
from app.security import roles
from app.security.scoped_views import API_PERMISSIONS, ScopedApi, StepApi, interface


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class SignalApi(Placing, ScopedApi):
    resource_name = "signal"
    class_permission_name = roles.SIGNAL
    datamodel = interface(Signal)
    base_filters = [["id", access.ReadableSignals, None]]
    list_columns = ["id", "source", "received_on", "unit.id", "unit.name", "section.id", "section.name",
                    "person.id", "person.name", "risk.id", "verification", "score"]
    show_columns = list_columns + ["measure.id", "content", "verification_note", "reporter", "recorded_by",
                                   "recorded_at"]
    add_columns = edit_columns = ["source", "received_on", "person", "section", "unit", "risk", "measure", "content",
                                  "score", "verification", "verification_note", "reporter"]
    search_columns = ["source", "received_on", "unit", "section", "person", "verification"]
    label_columns = {"person": "工作人员", "section": "科室", "unit": "单位", "risk": "风险点", "measure": "防控措施"}

    def _init_model_schemas(self):
        super()._init_model_schemas()
        for schema in (self.add_model_schema, self.edit_model_schema):
            schema.fields["unit"].required = False   # a person's or a section's signal takes their unit (place)

    def pre_add(self, item):
        item.verification = item.verification or "待核实"
        super().pre_add(item)
        item.recorded_by, item.recorded_at = services.actor_name(g.user), services.clock()

    def post_add(self, item):
        services.signal_saved(item)

    def post_update(self, item):
        services.signal_saved(item)

    def pre_delete(self, item):
        if services.warnings_resting_on(item):
            raise Refused("已据此信息生成预警，不能删除。")


class MeasureCheckApi(Placing, ScopedApi):
    resource_name = "measurecheck"
    class_permission_name = roles.MEASURE_CHECK
    datamodel = interface(MeasureCheck)
    list_columns = ["id", "year", "quarter", "result", "checked_on", "measure.id", "risk.id", "unit.name",
                    "section.name", "owner.name"]
    show_columns = list_columns + ["evidence", "checked_by"]
    add_columns = edit_columns = ["measure", "year", "quarter", "result", "evidence", "checked_on"]
    search_columns = ["year", "quarter", "result", "unit", "section", "owner", "measure"]

    def pre_add(self, item):
        super().pre_add(item)
        item.checked_by = services.actor_name(g.user)


class WarningRuleApi(ScopedApi):
    """Each county's office its own rules (a new one goes to its county); ScopedApi checks
    the rule's own rules, the county it may choose and the scope, and answers refusals with 422."""
    resource_name = "warningrule"
    class_permission_name = roles.WARNING_RULE
    method_permission_name = API_PERMISSIONS
    datamodel = interface(WarningRule)
    list_columns = ["id", "name", "county.name", "kind", "colour", "source", "level", "count", "months", "threshold",
                    "days", "enabled"]
    show_columns = list_columns + ["description"]
    add_columns = edit_columns = ["county", "name", "kind", "colour", "source", "level", "count", "months",
                                  "threshold", "days", "enabled", "description"]

    def pre_delete(self, item):
        from sqlalchemy import select
        if db.session.scalar(select(RiskWarning.id).where(RiskWarning.rule_id == item.id).limit(1)):
            raise Refused("已据此规则生成预警，不能删除；不再使用的请停用。")


class WarningApi(StepApi):
    """Warnings in scope, read-only but for their steps."""
    resource_name = "warning"
    class_permission_name = roles.WARNING
    datamodel = interface(RiskWarning)
    include_route_methods = {"get", "get_list", "info", "handle", "follow", "close"}
    method_permission_name = {**ScopedApi.method_permission_name, "handle": "edit", "follow": "edit", "close": "edit"}
    list_columns = ["id", "colour", "state", "status", "raised_at", "subject", "unit.id", "unit.name", "section.id",
                    "person.id", "person.name", "rule.id", "rule.name", "deadline", "closed_on", "result"]
    show_columns = list_columns + ["facts_shown", "risk.id", "decision", "decided_on", "decided_by", "handling_note",
                                   "disposition.id", "closing_note", "closed_by", "follow_ups.on", "follow_ups.note"]
    search_columns = ["colour", "state", "unit", "section", "person", "rule"]

    def _run(self, pk, step):
        return self._step(pk, step, lambda w: {"id": w.id, "state": w.state, "status": w.status,
                                                "disposition": w.disposition_id, "result": w.result})

    @expose("/<int:pk>/handle", methods=["POST"])
    @protect()
    @safe
    @permission_name("handle")
    def handle(self, pk):
        """处置: a decision (警示提醒 … 移交) with a deadline; creates or links the 后期处置.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    decision: {type: string}
                    deadline: {type: string, format: date}
                    note: {type: string}
                    disposition: {type: integer, description: an existing 后期处置 of the same person or section}
                    decided_on: {type: string, format: date}
          responses:
            200: {description: handled}
            404: {$ref: '#/components/responses/404'}
            409: {description: refused, with a Chinese message}
            422: {description: refused at a field, with a Chinese message}
        """
        return self._run(pk, lambda w, b: services.handle_warning(
            w, g.user, b.get("decision"), _date(b.get("deadline")), b.get("note"), b.get("disposition"),
            _date(b.get("decided_on"))))

    @expose("/<int:pk>/follow", methods=["POST"])
    @protect()
    @safe
    @permission_name("follow")
    def follow(self, pk):
        """跟踪: what was seen of the rectification.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    note: {type: string}
                    'on': {type: string, format: date}
          responses:
            200: {description: recorded}
            404: {$ref: '#/components/responses/404'}
            409: {description: refused, with a Chinese message}
            422: {description: refused at a field, with a Chinese message}
        """
        return self._run(pk, lambda w, b: services.follow_up(w, g.user, b.get("note"), _date(b.get("on"))))

    @expose("/<int:pk>/close", methods=["POST"])
    @protect()
    @safe
    @permission_name("close")
    def close(self, pk):
        """了结, only with a result: 整改到位予以了结, or 整改不力予以追究 (optionally escalating).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    result: {type: string}
                    note: {type: string}
                    closed_on: {type: string, format: date}
                    escalation: {type: string}
          responses:
            200: {description: closed}
            404: {$ref: '#/components/responses/404'}
            409: {description: refused, with a Chinese message}
            422: {description: refused at a field, with a Chinese message}
        """
        return self._run(pk, lambda w, b: services.close_warning(
            w, g.user, b.get("result"), b.get("note"), _date(b.get("closed_on")), b.get("escalation")))


def register(appbuilder):
    for api in (SignalApi, MeasureCheckApi, WarningRuleApi, WarningApi):
        appbuilder.add_api(api)
