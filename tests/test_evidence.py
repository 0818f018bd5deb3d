"""A signed form is evidence: each attack on it, through every door, refused or detected.

Tampering tests change the database behind the application's back, check that
the page, the export and ``flask --app run verify`` notice, then put the
database back, so the shared test database stays clean for the others.
"""
import io
import json
import uuid
from contextlib import contextmanager

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from app.archives.models import ArchiveRead, IntegrityArchive
from app.audit.models import AuditLog
from app.enums import Owner
from app.extensions import db
from app.risks.models import ControlMeasure, FormRevision, RiskForm, RiskPoint, SupervisionMethod
from app.security import roles
from app.security.models import Login
from app.workflow import engine
from app.workflow.signature import content_hash, verify
from tests.conftest import DEMO_PASSWORD
from tests.helpers import form_of, new_login

RISK = {"risk_type": "岗位职责", "content": "对预算调整申请审核把关不严", "level": "二级"}
NEW_PASSWORD = "Mine#2026own"


def _user(username):
    return db.session.query(Login).filter_by(username=username).one()


def _form_with_content(login, round_):
    form = engine.create_form(Owner.PERSON, round_, login)
    risk = RiskPoint(form=form, unit_id=form.unit_id, section_id=form.section_id, owner_id=form.owner_id,
                     owner_kind="个人", **RISK)
    db.session.add(risk)
    db.session.add(ControlMeasure(risk=risk, unit_id=form.unit_id, section_id=form.section_id,
                                  owner_id=form.owner_id, stage="前期预防", content="双人复核", responsible="股长"))
    db.session.add(SupervisionMethod(risk=risk, unit_id=form.unit_id, section_id=form.section_id,
                                     owner_id=form.owner_id, content="每季度抽查台账"))
    form.pledge = "我承诺廉洁履职。"
    db.session.commit()
    return form


@pytest.fixture()
def signed(ctx):
    """A form its owner has signed (waiting for the office's summary review), and a
    draft of the same owner to move things onto."""
    login = new_login(f"sig_{uuid.uuid4().hex[:8]}", "CZJ", "预算股")
    form = _form_with_content(login, 2060)
    engine.submit(form, login)
    engine.approve(form, _user("czj_ys_head"))
    engine.approve(form, _user("office"))
    engine.sign(form, login, DEMO_PASSWORD)
    draft = _form_with_content(login, 2061)
    return form.id, draft.id, login.username


@pytest.fixture()
def published(signed):
    fid, draft, username = signed
    form = form_of(fid)
    engine.approve(form, _user("office"))
    engine.approve(form, _user("czj_leader"))
    engine.set_published(form, _user("office"), True)
    return signed


def _content(fid):
    db.session.expire_all()
    form = db.session.get(RiskForm, fid)
    return [(r.content, [m.content for m in r.measures], [m.content for m in r.methods]) for r in form.risks]


def _intact(fid):
    form = form_of(fid)
    revision = db.session.query(FormRevision).filter_by(form_id=fid, number=form.signed_revision).one()
    return verify(revision, form) == []


# ── 1. frozen means frozen, on every door ───────────────────────────────
@pytest.mark.parametrize("who", ["owner", "czj_ys_head", "office"])
def test_moving_content_off_a_signed_form_is_refused_through_the_api(api, signed, who):
    fid, draft, owner = signed
    username = owner if who == "owner" else who
    before = _content(fid)
    risk = db.session.query(RiskPoint).filter_by(form_id=fid).first()
    target_risk = db.session.query(RiskPoint).filter_by(form_id=draft).first()
    measure, method = risk.measures[0], risk.methods[0]
    client = api(username)
    assert client.put(f"/api/v1/risk/{risk.id}", json={"form": draft}).status_code != 200
    assert client.put(f"/api/v1/control/{measure.id}", json={"risk": target_risk.id}).status_code != 200
    assert client.delete(f"/api/v1/risk/{risk.id}").status_code != 200
    assert client.post("/api/v1/control/", json={"risk": risk.id, "stage": "中期监控",
                                                  "content": "追加", "responsible": "x"}).status_code != 201
    assert _content(fid) == before and _intact(fid)
    assert db.session.get(SupervisionMethod, method.id).risk_id == risk.id


def test_moving_a_method_off_a_signed_form_is_refused_on_its_page(client, signed):
    fid, draft, owner = signed
    method = db.session.query(SupervisionMethod).join(RiskPoint).filter(RiskPoint.form_id == fid).first()
    target = db.session.query(RiskPoint).filter_by(form_id=draft).first()
    page = client(owner).post(f"/method/edit/{method.id}", {"risk": target.id, "content": "挪走"},
                              follow_redirects=True)
    assert page.status_code == 200 and "已冻结" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SupervisionMethod, method.id).risk_id != target.id and _intact(fid)


def test_published_form_keeps_its_risks_on_the_public_desk_card(client, api, published):
    fid, draft, owner = published
    risk = db.session.query(RiskPoint).filter_by(form_id=fid).first()
    for username in (owner, "office"):
        assert api(username).put(f"/api/v1/risk/{risk.id}", json={"form": draft}).status_code != 200
        client(username).post("/risk/action_post", {"action": "muldelete", "rowid": [risk.id]})
    card = client().get(f"/public/form/{fid}").get_data(as_text=True)
    assert RISK["content"] in card and "验签通过" in card and _intact(fid)


def test_bulk_delete_with_one_frozen_row_changes_no_row(client, signed):
    fid, draft, owner = signed
    frozen = db.session.query(RiskPoint).filter_by(form_id=fid).first().id
    free = db.session.query(RiskPoint).filter_by(form_id=draft).first().id
    page = client(owner).post("/risk/action_post", {"action": "muldelete", "rowid": [free, frozen]},
                              follow_redirects=True)
    assert page.status_code == 200 and "均未删除" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RiskPoint, free) is not None and db.session.get(RiskPoint, frozen) is not None


def test_a_change_after_return_makes_a_new_revision_and_the_old_one_stays_verified(client, api, signed):
    fid, draft, owner = signed
    engine.send_back(form_of(fid), _user("office"), "请补充")
    risk = db.session.query(RiskPoint).filter_by(form_id=fid).first()
    assert api(owner).put(f"/api/v1/risk/{risk.id}", json={"content": "退回后修改"}).status_code == 200
    form = form_of(fid)
    assert (form.revision, form.signed_revision) == (2, 1)
    page = client(owner).get(f"/forms/{fid}/revision/1").get_data(as_text=True)
    assert RISK["content"] in page and "验签通过" in page
    live = client(owner).get(f"/forms/{fid}").get_data(as_text=True)
    assert "退回后修改" in live and "电子签名" not in live   # a draft carries no signature


# ── 2. what was signed is what is shown, verified ──────────────────────
@contextmanager
def tampered(sql, restore, **params):
    db.session.execute(text(sql), params)
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        db.session.execute(text(restore), params)
        db.session.commit()


def _verify_cli(app):
    result = app.test_cli_runner().invoke(args=["verify"])
    return result.exit_code, result.output


def _json(value):
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("recompute_hash", [False, True])
def test_sql_edit_of_a_signed_revision_is_detected(app, client, signed, recompute_hash):
    fid, draft, owner = signed
    revision = db.session.query(FormRevision).filter_by(form_id=fid).one()
    original = revision.content
    forged = json.loads(_json(original))
    forged["risks"][0]["content"] = "被篡改的风险点"
    with tampered("UPDATE form_revision SET content = :c, content_hash = :h WHERE id = :i",
                  "UPDATE form_revision SET content = :o, content_hash = :oh WHERE id = :i",
                  c=_json(forged), h=content_hash(forged) if recompute_hash else revision.content_hash,
                  o=_json(original), oh=revision.content_hash, i=revision.id):
        page = client(owner).get(f"/forms/{fid}").get_data(as_text=True)
        assert "验签失败：签字后内容被改动" in page and "第 1 条风险点的内容已改动" in page
        book = load_workbook(io.BytesIO(client(owner).get(f"/forms/{fid}.xlsx").data))
        cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value)
        assert "验签失败" in cells
        code, output = _verify_cli(app)
        assert code != 0 and "验签失败" in output
    assert _verify_cli(app)[0] == 0


def test_sql_edit_of_a_signed_forms_rows_is_shown_in_red_and_not_printed(client, signed):
    fid, draft, owner = signed
    risk = db.session.query(RiskPoint).filter_by(form_id=fid).first()
    with tampered("UPDATE risk_point SET content = '换掉的内容' WHERE id = :i",
                  "UPDATE risk_point SET content = :o WHERE id = :i", i=risk.id, o=risk.content):
        page = client(owner).get(f"/forms/{fid}").get_data(as_text=True)
        assert "验签失败" in page and RISK["content"] in page and "换掉的内容" not in page


# ── 3. nobody signs for the owner ───────────────────────────────────────
def test_a_password_reset_by_the_administrator_cannot_sign(client, api, at_confirm):
    fid, username = at_confirm
    target = _user(username)
    admin = client("admin")
    admin.post(f"/resetpassword/form?pk={target.id}", {"password": "Reset#2026x", "conf_password": "Reset#2026x"},
               csrf_from=f"/resetpassword/form?pk={target.id}")
    db.session.expire_all()
    assert not db.session.get(Login, target.id).own_password
    entry = (db.session.query(AuditLog).filter_by(table_name="ab_user", record_id=str(target.id))
             .order_by(AuditLog.id.desc()).first())
    assert entry.actor == "admin" and "password" in entry.after and "Reset" not in json.dumps(entry.after)
    as_user = client()
    as_user.login(username, "Reset#2026x")
    page = as_user.post(f"/forms/{fid}/sign", {"password": "Reset#2026x", "expected": "confirm"},
                        follow_redirects=True).get_data(as_text=True)
    assert "由他人设置或重置" in page and form_of(fid).stage == "confirm"
    # once he chose his own password, he signs
    as_user.post("/resetmypassword/form", {"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD},
                 csrf_from="/resetmypassword/form")
    as_user.post(f"/forms/{fid}/sign", {"password": NEW_PASSWORD, "expected": "confirm"})
    assert form_of(fid).signed_revision == 1


@pytest.fixture()
def at_confirm(ctx):
    login = new_login(f"cfm_{uuid.uuid4().hex[:8]}", "CZJ", "国库股")
    form = _form_with_content(login, 2062)
    engine.submit(form, login)
    engine.approve(form, _user("czj_gk_head"))
    engine.approve(form, _user("office"))
    return form.id, login.username


def test_role_changes_are_in_the_audit_trail(ctx):
    login = new_login(f"role_{uuid.uuid4().hex[:8]}", "CZJ", "国库股")
    login.roles.append(db.session.query(type(login.roles[0])).filter_by(name="科室负责人").one())
    db.session.commit()
    entry = (db.session.query(AuditLog).filter_by(table_name="ab_user", record_id=str(login.id))
             .order_by(AuditLog.id.desc()).first())
    assert "科室负责人" in entry.after["roles"] and "科室负责人" not in entry.before["roles"]


# ── 4. an audit trail nobody can rewrite or skip ────────────────────────
@pytest.mark.parametrize("table", ["audit_log", "archive_read"])
def test_the_database_refuses_to_rewrite_the_logs(client, ctx, table):
    archive = db.session.query(IntegrityArchive).first()
    client("jiwei").get(f"/archive/show/{archive.id}")     # one read at least, logged
    with db.engine.connect() as conn:
        row_id = conn.execute(text(f"SELECT max(id) FROM {table}")).scalar()
    assert row_id
    for sql in (f"UPDATE {table} SET row_hash = 'x' WHERE id = {row_id}", f"DELETE FROM {table} WHERE id = {row_id}"):
        with db.engine.connect() as conn, pytest.raises(Exception, match="只能追加"):
            conn.execute(text(sql))
            conn.commit()


def _disabled_guard(table):
    """What an attacker with the database owner's rights would do first."""
    if db.engine.dialect.name == "postgresql":
        return (f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
                f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    create = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"),
                                {"n": f"{table}_no_delete"}).scalar()
    return f"DROP TRIGGER {table}_no_delete", create


def test_a_deleted_audit_row_is_detected(app, ctx):
    row = db.session.execute(text("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET 3")).mappings().one()
    disable, enable = _disabled_guard("audit_log")
    db.session.execute(text(disable))
    db.session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": row["id"]})
    db.session.commit()
    try:
        code, output = _verify_cli(app)
        assert code != 0 and "哈希链" in output and "触发器" in output or "哈希链" in output
    finally:
        columns = ", ".join(row.keys())
        values = {k: (_json(v) if isinstance(v, dict) else v) for k, v in row.items()}
        db.session.execute(text(f"INSERT INTO audit_log ({columns}) VALUES ({', '.join(':' + k for k in row.keys())})"),
                           values)
        db.session.execute(text(enable))
        db.session.commit()
    assert _verify_cli(app)[0] == 0


def test_verify_passes_on_the_demo_and_the_office_sees_it(app, client, ctx):
    code, output = _verify_cli(app)
    assert code == 0 and "结论：全部通过" in output, output
    office = client("office")
    assert "开始检查" in office.get("/verify/").get_data(as_text=True)  # opening the menu runs nothing
    assert "全部通过" in office.get("/verify/?run=1").get_data(as_text=True)
    assert client("czj_admin").get("/verify/?run=1").status_code in (302, 403)


def test_archive_contents_and_id_numbers_stay_out_of_the_trail(api, client, ctx):
    archive = db.session.query(IntegrityArchive).first()
    r = api("jiwei").post(f"/api/v1/archive/{archive.id}/entry", json={
        "kind": "本人及配偶收入", "occurred_on": "2026-01-01", "content": "年收入玖万捌仟柒佰陆拾伍元"})
    assert r.status_code == 200, r.json
    rows = db.session.query(AuditLog).filter(AuditLog.table_name.in_(("archive_entry", "person"))).all()
    dumped = " ".join(json.dumps([e.before, e.after, e.record], ensure_ascii=False) for e in rows)
    assert "玖万捌仟" not in dumped and archive.person.id_number not in dumped
    entry = (db.session.query(AuditLog).filter_by(table_name="archive_entry")
             .order_by(AuditLog.id.desc()).first())
    reads = db.session.query(ArchiveRead).count()
    assert client("office").get(f"/audit/show/{entry.id}").status_code == 200
    db.session.expire_all()
    assert db.session.query(ArchiveRead).count() == reads + 1


def test_bulk_and_core_writes_are_in_the_trail(ctx):
    from sqlalchemy import update
    from app.organisation.models import Section
    section = db.session.query(Section).first()
    db.session.execute(update(Section).where(Section.id == section.id).values(duties="批量改写的职责"))
    db.session.commit()
    entry = (db.session.query(AuditLog).filter_by(table_name="section", record_id=str(section.id))
             .order_by(AuditLog.id.desc()).first())
    assert entry.action == "修改" and entry.after == {"duties": "批量改写的职责"}


# ── 6. who may act, in one place ────────────────────────────────────────
def test_commission_visits_a_notice_but_only_the_office_closes_it(api, client, ctx):
    from app.assessment.models import RectificationNotice
    notice = db.session.query(RectificationNotice).filter(RectificationNotice.closed_on.is_(None)).first()
    r = api("jiwei").post(f"/api/v1/notice/{notice.id}/close", json={"note": "已整改"})
    assert r.status_code in (401, 403)
    assert client("jiwei").post(f"/notice/{notice.id}/close", {"note": "已整改"}).status_code in (302, 403)
    assert client("jiwei").get(f"/notice/edit/{notice.id}").status_code in (302, 403)
    db.session.expire_all()
    assert db.session.get(RectificationNotice, notice.id).closed_on is None


def test_the_unit_leader_is_not_offered_publication(client, published):
    fid, _, _ = published
    engine.set_published(form_of(fid), _user("office"), False)
    page = client("czj_leader").get(f"/forms/{fid}").get_data(as_text=True)
    assert 'value="publish"' not in page
    assert 'value="publish"' in client("office").get(f"/forms/{fid}").get_data(as_text=True)


def test_the_system_door_cannot_touch_a_frozen_form_either(signed):
    """Imports, jobs and CLI commands write as the system: drafts yes, frozen forms no."""
    from app.audit.trail import acting_as
    from app.errors import Refused
    fid, draft, _ = signed
    with acting_as():
        risk = db.session.query(RiskPoint).filter_by(form_id=fid).first()
        risk.content = "脚本改写"
        with pytest.raises(Refused, match="已冻结"):
            db.session.commit()
        db.session.rollback()
        target = db.session.query(RiskPoint).filter_by(form_id=draft).first()
        target.content = "脚本为本人起草的草稿"
        db.session.commit()
    assert _intact(fid) and _content(draft)[0][0] == "脚本为本人起草的草稿"


def _composed_role_login(sm, *grants):
    """A login of 预算股 whose one role is composed in the UI with ``grants`` (permission, resource)."""
    role = sm.add_role(f"自建角色{uuid.uuid4().hex[:4]}")
    for permission, resource in grants:
        sm.add_permission_role(role, sm.find_permission_view_menu(permission, resource))
    login = new_login(f"cus_{uuid.uuid4().hex[:8]}", "CZJ", "预算股")
    login.roles = [role]
    db.session.commit()
    return login, role


def test_content_sits_where_its_form_sits_whoever_writes_it(ctx):
    """A measure's unit, section and owner decide who may see it: written by the system with
    another place, or moved to another owner's risk, it takes its form's place at the flush."""
    from app.audit.trail import acting_as
    ys = new_login(f"plc_{uuid.uuid4().hex[:8]}", "CZJ", "预算股")
    gk = new_login(f"plc_{uuid.uuid4().hex[:8]}", "CZJ", "国库股")
    mine, theirs = _form_with_content(ys, 2063), _form_with_content(gk, 2063)
    assert mine.section_id != theirs.section_id
    with acting_as():
        stray = ControlMeasure(risk=mine.risks[0], unit_id=theirs.unit_id, section_id=None,
                               owner_id=theirs.owner_id, stage="中期监控", content="系统写入")
        db.session.add(stray)
        db.session.commit()
        assert (stray.section_id, stray.owner_id) == (mine.section_id, mine.owner_id)
        stray.risk = theirs.risks[0]
        db.session.commit()
    db.session.expire_all()
    assert (stray.unit_id, stray.section_id, stray.owner_id) == (theirs.unit_id, theirs.section_id, theirs.owner_id)


def test_a_role_composed_in_the_ui_gets_its_permissions_over_its_own_records(app, client, ctx):
    login, _ = _composed_role_login(app.appbuilder.sm, (roles.READ, roles.PERSON), (roles.MENU, roles.PERSON))
    page = client(login.username).get("/person/list/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert login.person.name in body and "预算股" in body
    colleague = db.session.query(type(login.person)).filter(
        type(login.person).section_id == login.person.section_id, type(login.person).id != login.person.id).first()
    assert colleague.name not in body
    assert client(login.username).get("/risk/list/").status_code in (302, 403)   # nothing ticked there


def test_the_menu_follows_each_login_s_permissions_at_once(app, client, ctx):
    """The top menu is rendered once per set of built-in roles and reused; a role composed in
    the UI has its menu rendered each time, so a permission ticked or unticked shows at once."""
    def menu(username):
        body = client(username).get("/").get_data(as_text=True)
        return body[body.index('class="nav navbar-nav"'):body.index('navbar-right')]
    sm = app.appbuilder.sm
    assert "审计日志" in menu("admin") and "审计日志" not in menu("czj_ys_staff1")
    assert menu("czj_ys_staff1") == menu("czj_ys_staff2")        # the same built-in role, the same menu
    login, role = _composed_role_login(sm, (roles.MENU, roles.ORGANISATION_MENU), (roles.MENU, roles.PERSON))
    assert "工作人员" in menu(login.username)
    sm.del_permission_role(role, sm.find_permission_view_menu(roles.MENU, roles.PERSON))
    assert "工作人员" not in menu(login.username)
