"""Organisation pages: Chinese labels, and bad input refused at the field."""
from app.extensions import db
from app.organisation.models import Person, Unit
from tests.helpers import new_person, section, unit


def count(model):
    db.session.expire_all()
    return db.session.query(model).count()


def test_person_list_speaks_chinese(client, ctx):
    page = client("office").get("/person/list/").get_data(as_text=True)
    for label in ("工作人员", "单位", "科室", "岗位", "职务", "班子成员", "组织机构"):
        assert label in page


def test_missing_required_field_is_named_and_nothing_written(client, ctx):
    before = count(Person)
    page = client("czj_admin").post("/person/add", {"name": "", "id_number": "",
                                                    "unit": unit("CZJ").id}).get_data(as_text=True)
    assert "此字段是必需的" in page or "必填" in page or "不能为空" in page
    assert count(Person) == before


def test_bad_id_number_is_named(client, ctx):
    before = count(Person)
    page = client("czj_admin").post("/person/add", {
        "name": "号码错", "id_number": "459001199001011235", "unit": unit("CZJ").id}).get_data(as_text=True)
    assert "校验位不正确" in page
    assert count(Person) == before


def test_duplicate_id_number_refused(client, ctx):
    existing = new_person("CZJ", "综合股", name="已有人员")
    before = count(Person)
    page = client("czj_admin").post("/person/add", {
        "name": "重复号码", "id_number": existing.id_number, "unit": unit("CZJ").id}).get_data(as_text=True)
    assert "已经存在" in page or "已存在" in page
    assert count(Person) == before


def test_section_from_another_unit_refused_at_the_field(client, ctx):
    before = count(Person)
    page = client("office").post("/person/add", {
        "name": "跨单位", "id_number": "459001199001010016", "unit": unit("CZJ").id,
        "section": section("JYJ", "基础教育股").id}).get_data(as_text=True)
    assert "不属于单位" in page
    assert count(Person) == before


def test_duplicate_unit_code_refused(client, ctx):
    before = count(Unit)
    county = unit("CZJ").county_id
    page = client("office").post("/unit/add", {"county": county, "code": "CZJ", "name": "重复代码",
                                                "kind": "政府部门"}).get_data(as_text=True)
    assert "已经存在" in page or "已存在" in page
    assert count(Unit) == before


def test_out_of_scope_record_is_404_not_a_crash(client, ctx):
    other = new_person("JYJ", "基础教育股", name="外单位人员")
    c = client("czj_admin")
    assert c.get(f"/person/show/{other.id}").status_code == 404
    assert c.get(f"/person/edit/{other.id}").status_code == 404
    assert c.get("/person/show/99999999").status_code == 404
