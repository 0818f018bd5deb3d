"""The page and the API where a county's office edits its review flows
(/flows/, /api/v1/flow/): both save through :func:`app.workflow.configure.save`."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_appbuilder.views import expose
from sqlalchemy import func, select

from app.enums import Owner
from app.errors import Refused, Stale
from app.extensions import db
from app.organisation.models import County
from app.papers.registers import papers_of
from app.security import roles
from app.security.api_writes import Answer, json_object
from app.security.scope import criteria, current_scope
from app.security.scoped_views import API_PERMISSIONS, ScopedApi, interface
from app.workflow import configure
from app.workflow.fields import FIELDS
from app.workflow.flows import (ACTOR_WORDS, ACTORS_OF_KIND, CATALOGUE, PEER_CHOICES, VARIANT_NAMES, Actor, Flow,
                                Kind, flow_from)
from app.workflow.models import ReviewFlow

SLUGS = {"person": Owner.PERSON, "section": Owner.SECTION, "unit": Owner.UNIT}
SLUG_OF = {kind: slug for slug, kind in SLUGS.items()}
BLANK_ROWS = 2   # empty rows under the stages, to add a stage


def _county(county_id) -> County:
    county = db.session.scalar(select(County).where(County.id == county_id, criteria(County, current_scope())))
    if county is None:
        abort(404)
    return county


def _kind(slug) -> Owner:
    if slug not in SLUGS:
        abort(404)
    return SLUGS[slug]


def _rows(flow: Flow) -> list[dict]:
    """The stage rows of the edit form, with blank rows to add a stage."""
    rows = [s.as_data() for s in flow.stages]
    return rows + [{"key": "", "label": "", "actor": "", "fills": [], "owner_may_return": False}] * BLANK_ROWS


def _posted(form) -> dict:
    """The flow as the edit form sent it: stage rows in the order given, blank rows left out."""
    rows = []
    for i in range(int(form.get("rows") or 0) if (form.get("rows") or "").isdigit() else 0):
        key = (form.get(f"stage-{i}-key") or "").strip()
        if not key:
            continue
        order = form.get(f"stage-{i}-order", "")
        rows.append((int(order) if order.strip().lstrip("-").isdigit() else 10 ** 6, i, {
            "key": key, "label": form.get(f"stage-{i}-label", ""), "actor": form.get(f"stage-{i}-actor") or None,
            "fills": form.getlist(f"stage-{i}-fills"), "owner_may_return": bool(form.get(f"stage-{i}-return"))}))
    return {"stages": [row for _, _, row in sorted(rows, key=lambda r: r[:2])],
            "peers": form.getlist("peers"), "papers": form.getlist("papers")}


class FlowPages(BaseView):
    route_base = "/flows"
    default_view = "index"
    class_permission_name = roles.REVIEW_FLOW
    method_permission_name = {"index": "read", "show": "read", "save": "edit"}

    @expose("/")
    @has_access
    def index(self):
        """Each county in scope, each kind of form: the flow new forms follow."""
        counties = db.session.scalars(select(County).where(criteria(County, current_scope()))
                                      .order_by(County.id)).all()
        latest = (select(ReviewFlow.county_id, ReviewFlow.owner_kind, func.max(ReviewFlow.number).label("n"))
                  .where(ReviewFlow.county_id.in_([c.id for c in counties]))
                  .group_by(ReviewFlow.county_id, ReviewFlow.owner_kind).subquery())
        rows = db.session.scalars(select(ReviewFlow).join(latest, (ReviewFlow.county_id == latest.c.county_id) & (
            ReviewFlow.owner_kind == latest.c.owner_kind) & (ReviewFlow.number == latest.c.n))).all()
        found = {(r.county_id, r.owner_kind): r for r in rows}
        table = [(c, [(kind, found.get((c.id, kind.value)), (found.get((c.id, kind.value)).flow
                                                               if (c.id, kind.value) in found
                                                               else configure.DEFAULTS[kind]))
                      for kind in Owner]) for c in counties]
        return self.render_template("workflow/flows.html", table=table, slug=SLUG_OF,
                                    titles={k: m.TITLE for kind in Owner for k, m in papers_of(kind.value).items()})

    def _page(self, county, kind, editing: Flow | dict | None = None, errors=None, base=None, status=200):
        flow, row = configure.current_flow(county.id, kind)
        versions = db.session.scalars(select(ReviewFlow).where(
            ReviewFlow.county_id == county.id, ReviewFlow.owner_kind == kind.value)
            .order_by(ReviewFlow.number.desc())).all()
        may_edit = configure.may_edit(g.user, county)
        if isinstance(editing, dict):
            data = editing
        else:
            data = (editing or flow).as_data()
        papers = papers_of(kind.value)
        fields = list(dict.fromkeys(f for m in papers.values() for f in m.FIELDS))
        stages = [s if isinstance(s, dict) else {} for s in data.get("stages") or []]
        return self.render_template(
            "workflow/flow_edit.html", county=county, kind=kind, slug=SLUG_OF[kind], flow=flow, row=row,
            versions=versions, may_edit=may_edit, rows=stages + _rows(Flow(kind, ()))[:BLANK_ROWS],
            chosen_papers=data.get("papers") or [], chosen_peers=data.get("peers") or [],
            papers=papers, fields=fields, field_rules=FIELDS, catalogue=CATALOGUE, actors=list(Actor),
            actor_words=ACTOR_WORDS, actors_of_kind=ACTORS_OF_KIND, Kind=Kind, peer_choices=PEER_CHOICES,
            variants=VARIANT_NAMES, errors=errors or {}, base=(row.number if row else 0) if base is None else base,
            shown=lambda v: flow_from(kind, v.definition)), status

    @expose("/<int:county_id>/<string:slug>")
    @has_access
    def show(self, county_id, slug):
        """The county's flow for one kind of form, its versions, and (for its office) the edit form."""
        county, kind = _county(county_id), _kind(slug)
        variant = request.args.get("template")
        start = configure.template(kind, variant) if variant else None
        if variant and start is None:
            abort(404)
        return self._page(county, kind, start)

    @expose("/<int:county_id>/<string:slug>/save", methods=["POST"])
    @has_access
    def save(self, county_id, slug):
        county, kind = _county(county_id), _kind(slug)
        data = _posted(request.form)
        base = request.form.get("version", "")
        base = int(base) if base.isdigit() else None
        try:
            row = configure.save(county, kind, data, g.user, base)
        except configure.FlowErrors as invalid:
            db.session.rollback()
            flash("流程未保存：" + "；".join(m for ms in invalid.errors.values() for m in ms), "danger")
            return self._page(county, kind, data, invalid.errors, base)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "danger")
            if isinstance(refused, Stale):
                return redirect(url_for("FlowPages.show", county_id=county.id, slug=slug))
            return self._page(county, kind, data, {}, base)
        flash(f"已保存为{county.name}{kind.value}登记表审核流程第 {row.number} 版：此后新建的登记表按新版本办理，"
              "已在办理中的登记表仍按其开始时的版本走完。", "success")
        return redirect(url_for("FlowPages.show", county_id=county.id, slug=slug))


class FlowApi(ScopedApi):
    """The versions of the flows in scope (read), and ``save``: a county's next version."""
    resource_name = "flow"
    class_permission_name = roles.REVIEW_FLOW
    datamodel = interface(ReviewFlow)
    include_route_methods = {"get", "get_list", "info", "save"}
    method_permission_name = {**API_PERMISSIONS, "save": "edit"}
    list_columns = ["id", "county_id", "county.name", "owner_kind", "number", "definition", "created_at",
                    "created_by_name"]
    show_columns = list_columns
    search_columns = ["county", "owner_kind", "number"]
    base_order = ("id", "asc")

    @api_expose("/save", methods=["POST"])
    @protect()
    @safe
    @permission_name("save")
    def save(self):
        """Saves a county's flow for one kind of form as its next version.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    county: {type: integer, description: the county's id}
                    kind: {type: string, enum: [个人, 部门, 单位]}
                    version: {type: integer, description: the version the caller saw (0 for none)}
                    stages:
                      type: array
                      items:
                        type: object
                        properties:
                          key: {type: string}
                          label: {type: string}
                          actor: {type: string}
                          fills: {type: array, items: {type: string}}
                          owner_may_return: {type: boolean}
                    peers: {type: array, items: {type: string}}
                    papers: {type: array, items: {type: string}}
          responses:
            200: {description: the new version}
            404: {$ref: '#/components/responses/404'}
            409: {description: built on an older version, or nothing changed}
            422: {description: the flow breaks a rule; messages by field}
        """
        try:
            body = json_object(self)
        except Answer as answer:
            return answer.response
        county_id, kind = body.get("county"), body.get("kind")
        if kind not in Owner.values():
            return self.response(422, message={"kind": [f"登记表类型应为：{'、'.join(Owner.values())}。"]})
        if not isinstance(county_id, int) or isinstance(county_id, bool):
            return self.response(422, message={"county": ["请给出县（行政区划）的 id（整数）。"]})
        county = db.session.scalar(select(County).where(County.id == county_id, criteria(County, current_scope())))
        if county is None:
            return self.response_404()
        base = body.get("version")
        if base is not None and (not isinstance(base, int) or isinstance(base, bool) or base < 0):
            return self.response(422, message={"version": ["version 应为您读取到的流程版本号（整数，未保存过为 0）。"]})
        try:
            row = configure.save(county, Owner(kind), {k: body.get(k) for k in ("stages", "peers", "papers")},
                                 g.user, base)
        except configure.FlowErrors as invalid:
            db.session.rollback()
            return self.response(422, message=invalid.errors)
        except Refused as refused:
            db.session.rollback()
            return self.response(409 if isinstance(refused, Stale) or configure.may_edit(g.user, county) else 403,
                                 message=str(refused))
        return self.response(200, result={"id": row.id, "county": county.id, "kind": row.owner_kind,
                                          "number": row.number, "definition": row.definition})


def register(appbuilder):
    appbuilder.add_view(FlowPages, roles.REVIEW_FLOW, label="审核流程设置", icon="fa-random",
                        category=roles.RISK_MENU, category_label="廉政风险", category_icon="fa-shield")
    appbuilder.add_api(FlowApi)
