"""The permission matrix: every role against people inside and outside its
scope, through the page, a bulk action, the REST API and search."""
import pytest

from app.extensions import db
from app.organisation.models import Person
from tests.helpers import new_person, person_of

# Where the target people sit.
PLACES = {
    "ys": ("CZJ", "预算股"),      # czj_ys_* section
    "gk": ("CZJ", "国库股"),      # czj_fg supervises it, czj_ys_head does not
    "zh": ("CZJ", "综合股"),      # same unit, nobody's section below unit level
    "jyj": ("JYJ", "基础教育股"),  # another unit
}
# login -> (places it may read, places it may edit, places it may delete)
MATRIX = {
    "admin": ("ys gk zh jyj", "ys gk zh jyj", "ys gk zh jyj"),
    "office": ("ys gk zh jyj", "ys gk zh jyj", "ys gk zh jyj"),
    "jiwei": ("ys gk zh jyj", "", ""),
    "czj_admin": ("ys gk zh", "ys gk zh", "ys gk zh"),
    "czj_leader": ("ys gk zh", "", ""),
    "czj_fg": ("ys gk", "", ""),
    "czj_ys_head": ("ys", "ys", ""),
    "czj_gk_head": ("gk", "gk", ""),
    "czj_ys_staff1": ("", "", ""),
    "jyj_admin": ("jyj", "jyj", "jyj"),
}


@pytest.fixture()
def targets(ctx):
    made = {key: new_person(code, sec, name=f"目标{key}") for key, (code, sec) in PLACES.items()}
    ids = {key: p.id for key, p in made.items()}
    yield ids
    db.session.query(Person).filter(Person.id.in_(ids.values())).delete()
    db.session.commit()


def exists(pid):
    db.session.expire_all()
    return db.session.get(Person, pid)


@pytest.mark.parametrize("username", MATRIX)
def test_page_read_edit_delete(client, targets, username):
    readable, editable, deletable = (set(x.split()) for x in MATRIX[username])
    c = client(username)
    for place, pid in targets.items():
        page = c.get(f"/person/show/{pid}")
        if place in readable:
            assert page.status_code == 200 and f"目标{place}" in page.get_data(as_text=True)
        else:
            assert page.status_code in (302, 404) and f"目标{place}" not in page.get_data(as_text=True)

        c.post(f"/person/edit/{pid}", {"name": "改名", "id_number": exists(pid).id_number,
                                        "unit": exists(pid).unit_id,
                                        "section": exists(pid).section_id or ""})
        assert (exists(pid).name == "改名") == (place in editable), (username, place)

        c.post(f"/person/delete/{pid}")
        assert (exists(pid) is None) == (place in deletable), (username, place)


@pytest.mark.parametrize("username", ["czj_admin", "czj_ys_head", "jyj_admin", "czj_ys_staff1"])
def test_bulk_action_outside_scope_refused(client, targets, username):
    readable, _, deletable = (set(x.split()) for x in MATRIX[username])
    c = client(username)
    outside = [pid for place, pid in targets.items() if place not in readable]
    r = c.post("/person/action_post", {"action": "muldelete", "rowid": outside})
    assert r.status_code in (403, 404)
    assert all(exists(pid) for pid in outside)


def test_bulk_action_inside_scope(client, targets):
    c = client("czj_admin")
    mine = [targets["ys"], targets["zh"]]
    c.post("/person/action_post", {"action": "muldelete", "rowid": mine})
    assert not any(exists(pid) for pid in mine)
    assert exists(targets["jyj"])


@pytest.mark.parametrize("username", MATRIX)
def test_api_read_edit_delete(api, targets, username):
    readable, editable, deletable = (set(x.split()) for x in MATRIX[username])
    a = api(username)
    for place, pid in targets.items():
        r = a.get(f"/api/v1/person/{pid}")
        assert (r.status_code == 200) == (place in readable), (username, place, r.status_code)
        if place not in readable:
            assert r.status_code in (403, 404)

        r = a.put(f"/api/v1/person/{pid}", json={"name": "接口改名"})
        assert (exists(pid).name == "接口改名") == (place in editable), (username, place, r.json)

        r = a.delete(f"/api/v1/person/{pid}")
        assert (exists(pid) is None) == (place in deletable), (username, place, r.status_code)


@pytest.mark.parametrize("username", MATRIX)
def test_search_and_list_stay_in_scope(client, api, targets, username):
    readable = set(MATRIX[username][0].split())
    page = client(username).get("/person/list/?_flt_0_name=目标").get_data(as_text=True)
    for place in targets:
        assert (f"目标{place}" in page) == (place in readable), (username, place)
    rows = api(username).get('/api/v1/person/?q=(filters:!((col:name,opr:sw,value:目标)))').json
    assert {r["name"] for r in rows["result"]} == {f"目标{p}" for p in readable}


def test_staff_sees_only_himself(client, ctx):
    me = person_of("czj_ys_staff1")
    page = client("czj_ys_staff1").get("/person/list/").get_data(as_text=True)
    assert me.name in page
    colleague = person_of("czj_ys_staff2")
    assert colleague.name not in page or colleague.name == me.name


def test_cannot_move_a_person_out_of_scope_by_api(api, targets, ctx):
    """A unit admin may not re-home his person in another unit."""
    from tests.helpers import unit
    other = unit("JYJ").id
    r = api("czj_admin").put(f"/api/v1/person/{targets['zh']}", json={"unit": other, "section": None})
    assert r.status_code == 422
    assert exists(targets["zh"]).unit.code == "CZJ"


def test_cannot_add_in_another_unit(client, api, ctx):
    from tests.helpers import unit
    before = db.session.query(Person).count()
    c = client("czj_admin")
    c.post("/person/add", {"name": "越权新增", "id_number": "459001199001011234",
                           "unit": unit("JYJ").id})
    r = api("czj_admin").post("/api/v1/person/", json={
        "name": "越权新增", "id_number": "45900119900101123X", "unit": unit("JYJ").id})
    assert r.status_code in (403, 422)
    db.session.expire_all()
    assert db.session.query(Person).count() == before
