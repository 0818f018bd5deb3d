"""Backup and restore through the CLI (``flask --app run backup`` / ``restore``):
the demo with an attachment round-trips, a restore over data needs --force,
a file that is not a backup is refused, and a new, empty database takes it;
``flask --app run verify`` passes on every restored copy."""
import uuid
from datetime import datetime

import pytest
from sqlalchemy import create_engine, func, inspect, select, text, update
from sqlalchemy.engine import make_url

from app.assessment import services
from app.assessment.models import SelfCheck, SelfCheckAttachment
from app.audit.trail import acting_as
from app.extensions import db
from app.organisation.models import Unit
from app.reminders.models import Message
from app.security.models import Login
from tests.conftest import make_config

CONTENT = "附件内容：第三季度自查报告。".encode() * 50


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()
                for name in sorted(inspect(conn).get_table_names()) if not name.startswith("apscheduler_")}


def output(result) -> str:
    return result.output + (getattr(result, "stderr", "") or "")


@pytest.fixture()
def empty_database(database_url, tmp_path):
    """A second, empty database of the same kind (nothing migrated into it)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield "sqlite:///" + str(tmp_path / "restored.db")
        return
    name = f"lianzheng_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_then_restore_brings_back_the_demo_and_its_attachments(app, ctx, tmp_path, empty_database):
    from app import create_app
    runner = app.test_cli_runner()
    report = db.session.scalar(select(SelfCheck).where(SelfCheck.filed_at.is_(None)).order_by(SelfCheck.id))
    user = db.session.scalar(select(Login).where(Login.username == "jyj_admin"))
    with acting_as("jyj_admin"):
        attachment = services.attach(report, user, "自查报告.docx", CONTENT)   # attachments live in the database
    report_id, user_id, attachment_id = report.id, user.id, attachment.id
    unit_name = db.session.scalar(select(Unit.name).where(Unit.code == "CZJ"))
    before = row_counts(db.engine)
    out = tmp_path / "lianzheng.backup"
    db.session.remove()

    made = runner.invoke(args=["backup", "--out", str(out)])
    assert made.exit_code == 0, output(made)
    assert "已备份" in made.output and out.stat().st_size > 0 and not (tmp_path / "lianzheng.backup.part").exists()

    # after the backup: a unit renamed, the attachment deleted, a message added
    with acting_as():
        db.session.execute(update(Unit).where(Unit.code == "CZJ").values(name="改过的名字"))
        services.detach(db.session.get(SelfCheck, report_id), db.session.get(SelfCheckAttachment, attachment_id))
        db.session.add(Message(login_id=user_id, subject="备份之后", body="x", created_at=datetime.now()))
        db.session.commit()
    assert row_counts(db.engine) != before
    db.session.remove()

    refused = runner.invoke(args=["restore", str(out)])
    assert refused.exit_code == 1 and "不是空库" in output(refused) and "--force" in output(refused), output(refused)
    assert db.session.scalar(select(Unit.name).where(Unit.code == "CZJ")) == "改过的名字"   # nothing changed
    db.session.remove()

    restored = runner.invoke(args=["restore", str(out), "--force"])
    assert restored.exit_code == 0, output(restored)
    assert row_counts(db.engine) == before
    assert db.session.scalar(select(Unit.name).where(Unit.code == "CZJ")) == unit_name
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.subject == "备份之后")) == 0
    assert services.attachment_content(db.session.get(SelfCheckAttachment, attachment_id)) == CONTENT
    checked = runner.invoke(args=["verify"])
    assert checked.exit_code == 0, output(checked)
    # the restored database goes on working: new rows get new ids
    db.session.add(Message(login_id=user_id, subject="恢复之后", body="x", created_at=datetime.now()))
    db.session.commit()
    db.session.execute(Message.__table__.delete().where(Message.subject == "恢复之后"))
    db.session.commit()

    # a new machine: an empty database takes the backup without --force
    other = create_app(make_config(empty_database))
    try:
        with other.app_context():
            fresh = other.test_cli_runner().invoke(args=["restore", str(out)])
            assert fresh.exit_code == 0, output(fresh)
            assert row_counts(db.engine) == before
            checked = other.test_cli_runner().invoke(args=["verify"])   # signatures, audit chain, read log
            assert checked.exit_code == 0, output(checked)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    with acting_as():
        services.detach(db.session.get(SelfCheck, report_id),                  # the demo as it was
                        db.session.get(SelfCheckAttachment, attachment_id))


def test_a_file_that_is_not_a_backup_changes_nothing(app, ctx, tmp_path, database_url):
    runner = app.test_cli_runner()
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"PK\x03\x04 not a database at all")
    before = row_counts(db.engine)
    db.session.remove()
    r = runner.invoke(args=["restore", str(junk), "--force"])
    assert r.exit_code == 1 and "不是本系统的备份文件" in output(r)
    # a backup of the other kind of database
    other_kind = tmp_path / "other.backup"
    other_kind.write_bytes(b"PGDMP" + b"\x00" * 64 if database_url.startswith("sqlite") else
                           b"SQLite format 3\x00" + b"\x00" * 84)
    r = runner.invoke(args=["restore", str(other_kind), "--force"])
    assert r.exit_code == 1 and "请恢复到同类数据库" in output(r), output(r)
    assert row_counts(db.engine) == before
