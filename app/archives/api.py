"""REST: /api/v1/disposition/, /api/v1/talk/ and /api/v1/archive/ (every get
and list of archives is a read, and logged)."""
from datetime import date

from flask import g

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.archives import access, document, services
from app.archives.hooks import Placing
from app.archives.models import Disposition, IntegrityArchive, IntegrityTalk
from app.enums import ArchiveReadChannel
from app.extensions import db
from app.security import roles
from app.security.scoped_views import ScopedApi, StepApi, interface


class DispositionApi(Placing, ScopedApi):
    resource_name = "disposition"
    class_permission_name = roles.DISPOSITION
    datamodel = interface(Disposition)
    list_columns = ["id", "decided_on", "kind", "source", "outcome", "unit.name", "section.name",
                    "person.id", "person.name"]
    show_columns = list_columns + ["reason", "decided_by", "outcome_on", "outcome_note"]
    add_columns = edit_columns = ["person", "section", "kind", "source", "reason", "decided_on", "decided_by",
                                  "outcome", "outcome_on", "outcome_note"]
    search_columns = ["unit", "section", "person", "kind", "source", "outcome"]


class TalkApi(Placing, ScopedApi):
    resource_name = "talk"
    class_permission_name = roles.TALK
    datamodel = interface(IntegrityTalk)
    list_columns = ["id", "year", "held_on", "cadre.id", "cadre.name", "talker.id", "talker.name", "unit.name"]
    show_columns = list_columns + ["section.name", "content", "response"]
    add_columns = edit_columns = ["cadre", "talker", "held_on", "content", "response"]
    search_columns = ["year", "cadre", "talker", "unit", "section"]


class ArchiveApi(Placing, StepApi):
    """Archives, as the pages show them: ``access.readable`` decides, every read is logged,
    and ``GET /<id>`` returns the whole document."""
    resource_name = "archive"
    class_permission_name = roles.ARCHIVE
    datamodel = interface(IntegrityArchive)
    base_filters = [["id", access.ReadableArchives, None]]
    include_route_methods = {"get", "get_list", "info", "post", "put", "entry"}
    method_permission_name = {**ScopedApi.method_permission_name, "entry": "edit"}
    list_columns = ["id", "person.id", "person.name", "unit.name", "section.name", "opened_on", "keeper"]
    show_columns = list_columns + ["notes", "entries.id", "entries.kind", "entries.occurred_on", "entries.content"]
    add_columns = edit_columns = ["person", "opened_on", "keeper", "notes"]
    search_columns = ["person", "unit", "section"]

    def pre_get(self, data):
        archive = db.session.get(IntegrityArchive, data["id"])
        access.log_reads(g.user, [archive], ArchiveReadChannel.API_GET)
        data["result"]["document"] = document.as_data(archive)

    def pre_get_list(self, data):
        access.log_reads(g.user, data["ids"], ArchiveReadChannel.API_LIST)

    @expose("/<int:pk>/entry", methods=["POST"])
    @protect()
    @safe
    @permission_name("entry")
    def entry(self, pk):
        """Adds a fact to an archive: 职务任免, 组织处理, 纪律处分, 个人有关事项申报/变更, 收入, 配偶子女从业.
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
                    kind: {type: string}
                    occurred_on: {type: string, format: date}
                    content: {type: string}
          responses:
            200: {description: added}
            404: {$ref: '#/components/responses/404'}
            409: {description: refused, with a Chinese message}
        """
        def add(archive, body):
            try:
                occurred_on = date.fromisoformat(body.get("occurred_on") or "")
            except ValueError:
                occurred_on = None
            services.add_entry(archive, g.user, body.get("kind"), occurred_on, body.get("content"))

        return self._step(pk, add, lambda archive: {"id": archive.id, "entries": len(archive.entries)})


def register(appbuilder):
    for api in (DispositionApi, TalkApi, ArchiveApi):
        appbuilder.add_api(api)
