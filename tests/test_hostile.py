"""Hostile files and hostile requests (issue 11, parts 3 and 4): every attack
tried through its door, refused in Chinese, changing nothing."""
import datetime
import io
import json
import os
import re
import stat
import time
import uuid
import zipfile

import jwt
import pytest
import xlsxwriter
from openpyxl import load_workbook
from playwright.sync_api import Error as PlaywrightError

from app import create_app
from app.catalogue.models import Power
from app.extensions import db
from app.organisation.models import Unit
from app.risks.models import RiskPoint
from app.security.models import Login
from tests.browser import browser_page, live_server, login
from tests.conftest import DEMO_PASSWORD, Client, make_config
from tests.helpers import new_login, unit

LINK = '=HYPERLINK("http://evil.example/x","点此查看")'
DDE = "=cmd|' /C calc'!A0"
SUM = "=1+1"
OLD_PUBLIC_KEY = "development-only-secret-key-change-me-000000"  # config.py's former fixed key


def cells(data: bytes):
    """Every cell with a value, of every sheet of a workbook."""
    book = load_workbook(io.BytesIO(data))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None], book


def assert_text_only(data: bytes, *texts):
    found, book = cells(data)
    assert not [c.coordinate for c in found if c.data_type == "f"], "a formula cell"
    assert not [s.title for s in book.worksheets if s._hyperlinks], "a hyperlink"
    for text in texts:
        hits = [c for c in found if c.value == text]
        assert hits and all(c.data_type == "s" for c in hits), f"{text} is not a text cell"


# ---------------------------------------------------------------- exports

@pytest.fixture(scope="module")
def hostile_records(app):
    """A form whose risk, measure and power carry formula-looking text, entered
    through the ordinary pages by their owners."""
    from tests.test_workflow import new_form
    with app.app_context():
        made = {}
        # 示范县 prints seed 000's papers; 和溪县's (seed 002's) have the 责任人 column
        for code, key in (("CZJ", "form"), ("HX-CZJ", "form_002")):
            name = f"hostile_{uuid.uuid4().hex[:6]}"
            new_login(name, code, "预算股", name="公式测试人")
            owner, fid = new_form(lambda u: Client(app, u), name, round_=2041)
            owner.post(f"/risk/add?_flt_0_form={fid}", {"form": fid, "risk_type": "岗位职责", "content": LINK,
                                                         "level": "二级"}, csrf_from=f"/forms/{fid}")
            risk = db.session.query(RiskPoint).filter_by(form_id=fid).one()
            owner.post(f"/control/add?_flt_0_risk={risk.id}", {"risk": risk.id, "stage": "前期预防",
                                                                "content": "http://evil.example/y", "responsible": DDE})
            made[key], made[f"owner_{key}"] = fid, owner
        owner, fid = made["owner_form"], made["form"]
        czj = unit("CZJ")
        power = Power(unit=czj, name="公式备注职权", category="行政处罚", subject=czj.name, basis="《测试条例》",
                      remarks=SUM, status="已确认")
        db.session.add(power)
        db.session.commit()
        yield {"form": fid, "owner": owner, "unit": czj.id, "form_002": made["form_002"],
               "owner_002": made["owner_form_002"]}
        db.session.remove()


def test_form_workbook_writes_formula_text_as_text(hostile_records):
    data = hostile_records["owner"].get(f"/forms/{hostile_records['form']}.xlsx").data
    assert_text_only(data, LINK)
    data = hostile_records["owner_002"].get(f"/forms/{hostile_records['form_002']}.xlsx").data
    assert_text_only(data, LINK, DDE)   # the 责任人 cell of seed 002's register


def test_full_risk_export_writes_formula_text_as_text(client, hostile_records):
    data = client("office").get("/reports/export.xlsx?round=2041").data
    assert_text_only(data, LINK, "http://evil.example/y")


def test_catalogue_workbooks_write_formula_text_as_text(client, hostile_records):
    c = client("czj_admin")
    assert_text_only(c.get(f"/catalogue/{hostile_records['unit']}/all.xlsx").data, SUM)
    assert_text_only(c.get(f"/catalogue/{hostile_records['unit']}/category.xlsx?category=行政处罚").data, SUM)


# ---------------------------------------------------------------- imports

def upload(c, unit_id, data, name="目录.xlsx"):
    return c.http.post(f"/catalogue/{unit_id}/import", data={
        "csrf_token": c.csrf(f"/catalogue/{unit_id}/import"), "file": (data, name)},
        content_type="multipart/form-data", follow_redirects=True)


def power_count():
    db.session.expire_all()
    return db.session.query(Power).count()


def test_import_refuses_cells_that_would_run_and_names_them(client, ctx):
    from tests.test_catalogue import GOOD, template_with
    c = client("czj_admin")
    rows = [list(GOOD) for _ in range(3)]
    rows[0][1], rows[1][1], rows[2][1] = "公式导入甲", "公式导入乙", "公式导入丙"
    rows[0][3] = SUM                       # a formula cell
    rows[1][9] = "@SUM(A1)"                # text Excel would run
    rows[2][7] = "+cmd|' /C calc'!A0"
    data = template_with(rows, c.http)
    book = load_workbook(data)
    book.active.cell(6, 4).value = "-2+3"
    book.active.cell(6, 4).data_type = "s"  # "-2+3" kept as text, not a formula
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    before = power_count()
    page = upload(c, unit("CZJ").id, out).get_data(as_text=True)
    assert "未导入任何数据" in page
    for where in ("第 4 行「实施依据」", "第 5 行「备注」", "第 6 行「收费依据和标准」", "第 6 行「实施依据」"):
        assert where in page, where
    assert "当作公式执行" in page
    assert power_count() == before


def declared_far(data: io.BytesIO, ref="A1:XFD20000") -> bytes:
    """The same workbook, its sheet declaring a huge used range."""
    src, out = zipfile.ZipFile(data), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), content)
                assert ref.encode() in content
            dst.writestr(item, content)
    return out.getvalue()


def test_a_huge_declared_range_is_read_in_under_a_second(client, ctx):
    from tests.test_catalogue import GOOD, template_with
    c = client("czj_admin")
    row = list(GOOD)
    row[1] = "声明范围巨大的文件"
    data = declared_far(template_with([row], c.http))
    assert len(data) < 12_000
    started = time.perf_counter()
    page = upload(c, unit("CZJ").id, io.BytesIO(data)).get_data(as_text=True)
    assert time.perf_counter() - started < 3  # the whole request, on a shared machine (was 31 s)
    assert "新增 1 项" in page
    from app.uploads import read_first_sheet
    with c.app.app_context():
        started = time.perf_counter()
        rows = read_first_sheet(io.BytesIO(data))
        assert time.perf_counter() - started < 1.0
    assert len(rows) < 30


def sheet_with(cells_at) -> io.BytesIO:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for (r, col), value in cells_at.items():
        sheet.write_string(r, col, value)
    book.close()
    out.seek(0)
    return out


def test_import_refuses_too_many_rows_or_columns_quickly(client, ctx):
    c = client("czj_admin")
    headings = {(2, i): h for i, h in enumerate(["序号", "权力名称", "权力类别", "实施依据", "公开形式", "公开范围",
                                                 "公开时间", "收费依据和标准", "承办处室", "备注"])}
    many = {**headings, **{(3 + i, 1): f"第{i}项" for i in range(5001)}}
    wide = {**headings, (3, 1): "太宽的行", (3, 60): "第六十一列"}
    far = {**headings, (3, 1): "远处的行", (1_000_000, 1): "第一百万行"}
    before = power_count()
    for cells_at, message in ((many, "超过 5000 行"), (wide, "超过 50 列"), (far, "超过 5000 行")):
        started = time.perf_counter()
        page = upload(c, unit("CZJ").id, sheet_with(cells_at)).get_data(as_text=True)
        assert message in page and "未导入任何数据" in page
        assert time.perf_counter() - started < 5  # the whole request, on a shared machine
    assert power_count() == before


def test_import_refuses_a_zip_bomb_before_parsing(client, ctx):
    c = client("czj_admin")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    assert bomb.tell() < 200_000
    bomb.seek(0)
    started = time.perf_counter()
    page = upload(c, unit("CZJ").id, bomb).get_data(as_text=True)
    assert "第 1 行「文件」：文件解压后超过" in page and time.perf_counter() - started < 3
    page = upload(c, unit("CZJ").id, io.BytesIO(b"not a workbook")).get_data(as_text=True)
    assert "第 1 行「文件」：文件无法读取" in page


def test_an_upload_over_the_limit_is_a_chinese_413_page(client, ctx):
    c = client("czj_admin")
    limit = c.app.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 64 * 1024 * 1024
    before = power_count()
    r = c.http.post(f"/catalogue/{unit('CZJ').id}/import", data={
        "csrf_token": c.csrf(f"/catalogue/{unit('CZJ').id}/import"),
        "file": (io.BytesIO(b"0" * (limit + 1024)), "big.xlsx")}, content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 413 and "上传的内容过大" in page and f"{limit // 1024 // 1024} MB" in page
    assert "退出" in page  # in the app's layout, with the logged-in menu
    assert power_count() == before


# ---------------------------------------------------------------- a fresh app: limits, keys, 500

@pytest.fixture(scope="module")
def fresh(app, database_url):
    """A second app on the same database: login limits on (small, to be quick)
    and exceptions answered as in production."""
    cfg = make_config(database_url, RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT_ACCOUNT="8 per hour",
                      AUTH_RATE_LIMIT_ADDRESS="12 per hour", TESTING=False, PROPAGATE_EXCEPTIONS=False)
    application = create_app(cfg)

    @application.route("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM nowhere")

    @application.route("/api/v1/boom")
    def api_boom():
        raise RuntimeError("SELECT secret FROM nowhere")

    yield application
    with application.app_context():
        db.session.remove()


@pytest.fixture(scope="module")
def keyless(app, database_url, tmp_path_factory):
    """An app started without SECRET_KEY, as by the README's first command."""
    path = str(tmp_path_factory.mktemp("instance") / "secret_key")
    application = create_app(make_config(database_url, SECRET_KEY=None, SECRET_KEY_FILE=path))
    yield application
    with application.app_context():
        db.session.remove()


def api_login(http, username, password, addr="127.0.0.1"):
    return http.post("/api/v1/security/login", json={"username": username, "password": password, "provider": "db"},
                     environ_base={"REMOTE_ADDR": addr})


def page_login(c, username, password, addr="127.0.0.1"):
    token = c.csrf("/login/")
    return c.http.post("/login/", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": addr})


def test_thirty_wrong_api_passwords_then_the_right_one_is_refused(fresh):
    http = fresh.test_client()
    codes = [api_login(http, "czj_gk_staff1", "Wrong#pass1").status_code for _ in range(30)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    r = api_login(http, "czj_gk_staff1", DEMO_PASSWORD)
    assert r.status_code == 429 and r.json["message"] == "登录尝试过于频繁，请稍后再试。"
    assert api_login(http, "czj_gk_staff2", DEMO_PASSWORD).status_code == 200  # a colleague still gets in


def test_page_and_api_count_failed_logins_together(fresh):
    c = Client(fresh)
    for _ in range(3):
        assert page_login(c, "czj_gk_head", "Wrong#pass1").status_code == 302
    for _ in range(2):
        assert api_login(c.http, "czj_gk_head", "Wrong#pass1").status_code == 401
    assert api_login(c.http, "czj_gk_head", DEMO_PASSWORD).status_code == 429
    r = page_login(c, "czj_gk_head", DEMO_PASSWORD)
    assert r.status_code == 429 and "登录尝试过于频繁" in r.get_data(as_text=True)


def test_one_account_from_many_addresses_is_limited(fresh):
    http = fresh.test_client()
    for addr in ("10.1.0.1", "10.1.0.2"):
        assert {api_login(http, "czj_fg", "Wrong#pass1", addr).status_code for _ in range(4)} == {401}
    assert api_login(http, "czj_fg", DEMO_PASSWORD, "10.1.0.3").status_code == 429


def test_one_address_trying_many_accounts_is_limited(fresh):
    http = fresh.test_client()
    for i in range(12):
        assert api_login(http, f"nobody{i}", "Wrong#pass1", "10.2.0.1").status_code == 401
    assert api_login(http, "czj_leader", DEMO_PASSWORD, "10.2.0.1").status_code == 429
    assert api_login(http, "czj_leader", DEMO_PASSWORD, "10.2.0.2").status_code == 200


def test_without_secret_key_a_random_one_is_kept_in_the_instance_folder(keyless, database_url):
    path = keyless.config["SECRET_KEY_FILE"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = open(path).read().strip()
    assert keyless.config["SECRET_KEY"] == key and len(bytes.fromhex(key)) == 32
    again = create_app(make_config(database_url, SECRET_KEY=None, SECRET_KEY_FILE=path))
    assert again.config["SECRET_KEY"] == key  # later starts reuse it


def forged(key, sub):
    now = datetime.datetime.now(datetime.timezone.utc)
    claims = {"sub": sub, "type": "access", "fresh": False, "jti": uuid.uuid4().hex,
              "iat": now, "nbf": now, "exp": now + datetime.timedelta(hours=1)}
    return jwt.encode(claims, key, algorithm="HS256")


def test_a_token_signed_with_the_old_public_key_is_refused(keyless):
    with keyless.app_context():
        admin = db.session.query(Login).filter_by(username="admin").one()
        sub = str(admin.id)
    http = keyless.test_client()
    r = http.get("/api/v1/person/", headers={"Authorization": "Bearer " + forged(OLD_PUBLIC_KEY, sub)})
    assert r.status_code in (401, 422) and "result" not in r.json
    assert r.json["message"] == "登录令牌无效，请重新登录。"
    # the same claims signed with the instance's own key do pass: the test can fail
    r = http.get("/api/v1/person/", headers={"Authorization": "Bearer " + forged(keyless.config["SECRET_KEY"], sub)})
    assert r.status_code == 200 and r.json["count"] > 0


def test_an_unexpected_error_is_a_chinese_page_without_details(fresh):
    c = Client(fresh)
    c.login("czj_admin")
    r = c.get("/boom")
    page = r.get_data(as_text=True)
    assert r.status_code == 500 and "系统内部错误" in page and "退出" in page
    assert "SELECT" not in page and "Traceback" not in page and "Internal Server Error" not in page
    r = c.get("/api/v1/boom")
    assert r.status_code == 500 and "系统内部出现错误" in r.json["message"] and "SELECT" not in str(r.json)


# ---------------------------------------------------------------- headers, logout, error pages

def test_every_response_carries_the_browser_protections(client, hostile_records):
    office = client("office")
    for r in (client().get("/login/"), client().get("/public/CZJ"), office.get(f"/forms/{hostile_records['form']}"),
              office.get("/no/such/page"), office.get("/reports/dashboard"),
              client().get("/api/v1/person/"), office.get(f"/catalogue/{hostile_records['unit']}/all.xlsx")):
        csp = r.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, r.request.path
        assert re.search(r"script-src 'self' 'nonce-[\w-]+'", csp) and "unsafe-inline" not in csp.split("style-src")[0]
        assert r.headers.get("X-Frame-Options") == "DENY"
        assert r.headers.get("X-Content-Type-Options") == "nosniff"
        assert r.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in r.headers  # plain HTTP here: HSTS only behind HTTPS


def test_templates_carry_no_inline_handlers_and_every_script_a_nonce():
    root = os.path.join(os.path.dirname(os.path.dirname(__file__)), "app", "templates")
    bad = []
    for folder, _, files in os.walk(root):
        for name in files:
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            bad += [f"{name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
            bad += [f"{name}: {m}" for m in re.findall(r"<script\b[^>]*>", text) if "nonce=" not in m]
            bad += [f"{name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert not bad


def test_logout_needs_a_post_with_the_csrf_token(client):
    c = client("czj_ys_staff2")
    page = c.get("/logout/").get_data(as_text=True)
    assert "确定退出登录" in page and 'method="post"' in page
    assert c.get("/person/list/").status_code == 200  # a GET did not log him out
    r = c.http.post("/logout/")  # no token: another site's form
    assert r.status_code == 400 and "安全令牌" in r.get_data(as_text=True)
    assert c.get("/person/list/").status_code == 200
    home = c.get("/").get_data(as_text=True)
    assert 'action="/logout/"' in home and 'href="/logout/"' not in home  # the navbar's logout is a form
    c.post("/logout/")
    assert c.get("/person/list/").status_code == 302


@pytest.mark.parametrize("method,path,code,words", [
    ("get", "/no/such/page", 404, "页面不存在"),
    ("get", "/person/download/x.txt", 404, "页面不存在"),
    ("get", "/users/download/secret_key", 404, "页面不存在"),
    ("get", "/catalogue/{unit}/?table=category&category=外星类", 404, "页面不存在"),
    ("get", "/catalogue/{unit}/category.xlsx?category=外星类", 404, "页面不存在"),
    ("put", "/forms/new", 405, "不支持的请求方式"),
    ("post", "/power/add", 400, "安全令牌"),
])
def test_errors_a_user_can_cause_are_chinese_pages_in_the_layout(client, ctx, method, path, code, words):
    c = client("admin")
    r = getattr(c.http, method)(path.format(unit=unit("CZJ").id))
    page = r.get_data(as_text=True)
    assert r.status_code == code and words in page
    assert "退出" in page and "系统管理" in page  # the layout with the menu
    assert "Traceback" not in page and "Not Found" not in page and "Bad Request" not in page


def test_api_errors_answer_chinese_json(client, api, ctx):
    anonymous = client().http
    r = anonymous.get("/api/v1/person/")
    assert r.status_code == 401 and r.json["message"].startswith("请先登录")
    r = anonymous.get("/api/v1/no-such-resource/")
    assert r.status_code == 404 and r.json["message"] == "您要找的页面或记录不存在，或不在您的数据范围内。"
    office = api("office")
    r = office.get("/api/v1/person/999999999")
    assert r.status_code == 404 and "不存在" in r.json["message"]
    r = anonymous.post("/api/v1/security/login", json={"username": "office", "password": "Wrong#pass1",
                                                       "provider": "db"})
    assert r.status_code == 401 and r.json["message"] == "用户名或密码错误，或尚未登录。"
    jyj = unit("JYJ").id
    r = office.put(f"/api/v1/unit/{jyj}", data="{bad", content_type="application/json")
    assert r.status_code == 400 and r.json["message"] == "请求内容不是有效的 JSON。"
    r = office.put(f"/api/v1/unit/{jyj}", json={"code": None, "nope": 1})
    # each message names its field (issue 12)
    assert r.status_code == 422 and r.json["message"] == {"code": ["单位代码：不能为空。"],
                                                          "nope": ["nope：不是可以提交的字段。"]}
    r = office.post("/api/v1/unit/", json={"kind": "x" * 300})
    assert r.status_code == 422 and r.json["message"]["kind"] == ["单位类型：不能超过 20 个字符。"]
    assert r.json["message"]["code"] == ["单位代码：必须填写。"]


def test_a_duplicate_unit_code_is_named_without_sql(api, client, ctx):
    office = api("admin")
    jyj, czj = unit("JYJ"), unit("CZJ")
    for r in (office.put(f"/api/v1/unit/{jyj.id}", json={"code": czj.code}),
              office.post("/api/v1/unit/", json={"county": czj.county_id, "code": czj.code, "name": "重复代码单位",
                                                 "kind": czj.kind})):
        body = json.dumps(r.json, ensure_ascii=False)
        assert r.status_code == 422, body
        assert r.json["message"]["code"] == ["单位代码已存在。"]
        assert not re.search(r"UPDATE|INSERT|constraint|unit\.code|Database exception", body, re.I)
    db.session.expire_all()
    assert unit("JYJ").code == "JYJ" and db.session.query(Unit).filter_by(name="重复代码单位").count() == 0


def test_a_duplicate_section_name_on_the_page_is_named_without_sql(client, ctx):
    c = client("czj_admin")
    page = c.post("/section/add", {"unit": unit("CZJ").id, "name": "预算股"},
                  follow_redirects=True).get_data(as_text=True)
    assert "科室名称已存在" in page and not re.search(r"INSERT|constraint|section\.", page)


# ---------------------------------------------------------------- in chromium

@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="chromium 未安装（tests/run.sh 会安装）")
def test_pages_run_under_the_csp_without_violations(app, hostile_records):
    watch = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    with app.app_context():
        person = db.session.query(Login).filter_by(username="czj_ys_staff1").one().person_id
        power = db.session.query(Power).filter(Power.steps.any()).first().id
    with live_server(app) as base, browser_page() as page:
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.add_init_script(watch)
        login(page, base, "office", DEMO_PASSWORD)
        page.goto(base + "/")
        with pytest.raises(PlaywrightError, match="Content Security Policy"):
            page.add_script_tag(content="window.injected = 1;")  # no nonce: refused, and the watch sees it
        assert page.evaluate("window.__csp") and page.evaluate("window.injected") is None
        errors.clear()
        seen = {}
        for path in ("/reports/dashboard", f"/forms/{hostile_records['form']}", f"/person/edit/{person}",
                     f"/power/show/{power}", "/power/add"):
            response = page.goto(base + path)
            assert "'nonce-" in response.headers.get("content-security-policy", ""), path
            page.wait_for_load_state("networkidle")
            seen[path] = page.evaluate("window.__csp")
            if path == "/reports/dashboard":
                assert page.locator("#chart-units canvas").count() == 1  # ECharts ran
            if path.startswith("/person/edit"):
                assert page.locator(".select2-container").count() > 0  # FAB's Select2 ran
        assert all(not v for v in seen.values()), seen
        assert not [e for e in errors if "Content Security Policy" in e], errors
        # the navbar's logout is a POST form that works in the browser
        page.click("a.dropdown-toggle:has(.fa-user)")
        page.click("button.navbar-logout")
        page.wait_for_load_state()
        page.goto(base + "/person/list/")
        assert "/login" in page.url
