"""What FAB keeps of one request on objects every thread shares, kept in the request instead.

A view (page or API) is one object serving every request at once under a
threaded server, and FAB stores two things of a request on it:

- the search filters (``self._filters``): ``get_filter_args`` clears and
  refills them from the request's arguments, so a concurrent request could
  list, or pre-fill an add form, with another request's filter values;
- the marshmallow schemas of the REST API: ``schema.load(data, instance=…)``
  sets ``schema.instance`` for the time of the load, so a concurrent load
  wrote into another request's row, or into a new one (the phantom rows and
  "already attached to session" errors of issue 12).

:class:`PerRequestFilters` gives each request a copy of the filters; the API
loads and dumps with a schema of its own (:func:`fresh`).
"""
import copy

from flask import g, has_request_context


class PerRequestFilters:
    """``self._filters`` as a copy per request (FAB sets the shared original at start-up)."""

    @property
    def _filters(self):
        shared = self.__dict__.get("_shared_filters")
        if shared is None or not has_request_context():
            return shared
        mine = g.setdefault("view_filters", {})
        if id(self) not in mine:
            filters = copy.copy(shared)
            filters.clear_filters()   # new lists: the shared ones are never touched
            mine[id(self)] = filters
        return mine[id(self)]

    @_filters.setter
    def _filters(self, value):
        self.__dict__["_shared_filters"] = value


def fresh(schema):
    """A schema of the same class as FAB's shared one, for this request only,
    keeping what a view set on the shared one's fields at start-up (a field
    made optional, as the signal API's unit, taken from the person)."""
    mine = type(schema)()
    for name, field in schema.fields.items():
        mine.fields[name].required = field.required
    return mine
