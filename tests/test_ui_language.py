"""In chromium, a handful of roles open every page of their menu: no English
word outside a short allow-list, no None/True/False cell, no request to
another host, no console error; the date picker and Select2 speak Chinese."""
import os
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.organisation.models import Unit
from app.security.models import Login
from tests.browser import browser_page, live_server, login, screenshot
from tests.conftest import ADMIN_PASSWORD, DEMO_PASSWORD

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"),
                                reason="chromium 未安装（tests/run.sh 会安装）")

ROLES = ["office", "jiwei", "czj_admin", "czj_leader", "czj_ys_head", "czj_ys_staff1", "admin"]
# Names of things, not English prose: file formats and the like.
ALLOWED = {"Excel", "API", "Word", "PDF", "SVG", "ID", "REST", "JSON", "CSV", "SMTP", "URL", "IP",
           "xlsx", "docx", "crontab", "Swagger", "UI", "OK"}
# FAB's role pages list permission names (can_read on Unit ...): identifiers an
# administrator composes roles from, which have no Chinese name.
TECHNICAL = ("/roles/", "/permissions/", "/viewmenus/", "/permissionviews/")
WORD = re.compile(r"[A-Za-z][A-Za-z_:]+")
EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")


def data_words() -> set[str]:
    """ASCII words that are data here: login names and the names logins carry, the names of
    roles composed in the UI, unit codes, people's names (tests name some in ASCII)."""
    from flask_appbuilder.security.sqla.models import Role

    from app.organisation.models import Person
    names = {n for row in db.session.query(Login.username, Login.first_name, Login.last_name) for n in row if n} \
        | {r for (r,) in db.session.query(Role.name)} | {c for (c,) in db.session.query(Unit.code)} \
        | {n for (n,) in db.session.query(Person.name)}
    return {w for n in names for w in WORD.findall(n)}


def english(text: str, allowed: set[str]) -> set[str]:
    return {w for w in WORD.findall(EMAIL.sub("", text)) if w not in allowed and w.strip("_:") not in allowed}


def menu_links(page, base) -> list[str]:
    hrefs = page.eval_on_selector_all(".navbar a[href]", "els => els.map(e => e.getAttribute('href'))")
    return sorted({h for h in hrefs if h and h.startswith("/") and "logout" not in h and "/lang/" not in h
                   and not h.startswith("/swagger") and h != "#"})


def test_every_menu_page_is_chinese_and_local(app, ctx, database_url):
    allowed = ALLOWED | data_words()
    db_name = database_url.split(":")[0].split("+")[0]
    problems: list[str] = []
    with live_server(app) as base, browser_page() as page:
        host = urlparse(base).netloc
        where = {"url": ""}
        page.on("request", lambda r: urlparse(r.url).scheme in ("http", "https") and urlparse(r.url).netloc != host
                and problems.append(f"{where['url']}: 外部请求 {r.url}"))
        page.on("console", lambda m: m.type == "error" and problems.append(f"{where['url']}: 控制台错误 {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"{where['url']}: 脚本错误 {e}"))
        visited = 0
        for username in ROLES:
            page.context.clear_cookies()
            login(page, base, username, ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD)
            for url in ["/"] + menu_links(page, base):
                where["url"] = f"{username} {url}"
                response = page.goto(base + url)
                visited += 1
                if response is None or response.status >= 400:
                    problems.append(f"{username} {url}: HTTP {response.status if response else '无响应'}")
                    continue
                if url.startswith(TECHNICAL):
                    continue
                # command lines (<code>) are names too
                text = page.evaluate("() => { const b = document.body.cloneNode(true);"
                                     " b.querySelectorAll('code, pre, kbd').forEach(e => e.remove());"
                                     " document.documentElement.appendChild(b); const t = b.innerText;"
                                     " b.remove(); return t; }")
                words = english(text, allowed)
                if words:
                    problems.append(f"{username} {url}: 英文 {sorted(words)[:12]}")
                cells = page.eval_on_selector_all("td", "els => els.map(e => e.innerText.trim())")
                raw = {c for c in cells if c in ("None", "True", "False")}
                if raw:
                    problems.append(f"{username} {url}: 单元格 {sorted(raw)}")
            if username == "czj_ys_staff1":
                page.goto(base + "/")
                screenshot(page, f"workbench_staff_{db_name}.png")
        page.context.clear_cookies()
        login(page, base, "office", DEMO_PASSWORD)
        page.goto(base + "/")
        screenshot(page, f"workbench_office_{db_name}.png")
    assert visited > 60
    assert not problems, "\n".join(problems)


def test_date_picker_and_select2_speak_chinese(app, ctx, database_url):
    db_name = database_url.split(":")[0].split("+")[0]
    with live_server(app) as base, browser_page() as page:
        login(page, base, "office", DEMO_PASSWORD)
        page.goto(base + "/plan/submission/add")
        page.click("input[name=submitted_on]")
        picker = page.locator(".datepicker").first
        expect(picker).to_be_visible()
        text = picker.inner_text()
        assert "Su" not in text and "一" in text and "年" in text
        screenshot(page, f"datepicker_{db_name}.png")
        page.keyboard.press("Escape")
        page.click(".select2-container >> nth=0")
        expect(page.locator(".select2-results")).to_be_visible()
        screenshot(page, f"select2_{db_name}.png")
        said = page.evaluate("() => { const t = jQuery('select.my_select2').first().data('select2')"
                             ".options.get('translations'); return [t.get('noResults')(),"
                             " t.get('removeAllItems')(), t.get('searching')()]; }")
        assert said == ["未找到结果", "删除所有项目", "搜索中…"]
        page.keyboard.press("Escape")
        page.goto(base + "/plan/phase/list/")   # the office keeps (and may delete) its plan
        page.locator("a.btn:has(.fa-trash)").first.click()   # a row's delete button
        expect(page.locator("#modal-confirm")).to_contain_text("确定要删除这一条记录吗？")
        expect(page.locator("#modal-confirm")).to_contain_text("取消")
        screenshot(page, f"delete_dialog_{db_name}.png")


def test_the_menu_fits_one_row_at_1366_px_and_pages_say_where_they_are(app, ctx):
    from app.organisation.models import Person
    person_id = db.session.query(Person.id).join(Unit).filter(Unit.code == "CZJ").order_by(Person.id).first()[0]
    with live_server(app) as base, browser_page() as page:
        page.set_viewport_size({"width": 1366, "height": 768})
        for username in ("office", "admin"):
            page.context.clear_cookies()
            login(page, base, username, ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD)
            height = page.evaluate("() => document.querySelector('.navbar .navbar-collapse').offsetHeight")
            assert height <= 55, (username, height)   # one row of the bar is 50 px
        page.goto(base + f"/person/show/{person_id}")
        crumbs = page.locator("#menu-trail").inner_text()
        assert "首页" in crumbs and "组织机构" in crumbs and "工作人员" in crumbs
        page.locator("#menu-trail a", has_text="工作人员").click()
        assert page.url.startswith(base + "/person/list/")
