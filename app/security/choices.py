"""Related-field choices searched on demand, never all rows.

A relation to a table that grows with the organisation (people, sections,
posts, powers, flowchart steps, forms, risk points) is not rendered as a
select holding every row in scope: its field (:class:`SearchedChoice`)
renders only the value it holds, and the browser (``static/js/choices.js``,
Select2's ajax mode) asks ``<view>/choices/<column>?q=…`` for twenty rows at a
time as the user types.  That endpoint applies the very filters the page
declares for the field (``add_form_query_rel_fields`` … — the data scope for
every scoped relation, see ``scoped_views._scoped_relations``), and so does
the field when it turns the posted ids back into rows: an id outside them is
refused at the field.  Smaller relations (units, counties, roles) keep FAB's
ordinary select.
"""
from dataclasses import dataclass
from typing import Callable

from flask import abort, jsonify, request, url_for
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE
from wtforms import Field
from wtforms.validators import DataRequired, Optional, StopValidation

PAGE = 20
NOT_A_CHOICE = "所选记录不存在或不在您可选择的范围内。"
MODES = ("add", "edit", "search")


@dataclass(frozen=True)
class Searched:
    """How rows of one model are found by a few typed characters, and shown."""
    condition: Callable      # (model, text) -> SQL condition
    label: Callable = str    # row -> text shown in the select
    load: tuple = ()         # many-to-one relations the label reads, loaded with the page


def _name(model, text):
    return model.name.contains(text, autoescape=True)


def _person_label(p):
    place = " ".join(x.name for x in (p.unit, p.section) if x is not None)
    return f"{p.name}（{place}）" if place else p.name


def _form_owner(model, text):
    from app.organisation.models import Person
    condition = model.owner_id.in_(select(Person.id).where(Person.name.contains(text, autoescape=True)))
    return condition | (model.round == int(text)) if text.isdigit() else condition


SEARCHED = {  # by model name: the relations that grow with the organisation
    "Unit": Searched(_name),
    "Person": Searched(_name, _person_label, ("unit", "section")),
    "Section": Searched(_name, lambda s: f"{s.unit.name} · {s.name}", ("unit",)),
    "Post": Searched(_name, lambda p: f"{p.unit.name} · {p.name}", ("unit",)),
    "Power": Searched(_name),
    "FlowStep": Searched(_name, load=("power",)),
    "RiskForm": Searched(_form_owner),
    "RiskPoint": Searched(lambda m, t: m.content.contains(t, autoescape=True),
                          lambda r: f"{r.content[:40]}（{r.owner.name}）", ("owner",)),
    "ControlMeasure": Searched(lambda m, t: m.content.contains(t, autoescape=True), load=("risk",)),
}
LISTED = {"Unit"}   # searched where a page asks for it, but a page's own relation to units stays a select


def searched(model) -> Searched | None:
    return SEARCHED.get(model.__name__)


class SearchedSelect:
    """Renders a select with only the chosen row(s); choices.js searches the rest."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        name = kwargs.pop("name_", None) or kwargs.pop("name", None) or field.name
        attrs = {"class": "form-control searched-choice", "data-url": field.url(),
                 "data-placeholder": "输入名称中的几个字搜索", "style": "width: 100%"}
        html = [f'<select name="{escape(name)}" id="{escape(kwargs["id"])}"'
                + (' multiple' if field.multiple else '')
                + "".join(f' {k}="{escape(v)}"' for k, v in attrs.items()) + ">"]
        if not field.multiple:
            html.append('<option value=""></option>')
        html += [f'<option value="{escape(o.id)}" selected>{escape(field.label_of(o))}</option>'
                 for o in field.chosen()]
        html.append("</select>")
        return Markup("".join(html))


class SearchedChoice(Field):
    """A many-to-one (or many-to-many, ``multiple``) field whose choices are
    searched on demand; the posted id(s) are fetched through the same query
    the search uses, so none outside it can be chosen.

    Either a relation of a page (``view``, ``column``, ``mode``): the choices are
    those the page's own filters allow; or a record of ``model`` in the viewer's
    data scope, narrowed by ``where()`` (extra conditions), in ``order``.
    """

    widget = SearchedSelect()

    def __init__(self, label=None, validators=None, *, view=None, column=None, mode=None, multiple=False,
                 model=None, where=None, order=(), get_label=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.view, self.column, self.mode, self.multiple = view, column, mode, multiple
        self.model = view.datamodel.get_related_interface(column).obj if view is not None else model
        self.where, self.order = where, order
        self.spec = searched(self.model) or Searched(_name)
        self.label_of = get_label or self.spec.label

    def url(self) -> str:
        view = type(self.view).__name__ if self.view is not None else request.blueprint
        mode = self.mode or ("edit" if request.endpoint and request.endpoint.endswith(".edit") else "add")
        return url_for(f"{view}.choices", column=self.column or self.name, mode=mode)

    def choices(self):
        """The rows that may be chosen, as a query (the search narrows it further)."""
        from app.extensions import db
        from app.security.scope import criteria, current_scope

        if self.view is not None:
            related = self.view.datamodel.get_related_interface(self.column)
            return choice_filters(self.view, self.column, self.mode).apply_all(related.session.query(self.model))
        query = db.session.query(self.model).filter(criteria(self.model, current_scope()))
        return query.filter(*self.where()) if self.where is not None else query

    def chosen(self) -> list:
        if self.data is None:
            return []
        return list(self.data) if self.multiple else [self.data]

    def process_data(self, value):
        self.data = list(value or []) if self.multiple else value

    def process_formdata(self, valuelist):
        ids = [v for v in valuelist if v not in ("", "__None")]
        if not self.multiple:
            ids = ids[:1]
        rows = [self.choices().filter(self.model.id == int(pk)).first() if str(pk).isdigit() else None
                for pk in ids]
        self.data = [r for r in rows if r is not None] if self.multiple else (rows[0] if rows else None)
        refused = [pk for pk, r in zip(ids, rows) if r is None]
        if refused:
            raise ValueError(self.refusal(refused[0]))

    def refusal(self, raw) -> str:
        return NOT_A_CHOICE

    def pre_validate(self, form):
        if self.process_errors:   # the refusal above stands; "请选择" would only hide it
            raise StopValidation()


def choice_filters(view, column: str, mode: str):
    """The filters the page declares for ``column`` in ``mode`` (add, edit, search)."""
    rel_fields = {"add": view.add_form_query_rel_fields, "edit": view.edit_form_query_rel_fields,
                  "search": view.search_form_query_rel_fields}[mode] or {}
    related = view.datamodel.get_related_interface(column)
    return related.get_filters().add_filter_list(rel_fields.get(column) or [])


class SearchedRelations:
    """Mixin for a ModelView: its relations to growing tables become searched
    fields in the add, edit and search forms, served by :meth:`choices`."""

    def __init__(self, **kwargs):
        # the choices route is served, and asks what the page's list asks, whatever the view declares
        if self.include_route_methods is not None:
            self.include_route_methods = set(self.include_route_methods) | {"choices"}
        names = dict(self.method_permission_name or {})
        if names and "choices" not in names:
            self.method_permission_name = {**names, "choices": names.get("list", "list")}
        model = self.datamodel.obj
        for mode, columns_attr, extra_attr in (("add", "add_columns", "add_form_extra_fields"),
                                               ("edit", "edit_columns", "edit_form_extra_fields"),
                                               ("search", "search_columns", "search_form_extra_fields")):
            extra = dict(getattr(self, extra_attr, None) or {})
            for rel in model.__mapper__.relationships:
                if rel.key in extra or rel.key not in (getattr(self, columns_attr, None) or []):
                    continue
                target = rel.mapper.class_
                if rel.direction not in (MANYTOONE, MANYTOMANY) or searched(target) is None \
                        or target.__name__ in LISTED:
                    continue
                extra[rel.key] = self._searched_field(rel, mode)
            setattr(self, extra_attr, extra)
        super().__init__(**kwargs)

    def _searched_field(self, rel, mode):
        checks = [] if mode == "search" else list((self.validators_columns or {}).get(rel.key, []))
        nullable = rel.direction is MANYTOMANY or any(c.nullable for c in rel.local_columns)
        if mode != "search":
            checks.insert(0, Optional() if nullable else DataRequired(message="请选择。"))
        label = (self.label_columns or {}).get(rel.key, rel.key)
        description = (self.description_columns or {}).get(rel.key, "")
        return SearchedChoice(label, checks, view=self, column=rel.key, mode=mode, description=description,
                              multiple=rel.direction is MANYTOMANY)

    @expose("/choices/<column>")
    @has_access
    def choices(self, column):
        """Twenty rows matching ``q`` (page ``page``), or the row ``id``, as Select2 reads them."""
        mode = request.args.get("mode", "add")
        if mode not in MODES:
            abort(404)
        form_class = {"add": self.add_form, "edit": self.edit_form, "search": getattr(self, "search_form", None)}[mode]
        field = getattr(form_class(formdata=None), column, None) if form_class is not None else None
        if not isinstance(field, SearchedChoice):   # only the fields this page searches
            abort(404)
        model, spec = field.model, field.spec
        query = field.choices().options(*[selectinload(getattr(model, r)) for r in spec.load])
        if request.args.get("id"):
            row = query.filter(model.id == request.args.get("id", type=int)).first()
            return jsonify(results=[{"id": row.id, "text": field.label_of(row)}] if row else [])
        text = (request.args.get("q") or "").strip()[:50]
        if text:
            query = query.filter(spec.condition(model, text))
        page = max(request.args.get("page", 1, type=int), 1)
        rows = query.order_by(*(field.order or [model.id])).limit(PAGE + 1).offset((page - 1) * PAGE).all()
        return jsonify(results=[{"id": r.id, "text": field.label_of(r)} for r in rows[:PAGE]],
                       pagination={"more": len(rows) > PAGE})
