"""Every page bounded: the crawl of every menu page and every add / edit /
show page issues the same SQL statements before and after the county grows,
stays under 25 statements and 1 MB; related fields offer no rows until asked,
and then only twenty in scope; lists that grow come a page at a time."""
import os
import random
import time
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from app.archives.models import IntegrityArchive
from app.audit.trail import acting_as
from app.enums import Owner
from app.exports.grid import Grid
from app.extensions import db
from app.organisation.models import Person, Section, Unit
from app.reminders.models import Message
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, SupervisionMethod
from app.security.choices import NOT_A_CHOICE, PAGE
from bench.crawl import crawl
from tests.browser import browser_page, live_server, login
from tests.conftest import ADMIN_PASSWORD, DEMO_PASSWORD
from seed.data import id_number
from tests.helpers import form_of, person_of, unit

GROWTH = 60          # people, forms and archives added to the demo county
MAX_QUERIES = 25
MAX_BYTES = 1024 * 1024


def grow():
    """A unit of the demo county with GROWTH people (the first its leader, who owes the
    others their talk), each with a form waiting for the office (three risks, two
    measures and a method each) and an archive."""
    rng = random.Random(7)
    county = unit("CZJ").county_id
    with acting_as():
        grown = Unit(county_id=county, name="规模测试单位", code="GROWTH", kind="政府部门")
        sections = [Section(unit=grown, name=f"规模测试{i}股") for i in range(3)]
        db.session.add_all([grown, *sections])
        for i in range(GROWTH):
            person = Person(unit=grown, section=sections[i % 3], name=f"规模{i}", gender="男",
                            id_number=id_number(rng, 1980 + i % 20, "男"), is_leader=i == 0)
            form = RiskForm(owner_kind=Owner.PERSON.value, round=date.today().year, unit=grown,
                            section=person.section, person=person, owner=person, stage="draft",
                            entered_stage_at=date.today() - timedelta(days=i), revision=1)
            db.session.add_all([person, form])
            risks = [RiskPoint(form=form, unit=grown, section=person.section, owner=person, owner_kind="个人",
                               risk_type="岗位职责", content=f"规模测试风险{i}-{k}", level="二级") for k in range(3)]
            archive = IntegrityArchive(person=person, opened_on=date.today(), keeper="县纪委监委")
            archive.place()
            db.session.add_all([*risks, archive])
            db.session.flush()
            place = dict(unit_id=grown.id, section_id=person.section.id, owner_id=person.id)
            for risk in risks:
                db.session.add_all([ControlMeasure(risk=risk, stage="前期预防", content="措施", **place),
                                    ControlMeasure(risk=risk, stage="中期监控", content="措施", **place),
                                    SupervisionMethod(risk=risk, content="办法", **place)])
            db.session.flush()
            form.stage = "office_review"   # written as a draft, now waiting for the office
        db.session.commit()


@pytest.fixture(scope="module")
def crawled(app):
    """The office's crawl before and after the county grows, and the admin's after
    (each request in an app context of its own, as in production). Messages are read
    first: opening an unread one writes its reading time, once, whatever the data."""
    with app.app_context():
        db.session.execute(update(Message).values(read_at=datetime(2026, 1, 1)))
        db.session.commit()
    before = {p.url: p for p in crawl(app, "office", DEMO_PASSWORD, repeat=0)}
    with app.app_context():
        grow()
        db.session.execute(update(Message).values(read_at=datetime(2026, 1, 1)))
        db.session.commit()
        db.session.remove()
    after = {p.url: p for p in crawl(app, "office", DEMO_PASSWORD, repeat=0)}
    admin = {p.url: p for p in crawl(app, "admin", ADMIN_PASSWORD, repeat=0)}
    return before, after, admin


def test_no_page_issues_more_statements_as_the_county_grows(crawled):
    before, after, _ = crawled
    opened = [u for u, p in after.items() if p.status == 200]
    assert len(opened) > 60, opened  # the crawl reaches the menu and the record pages
    # … and the pages only reached by a link: the home page, the year's self-check table, a form
    assert {"/", "/selfcheck/filing/year"} <= set(opened) and any(u.split("/")[-1].isdigit() for u in opened
                                                                 if u.startswith("/forms/")), opened
    grew = {u: (before[u].queries, after[u].queries) for u in opened
            if u in before and before[u].queries != after[u].queries}
    assert grew == {}, grew


def test_every_page_under_25_statements_and_1_mb(crawled):
    _, after, admin = crawled
    for who, pages in (("office", after), ("admin", admin)):
        heavy = {u: (p.queries, p.bytes) for u, p in pages.items()
                 if p.status == 200 and (p.queries > MAX_QUERIES or p.bytes > MAX_BYTES)}
        assert heavy == {}, (who, heavy)


def test_related_fields_carry_no_rows_until_searched(client, ctx, crawled):
    owner = client("czj_ys_staff2")
    page = owner.get("/control/add").get_data(as_text=True)
    select = page.split('name="risk"')[1].split("</select>")[0]
    assert 'class="form-control searched-choice"' in select and select.count("<option") == 1  # the blank one
    office = client("office")
    page = office.get("/rule/add").get_data(as_text=True)
    assert "规模测试风险" not in page and 'data-url="/rule/choices/risks?mode=add"' in page
    found = office.get("/rule/choices/risks?mode=add&q=规模测试风险").get_json()
    assert len(found["results"]) == PAGE and found["pagination"]["more"]
    more = office.get("/rule/choices/risks?mode=add&q=规模测试风险&page=2").get_json()
    assert {r["id"] for r in more["results"]}.isdisjoint({r["id"] for r in found["results"]})
    # within the scope only: another unit's admin finds none of them, even by id
    other = client("jyj_admin")
    assert other.get("/rule/choices/risks?mode=add&q=规模测试风险").get_json()["results"] == []
    assert other.get(f"/rule/choices/risks?mode=add&id={found['results'][0]['id']}").get_json()["results"] == []
    # a field the page does not search, a mode it does not know, a login without the page
    assert office.get("/rule/choices/unit?mode=add").status_code == 404
    assert office.get("/rule/choices/risks?mode=delete").status_code == 404
    assert client("czj_ys_staff2").get("/users/choices/person?mode=add&q=规模").status_code in (302, 403)


def test_a_posted_choice_outside_the_scope_is_refused_at_the_field(client, ctx, crawled):
    owner = client("czj_ys_staff2")
    mine = db.session.query(RiskPoint).join(RiskForm).filter(RiskForm.owner_id == person_of("czj_ys_staff2").id,
                                                              RiskForm.stage == "draft").first()
    theirs = db.session.query(RiskPoint).filter(RiskPoint.content.like("规模测试风险%")).first()
    before = db.session.query(ControlMeasure).count()
    page = owner.post("/control/add", {"risk": theirs.id, "stage": "前期预防", "content": "越权措施"}).get_data(as_text=True)
    assert NOT_A_CHOICE in page
    assert db.session.query(ControlMeasure).count() == before
    owner.post("/control/add", {"risk": mine.id, "stage": "前期预防", "content": "本人措施"})
    assert db.session.query(ControlMeasure).filter_by(risk_id=mine.id, content="本人措施").count() == 1


def test_lists_that_grow_come_a_page_at_a_time(client, ctx, crawled):
    office = client("office")
    todo = office.get("/forms/todo").get_data(as_text=True)
    assert todo.count("办理</a>") == 50 and "每页 50 条" in todo
    second = office.get("/forms/todo?page=2").get_data(as_text=True)
    assert 0 < second.count("办理</a>") <= 50
    grown = db.session.query(Unit).filter_by(code="GROWTH").one()
    owed = office.get(f"/talk/owed?unit={grown.id}").get_data(as_text=True)
    assert owed.count("<tr><td>规模") == 50 and "每页 50 条" in owed
    assert office.get("/talk/owed?unit=999999").status_code == 404


def test_the_archive_list_reads_no_row_twice(app, client, ctx, crawled):
    from tests.test_reports import queries_during
    office = client("office")
    counts = [queries_during(app, lambda: office.get(f"/archive/list/?psize_ArchiveView={n}")) for n in (10, 50)]
    assert counts[0] == counts[1], counts


def test_grid_height_is_kept_as_cells_are_added():
    grid = Grid("t", [5])
    grid.add(3, 0, "x", rows=2)
    grid.add(0, 0, "y")
    assert grid.height == 5
    start = time.perf_counter()
    for row in range(30_000):
        grid.add(grid.height, 0, row)
    assert grid.height == 30_005 and time.perf_counter() - start < 5  # quadratic would take minutes


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="chromium 未安装（tests/run.sh 会安装）")
def test_a_risk_is_found_by_typing_and_chosen_in_the_browser(app, ctx, crawled):
    owner = person_of("czj_ys_staff2")
    risk = db.session.query(RiskPoint).join(RiskForm).filter(RiskForm.owner_id == owner.id,
                                                              RiskForm.stage == "draft").first()
    with live_server(app) as base, browser_page() as page:
        login(page, base, "czj_ys_staff2", DEMO_PASSWORD)
        page.goto(f"{base}/control/add")
        page.click(".select2-selection--single >> nth=0")   # the risk field comes first
        page.keyboard.type(risk.content[:4])
        option = page.locator(".select2-results__option", has_text=risk.content[:10]).first
        expect(option).to_be_visible()
        option.click()
        page.select_option("select[name=stage]", "中期监控", force=True)  # FAB's own select2 covers it
        page.fill("textarea[name=content]", "浏览器中选定的措施")
        page.click("#model_form button[type=submit]")
        page.wait_for_load_state()
    db.session.expire_all()
    assert db.session.query(ControlMeasure).filter_by(risk_id=risk.id, content="浏览器中选定的措施").count() == 1
    assert form_of(risk.form_id).stage == "draft"


def test_reminder_fan_out_checks_each_scope_once_not_each_item(app, ctx):
    """Every rule's items reach the same logins as one in_scope per (login, item) would
    send them to, in a few statements per rule however many items there are."""
    from datetime import datetime
    from app.reminders import delivery
    from app.reminders.models import ReminderRule
    from app.reminders.rules import due
    from app.security.models import Login
    from app.security.scope import in_scope, scope_of
    from tests.test_reports import queries_during

    end_of_year = datetime(date.today().year, 12, 30, 9, 0)
    for rule in db.session.query(ReminderRule).order_by(ReminderRule.id):
        period, items = due(rule, end_of_year)
        if not items:
            continue
        seen = []
        with app.app_context():
            engine = db.engine
        from sqlalchemy import event
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            found = delivery.recipients(rule, items)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        wanted = set(rule.role_names)
        candidates = [login for login in db.session.query(Login).filter(Login.active).all()
                      if {r.name for r in login.roles} & wanted and (  # a county's rule: its logins only
                          rule.county_id is None or (login.person and login.person.unit.county_id == rule.county_id))]
        scopes = {scope_of(delivery._Authenticated(login)) for login in candidates}
        # the logins and what their scopes read (6), then one statement per scope and 200 places
        assert len(seen) <= 6 + len(scopes) * (1 + len(items) // 200), (rule.key, len(seen), len(scopes))
        for login, mine in found.items():
            scope = scope_of(delivery._Authenticated(login))
            assert [i.text for i in mine] == [i.text for i in items if in_scope(i.record, scope)], rule.key
        for login in candidates:
            if login not in found:
                scope = scope_of(delivery._Authenticated(login))
                assert not any(in_scope(i.record, scope) for i in items), (rule.key, login.username)
