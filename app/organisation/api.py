"""REST: /api/v1/unit/, /api/v1/section/, /api/v1/post/, /api/v1/person/."""
from app.organisation.models import Person, Post, Section, Unit
from app.organisation.placement import Placement
from app.security import roles
from app.security.scoped_views import ScopedApi, interface


class UnitApi(ScopedApi):
    resource_name = "unit"
    class_permission_name = roles.UNIT
    datamodel = interface(Unit)
    list_columns = ["id", "code", "name", "kind", "county.name"]
    show_columns = ["id", "code", "name", "kind", "duties", "county.name"]
    add_columns = edit_columns = ["county", "code", "name", "kind", "duties"]
    search_columns = ["code", "name", "kind"]


class SectionApi(ScopedApi):
    resource_name = "section"
    class_permission_name = roles.SECTION
    datamodel = interface(Section)
    list_columns = ["id", "name", "unit.id", "unit.name", "head.name", "supervisor.name"]
    show_columns = ["id", "name", "duties", "unit.id", "unit.name", "head.name", "supervisor.name"]
    add_columns = edit_columns = ["unit", "name", "duties", "head", "supervisor"]
    search_columns = ["name", "unit"]


class PostApi(ScopedApi):
    resource_name = "post"
    class_permission_name = roles.POST
    datamodel = interface(Post)
    list_columns = ["id", "name", "is_key", "unit.name", "section.name"]
    show_columns = ["id", "name", "duties", "is_key", "unit.name", "section.name"]
    add_columns = edit_columns = ["unit", "section", "name", "duties", "is_key"]
    search_columns = ["name", "unit", "section"]


class PersonApi(Placement, ScopedApi):
    resource_name = "person"
    class_permission_name = roles.PERSON
    datamodel = interface(Person)
    list_columns = ["id", "name", "title", "is_leader", "unit.name", "section.name", "post.name"]
    show_columns = ["id", "name", "gender", "title", "appointed_on", "is_leader",
                    "unit.id", "unit.name", "section.id", "section.name", "post.name"]
    add_columns = edit_columns = ["unit", "section", "post", "name", "gender", "id_number",
                                  "title", "appointed_on", "is_leader", "phone"]
    search_columns = ["name", "unit", "section", "title", "is_leader"]


def register(appbuilder):
    for api in (UnitApi, SectionApi, PostApi, PersonApi):
        appbuilder.add_api(api)
