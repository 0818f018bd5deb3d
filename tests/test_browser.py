"""In chromium: a section head logs in, sees Chinese menus and only his people."""
import os

import pytest

from app.extensions import db
from app.organisation.models import Person
from tests.browser import browser_page, live_server, login, screenshot
from tests.conftest import DEMO_PASSWORD
from tests.helpers import section

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"),
                                reason="chromium 未安装（tests/run.sh 会安装）")


def test_section_head_sees_chinese_menus_and_only_his_section(app, ctx, database_url):
    ys = section("CZJ", "预算股")
    mine = {p.name for p in db.session.query(Person).filter_by(section_id=ys.id)}
    others = {p.name for p in db.session.query(Person).filter(Person.section_id != ys.id)} - mine
    port = 5055 if database_url.startswith("sqlite") else 5056
    with live_server(app, port) as base, browser_page() as page:
        login(page, base, "czj_ys_head", DEMO_PASSWORD)
        assert page.locator("text=组织机构").first.is_visible()
        page.goto(f"{base}/person/list/")
        body = page.inner_text("body")
        path = screenshot(page, f"section_head_people_{port}.png")
    assert "工作人员" in body and "预算股" in body
    assert all(name in body for name in mine)
    assert not any(name in body for name in others if len(name) > 2)
    assert os.path.getsize(path) > 10_000
