"""Base classes that put every page and API of a scoped model under the scope.

FAB's ``base_filters`` already narrow list, show, edit, delete and search; what
they leave open (bulk actions, adds, the choices offered in related fields)
is closed here, so a view only declares its columns.
"""
from contextlib import contextmanager

from flask import abort, flash, g, redirect, request
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.actions import action as bulk_action
from flask_appbuilder.views import expose

from sqlalchemy import Boolean
from sqlalchemy import inspect as inspect_state
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE
from wtforms import BooleanField

from app import field_limits, versions
from app.errors import Invalid, Refused
from app.integrity import SafeInterface
from app.security.api_writes import Answer, SafeWrites, step_body
from app.security.choices import SearchedRelations
from app.security.per_request import PerRequestFilters
from app.security.scope import Scoped, ScopeFilter, default_county, in_scope

# A page and its API share one resource name and these permissions.
VIEW_PERMISSIONS = {
    "list": "read", "show": "read", "download": "read",
    "add": "add", "edit": "edit", "delete": "delete",
    "action": "edit", "action_post": "edit", "muldelete": "delete", "choices": "read",
}
API_PERMISSIONS = {
    "get_list": "read", "get": "read", "info": "read",
    "post": "add", "put": "edit", "delete": "delete",
}
SCOPE_FILTER = [["id", ScopeFilter, None]]
OUT_OF_SCOPE = "该记录不在您的数据范围内，不能保存。"
NOT_A_CHOICE = "所选{label}「{value}」不在您可选择的范围内，不能保存。"


def check(item, view=None, adding=False) -> None:
    """Field limits, model rules and scope for an object about to be saved through ``view``
    (a page or an API): what it holds, its own rules, the related rows it was given, its place."""
    with unchanged_on_refusal():
        for field, message in field_limits.errors(item, required=True).items():
            raise Invalid(message, field)
        validate = getattr(item, "validate", None)
        if validate:
            for field, message in validate().items():
                raise Refused(message, field)
        if view is not None:
            check_related(item, view, adding)
        if not in_scope(item):
            raise Refused(OUT_OF_SCOPE)


@contextmanager
def unchanged_on_refusal():
    """A refused save leaves nothing pending: the session is rolled back, so
    no later flush writes what the form or the API had already set."""
    try:
        yield
    except Refused:
        from app.extensions import db
        db.session.rollback()
        raise


def check_related(item, view, adding: bool) -> None:
    """Every many-to-one and many-to-many value the payload sets must be one of
    the choices the login is offered: the same filtered query that fills the
    page's select and the API's ``_info`` (FAB checks neither on REST writes)."""
    from app.extensions import db

    if isinstance(view, ModelRestApi):
        columns = view.add_columns if adding else view.edit_columns
        rel_filters = view.add_query_rel_fields if adding else view.edit_query_rel_fields
    else:
        columns = view.add_columns if adding else view.edit_columns
        rel_filters = view.add_form_query_rel_fields if adding else view.edit_form_query_rel_fields
    state = inspect_state(item)
    for rel in type(item).__mapper__.relationships:
        if rel.key not in columns or rel.direction not in (MANYTOONE, MANYTOMANY):
            continue
        chosen = [v for v in state.attrs[rel.key].history.added if v is not None]
        if not chosen:
            continue
        related = view.datamodel.get_related_interface(rel.key)
        filters = related.get_filters().add_filter_list(rel_filters.get(rel.key) or [])
        with db.session.no_autoflush:  # the item is not saved yet, and may never be
            for value in chosen:
                if related.get(related.get_pk_value(value), filters) is None:
                    label = view.label_columns.get(rel.key, rel.key)
                    raise Refused(NOT_A_CHOICE.format(label=label, value=value), rel.key)


def _scoped_relations(model) -> dict:
    """Related-field choices limited to the scope, for every scoped relation."""
    rels = {}
    for rel in model.__mapper__.relationships:
        target = rel.mapper.class_
        if issubclass(target, Scoped) and target.__scope__:
            rels[rel.key] = [["id", ScopeFilter, None]]
    return rels


class ScopedModelView(PerRequestFilters, SearchedRelations, ModelView):
    """A FAB ModelView whose every route obeys the data scope; its relations to
    growing tables are searched on demand (app.security.choices); its edit form
    carries the version of the record it shows (``app.versions``)."""

    method_permission_name = VIEW_PERMISSIONS
    base_filters = SCOPE_FILTER

    def __init__(self, **kwargs):
        rels = _scoped_relations(self.datamodel.obj)
        for attr in ("add_form_query_rel_fields", "edit_form_query_rel_fields", "search_form_query_rel_fields"):
            setattr(self, attr, {**rels, **(getattr(self, attr, None) or {})})
        # FAB makes a NOT NULL boolean a required checkbox; unticked means 否 here.
        flags = {c.key: BooleanField(self.label_columns.get(c.key, c.key), default=False)
                 for c in self.datamodel.obj.__table__.columns if isinstance(c.type, Boolean)}
        self.add_form_extra_fields = {**flags, **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**flags, **(self.edit_form_extra_fields or {})}
        super().__init__(**kwargs)
        if versions.is_versioned(self.datamodel.obj):
            self.edit_form = versions.with_seen_version(self.edit_form)

    def pre_add(self, item):
        default_county(item)
        check(item, self, adding=True)

    def pre_update(self, item):
        check(item, self)

    # FAB fetches action rows without base filters, answers an unknown action
    # with a crash and a refused one with a redirect: refuse plainly, fetch in scope.
    def _action_allowed(self, name, pks):
        if name not in self.actions:
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name), self.class_permission_name):
            abort(403)
        for pk in pks:
            if self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters) is None:
                abort(404)

    def _edit(self, pk):
        """A save built on an older version than the record's is refused before
        the form touches the record (a relation loaded while the form fills it
        would flush, and raise the version, before ``pre_update``)."""
        if request.method == "POST":
            item = self.datamodel.get(pk, self._base_filters)
            if item is not None:
                try:
                    versions.check_seen(item, versions.seen(request.form.get(versions.SEEN)))
                except Refused as refused:
                    flash(str(refused), "danger")
                    return None
        return super()._edit(pk)

    @property
    def database_error_message(self):
        """What FAB's edit page flashes when the save itself is refused: the refusal."""
        refused = g.pop("refused", None)
        return str(refused) if refused else "保存失败，请稍后重试。"

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        self._action_allowed(name, [pk])
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        self._action_allowed(request.form.get("action"), request.form.getlist("rowid"))
        return super().action_post()

    @bulk_action("muldelete", "删除所选", "确定删除所选记录吗？", "fa-trash", single=False)
    def muldelete(self, items):
        """All or nothing: one refused row and no row is deleted."""
        from app.extensions import db
        from sqlalchemy.exc import IntegrityError
        try:
            for item in items:
                self.pre_delete(item)
                db.session.delete(item)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            flash(f"所选记录均未删除：{refused}", "danger")
        except IntegrityError:
            db.session.rollback()
            flash("所选记录均未删除：其中有记录仍被其他数据引用。", "danger")
        else:
            flash(f"已删除 {len(items)} 条记录。", "success")
        return redirect(self.get_redirect())


class ScopedApi(PerRequestFilters, SafeWrites, ModelRestApi):
    """A FAB ModelRestApi under the same scope and rules as the pages; its
    writes are taken by ``SafeWrites`` (app.security.api_writes)."""

    method_permission_name = API_PERMISSIONS
    base_filters = SCOPE_FILTER
    page_size = 25
    max_page_size = 500

    def __init__(self):
        rels = _scoped_relations(self.datamodel.obj)
        self.add_query_rel_fields = {**rels, **(self.add_query_rel_fields or {})}
        self.edit_query_rel_fields = {**rels, **(self.edit_query_rel_fields or {})}
        if versions.is_versioned(self.datamodel.obj):   # what a client sends back with its PUT
            for attr in ("list_columns", "show_columns"):
                columns = getattr(self, attr, None)
                if columns and versions.SEEN not in columns:
                    setattr(self, attr, [*columns, versions.SEEN])
        super().__init__()

    def pre_add(self, item):
        default_county(item)
        check(item, self, adding=True)

    def pre_update(self, item):
        check(item, self)


class StepApi(ScopedApi):
    """A ScopedApi whose records also move through steps (services raising Refused)."""

    def _step(self, pk, step, done):
        """Runs ``step(record, body)`` on a record in scope: 200 with ``done(record)``; 400 for a
        malformed body; 422 for a refusal at a field (``{field: [message]}``, like a refused
        save) or a value no record may hold; 409 for a step the rules refuse."""
        from app.extensions import db
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        try:
            step(item, step_body(self))
        except Answer as answer:
            return answer.response
        except Refused as refused:
            db.session.rollback()
            if refused.field:
                return self.response(422, message={refused.field: [str(refused)]})
            return self.response(422 if isinstance(refused, Invalid) else 409, message=str(refused))
        except StaleDataError as error:   # a step committed on a record someone changed meanwhile
            db.session.rollback()
            return self.response(409, message=str(versions.explain_stale(error, type(item), None, None)))
        return self.response(200, result=done(item))


class EagerInterface(SafeInterface):
    """Loads a page's many-to-one and one-to-one relations (a person's login)
    in one query each (selectinload), so a list page issues the same number
    of queries at 10 rows or 100."""

    def apply_all(self, query, filters=None, order_column="", order_direction="", page=None,
                  page_size=None, select_columns=None, outer_default_load=False):
        query = super().apply_all(query, filters, order_column, order_direction, page, page_size,
                                  select_columns, outer_default_load)
        joined = {c.split(".")[0] for c in select_columns or [] if "." in c}
        eager = [selectinload(getattr(self.obj, rel.key)) for rel in self.obj.__mapper__.relationships
                 if (rel.direction is MANYTOONE or not rel.uselist) and rel.key not in joined]
        return query.options(*eager)


def interface(model):
    from app.extensions import db
    return EagerInterface(model, db.session)
