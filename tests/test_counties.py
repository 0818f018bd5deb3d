"""Several counties on one installation, and the city above them.

The demo has 示范县, a second county 和溪县 (``office2``, ``czj2_*``) and the city
level (``shiwei`` 市纪委监委, ``shiban`` 市领导小组办公室).  Each county sees only
itself, through every door; the city reads all and writes nothing; county
records are the administrator's; related ids are checked on every write; and
a person's placement is set only by those who keep the organisation.
"""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.organisation.models import County, Person, Section, Unit
from app.plan.models import PlanDeliverable, PlanPhase, PlanSubmission
from app.reminders.models import Delivery, Message, ReminderRule
from seed import data
from tests.helpers import person_of, section, unit
from tests.test_reminders import smtp  # noqa: F401  (the fixture: a real SMTP server on 127.0.0.1)

CHINESE = "不在您可选择的范围内"


def county(code) -> County:
    return db.session.scalar(select(County).where(County.code == code))


def first_county():
    return county(data.COUNTY[1])


def second_county():
    return county(data.SECOND_COUNTY[1])


def fresh(model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def phase_of(c) -> PlanPhase:
    return db.session.scalar(select(PlanPhase).where(PlanPhase.county_id == c.id).order_by(PlanPhase.id))


def deliverable_of(c) -> PlanDeliverable:
    return db.session.scalar(select(PlanDeliverable).join(PlanPhase).where(PlanPhase.county_id == c.id)
                             .order_by(PlanDeliverable.id))


# ── a county's office does not see the other county ───────────────────────

def test_second_office_does_not_read_the_first_county_organisation(client, api, ctx):
    czj, person = unit("CZJ"), person_of("czj_ys_staff1")
    page, rest = client("office2"), api("office2")
    for url in (f"/unit/show/{czj.id}", f"/unit/edit/{czj.id}", f"/person/show/{person.id}",
                f"/section/show/{section('CZJ', '预算股').id}", f"/county/show/{first_county().id}"):
        assert page.get(url).status_code == 404, url
    for url in (f"/api/v1/unit/{czj.id}", f"/api/v1/person/{person.id}"):
        assert rest.get(url).status_code == 404, url
    units = rest.get("/api/v1/unit/?q=(page_size:100)").json["result"]
    assert {u["code"] for u in units} == {"HX-JW", "HX-CZJ", "HX-JYJ"}
    people = rest.get("/api/v1/person/?q=(page_size:500)").json["result"]
    assert people and all("和溪县" in p["unit"]["name"] for p in people)
    counties = page.get("/county/list/").get_data(as_text=True)
    assert data.SECOND_COUNTY[0] in counties and data.COUNTY[0] not in counties
    # and the first county's office does not see the second
    assert api("office").get(f"/api/v1/unit/{unit('HX-CZJ').id}").status_code == 404


def test_second_office_does_not_read_the_first_county_plan(client, ctx):
    mine, theirs = second_county(), first_county()
    c = client("office2")
    assert c.get(f"/plan/phase/show/{phase_of(theirs).id}").status_code == 404
    assert c.get(f"/plan/deliverable/show/{deliverable_of(theirs).id}").status_code == 404
    assert c.get(f"/plan/phase/show/{phase_of(mine).id}").status_code == 200
    submission = db.session.scalar(select(PlanSubmission).where(PlanSubmission.unit_id == unit("CZJ").id))
    assert c.get(f"/plan/submission/show/{submission.id}").status_code == 404
    phases = c.get("/plan/phase/list/?psize_PlanPhaseView=100").get_data(as_text=True)
    assert data.SECOND_COUNTY[0] in phases and data.COUNTY[0] not in phases
    status = c.get("/plan/submission/status").get_data(as_text=True)
    assert "和溪县财政局" in status and "示范县财政局" not in status
    # a unit of the first county is not asked for the second county's deliverables
    status = client("czj_admin").get("/plan/submission/status").get_data(as_text=True)
    assert status.count(deliverable_of(mine).name) == status.count(deliverable_of(theirs).name)


def test_second_office_does_not_read_or_run_the_first_county_reminders(client, api, ctx):
    theirs = db.session.scalar(select(ReminderRule).where(ReminderRule.key == "plan"))
    rest = api("office2")
    rules = rest.get("/api/v1/reminder/").json
    assert rules["count"] == 1 and rules["result"][0]["key"] == f"plan_{data.SECOND_COUNTY[1]}"
    assert rest.get(f"/api/v1/reminder/{theirs.id}").status_code == 404
    assert rest.put(f"/api/v1/reminder/{theirs.id}", json={"lead_days": 1}).status_code == 404
    assert rest.post(f"/api/v1/reminder/{theirs.id}/run").status_code == 404
    assert rest.delete(f"/api/v1/reminder/{theirs.id}").status_code == 404
    page = client("office2")
    assert "reminder:self_check" not in page.get("/reminder/rule/jobs").get_data(as_text=True)
    page.post(f"/reminder/rule/{theirs.id}/run")
    assert fresh(ReminderRule, theirs.id).last_run_at is None and fresh(ReminderRule, theirs.id).lead_days == 7


def test_office_cannot_make_a_rule_for_another_county_or_the_city(api, ctx):
    rest = api("office2")
    body = {"key": "mine_x", "name": "越权规则", "kind": "plan", "schedule": "0 9 * * 1", "lead_days": 1,
            "roles": "单位管理员", "subject": "s", "body": "b", "enabled": True}
    for county_id in (first_county().id, None):
        r = rest.post("/api/v1/reminder/", json={**body, "county": county_id})
        assert r.status_code == 422, r.json
    assert db.session.scalar(select(ReminderRule).where(ReminderRule.key == "mine_x")) is None


def test_county_rules_remind_their_county_and_deliveries_are_seen_in_scope(client, ctx, smtp):  # noqa: F811
    from app.reminders import delivery
    first = db.session.scalar(select(ReminderRule).where(ReminderRule.key == "plan"))
    second = db.session.scalar(select(ReminderRule).where(ReminderRule.county_id == second_county().id))
    delivery.run_rule(first), delivery.run_rule(second)
    db.session.expire_all()
    made_first, made_second = (db.session.scalars(select(Delivery).where(Delivery.rule_id == rule.id)
                                                  .order_by(Delivery.id)).all() for rule in (first, second))
    if not made_first or not made_second:
        pytest.skip("no deliverable is due yet this early in the plan year")
    names = lambda made: {fresh(Delivery, d.id).login.username for d in made}  # noqa: E731
    assert "office2" in names(made_second) and names(made_second) <= {"office2", "czj2_admin"}
    assert not names(made_first) & {"office2", "czj2_admin", "shiwei", "shiban"}
    assert "示范县" not in " ".join(fresh(Delivery, d.id).body for d in made_second)
    own = client("office2").get("/reminder/delivery/list/?psize_DeliveryView=100").get_data(as_text=True)
    assert "office2" in own and "jyj_admin" not in own
    other = made_first[0].id
    assert client("office2").get(f"/reminder/delivery/show/{other}").status_code == 404
    both = client("shiban").get("/reminder/delivery/list/?psize_DeliveryView=100").get_data(as_text=True)
    assert "office2" in both and "jyj_admin" in both
    # messages are one's own only, whoever asks
    theirs = db.session.scalar(select(Message).where(Message.delivery_id == other))
    for who in ("office2", "shiwei", "admin"):
        assert client(who).get(f"/message/show/{theirs.id}").status_code == 404


# ── county records are the administrator's ────────────────────────────────

def test_office_cannot_rename_a_county(client, ctx):
    for who, target in (("office", first_county()), ("office2", first_county()), ("office2", second_county())):
        before = target.name
        c = client(who)
        c.post(f"/county/edit/{target.id}", {"name": "改名县", "code": target.code, "city": target.city_id})
        c.post("/county/add", {"name": "新增县", "code": "459099", "city": target.city_id})
        assert fresh(County, target.id).name == before, who
    assert db.session.scalar(select(County).where(County.name == "新增县")) is None
    admin = client("admin")
    target = second_county()
    admin.post(f"/county/edit/{target.id}", {"name": "和溪县（改）", "code": target.code, "city": target.city_id})
    assert fresh(County, target.id).name == "和溪县（改）"
    admin.post(f"/county/edit/{target.id}", {"name": data.SECOND_COUNTY[0], "code": target.code,
                                             "city": target.city_id})
    assert fresh(County, target.id).name == data.SECOND_COUNTY[0]


def test_office_cannot_move_a_unit_to_another_county(api, client, ctx):
    hx = unit("HX-CZJ")
    r = api("office2").put(f"/api/v1/unit/{hx.id}", json={"county": first_county().id})
    assert r.status_code == 422 and CHINESE in str(r.json)
    r = api("office2").post("/api/v1/unit/", json={"county": first_county().id, "code": "HX-X",
                                                   "name": "越界单位", "kind": "政府部门"})
    assert r.status_code == 422
    assert fresh(Unit, hx.id).county_id == second_county().id
    assert db.session.scalar(select(Unit).where(Unit.code == "HX-X")) is None


# ── the city level reads every county and writes nothing ─────────────────

@pytest.mark.parametrize("who", ["shiwei", "shiban"])
def test_city_level_reads_every_county_and_writes_nothing(client, api, ctx, who):
    rest = api(who)
    codes = {u["code"] for u in rest.get("/api/v1/unit/?q=(page_size:100)").json["result"]}
    assert {"CZJ", "JYJ", "HX-CZJ", "SJW"} <= codes
    person = person_of("czj2_ys_staff1")
    assert rest.get(f"/api/v1/person/{person.id}").status_code == 200
    assert rest.put(f"/api/v1/person/{person.id}", json={"phone": "13900000000"}).status_code in (401, 403)
    assert rest.delete(f"/api/v1/unit/{unit('JYJ').id}").status_code in (401, 403)
    page = client(who)
    assert page.get(f"/unit/show/{unit('CZJ').id}").status_code == 200
    page.post(f"/person/edit/{person.id}", {"name": "市里改名", "id_number": person.id_number,
                                            "unit": person.unit_id})
    page.post(f"/plan/phase/edit/{phase_of(first_county()).id}", {"title": "市里改的"})
    assert fresh(Person, person.id).name != "市里改名"
    assert fresh(PlanPhase, phase_of(first_county()).id).title != "市里改的"
    phases = page.get("/plan/phase/list/?psize_PlanPhaseView=100").get_data(as_text=True)
    assert data.COUNTY[0] in phases and data.SECOND_COUNTY[0] in phases


# ── related ids: only what the login would be offered ─────────────────────

def test_section_head_cannot_move_himself_into_another_unit_by_api(api, ctx):
    me = person_of("czj_ys_head")
    place = (me.unit_id, me.section_id, me.post_id)
    r = api("czj_ys_head").put(f"/api/v1/person/{me.id}", json={
        "unit": unit("JYJ").id, "section": section("JYJ", "基础教育股").id, "post": None})
    assert r.status_code in (404, 422), r.json
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(r.json["message"]))
    p = fresh(Person, me.id)
    assert (p.unit_id, p.section_id, p.post_id) == place


def test_section_head_cannot_move_himself_through_the_page_form(client, ctx):
    me = person_of("czj_ys_head")
    place = (me.unit_id, me.section_id, me.post_id)
    c = client("czj_ys_head")
    page = c.post(f"/person/edit/{me.id}", {
        "name": me.name, "id_number": me.id_number, "unit": unit("JYJ").id,
        "section": section("JYJ", "基础教育股").id, "post": ""}).get_data(as_text=True)
    p = fresh(Person, me.id)
    assert (p.unit_id, p.section_id, p.post_id) == place
    assert "Not a valid" not in page and "不在您可选择的范围内" in page


def test_section_head_edits_his_own_details_but_not_his_placement(api, ctx):
    me, staff = person_of("czj_ys_head"), person_of("czj_ys_staff1")
    r = api("czj_ys_head").put(f"/api/v1/person/{me.id}", json={"phone": "13800000001"})
    assert r.status_code == 200, r.json
    assert fresh(Person, me.id).phone == "13800000001"
    other_post = db.session.scalar(select(Person.post_id).where(
        Person.section_id == staff.section_id, Person.post_id != staff.post_id, Person.post_id.is_not(None)))
    r = api("czj_ys_head").put(f"/api/v1/person/{staff.id}", json={"post": other_post})
    assert r.status_code == 422 and "无权调整人员" in str(r.json)
    assert fresh(Person, staff.id).post_id == staff.post_id


def test_keepers_of_the_organisation_place_people_inside_their_own_scope(api, ctx):
    from tests.helpers import new_person
    person = new_person("CZJ", "综合股", name="调岗人员")
    r = api("czj_admin").put(f"/api/v1/person/{person.id}", json={"section": section("CZJ", "国库股").id})
    assert r.status_code == 200, r.json
    assert fresh(Person, person.id).section_id == section("CZJ", "国库股").id
    r = api("czj_admin").put(f"/api/v1/person/{person.id}", json={
        "unit": unit("JYJ").id, "section": section("JYJ", "基础教育股").id})
    assert r.status_code == 422 and CHINESE in str(r.json)
    r = api("office2").put(f"/api/v1/person/{person_of('czj2_ys_staff1').id}", json={"unit": unit("CZJ").id})
    assert r.status_code == 422
    assert fresh(Person, person_of("czj2_ys_staff1").id).unit_id == unit("HX-CZJ").id


def test_related_ids_outside_the_choices_are_refused_on_post(api, ctx):
    """A section's head or 分管领导 from another unit: FAB would store it; the choices refuse it."""
    r = api("czj_admin").post("/api/v1/section/", json={"unit": unit("CZJ").id, "name": "越权科室",
                                                       "head": person_of("jyj_staff1").id})
    assert r.status_code == 422 and CHINESE in str(r.json)
    r = api("czj2_admin").post("/api/v1/section/", json={"unit": unit("HX-CZJ").id, "name": "越权科室",
                                                        "supervisor": person_of("czj_fg").id})
    assert r.status_code == 422 and CHINESE in str(r.json)
    assert db.session.scalar(select(Section).where(Section.name == "越权科室")) is None


def test_unit_submits_only_its_own_county_deliverables(client, ctx):
    theirs = deliverable_of(first_county())
    before = db.session.query(PlanSubmission).count()
    client("czj2_admin").post("/plan/submission/add", {
        "deliverable": theirs.id, "unit": unit("HX-CZJ").id, "submitted_on": "2020-01-01"})
    db.session.expire_all()
    assert db.session.query(PlanSubmission).count() == before
