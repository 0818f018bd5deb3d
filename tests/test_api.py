"""REST: JWT login, the unit list with names and codes, OpenAPI docs."""
from app.extensions import db
from app.organisation.models import Unit


def test_unit_list_gives_name_and_code(api, ctx):
    rows = api("office").get("/api/v1/unit/?q=(page_size:100)").json["result"]
    county = db.session.query(Unit).filter_by(code="CZJ").one().county_id  # the office's county, not the other
    expected = {(u.name, u.code) for u in db.session.query(Unit).filter_by(county_id=county)}
    assert {(r["name"], r["code"]) for r in rows} == expected


def test_unit_admin_lists_only_his_unit(api):
    rows = api("czj_admin").get("/api/v1/unit/").json["result"]
    assert [r["code"] for r in rows] == ["CZJ"]


def test_sections_api_in_scope(api):
    rows = api("czj_fg").get("/api/v1/section/").json["result"]
    assert sorted(r["name"] for r in rows) == ["国库股", "预算股"]


def test_api_refuses_without_token(app):
    assert app.test_client().get("/api/v1/person/").status_code == 401


def test_wrong_password_gets_no_token(app):
    r = app.test_client().post("/api/v1/security/login", json={
        "username": "czj_admin", "password": "Wrong#123", "provider": "db"})
    assert r.status_code == 401


def test_openapi_served_by_the_app(client, api):
    spec = api("office").get("/api/v1/_openapi").json
    assert "/api/v1/person/" in spec["paths"] and "/api/v1/unit/" in spec["paths"]
    page = client("admin").get("/swagger/v1")
    assert page.status_code == 200 and "swagger-ui" in page.get_data(as_text=True)
