"""REST: /api/v1/power/ under the same scope as the pages."""
from app.catalogue.models import Power
from app.security import roles
from app.security.scoped_views import ScopedApi, interface


class PowerApi(ScopedApi):
    resource_name = "power"
    class_permission_name = roles.POWER
    datamodel = interface(Power)
    list_columns = ["id", "name", "category", "status", "unit.id", "unit.name", "section.name"]
    show_columns = ["id", "name", "category", "subject", "basis", "disclosure_forms",
                    "disclosure_scope", "disclosure_time", "fee", "remarks", "status",
                    "unit.id", "unit.name", "section.id", "section.name", "steps.id", "steps.name"]
    add_columns = edit_columns = ["unit", "section", "name", "category", "subject", "basis",
                                  "disclosure_forms", "disclosure_scope", "disclosure_time",
                                  "fee", "remarks"]
    search_columns = ["name", "unit", "category", "status", "section"]


def register(appbuilder):
    appbuilder.add_api(PowerApi)
