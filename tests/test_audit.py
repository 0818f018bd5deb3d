"""The audit trail: every change written, by whom, readable by office and
admin only, changed by nobody."""
import pytest

from app.audit.models import AuditLog
from app.audit.trail import acting_as
from app.extensions import db
from tests.helpers import new_person


def last_entry(table, record_id):
    db.session.expire_all()
    return (db.session.query(AuditLog).filter_by(table_name=table, record_id=str(record_id))
            .order_by(AuditLog.id.desc()).first())


def test_edit_through_page_is_logged_with_before_and_after(client, ctx):
    p = new_person("CZJ", "综合股", name="审计前")
    client("czj_admin").post(f"/person/edit/{p.id}", {
        "name": "审计后", "gender": "男", "id_number": p.id_number, "unit": p.unit_id,
        "section": p.section_id})
    entry = last_entry("person", p.id)
    assert entry.action == "修改" and entry.actor == "czj_admin"
    assert entry.before == {"name": "审计前"}
    assert entry.after == {"name": "审计后", "version": p.version}  # the version this change made (app.versions)


def test_create_and_delete_are_logged(api, ctx):
    p = new_person("CZJ", "综合股", name="将被删除")
    created = last_entry("person", p.id)
    assert created.action == "新增" and created.actor == "system"  # no login in a test setup
    assert created.after["name"] == "将被删除"
    api("czj_admin").delete(f"/api/v1/person/{p.id}")
    deleted = last_entry("person", p.id)
    assert deleted.action == "删除" and deleted.actor == "czj_admin"
    assert deleted.before["name"] == "将被删除" and deleted.after is None


def test_cli_and_jobs_write_as_the_system_user(ctx):
    with acting_as("system"):
        p = new_person("JYJ", None, name="脚本写入")
    assert last_entry("person", p.id).actor == "system"


def test_log_is_append_only(ctx):
    entry = db.session.query(AuditLog).first()
    entry.actor = "篡改"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(PermissionError):
        db.session.delete(db.session.query(AuditLog).first())
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("username,allowed", [
    ("admin", True), ("office", True), ("jiwei", False), ("czj_admin", False),
    ("czj_ys_staff1", False)])
def test_who_reads_the_log(client, ctx, username, allowed):
    c = client(username)
    page = c.get("/audit/list/")
    assert (page.status_code == 200) == allowed
    entry = db.session.query(AuditLog).first()
    for url in (f"/audit/edit/{entry.id}", f"/audit/delete/{entry.id}"):
        c.post(url, {"actor": "篡改"})
    db.session.expire_all()
    assert db.session.get(AuditLog, entry.id).actor != "篡改"
