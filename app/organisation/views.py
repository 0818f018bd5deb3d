"""Pages for 单位, 科室, 岗位, 工作人员."""

from app.enums import Gender, UnitKind
from app.formatting import cn_date, yes_no
from app.forms import FieldRule, choice_field
from app.organisation import rules
from app.organisation.models import City, County, Person, Post, Section, Unit
from app.organisation.placement import Placement
from app.security import roles
from app.security.scoped_views import VIEW_PERMISSIONS, ScopedModelView, interface
from flask_appbuilder import ModelView

LABELS = {
    "city": "设区的市", "county": "行政区划", "unit": "单位", "unit.name": "单位", "name": "名称", "code": "代码",
    "kind": "单位类型", "duties": "职责", "section": "科室", "head": "责任人",
    "supervisor": "分管领导", "post": "岗位", "is_key": "重点岗位", "gender": "性别",
    "id_number": "身份证号", "title": "职务", "appointed_on": "任职时间",
    "is_leader": "班子成员", "phone": "联系电话", "login": "登录账号",
}


class CityView(ModelView):
    """设区的市: the administrator's."""
    route_base = "/city"
    datamodel = interface(City)
    class_permission_name = roles.CITY
    method_permission_name = VIEW_PERMISSIONS
    list_title = show_title = add_title = edit_title = "设区的市"
    list_columns = add_columns = edit_columns = show_columns = ["name", "code"]
    label_columns = LABELS


class CountyView(ScopedModelView):
    """行政区划: the administrator keeps them; the others read their own (the city level, its city's)."""
    route_base = "/county"
    datamodel = interface(County)
    class_permission_name = roles.COUNTY
    list_title = show_title = add_title = edit_title = "行政区划"
    list_columns = ["name", "code", "city"]
    add_columns = edit_columns = show_columns = ["city", "name", "code"]
    label_columns = LABELS


class PersonView(Placement, ScopedModelView):
    route_base = "/person"
    datamodel = interface(Person)
    class_permission_name = roles.PERSON
    list_title = "工作人员"
    show_title, add_title, edit_title = "工作人员详情", "新增工作人员", "修改工作人员"
    list_columns = ["name", "unit", "section", "post", "title", "is_leader", "login"]
    show_fieldsets = [
        ("基本信息", {"fields": ["name", "gender", "id_number", "phone"]}),
        ("任职情况", {"fields": ["unit", "section", "post", "title", "appointed_on", "is_leader"]}),
        ("账号", {"fields": ["login"]}),
    ]
    add_columns = edit_columns = ["name", "gender", "id_number", "phone", "unit", "section",
                                  "post", "title", "appointed_on", "is_leader"]
    search_columns = ["name", "unit", "section", "title", "is_leader", "id_number"]
    label_columns = {**LABELS, "name": "姓名"}
    base_order = ("id", "asc")
    formatters_columns = {"appointed_on": cn_date, "is_leader": yes_no}
    add_form_extra_fields = edit_form_extra_fields = {
        "gender": choice_field(Gender, "性别", required=False)}
    validators_columns = {
        "id_number": [FieldRule(rules.id_number_error)],
        "section": [FieldRule(rules.other_unit_error, "unit", what="科室")],
        "post": [FieldRule(rules.other_unit_error, "unit", what="岗位")],
    }
    description_columns = {"id_number": "18 位公民身份号码，用于识别同一人员"}


class PostView(ScopedModelView):
    route_base = "/post"
    datamodel = interface(Post)
    class_permission_name = roles.POST
    list_title = "岗位"
    show_title, add_title, edit_title = "岗位详情", "新增岗位", "修改岗位"
    list_columns = ["name", "unit", "section", "is_key"]
    add_columns = edit_columns = show_columns = ["unit", "section", "name", "duties", "is_key"]
    search_columns = ["name", "unit", "section", "is_key"]
    label_columns = {**LABELS, "name": "岗位名称", "duties": "岗位职责"}
    formatters_columns = {"is_key": yes_no}
    validators_columns = {"section": [FieldRule(rules.other_unit_error, "unit", what="科室")]}
    related_views = [PersonView]


class SectionView(ScopedModelView):
    route_base = "/section"
    datamodel = interface(Section)
    class_permission_name = roles.SECTION
    list_title = "内设部门（科室）"
    show_title, add_title, edit_title = "科室详情", "新增科室", "修改科室"
    list_columns = ["name", "unit", "head", "supervisor"]
    add_columns = edit_columns = show_columns = ["unit", "name", "duties", "head", "supervisor"]
    search_columns = ["name", "unit"]
    label_columns = {**LABELS, "name": "科室名称", "duties": "部门工作职责"}
    validators_columns = {
        "head": [FieldRule(rules.other_unit_error, "unit", what="责任人")],
        "supervisor": [FieldRule(rules.other_unit_error, "unit", what="分管领导")],
    }
    related_views = [PostView, PersonView]


class UnitView(ScopedModelView):
    route_base = "/unit"
    datamodel = interface(Unit)
    class_permission_name = roles.UNIT
    list_title = "单位"
    show_title, add_title, edit_title = "单位详情", "新增单位", "修改单位"
    list_columns = ["code", "name", "kind", "county"]
    add_columns = edit_columns = show_columns = ["county", "code", "name", "kind", "duties"]
    search_columns = ["name", "code", "kind", "county"]
    label_columns = {**LABELS, "name": "单位名称", "code": "单位代码", "duties": "主要职责"}
    add_form_extra_fields = edit_form_extra_fields = {"kind": choice_field(UnitKind, "单位类型")}
    base_order = ("code", "asc")
    related_views = [SectionView, PersonView]


def register(appbuilder):
    menu = dict(category=roles.ORGANISATION_MENU, category_label="组织机构",
                category_icon="fa-sitemap")
    appbuilder.add_view(UnitView, "Unit", label="单位", icon="fa-building", **menu)
    appbuilder.add_view(SectionView, "Section", label="内设部门（科室）", icon="fa-users", **menu)
    appbuilder.add_view(PostView, "Post", label="岗位", icon="fa-id-badge", **menu)
    appbuilder.add_view(PersonView, "Person", label="工作人员", icon="fa-user", **menu)
    appbuilder.add_view(CountyView, "County", label="行政区划", icon="fa-map", **menu)
    appbuilder.add_view(CityView, roles.CITY, label="设区的市", icon="fa-globe", **menu)
