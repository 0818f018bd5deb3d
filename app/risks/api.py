"""REST: /api/v1/risk/, /api/v1/control/, and /api/v1/form/ with the review steps."""
from flask import g
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.risks.content import FormContent
from app.risks.models import ControlMeasure, RiskForm, RiskPoint
from app.security import roles
from app.security.scoped_views import ScopedApi, StepApi, interface
from app.workflow import engine


class RiskApi(FormContent, ScopedApi):
    resource_name = "risk"
    class_permission_name = roles.RISK_CONTENT
    datamodel = interface(RiskPoint)
    list_columns = ["id", "form_id", "owner_kind", "risk_type", "content", "level", "monitor",
                    "unit.name", "section.name", "owner.name", "power_id", "step_id"]
    show_columns = list_columns + ["measures.stage", "measures.content", "measures.responsible",
                                   "methods.content"]
    add_columns = edit_columns = ["form", "risk_type", "content", "level", "power", "step"]
    search_columns = ["risk_type", "level", "owner_kind", "unit", "section", "content"]


class ControlApi(FormContent, ScopedApi):
    resource_name = "control"
    class_permission_name = roles.RISK_CONTENT
    datamodel = interface(ControlMeasure)
    list_columns = ["id", "risk_id", "stage", "content", "responsible"]
    show_columns = list_columns
    add_columns = edit_columns = ["risk", "stage", "content", "responsible"]
    search_columns = ["stage", "risk"]


class FormApi(StepApi):
    """Registers, read-only as records; they move only through the review steps."""
    resource_name = "form"
    class_permission_name = roles.RISK_FORM
    datamodel = interface(RiskForm)
    include_route_methods = {"get", "get_list", "info", "step"}
    list_columns = ["id", "round", "owner_kind", "stage", "stage_label", "revision",
                    "signed_revision", "published", "unit.name", "section.name", "owner.name"]
    show_columns = list_columns + ["pledge", "risks.id", "risks.content", "risks.level"]
    search_columns = ["round", "owner_kind", "stage", "unit", "section", "published"]
    method_permission_name = {**ScopedApi.method_permission_name, "step": "edit"}

    STEPS = {
        "submit": lambda form, data: engine.submit(form, g.user, data.get("expected")),
        "approve": lambda form, data: engine.approve(form, g.user, data.get("opinion"), data.get("expected")),
        "return": lambda form, data: engine.send_back(form, g.user, data.get("opinion"), data.get("expected")),
        "sign": lambda form, data: engine.sign(form, g.user, data.get("password"), data.get("expected")),
        "decline": lambda form, data: engine.decline(form, g.user, data.get("opinion"), data.get("expected")),
        "peer": lambda form, data: engine.peer_comment(form, g.user, data.get("opinion")),
        "publish": lambda form, data: engine.set_published(form, g.user, True),
        "unpublish": lambda form, data: engine.set_published(form, g.user, False),
    }

    @expose("/<int:pk>/<string:step>", methods=["POST"])
    @protect()
    @safe
    @permission_name("step")
    def step(self, pk, step):
        """Moves a form one step: submit, approve, return, sign, decline (the owner at 确认签字
        sends it back with his opinion), peer, publish, unpublish.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          - in: path
            name: step
            schema: {type: string, enum: [submit, approve, return, sign, decline, peer, publish, unpublish]}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    expected: {type: string, description: the stage the caller saw}
                    opinion: {type: string}
                    password: {type: string, description: the signer's password (sign)}
          responses:
            200: {description: the form after the step}
            404: {$ref: '#/components/responses/404'}
            409: {description: refused, with a Chinese message}
        """
        if step not in self.STEPS:
            return self.response_400(message="未知的操作。")
        return self._step(pk, self.STEPS[step], lambda form: {
            "id": form.id, "stage": form.stage, "stage_label": form.stage_label,
            "revision": form.revision, "signed_revision": form.signed_revision})


def register(appbuilder):
    for api in (RiskApi, ControlApi, FormApi):
        appbuilder.add_api(api)
