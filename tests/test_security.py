"""Security defaults: CSRF, password rule, login rate limit, cookies, secret key."""
import pytest

import config
from app import create_app
from tests.conftest import make_config
from tests.helpers import new_person


def test_delete_without_csrf_token_is_refused(client, ctx):
    p = new_person("CZJ", "综合股", name="CSRF目标")
    c = client("czj_admin")
    r = c.http.post(f"/person/delete/{p.id}")  # no token
    assert r.status_code == 400
    r = c.http.get(f"/person/delete/{p.id}")  # a GET never deletes
    from tests.test_permissions import exists
    assert exists(p.id) is not None


def test_session_cookie_is_httponly_and_samesite(app):
    from tests.conftest import Client
    r = Client(app).login("czj_admin")
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_rule_refuses_weak_passwords(client, ctx):
    person = new_person("JYJ", "基础教育股", name="新账号人员")
    c = client("admin")
    page = c.post("/users/add", {"person": person.id, "username": "weakpw", "email": "weak@x.local",
                                 "roles": [], "active": "y", "password": "abc12345",
                                 "conf_password": "abc12345"}).get_data(as_text=True)
    assert "密码至少 8 位" in page
    from app.security.models import Login
    from app.extensions import db
    assert db.session.query(Login).filter_by(username="weakpw").first() is None


def test_admin_creates_a_login_for_a_person(client, ctx):
    from app.extensions import db
    from app.security.models import Login
    person = new_person("JYJ", "基础教育股", name="新同事")
    admin = client("admin")
    role_id = admin.app.appbuilder.sm.find_role("工作人员").id
    admin.post("/users/add", {"person": person.id, "username": "jyj_new", "email": "jyj_new@x.local",
                              "roles": [role_id], "active": "y", "password": "Good#Pass1",
                              "conf_password": "Good#Pass1"})
    login = db.session.query(Login).filter_by(username="jyj_new").one()
    assert login.person_id == person.id and [r.name for r in login.roles] == ["工作人员"]
    newcomer = client()
    newcomer.login("jyj_new", "Good#Pass1")
    page = newcomer.get("/person/list/").get_data(as_text=True)
    assert "新同事" in page


def test_five_wrong_passwords_are_slowed_down(database_url, app):
    limited = create_app(make_config(database_url, RATELIMIT_ENABLED=True))
    from tests.conftest import Client
    c = Client(limited)
    codes = [c.login("czj_ys_staff2", "Wrong#pass1").status_code for _ in range(6)]
    assert 429 not in codes[:5] and codes[5] == 429
    assert "登录尝试过于频繁" in c.login("czj_ys_staff2", "Wrong#pass1").get_data(as_text=True)
    # a colleague at the same address is not locked out
    assert c.login("czj_ys_staff1").status_code == 302


@pytest.mark.parametrize("key", [None, "", "too-short"])
def test_production_needs_a_secret_key_from_the_environment(key):
    cfg = type("Prod", (config.Config,), {"ENV_NAME": "production", "SECRET_KEY": key})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(cfg)
