"""REST: /api/v1/selfcheck/, /api/v1/inspection/, /api/v1/assessment/ and
/api/v1/notice/, with the steps of ``services`` as POST /<id>/<step>."""
from datetime import date

from flask import g
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.assessment import services
from app.assessment.hooks import Drafting, Grading, OpenNotice, Organised
from app.assessment.models import Assessment, Inspection, RectificationNotice, SelfCheck
from app.enums import Standard
from app.errors import Refused
from app.security import roles
from app.security.scoped_views import ScopedApi, StepApi, interface

EVALS = [f"{s.key}_eval" for s in Standard]
RATINGS = [f"{s.key}_{part}" for s in Standard for part in ("grade", "comment")]


class SelfCheckApi(Drafting, StepApi):
    resource_name = "selfcheck"
    class_permission_name = roles.SELF_CHECK
    datamodel = interface(SelfCheck)
    method_permission_name = {**ScopedApi.method_permission_name, "file": "file"}
    list_columns = ["id", "year", "quarter", "unit.id", "unit.name", "section.id", "section.name",
                    "self_grade", "status", "filed_at"]
    show_columns = list_columns + ["gap_analysis", "effect", *EVALS, "filed_by", "attachments.filename"]
    add_columns = edit_columns = ["unit", "section", "year", "quarter", "gap_analysis", "effect", *EVALS,
                                  "self_grade"]
    search_columns = ["year", "quarter", "unit", "section"]

    @expose("/<int:pk>/file", methods=["POST"])
    @protect()
    @safe
    @permission_name("file")
    def file(self, pk):
        """报送: files a complete self-check with the office; it is frozen afterwards.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: filed}
            404: {$ref: '#/components/responses/404'}
            409: {description: refused, with a Chinese message}
        """
        return self._step(pk, lambda report, _: services.file_self_check(report, g.user),
                          lambda report: {"id": report.id, "status": report.status})


class InspectionApi(Organised, StepApi):
    resource_name = "inspection"
    class_permission_name = roles.INSPECTION
    datamodel = interface(Inspection)
    method_permission_name = {**ScopedApi.method_permission_name, "sample": "sample"}
    list_columns = ["id", "kind", "title", "held_on", "organiser.name", "units.id", "units.name"]
    show_columns = list_columns + ["sections.id", "sections.name", "team", "methods", "findings",
                                   "sample_seed", "sample_section_ids", "sample_person_ids", "sampled_at"]
    add_columns = edit_columns = ["kind", "title", "held_on", "units", "sections", "team", "methods", "findings"]
    search_columns = ["kind", "title", "held_on"]

    @expose("/<int:pk>/sample", methods=["POST"])
    @protect()
    @safe
    @permission_name("sample")
    def sample(self, pk):
        """Draws a spot check's random sample once, and records seed and ids.
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
                    sections: {type: integer}
                    persons: {type: integer}
                    seed: {type: integer, description: omitted, one is made up and recorded}
          responses:
            200: {description: the seed and the drawn ids}
            409: {description: refused, with a Chinese message}
        """
        def draw(inspection, body):
            try:
                counts = int(body.get("sections") or 0), int(body.get("persons") or 0)
                seed = int(body["seed"]) if body.get("seed") is not None else None
            except (TypeError, ValueError):
                raise Refused("科室数、人数和随机种子应为整数。")
            services.draw_sample(inspection, g.user, *counts, seed=seed)

        return self._step(pk, draw, lambda i: {"seed": i.sample_seed, "sections": i.sample_section_ids,
                                               "persons": i.sample_person_ids})


class AssessmentApi(Grading, ScopedApi):
    resource_name = "assessment"
    class_permission_name = roles.ASSESSMENT
    datamodel = interface(Assessment)
    list_columns = ["id", "year", "unit.id", "unit.name", "grade", "assessed_on", "notice.id", "commendation.id"]
    show_columns = list_columns + ["inspection.id", *RATINGS, "feedback", "assessed_by", "notice.number",
                                   "notice.deadline", "commendation.title"]
    add_columns = edit_columns = ["unit", "year", "assessed_on", "inspection", *RATINGS, "grade", "feedback"]
    search_columns = ["year", "unit", "grade"]


class NoticeApi(OpenNotice, StepApi):
    """Notices come from grading; they are adjusted, visited and closed here."""
    resource_name = "notice"
    class_permission_name = roles.NOTICE
    datamodel = interface(RectificationNotice)
    include_route_methods = {"get", "get_list", "info", "put", "visit", "close"}
    method_permission_name = {**ScopedApi.method_permission_name, "visit": "visit", "close": "close"}
    list_columns = ["id", "number", "unit.id", "unit.name", "issued_on", "deadline", "status", "closed_on"]
    show_columns = list_columns + ["assessment.id", "issuer", "problems", "requirements", "closing_note",
                                   "visits.visited_on", "visits.visitors", "visits.findings"]
    edit_columns = ["problems", "requirements", "deadline"]
    search_columns = ["number", "unit", "deadline", "closed_on"]

    @expose("/<int:pk>/visit", methods=["POST"])
    @protect()
    @safe
    @permission_name("visit")
    def visit(self, pk):
        """跟踪回访: records a follow-up visit of an open notice.
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
                    visited_on: {type: string, format: date}
                    visitors: {type: string}
                    findings: {type: string}
          responses:
            200: {description: recorded}
            409: {description: refused, with a Chinese message}
        """
        def record(notice, body):
            try:
                visited_on = date.fromisoformat(body.get("visited_on") or "")
            except ValueError:
                visited_on = None
            services.record_visit(notice, g.user, visited_on, body.get("visitors"), body.get("findings"))

        return self._step(pk, record, lambda n: {"id": n.id, "visits": len(n.visits), "status": n.status})

    @expose("/<int:pk>/close", methods=["POST"])
    @protect()
    @safe
    @permission_name("close")
    def close(self, pk):
        """The office closes a notice after a follow-up visit.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {note: {type: string}}}
          responses:
            200: {description: closed}
            409: {description: refused, with a Chinese message}
        """
        return self._step(pk, lambda notice, body: services.close_notice(notice, g.user, body.get("note")),
                          lambda n: {"id": n.id, "status": n.status, "closed_on": n.closed_on.isoformat()})


def register(appbuilder):
    for api in (SelfCheckApi, InspectionApi, AssessmentApi, NoticeApi):
        appbuilder.add_api(api)
