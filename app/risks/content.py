"""The write rule for a form's content (risks, measures, supervision methods),
shared by the pages and the API: copy the owner's place from the form, and let
only the owner write, only while the form is with him."""
from flask import g

from app.workflow import engine


def form_of(item):
    return item.form if hasattr(item, "form") else item.risk.form


class FormContent:
    """Mixin for the views and APIs of a form's content."""

    def pre_add(self, item):
        self._own(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._own(item)
        super().pre_update(item)

    def pre_delete(self, item):
        engine.begin_edit(form_of(item), g.user)

    @staticmethod
    def _own(item):
        form = form_of(item)
        if form is None:
            from app.errors import Refused
            raise Refused("请选择登记表。", "form")
        item.unit_id, item.section_id, item.owner_id = form.unit_id, form.section_id, form.owner_id
        if hasattr(item, "owner_kind"):
            item.owner_kind = form.owner_kind
        engine.begin_edit(form, g.user)
