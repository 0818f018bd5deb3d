"""Form fields and validators shared by the pages of every domain."""
from babel import support
from flask import request
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_babel import get_locale
from wtforms import SelectField
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Optional, ValidationError

# FAB's related-field selects refuse a value outside their choices with a
# message WTForms' catalogue does not hold (it has "Not a valid choice.").
FAB_MESSAGES = {"Not a valid choice": "所选项不在您可选择的范围内，请重新选择。"}
_catalogues = {}


class _FormMessages:
    """WTForms' catalogue for the page's language, with FAB_MESSAGES on top."""

    def __init__(self, base):
        self.base = base

    def ugettext(self, string):
        return FAB_MESSAGES.get(string) or self.base.ugettext(string)

    def ungettext(self, singular, plural, n):
        return self.base.ungettext(singular, plural, n)


def install_form_messages(app):
    """Flask-WTF reads the catalogue from ``request.wtforms_translations``."""
    @app.before_request
    def form_messages():
        locale = str(get_locale())
        if locale not in _catalogues:
            _catalogues[locale] = _FormMessages(support.Translations.load(messages_path(), [locale],
                                                                          domain="wtforms"))
        request.wtforms_translations = _catalogues[locale]


def choice_field(enum, label: str, required: bool = True, description: str = "", blank: str | None = None):
    """A select over one of ``app.enums``, starting blank: nothing is chosen for the user
    (a required one says ``blank``, by default （请选择）, until he picks)."""
    choices = [("", blank or ("（请选择）" if required else "（未填）"))] + enum.choices()
    return SelectField(label, choices=choices, description=description,
                       validators=[DataRequired(message=f"请选择{label}。")] if required else [Optional()],
                       widget=Select2Widget())


class FieldRule:
    """Runs one of the shared rule functions as a field validator, so the
    message appears at the field and the same rule guards the API."""

    def __init__(self, rule, *other_fields, **kwargs):
        self.rule, self.other_fields, self.kwargs = rule, other_fields, kwargs

    def __call__(self, form, field):
        others = [getattr(form, name).data for name in self.other_fields]
        message = self.rule(*others, field.data, **self.kwargs)
        if message:
            raise ValidationError(message)
