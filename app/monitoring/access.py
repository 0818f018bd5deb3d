"""Who may read 信访举报 and who handles a warning, decided by the grants of
``app.security.roles`` (never by role names here):

- signals of a confidential source (信访举报), and the whistle-blower's name, are
  read only by holders of ``roles.PETITION`` — the commission and the office;
- a warning is handled by holders of its colour's resource (``HANDLERS``), inside
  their data scope: 红 纪委监察, 黄 领导小组办公室 (效能监察), 蓝 the unit's leaders.
"""
from flask import g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import and_, false

from app.enums import SignalSource, WarningColour
from app.monitoring.models import RiskWarning, Signal
from app.security import roles
from app.security.scope import criteria, in_scope, scope_of

HANDLERS = {WarningColour.RED: roles.WARNING_RED, WarningColour.AMBER: roles.WARNING_AMBER,
            WarningColour.BLUE: roles.WARNING_BLUE}
HIDDEN_FACTS = "（本预警源于信访举报，具体情况由纪检监察机关掌握。）"


def _viewer():
    return getattr(g, "user", None) if has_request_context() else None


def sees_petitions(user) -> bool:
    return roles.may(user, roles.PETITION, roles.READ)


def readable_signals(user):
    """SQL for the signals ``user`` may read: his scope, and 信访举报 only if he holds PETITION."""
    scope = scope_of(user)
    scoped = criteria(Signal, scope)
    if scope.everything or sees_petitions(user):
        return scoped
    confidential = [s.value for s in SignalSource if s.confidential]
    return and_(scoped, Signal.source.not_in(confidential))


class ReadableSignals(BaseFilter):
    """FAB filter for the signal page and API."""
    name, arg_name = "监测信息范围", "signal_scope"

    def apply(self, query, value):
        return query.filter(readable_signals(g.user))


def facts_for_viewer(warning: RiskWarning) -> str:
    """A warning's facts; for one resting on 信访举报, only to readers of 信访举报
    (outside a request — jobs, CLI — the system reads everything)."""
    user = _viewer()
    if warning.confidential and user is not None and not sees_petitions(user):
        return HIDDEN_FACTS
    return warning.facts


def may_handle(user, warning: RiskWarning) -> bool:
    """Whether ``user`` handles this warning: his roles grant its colour, and it lies in his scope."""
    resource = HANDLERS[WarningColour(warning.colour)]
    if not roles.may(user, resource, roles.HANDLE):
        return False
    return in_scope(warning, scope_of(user))


def handler_roles() -> list[str]:
    """The roles that handle some colour (the receivers of the warning reminders), from roles.py."""
    return [name for name in roles.ROLES if name != roles.ADMIN_ROLE
            and any(roles.may(_RoleHolder(name), resource, roles.HANDLE) for resource in HANDLERS.values())]


def handlers_of(colour: WarningColour) -> list[str]:
    return [name for name in roles.ROLES if name != roles.ADMIN_ROLE
            and roles.may(_RoleHolder(name), HANDLERS[colour], roles.HANDLE)]


class _RoleHolder:
    """A stand-in login holding one role, to ask roles.py what that role may do."""
    is_authenticated = True

    def __init__(self, name):
        self.roles = [type("R", (), {"name": name})()]


def handling_condition(user):
    """SQL for the warnings waiting for ``user``'s decision or closing (his colours, his scope)."""
    colours = [c.value for c, resource in HANDLERS.items() if roles.may(user, resource, roles.HANDLE)]
    if not colours:
        return false()
    return and_(RiskWarning.colour.in_(colours), criteria(RiskWarning, scope_of(user)))

