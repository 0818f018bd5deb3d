"""Form fields and validators shared by the pages of every domain."""
from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField
from wtforms.validators import DataRequired, Optional, ValidationError


def choice_field(enum, label: str, required: bool = True, description: str = ""):
    """A select over one of ``app.enums``."""
    choices = enum.choices() if required else [("", "（未填）")] + enum.choices()
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
