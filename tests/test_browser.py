"""In chromium: a section head logs in, sees Chinese menus and only his people."""
import os

import pytest
from playwright.sync_api import expect

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
    with live_server(app) as base, browser_page() as page:
        login(page, base, "czj_ys_head", DEMO_PASSWORD)
        expect(page.locator("text=组织机构").first).to_be_visible()
        page.goto(f"{base}/person/list/")
        body = page.inner_text("body")
        path = screenshot(page, f"section_head_people_{database_url.split(':')[0]}.png")
    assert "工作人员" in body and "预算股" in body
    assert all(name in body for name in mine)
    assert not any(name in body for name in others if len(name) > 2)
    assert os.path.getsize(path) > 10_000


def test_power_page_shows_its_flowchart(app, ctx, database_url):
    from app.catalogue.models import Power
    power = db.session.query(Power).filter(Power.steps.any()).first()
    port = 5057 if database_url.startswith("sqlite") else 5058
    with live_server(app) as base, browser_page() as page:
        login(page, base, "office", DEMO_PASSWORD)
        page.goto(f"{base}/power/show/{power.id}")
        chart = page.locator(".flowchart svg")
        expect(chart).to_be_visible()
        assert chart.bounding_box()["height"] > 200
        texts = "".join(chart.locator("text").all_text_contents())
        screenshot(page, f"power_flowchart_{port}.png")
        steps = [s.name for s in power.steps]
    assert all(name in texts for name in steps)


def test_staff_signs_his_returned_form_and_the_office_sees_it(app, ctx, database_url):
    from app.risks.models import RiskForm
    from app.security.models import Login
    owner = db.session.query(Login).filter_by(username="czj_ys_staff1").one()
    form = db.session.query(RiskForm).filter_by(owner_id=owner.person_id, stage="confirm").one()
    port = 5059 if database_url.startswith("sqlite") else 5062
    with live_server(app) as base, browser_page() as page:
        login(page, base, "czj_ys_staff1", DEMO_PASSWORD)
        page.goto(f"{base}/forms/todo")
        page.click("a.btn:has-text('办理')")
        page.click("a.btn:has-text('阅读并签字确认')")
        expect(page.locator("h3.paper-title", has_text="个人廉政风险识别、防控、监督登记表")).to_be_visible()  # 示范县 prints seed 000's papers
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button:has-text('本人确认无误，签字')")
        expect(page.locator("body")).to_contain_text("已签字确认第 1 版")
        screenshot(page, f"signed_by_owner_{port}.png")
        page.context.clear_cookies()
        login(page, base, "office", DEMO_PASSWORD)
        page.goto(f"{base}/forms/{form.id}")
        body = page.inner_text("body")
        screenshot(page, f"office_sees_signed_{port}.png")
    assert "已签字" in body and "领导小组汇总审核" in body and "签字" in body


def test_dashboard_draws_its_charts(app, ctx, database_url):
    port = 5063 if database_url.startswith("sqlite") else 5064
    with live_server(app) as base, browser_page() as page:
        login(page, base, "office", DEMO_PASSWORD)
        asked = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"{base}/reports/dashboard")
        for chart in ("#chart-waiting", "#chart-risks", "#chart-units"):
            expect(page.locator(f"{chart} canvas")).to_have_count(1)
        page.wait_for_timeout(800)  # let the bars finish their animation
        path = screenshot(page, f"dashboard_{port}.png")
    assert os.path.getsize(path) > 30_000
    assert asked and all(url.startswith(base) for url in asked)  # nothing fetched from the internet
