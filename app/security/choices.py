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
    "Person": Searched(_name, _person_label, ("unit", "section")),
    "Section": Searched(_name, lambda s: f"{s.unit.name} · {s.name}", ("unit",)),
    "Post": Searched(_name, lambda p: f"{p.unit.name} · {p.name}", ("unit",)),
    "Power": Searched(_name),
    "FlowStep": Searched(_name, load=("power",)),
    "RiskForm": Searched(_form_owner),
    "RiskPoint": Searched(lambda m, t: m.content.contains(t, autoescape=True),
                          lambda r: f"{r.content[:40]}（{r.owner.name}）", ("owner",)),
}


def searched(model) -> Searched | None:
    return SEARCHED.get(model.__name__)


class SearchedSelect:
    """Renders a select with only the chosen row(s); choices.js searches the rest."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        name = kwargs.pop("name_", None) or kwargs.pop("name", None) or field.name
        attrs = {"class": "form-control searched-choice", "data-url": field.url(),
                 "data-placeholder": "输入名称中的几个字搜索", "style": "width: 100%"}
        chosen = field.chosen()
        html = [f'<select name="{escape(name)}" id="{escape(kwargs["id"])}"'
                + (' multiple' if field.multiple else '')
                + "".join(f' {k}="{escape(v)}"' for k, v in attrs.items()) + ">"]
        if not field.multiple:
            html.append('<option value=""></option>')
        label = field.spec.label
        html += [f'<option value="{escape(field.related.get_pk_value(o))}" selected>{escape(label(o))}</option>'
                 for o in chosen]
        html.append("</select>")
        return Markup("".join(html))


class SearchedChoice(Field):
    """A many-to-one (or many-to-many, ``multiple``) field of a page whose
    choices are searched on demand; the posted id(s) are fetched through the
    page's own filters for the field, so none outside them can be chosen."""

    widget = SearchedSelect()

    def __init__(self, label=None, validators=None, *, view, column, mode, multiple=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.view, self.column, self.mode, self.multiple = view, column, mode, multiple
        self.related = view.datamodel.get_related_interface(column)
        self.spec = searched(self.related.obj)

    def url(self) -> str:
        return url_for(f"{type(self.view).__name__}.choices", column=self.column, mode=self.mode)

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
        filters = choice_filters(self.view, self.column, self.mode)
        rows = [self.related.get(pk, filters) for pk in ids]
        self.data = rows if self.multiple else (rows[0] if rows else None)
        if any(r is None for r in rows):
            self.data = [r for r in rows if r is not None] if self.multiple else None
            raise ValueError(NOT_A_CHOICE)

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
        model = self.datamodel.obj
        for mode, columns_attr, extra_attr in (("add", "add_columns", "add_form_extra_fields"),
                                               ("edit", "edit_columns", "edit_form_extra_fields"),
                                               ("search", "search_columns", "search_form_extra_fields")):
            extra = dict(getattr(self, extra_attr, None) or {})
            for rel in model.__mapper__.relationships:
                if rel.key in extra or rel.key not in (getattr(self, columns_attr, None) or []):
                    continue
                if rel.direction not in (MANYTOONE, MANYTOMANY) or searched(rel.mapper.class_) is None:
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
        fields = getattr(self, f"{mode}_form_extra_fields", None) if mode in MODES else None
        field = (fields or {}).get(column)
        if getattr(field, "field_class", None) is not SearchedChoice:   # only the fields this page searches
            abort(404)
        related = self.datamodel.get_related_interface(column)
        related_model = related.obj
        spec = searched(related_model)
        query = choice_filters(self, column, mode).apply_all(related.session.query(related_model))
        query = query.options(*[selectinload(getattr(related_model, r)) for r in spec.load])
        if request.args.get("id"):
            row = query.filter(related_model.id == request.args.get("id", type=int)).first()
            return jsonify(results=[{"id": row.id, "text": spec.label(row)}] if row else [])
        text = (request.args.get("q") or "").strip()[:50]
        if text:
            query = query.filter(spec.condition(related_model, text))
        page = max(request.args.get("page", 1, type=int), 1)
        rows = query.order_by(related_model.id).limit(PAGE + 1).offset((page - 1) * PAGE).all()
        return jsonify(results=[{"id": r.id, "text": spec.label(r)} for r in rows[:PAGE]],
                       pagination={"more": len(rows) > PAGE})
