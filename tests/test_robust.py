"""Nothing lost, nothing twice (issue 12, parts 1, 2 and 5): the server of
``python run.py`` under twenty clients at once, edits that know about each
other, and every kind of bad input refused in Chinese."""
import json
import re
import threading
import uuid
from collections import Counter
from contextlib import contextmanager

import pytest
import requests

from app.enums import Owner
from app.extensions import db
from app.risks.models import RiskPoint
from app.workflow import engine
from tests.conftest import DEMO_PASSWORD
from tests.helpers import new_login, new_person

CLIENTS, ROUNDS = 20, 2
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


@contextmanager
def served(app):
    """The server ``python run.py`` runs, on a free port of 127.0.0.1."""
    from waitress import wasyncore

    from app.server import make_server
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # the server's own loop closes its sockets and then ends: closing them from this
        # thread would race its select() (EBADF in the server thread)
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(10)
        server.task_dispatcher.shutdown()


class Visitor:
    """One person at a browser and a script at once: a page session and a JWT."""

    def __init__(self, base, username, tally):
        self.base, self.tally = base, tally
        self.pages = requests.Session()
        token = CSRF.search(self.pages.get(base + "/login/").text).group(1)
        self.pages.post(base + "/login/", data={"username": username, "password": DEMO_PASSWORD,
                                                "csrf_token": token}, allow_redirects=False)
        self.csrf = CSRF.search(self.pages.get(base + "/forms/mine").text).group(1)
        r = requests.post(base + "/api/v1/security/login",
                          json={"username": username, "password": DEMO_PASSWORD, "provider": "db"})
        self.api_headers = {"Authorization": "Bearer " + r.json()["access_token"]}

    def _count(self, what, response):
        self.tally[(what, response.status_code)] += 1
        return response

    def api(self, method, path, **kw):
        return self._count("api " + method, requests.request(method, self.base + path, headers=self.api_headers,
                                                              timeout=60, **kw))

    def page(self, method, path, data=None):
        if data is not None:
            data = {"csrf_token": self.csrf, **data}
        return self._count("page " + method, self.pages.request(method, self.base + path, data=data,
                                                                 allow_redirects=False, timeout=60))


def _risk_id(visitor, content):
    found = visitor.api("get", "/api/v1/risk/", params={
        "q": f"(filters:!((col:content,opr:eq,value:'{content}')),columns:!(id))"}).json()["result"]
    return found[0]["id"] if len(found) == 1 else None


def crowd_work(visitor, tag, form_id, expected):
    """Adds, edits and deletes risks of his own form through the API and the pages."""
    risk = {"risk_type": "岗位职责", "level": "二级"}
    for k in range(ROUNDS):
        r = visitor.api("post", "/api/v1/risk/", json={"form": form_id, "content": f"{tag}-api-{k}", **risk})
        if r.status_code != 201:
            continue
        api_id, version = r.json()["id"], r.json()["result"].get("version")
        seen = {} if version is None else {"version": version}
        r = visitor.api("put", f"/api/v1/risk/{api_id}", json={"content": f"{tag}-api-{k}-edited", **seen})
        expected[api_id] = f"{tag}-api-{k}-edited" if r.status_code == 200 else f"{tag}-api-{k}"

        visitor.page("post", f"/risk/add?_flt_0_form={form_id}",
                     {"form": form_id, "content": f"{tag}-page-{k}", **risk})
        page_id = _risk_id(visitor, f"{tag}-page-{k}")
        if page_id is None:   # the page said it was added
            expected[f"{tag}-page-{k}"] = "added through the page"
            continue
        shown = visitor.page("get", f"/risk/edit/{page_id}").text
        seen = VERSION.search(shown)
        visitor.page("post", f"/risk/edit/{page_id}",
                     {"form": form_id, "content": f"{tag}-page-{k}-edited", "version": seen and (seen[1] or seen[2]),
                      **risk})
        expected[page_id] = f"{tag}-page-{k}-edited"

        if k % 2:   # one of the two goes again, by the other door
            visitor.api("delete", f"/api/v1/risk/{api_id}")
            expected[api_id] = None
        else:
            visitor.page("post", f"/risk/delete/{page_id}", {})
            expected[page_id] = None


@pytest.fixture(scope="module")
def crowd(app):
    """Twenty people of 预算股, each with a login and a draft form of his own."""
    people = []
    with app.app_context():
        sm, first = app.appbuilder.sm, None
        for i in range(CLIENTS):
            username = f"crowd_{uuid.uuid4().hex[:6]}"
            if first is None:   # one password hash and role for all: hashing twenty times is slow
                login = first = new_login(username, "CZJ", "预算股", name=f"并发{i:02d}")
            else:
                person = new_person("CZJ", "预算股", name=f"并发{i:02d}")
                login = sm.add_user(username=username, first_name=person.name, last_name="",
                                    email=f"{username}@demo.lianzheng.local", role=list(first.roles),
                                    hashed_password=first.password)
                login.person_id, login.own_password = person.id, True
                db.session.commit()
            people.append((username, engine.create_form(Owner.PERSON, 2040, login).id))
        db.session.remove()
    return people


def test_twenty_clients_at_once_lose_nothing_and_add_nothing(app, crowd):
    tally, expected, failures = Counter(), {}, []
    with served(app) as base:
        def run(username, form_id):
            try:
                visitor = Visitor(base, username, tally)
                crowd_work(visitor, username, form_id, expected)
            except Exception as error:  # noqa: BLE001  reported below, with the others
                failures.append(f"{username}: {error!r}")

        threads = [threading.Thread(target=run, args=person) for person in crowd]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    assert not failures, failures

    with app.app_context():
        forms = [form_id for _username, form_id in crowd]
        rows = {r.id: r.content for r in db.session.query(RiskPoint).filter(RiskPoint.form_id.in_(forms))}
        db.session.remove()
    phantom = sorted(set(rows) - set(expected))
    lost = sorted((rid for rid, content in expected.items() if rows.get(rid) != content), key=str)
    errors = {k: n for k, n in tally.items() if k[1] >= 500}
    refused = {k: n for k, n in tally.items() if 400 <= k[1] < 500}
    requests_made = sum(tally.values())
    print(f"\n并发：{CLIENTS} 个客户端，{requests_made} 个请求，核对 {len(expected)} 行："
          f"{len(phantom)} 幻影行，{len(lost)} 丢失，{sum(errors.values())} 个 5xx")
    assert not errors, errors
    assert not refused, refused
    assert not phantom, [rows[i] for i in phantom]
    assert not lost, [(i, expected[i], rows.get(i)) for i in lost]
    assert len(expected) == CLIENTS * ROUNDS * 2


# ── 2. Edits that know about each other ─────────────────────────────────
STALE = "该记录已被他人修改"
RISK = {"risk_type": "岗位职责", "level": "二级"}


@pytest.fixture(scope="module")
def owner(app):
    """A person of 预算股 drafting a form of his own: (username, form id)."""
    with app.app_context():
        username = f"robust_{uuid.uuid4().hex[:6]}"
        login = new_login(username, "CZJ", "预算股", name="版本测试人")
        form_id = engine.create_form(Owner.PERSON, 2041, login).id
        db.session.remove()
    return username, form_id


def _new_risk(api, owner, content):
    username, form_id = owner
    r = api(username).post("/api/v1/risk/", json={"form": form_id, "content": content, **RISK})
    assert r.status_code == 201, r.json
    return r.json["id"]


def _content(model, pk, field="content"):
    db.session.expire_all()
    return getattr(db.session.get(model, pk), field)


def test_two_saves_built_on_one_version_through_the_api(api, ctx, owner):
    rid = _new_risk(api, owner, "原来的风险内容")
    first, second = api(owner[0]), api(owner[0])
    seen = first.get(f"/api/v1/risk/{rid}").json["result"]["version"]
    assert second.get(f"/api/v1/risk/{rid}").json["result"]["version"] == seen

    r = first.put(f"/api/v1/risk/{rid}", json={"content": "第一个人改的内容", "version": seen})
    assert r.status_code == 200 and r.json["result"]["version"] == seen + 1
    assert r.headers["ETag"] == f'"{seen + 1}"'
    r = second.put(f"/api/v1/risk/{rid}", json={"content": "第二个人改的内容", "version": seen})
    assert r.status_code == 409, r.json
    message = r.json["message"]
    assert message.startswith(STALE) and "请刷新后再改" in message
    assert "具体内容及表现形式 由「原来的风险内容」改为「第一个人改的内容」" in message
    assert owner[0] in message                         # who changed it
    assert _content(RiskPoint, rid) == "第一个人改的内容"   # nothing overwritten

    # the same through If-Match, and through a DELETE
    stale = {**second.headers, "If-Match": f'W/"{seen}"'}
    r = second.http.put(f"/api/v1/risk/{rid}", json={"content": "第二个人改的内容"}, headers=stale)
    assert r.status_code == 409 and r.json["message"].startswith(STALE)
    assert second.http.delete(f"/api/v1/risk/{rid}", headers=stale).status_code == 409
    assert _content(RiskPoint, rid) == "第一个人改的内容"
    r = second.put(f"/api/v1/risk/{rid}", json={"version": "第三版"})
    assert r.status_code == 422 and "版本号" in r.json["message"]["version"][0]

    # having seen the new version, the second person saves
    r = second.put(f"/api/v1/risk/{rid}", json={"content": "第二个人看过之后改的", "version": seen + 1})
    assert r.status_code == 200 and _content(RiskPoint, rid) == "第二个人看过之后改的"


def _shown_version(page):
    found = VERSION.search(page)
    assert found, "the edit page carries no version"
    return found[1] or found[2]


def test_two_edit_pages_opened_on_one_version(client, api, ctx, owner):
    rid = _new_risk(api, owner, "页面上原来的内容")
    first, second = client(owner[0]), client(owner[0])
    seen_first = _shown_version(first.get(f"/risk/edit/{rid}").get_data(as_text=True))
    seen_second = _shown_version(second.get(f"/risk/edit/{rid}").get_data(as_text=True))
    edit = {"form": owner[1], **RISK}
    first.post(f"/risk/edit/{rid}", {**edit, "content": "先保存的内容", "version": seen_first})
    page = second.post(f"/risk/edit/{rid}", {**edit, "content": "后保存的内容", "version": seen_second},
                       follow_redirects=True).get_data(as_text=True)
    assert STALE in page and "改为「先保存的内容」" in page
    assert _content(RiskPoint, rid) == "先保存的内容"


def _stale_through_api(api, username, resource, pk, field, values):
    first, second = api(username), api(username)
    seen = first.get(f"/api/v1/{resource}/{pk}").json["result"]["version"]
    assert first.put(f"/api/v1/{resource}/{pk}", json={field: values[0], "version": seen}).status_code == 200
    r = second.put(f"/api/v1/{resource}/{pk}", json={field: values[1], "version": seen})
    assert r.status_code == 409 and r.json["message"].startswith(STALE), (resource, r.json)
    assert f"改为「{values[0]}」" in r.json["message"]
    return first.get(f"/api/v1/{resource}/{pk}").json["result"]


STALE_RECORDS = [
    # resource, login, how to find the record, field, the two values
    ("person", "czj_admin", lambda: new_person("CZJ", "预算股", name="版本人员").id, "title", ("科员", "副股长")),
    ("power", "czj_admin", lambda: _first_id("Power", unit="CZJ"), "remarks", ("甲的备注", "乙的备注")),
    ("section", "czj_admin", lambda: _first_id("Section", unit="CZJ"), "duties", ("甲写的职责", "乙写的职责")),
    ("unit", "office", lambda: _first_id("Unit", code="JYJ"), "duties", ("甲写的单位职责", "乙写的单位职责")),
    ("talk", "czj_fg", lambda: _first_id("IntegrityTalk"), "content", ("甲记的谈话", "乙记的谈话")),
    ("inspection", "office", lambda: _first_id("Inspection"), "findings", ("甲的发现", "乙的发现")),
]


def _first_id(model_name, unit=None, code=None):
    from app import models
    from tests.helpers import unit as unit_of
    model = getattr(models, model_name)
    query = db.session.query(model)
    if unit:
        query = query.filter_by(unit_id=unit_of(unit).id)
    if code:
        query = query.filter_by(code=code)
    return query.order_by(model.id).first().id


@pytest.mark.parametrize("resource, username, find, field, values", STALE_RECORDS,
                         ids=[r[0] for r in STALE_RECORDS])
def test_every_edited_record_refuses_a_stale_save(api, ctx, resource, username, find, field, values):
    result = _stale_through_api(api, username, resource, find(), field, values)
    assert result[field] == values[0]


def test_stale_pages_of_rules_flow_steps_and_pledges(client, api, ctx, owner):
    from app.catalogue.models import FlowStep, Power
    from app.risks.models import RiskForm, Rule
    admin_a, admin_b = client("czj_admin"), client("czj_admin")

    from tests.helpers import unit as unit_of
    czj = unit_of("CZJ").id
    rule = Rule(unit_id=czj, name="预算调整审批制度", kind="新建立")
    db.session.add(rule)
    db.session.commit()
    rule_id = rule.id
    fields = {"unit": czj, "kind": "新建立"}
    seen = [_shown_version(c.get(f"/rule/edit/{rule_id}").get_data(as_text=True)) for c in (admin_a, admin_b)]
    admin_a.post(f"/rule/edit/{rule_id}", {**fields, "name": "甲改的制度名称", "version": seen[0]})
    page = admin_b.post(f"/rule/edit/{rule_id}", {**fields, "name": "乙改的制度名称", "version": seen[1]},
                        follow_redirects=True).get_data(as_text=True)
    assert STALE in page and "改为「甲改的制度名称」" in page
    assert _content(Rule, rule_id, "name") == "甲改的制度名称"

    step = db.session.query(FlowStep).join(Power).filter(Power.unit_id == czj).order_by(FlowStep.id).first()
    power_id, step_id = step.power_id, step.id
    seen = [_shown_version(c.get(f"/power/{power_id}/steps?edit={step_id}").get_data(as_text=True))
            for c in (admin_a, admin_b)]
    admin_a.post(f"/power/{power_id}/steps", {"op": "save", "step": step_id, "name": "甲改的环节", "version": seen[0]})
    page = admin_b.post(f"/power/{power_id}/steps", {"op": "save", "step": step_id, "name": "乙改的环节",
                                                      "version": seen[1]}, follow_redirects=True).get_data(as_text=True)
    assert STALE in page and "改为「甲改的环节」" in page
    assert _content(FlowStep, step_id, "name") == "甲改的环节"

    mine_a, mine_b = client(owner[0]), client(owner[0])
    seen = [_shown_version(c.get(f"/forms/{owner[1]}").get_data(as_text=True)) for c in (mine_a, mine_b)]
    mine_a.post(f"/forms/{owner[1]}/pledge", {"pledge": "甲写的承诺", "version": seen[0]})
    page = mine_b.post(f"/forms/{owner[1]}/pledge", {"pledge": "乙写的承诺", "version": seen[1]},
                       follow_redirects=True).get_data(as_text=True)
    assert STALE in page and "改为「甲写的承诺」" in page
    assert _content(RiskForm, owner[1], "pledge") == "甲写的承诺"


def _signed_and_returned(app):
    """A form signed by its owner and sent back: its next edit opens a new revision."""
    from app.security.models import Login
    with app.app_context():
        username = f"signed_{uuid.uuid4().hex[:6]}"
        login = new_login(username, "CZJ", "预算股", name="签字后退回")
        form = engine.create_form(Owner.PERSON, 2042, login)
        db.session.add_all([RiskPoint(form=form, unit_id=form.unit_id, section_id=form.section_id,
                                      owner_id=form.owner_id, owner_kind=form.owner_kind, content=f"风险{i}", **RISK)
                            for i in (1, 2)])
        db.session.commit()
        who = {name: db.session.query(Login).filter_by(username=name).one() for name in ("czj_ys_head", "office")}
        engine.submit(form, login)
        engine.approve(form, who["czj_ys_head"])
        engine.approve(form, who["office"])
        engine.sign(form, login, DEMO_PASSWORD)
        engine.send_back(form, who["office"], "请再补充")
        assert form.stage == "draft" and form.is_signed
        risks = [r.id for r in form.risks]
        db.session.remove()
    return username, risks


def test_concurrent_edits_of_a_signed_draft_answer_in_chinese(app):
    """Two saves of one signed draft meet at the same moment: both open a new
    revision of the same form; one lands, the other is told so in Chinese."""
    from flask import has_request_context, request
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from app.risks.models import RiskForm

    username, risks = _signed_and_returned(app)
    meet = threading.Barrier(2, timeout=10)

    def hold(session, _ctx, _instances):   # both requests have loaded the form before either writes
        if has_request_context() and request.method == "PUT" and not getattr(request, "_met", False):
            if any(isinstance(o, RiskForm) for o in session.dirty):
                request._met = True
                meet.wait()

    event.listen(Session, "before_flush", hold)
    answers = []
    try:
        with served(app) as base:
            token = requests.post(base + "/api/v1/security/login", json={
                "username": username, "password": DEMO_PASSWORD, "provider": "db"}).json()["access_token"]

            def save(rid):
                answers.append(requests.put(f"{base}/api/v1/risk/{rid}", json={"content": f"同时修改{rid}"},
                                            headers={"Authorization": f"Bearer {token}"}, timeout=60))
            threads = [threading.Thread(target=save, args=(rid,)) for rid in risks]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
    finally:
        event.remove(Session, "before_flush", hold)
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [(a.status_code, a.text) for a in answers]
    refused = next(a for a in answers if a.status_code == 409).json()["message"]
    assert "登记表刚刚已被他人修改" in refused and "请刷新后再改" in refused
    assert not re.search(r"[A-Za-z]{4,}", refused)   # no English, no SQL


# ── 5. Bad input, all of it ─────────────────────────────────────────────
class Raw:
    """A body sent as it is, not as JSON made from a Python value."""

    def __init__(self, data, content_type="application/json"):
        self.data, self.content_type = data, content_type


F, NUL, ESC, BEL, RLO, LRI = "{form}", "\x00", "\x1b", "\x07", "\u202e", "\u2066"
# id, login, method, path, body, the answer, words the message must hold (the field, what is wrong)
BAD_INPUT = [
    ("risk form abc", "owner", "put", "/api/v1/risk/{risk}", {"form": "abc"}, 422, "登记表"),
    ("risk form float", "owner", "put", "/api/v1/risk/{risk}", {"form": 1.5}, 422, "登记表"),
    ("risk form true", "owner", "put", "/api/v1/risk/{risk}", {"form": True}, 422, "登记表"),
    ("risk form list", "owner", "put", "/api/v1/risk/{risk}", {"form": [1]}, 422, "登记表"),
    ("risk form object", "owner", "put", "/api/v1/risk/{risk}", {"form": {"id": 1}}, 422, "登记表"),
    ("risk form negative", "owner", "put", "/api/v1/risk/{risk}", {"form": -1}, 422, "登记表"),
    ("risk form 10^12", "owner", "put", "/api/v1/risk/{risk}", {"form": 10 ** 12}, 422, "登记表"),
    ("risk power abc", "owner", "put", "/api/v1/risk/{risk}", {"power": "abc"}, 422, "所涉职权"),
    ("risk content NUL", "owner", "put", "/api/v1/risk/{risk}", {"content": f"审核{NUL}把关"}, 422, "具体内容"),
    ("risk content 100000", "owner", "put", "/api/v1/risk/{risk}", {"content": "审" * 100_000}, 422, "500"),
    ("risk content 501", "owner", "put", "/api/v1/risk/{risk}", {"content": "审" * 501}, 422, "500"),
    ("risk content ESC", "owner", "put", "/api/v1/risk/{risk}", {"content": f"审核{ESC}[31m"}, 422, "ESC"),
    ("risk content BEL", "owner", "put", "/api/v1/risk/{risk}", {"content": f"审核{BEL}"}, 422, "具体内容"),
    ("risk content RLO", "owner", "put", "/api/v1/risk/{risk}", {"content": f"审核{RLO}核审"}, 422, "RLO"),
    ("risk content LRI", "owner", "put", "/api/v1/risk/{risk}", {"content": f"审核{LRI}"}, 422, "具体内容"),
    ("risk content surrogate", "owner", "put", "/api/v1/risk/{risk}", Raw('{"content": "\\ud800"}'), 422,
     "具体内容"),
    ("risk content empty", "owner", "put", "/api/v1/risk/{risk}", {"content": ""}, 422, "具体内容"),
    ("risk content blank", "owner", "put", "/api/v1/risk/{risk}", {"content": "   "}, 422, "具体内容"),
    ("risk content number", "owner", "put", "/api/v1/risk/{risk}", {"content": 123}, 422, "应为文字"),
    ("risk content null", "owner", "put", "/api/v1/risk/{risk}", {"content": None}, 422, "具体内容"),
    ("risk level", "owner", "put", "/api/v1/risk/{risk}", {"level": "五级"}, 422, "风险等级"),
    ("risk type list", "owner", "put", "/api/v1/risk/{risk}", {"risk_type": ["思想道德"]}, 422, "风险类别"),
    ("risk unknown field", "owner", "put", "/api/v1/risk/{risk}", {"nope": 1}, 422, "不是可以提交的字段"),
    ("risk version text", "owner", "put", "/api/v1/risk/{risk}", {"version": "abc"}, 422, "版本号"),
    ("risk version negative", "owner", "put", "/api/v1/risk/{risk}", {"version": -3}, 422, "版本号"),
    ("risk body list", "owner", "put", "/api/v1/risk/{risk}", [1], 400, "JSON 对象"),
    ("risk body text", "owner", "put", "/api/v1/risk/{risk}", "abc", 400, "JSON 对象"),
    ("risk body number", "owner", "put", "/api/v1/risk/{risk}", 42, 400, "JSON 对象"),
    ("risk body null", "owner", "put", "/api/v1/risk/{risk}", None, 400, "JSON"),
    ("risk body broken", "owner", "put", "/api/v1/risk/{risk}", Raw("{bad"), 400, "JSON"),
    ("risk body form", "owner", "put", "/api/v1/risk/{risk}", Raw("content=x", "application/x-www-form-urlencoded"),
     400, "JSON"),
    ("new risk list", "owner", "post", "/api/v1/risk/", [1], 400, "JSON 对象"),
    ("new risk empty", "owner", "post", "/api/v1/risk/", {}, 422, "必须填写"),
    ("new risk NUL", "owner", "post", "/api/v1/risk/", {"form": F, "content": f"a{NUL}", **RISK}, 422, "具体内容"),
    ("new risk form abc", "owner", "post", "/api/v1/risk/", {"form": "abc", "content": "x", **RISK}, 422, "登记表"),
    ("new measure 501", "owner", "post", "/api/v1/control/", {"risk": "{risk}", "stage": "前期预防",
                                                               "content": "措" * 501}, 422, "500"),
    ("submit list", "owner", "post", "/api/v1/form/{form}/submit", [1], 400, "JSON 对象"),
    ("submit text", "owner", "post", "/api/v1/form/{form}/submit", "x", 400, "JSON 对象"),
    ("submit broken", "owner", "post", "/api/v1/form/{form}/submit", Raw("{bad"), 400, "JSON"),
    ("submit plain text", "owner", "post", "/api/v1/form/{form}/submit", Raw("hello", "text/plain"), 400, "JSON"),
    ("submit expected number", "owner", "post", "/api/v1/form/{form}/submit", {"expected": 5}, 400, "当前环节"),
    ("approve opinion 123", "czj_ys_head", "post", "/api/v1/form/{form}/approve", {"opinion": 123}, 400, "意见"),
    ("return opinion list", "czj_ys_head", "post", "/api/v1/form/{form}/return", {"opinion": ["x"]}, 400, "意见"),
    ("return opinion object", "czj_ys_head", "post", "/api/v1/form/{form}/return", {"opinion": {"a": 1}}, 400,
     "意见"),
    ("peer opinion NUL", "czj_fg", "post", "/api/v1/form/{form}/peer", {"opinion": f"请补充{NUL}"}, 400,
     "意见"),
    ("peer opinion 100000", "czj_fg", "post", "/api/v1/form/{form}/peer", {"opinion": "查" * 100_000},
     (400, 422), "意见"),
    ("peer opinion RLO", "czj_fg", "post", "/api/v1/form/{form}/peer", {"opinion": f"帮查{RLO}"}, 400,
     "意见"),
    ("sign password number", "owner", "post", "/api/v1/form/{form}/sign", {"password": 123}, 400, "密码"),
    ("person name 51", "czj_admin", "put", "/api/v1/person/{person}", {"name": "张" * 51}, 422, "50"),
    ("person date invalid", "czj_admin", "put", "/api/v1/person/{person}", {"appointed_on": "2026-13-45"}, 422,
     "应为日期"),
    ("person date year 1", "czj_admin", "put", "/api/v1/person/{person}", {"appointed_on": "0001-01-01"}, 422,
     "年份"),
    ("person leader maybe", "czj_admin", "put", "/api/v1/person/{person}", {"is_leader": "maybe"}, 422, "true"),
    ("person name RLO", "czj_admin", "put", "/api/v1/person/{person}", {"name": f"张{RLO}三"}, 422, "姓名"),
    ("person name empty", "czj_admin", "put", "/api/v1/person/{person}", {"name": ""}, 422, "姓名"),
    ("person post abc", "czj_admin", "put", "/api/v1/person/{person}", {"post": "abc"}, 422, "岗位"),
    ("person phone NUL", "czj_admin", "put", "/api/v1/person/{person}", {"phone": f"1380013800{NUL}"}, 422, "NUL"),
    ("person id number", "czj_admin", "put", "/api/v1/person/{person}", {"id_number": "x"}, 422, "身份证号"),
    ("unit code emoji ESC", "office", "put", "/api/v1/unit/{unit}", {"code": "CZJ😀\x1b"}, 422, "单位代码"),
    ("unit code emoji", "office", "put", "/api/v1/unit/{unit}", {"code": "JYJ😀"}, 422, "单位代码"),
    ("unit name empty", "office", "put", "/api/v1/unit/{unit}", {"name": ""}, 422, "单位名称"),
    ("unit county abc", "office", "put", "/api/v1/unit/{unit}", {"county": "abc"}, 422, "行政区划"),
    ("rule lead_days 10^12", "office", "put", "/api/v1/reminder/{reminder}", {"lead_days": 10 ** 12}, 422, "提前天数"),
    ("rule lead_days text", "office", "put", "/api/v1/reminder/{reminder}", {"lead_days": "abc"}, 422, "提前天数"),
    ("rule name empty", "office", "put", "/api/v1/reminder/{reminder}", {"name": ""}, 422, "名称"),
    ("rule name ESC", "office", "put", "/api/v1/reminder/{reminder}", {"name": f"提醒{ESC}"}, 422, "名称"),
    ("selfcheck quarter 10^12", "jyj_admin", "put", "/api/v1/selfcheck/{selfcheck}", {"quarter": 10 ** 12}, 422,
     "季度"),
    ("selfcheck year text", "jyj_admin", "put", "/api/v1/selfcheck/{selfcheck}", {"year": "二〇二六"}, 422, "年度"),
    ("selfcheck file list", "jyj_admin", "post", "/api/v1/selfcheck/{selfcheck}/file", [1], 400, "JSON 对象"),
    ("inspection date", "office", "put", "/api/v1/inspection/{inspection}", {"held_on": "2026-02-30"}, 422, "日期"),
    ("sample sections text", "office", "post", "/api/v1/inspection/{inspection}/sample", {"sections": "abc"}, 400,
     "抽取科室数"),
    ("sample seed 10^30", "office", "post", "/api/v1/inspection/{inspection}/sample", {"seed": 10 ** 30}, 400,
     "随机种子"),
    ("sample persons negative", "office", "post", "/api/v1/inspection/{inspection}/sample", {"persons": -1}, 400,
     "抽取人数"),
    ("visit date", "office", "post", "/api/v1/notice/{notice}/visit", {"visited_on": "2026-02-30"}, 400, "回访日期"),
    ("visit visitors number", "office", "post", "/api/v1/notice/{notice}/visit", {"visitors": 5}, 400, "回访人员"),
    ("close note NUL", "office", "post", "/api/v1/notice/{notice}/close", {"note": f"了结{NUL}"}, 400, "说明"),
    ("notice deadline", "office", "put", "/api/v1/notice/{notice}", {"deadline": "明天"}, 422, "日期"),
    ("archive entry NUL", "jiwei", "post", "/api/v1/archive/{archive}/entry", {"content": f"a{NUL}"}, 400, "内容"),
    ("archive entry date", "jiwei", "post", "/api/v1/archive/{archive}/entry", {"occurred_on": "abc"}, 400, "日期"),
    ("archive entry list", "jiwei", "post", "/api/v1/archive/{archive}/entry", [1], 400, "JSON 对象"),
    ("power name empty", "czj_admin", "put", "/api/v1/power/{power}", {"name": ""}, 422, "名称"),
    ("power category number", "czj_admin", "put", "/api/v1/power/{power}", {"category": 5}, 422, "类别"),
    ("power remarks LRI", "czj_admin", "put", "/api/v1/power/{power}", {"remarks": f"备注{LRI}"}, 422, "备注"),
    ("warning handle list", "office", "post", "/api/v1/warning/{warning}/handle", [1], 400, "JSON 对象"),
    ("warning follow note number", "office", "post", "/api/v1/warning/{warning}/follow", {"note": 5}, 400, "说明"),
    ("warning handle deadline", "office", "post", "/api/v1/warning/{warning}/handle", {"deadline": "2026-02-30"},
     400, "期限"),
    ("query broken", "office", "get", "/api/v1/risk/?q=(((", None, 400, "查询参数 q"),
    ("query info broken", "office", "get", "/api/v1/risk/_info?q=(((", None, 400, "查询参数 q"),
    ("query page negative", "office", "get", "/api/v1/risk/?q=(page:-1,page_size:10)", None, 400, "page"),
    ("query page_size text", "office", "get", "/api/v1/risk/?q=(page_size:abc)", None, 400, "page_size"),
    ("query filter column", "office", "get", "/api/v1/risk/?q=(filters:!((col:nope,opr:eq,value:1)))", None, 400,
     "筛选"),
    ("query order column", "office", "get", "/api/v1/risk/?q=(order_column:nope,order_direction:asc)", None, 400,
     "排序"),
    ("query NUL", "office", "get", "/api/v1/risk/?q=(filters:!((col:content,opr:ct,value:'a%00')))", None, 400,
     "控制字符"),
]
ENGLISH = re.compile(r"not a valid|missing data|longer than|shorter than|unknown field|may not be|invalid|"
                     r"error|exception|statement|constraint|sqlite|psycopg|traceback|unprocessable", re.I)


@pytest.fixture(scope="module")
def targets(app, owner):
    """The records the bad input is aimed at, one of each kind."""
    from app.archives.models import IntegrityArchive
    from app.assessment.models import Inspection, RectificationNotice, SelfCheck
    from app.catalogue.models import Power
    from app.monitoring.models import RiskWarning
    from app.reminders.models import ReminderRule
    from app.risks.models import RiskForm
    from tests.helpers import unit as unit_of
    with app.app_context():
        username, form_id = owner
        form = db.session.get(RiskForm, form_id)
        risk = RiskPoint(form=form, unit_id=form.unit_id, section_id=form.section_id, owner_id=form.owner_id,
                         owner_kind=form.owner_kind, content="坏输入的目标", **RISK)
        db.session.add(risk)
        db.session.commit()
        jyj, czj = unit_of("JYJ"), unit_of("CZJ")
        found = {
            "form": form_id, "risk": risk.id, "person": new_person("CZJ", "预算股", name="坏输入人员").id,
            "unit": jyj.id, "reminder": db.session.query(ReminderRule.id).order_by(ReminderRule.id).limit(1).scalar(),
            "selfcheck": db.session.query(SelfCheck.id).filter_by(unit_id=jyj.id, filed_at=None).limit(1).scalar(),
            "inspection": db.session.query(Inspection.id).order_by(Inspection.id).limit(1).scalar(),
            "notice": db.session.query(RectificationNotice.id).filter_by(closed_on=None).limit(1).scalar(),
            "archive": db.session.query(IntegrityArchive.id).order_by(IntegrityArchive.id).limit(1).scalar(),
            "power": db.session.query(Power.id).filter_by(unit_id=czj.id).order_by(Power.id).limit(1).scalar(),
            "warning": db.session.query(RiskWarning.id).filter_by(unit_id=czj.id).order_by(RiskWarning.id)
            .limit(1).scalar(),
        }
        assert all(found.values()), found
        found["owner"] = username
        db.session.remove()
    return found


def _fill(value, targets):
    """The placeholders of a case ({risk}, {form} …) replaced by the records' ids."""
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return targets[value[1:-1]]
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: str(targets[m[1]]), value)
    if isinstance(value, dict):
        return {k: _fill(v, targets) for k, v in value.items()}
    return value


def _snapshot():
    """Every row the bad input could touch, as it stands."""
    from app.archives.models import ArchiveEntry
    from app.assessment.models import FollowUpVisit, Inspection, RectificationNotice, SelfCheck
    from app.audit.models import AuditLog
    from app.catalogue.models import Power
    from app.organisation.models import Person, Unit
    from app.reminders.models import ReminderRule
    from app.risks.models import ControlMeasure, ReviewStep, RiskForm
    db.session.expire_all()
    tables = (RiskPoint, RiskForm, ControlMeasure, ReviewStep, Person, Unit, ReminderRule, SelfCheck, Inspection,
              RectificationNotice, FollowUpVisit, ArchiveEntry, Power)
    return {m.__tablename__: db.session.query(m).count() for m in tables} | {
        "audit": db.session.query(AuditLog).count()}


_apis = {}


@pytest.mark.parametrize("case", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(app, ctx, targets, case):
    from tests.conftest import Api
    name, who, method, path, body, code, words = case
    username = targets["owner"] if who == "owner" else who
    key = (id(app), username)
    if key not in _apis:
        _apis[key] = Api(app, username)
    client = _apis[key]
    url = path.format(**targets)
    if method == "get":
        kwargs = {}
    elif isinstance(body, Raw):
        kwargs = {"data": body.data, "content_type": body.content_type}
    else:
        kwargs = {"data": json.dumps(_fill(body, targets)), "content_type": "application/json"}
    before = _snapshot()
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code in (code if isinstance(code, tuple) else (code,)), (r.status_code, r.get_data(as_text=True))
    message = r.json["message"]
    text = message if isinstance(message, str) else " ".join(m for ms in message.values() for m in ms)
    assert re.search(r"[\u4e00-\u9fff]", text) and words in text, text
    assert not ENGLISH.search(text), text
    assert _snapshot() == before


def _flashed(response) -> str:
    return " ".join(re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S))


def test_bad_input_through_the_pages_and_below_them(app, client, ctx, owner, targets):
    """The same limits at the edit pages, the custom pages (pledge, 帮查, flowchart
    editor) and at the database's door itself (imports, CLI, any code)."""
    from app.audit.trail import acting_as
    from app.errors import Invalid
    from app.organisation.models import Person
    from app.risks.models import ReviewStep, RiskForm, Rule
    from tests.helpers import unit as unit_of
    rid, form_id = targets["risk"], owner[1]
    mine = client(owner[0])
    seen = _shown_version(mine.get(f"/risk/edit/{rid}").get_data(as_text=True))
    for content, words in ((f"审核{NUL}把关", "含有不允许的控制字符"), ("审" * 501, "不能超过 500 个字"),
                           (f"审核{RLO}核审", "RLO"), ("   ", "请填写")):
        r = mine.post(f"/risk/edit/{rid}", {"form": form_id, **RISK, "content": content, "version": seen},
                      follow_redirects=True)
        assert words in _flashed(r), (content[:10], _flashed(r))
        assert _content(RiskPoint, rid) == "坏输入的目标"

    pledge = _content(RiskForm, form_id, "pledge")
    r = mine.post(f"/forms/{form_id}/pledge", {"pledge": f"承诺{ESC}"}, follow_redirects=True)
    assert "个人廉政承诺含有不允许的控制字符（ESC）" in _flashed(r)
    assert _content(RiskForm, form_id, "pledge") == pledge

    steps = db.session.query(ReviewStep).filter_by(form_id=form_id).count()
    r = client("czj_fg").post(f"/forms/{form_id}/act", {"op": "peer", "opinion": f"请补充{NUL}"},
                              follow_redirects=True)
    assert "意见含有不允许的控制字符" in _flashed(r)
    assert db.session.query(ReviewStep).filter_by(form_id=form_id).count() == steps

    admin = client("czj_admin")
    r = admin.post(f"/power/{targets['power']}/steps", {"op": "save", "name": f"受理{BEL}"}, follow_redirects=True)
    assert "环节名称含有不允许的控制字符" in _flashed(r)
    person = {"unit": unit_of("CZJ").id, "name": "张三", "gender": "男",
              "id_number": db.session.get(Person, targets["person"]).id_number}
    for change, words in (({"name": "张" * 51}, "不能超过 50 个字符"), ({"appointed_on": "0001-01-01"}, "年份应在"),
                          ({"title": f"科员{RLO}"}, "含有不允许的控制字符")):
        r = admin.post(f"/person/edit/{targets['person']}", {**person, **change}, follow_redirects=True)
        assert words in _flashed(r), (change, _flashed(r))
    assert _content(Person, targets["person"], "name") == "坏输入人员"

    with acting_as():   # what an import or a CLI command would write
        db.session.add(Rule(unit_id=unit_of("CZJ").id, name=f"制度{RLO}名称", kind="新建立"))
        with pytest.raises(Invalid, match="制度名称含有不允许的控制字符"):
            db.session.commit()
        db.session.rollback()
