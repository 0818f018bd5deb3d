"""Nothing lost, nothing twice (issue 12, parts 1, 2 and 5): the server of
``python run.py`` under twenty clients at once, edits that know about each
other, and every kind of bad input refused in Chinese."""
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
    from app.server import make_server
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(10)


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
