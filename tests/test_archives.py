"""廉政档案: read only by 纪委监察, 领导小组办公室 and, read-only, the cadre himself,
on pages, prints, exports and the API alike, every read logged; 后期处置 on the
archive; 廉政谈话 and who is still owed one; bad input refused at the field."""
import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from app.archives.access import log_reads
from app.archives.models import ArchiveEntry, ArchiveRead, Disposition, IntegrityArchive, IntegrityTalk
from app.enums import ArchiveReadChannel
from app.extensions import db
from app.security.models import Login
from tests.helpers import new_person, person_of, section

STAFF1 = "czj_ys_staff1"


def archive_of(username) -> IntegrityArchive:
    db.session.expire_all()
    return db.session.query(IntegrityArchive).filter_by(person_id=person_of(username).id).one()


def reads(archive_id, reader=None) -> list[ArchiveRead]:
    db.session.expire_all()
    q = db.session.query(ArchiveRead).filter_by(archive_id=archive_id)
    return q.filter_by(reader=reader).order_by(ArchiveRead.id).all() if reader else q.all()


def test_every_read_of_an_archive_is_logged(client, api, ctx):
    archive = archive_of(STAFF1)
    before = len(reads(archive.id, "jiwei"))
    c, a = client("jiwei"), api("jiwei")
    page = c.get(f"/archive/show/{archive.id}").get_data(as_text=True)
    assert not person_of(STAFF1).is_leader  # a staff member's archive is not titled 领导干部
    assert "廉政档案" in page and "领导干部廉政档案" not in page
    assert "职务任免" in page and "本人及配偶收入" in page
    assert "配偶、子女从业情况" in page and "廉政谈话" in page and "后期处置" in page and "所在单位考核" in page
    assert c.get(f"/archive/{archive.id}/print").status_code == 200
    book = load_workbook(io.BytesIO(c.get(f"/archive/{archive.id}.xlsx").data))
    cells = [str(x.value) for row in book["廉政档案"].iter_rows() for x in row if x.value]
    assert person_of(STAFF1).name in cells and "个人有关事项申报及变更" in cells
    word = Document(io.BytesIO(c.get(f"/archive/{archive.id}.docx").data))
    assert word.paragraphs[0].text == "廉政档案"
    assert "个人有关事项申报及变更" in {cell.text for row in word.tables[0].rows for cell in row.cells}
    r = a.get(f"/api/v1/archive/{archive.id}")
    parts = {p["title"]: p["rows"] for p in r.json["result"]["document"]["parts"]}
    assert r.status_code == 200 and parts["本人及配偶收入"] and parts["廉政风险界定情况"]
    listed = a.get("/api/v1/archive/?q=(page_size:100)").json
    assert archive.id in listed["ids"]
    c.get("/archive/list/")

    logged = reads(archive.id, "jiwei")[before:]
    assert [r.channel for r in logged] == ["查看", "打印", "导出Excel", "导出Word", "接口查看", "接口列表", "列表"]
    assert all(r.person_name == person_of(STAFF1).name and r.at.date() == date.today() for r in logged)
    assert db.session.query(ArchiveRead).filter_by(channel="接口列表", reader="jiwei").count() >= len(listed["ids"])
    log = client("jiwei").get("/archive-reads/list/").get_data(as_text=True)
    assert "导出Excel" in log and person_of(STAFF1).name in log
    assert client("office").get("/archive-reads/list/").status_code in (302, 403)


@pytest.mark.parametrize("username", ["czj_ys_head", "czj_admin", "czj_ys_staff2", "czj_fg", "czj_leader"])
def test_others_are_refused_the_archive_on_page_api_and_export(client, api, ctx, username):
    archive = archive_of(STAFF1)
    before = len(reads(archive.id))
    c, a = client(username), api(username)
    for url in (f"/archive/show/{archive.id}", f"/archive/{archive.id}/print", f"/archive/{archive.id}.xlsx",
                f"/archive/edit/{archive.id}"):
        assert c.get(url).status_code in (403, 404), (username, url)
    assert archive.id not in a.get("/api/v1/archive/?q=(page_size:100)").json["ids"]
    assert a.get(f"/api/v1/archive/{archive.id}").status_code == 404
    assert person_of(STAFF1).name not in c.get("/archive/list/").get_data(as_text=True)
    assert len(reads(archive.id)) == before  # nothing read, nothing logged
    mine = [r["id"] for r in a.get("/api/v1/archive/").json["result"]]
    assert mine == [archive_of(username).id]  # each may read his own


def test_a_cadre_sees_his_own_archive_but_cannot_edit_it(client, api, ctx):
    archive = archive_of(STAFF1)
    entries, notes = len(archive.entries), archive.notes
    c, a = client(STAFF1), api(STAFF1)
    page = c.get(f"/archive/show/{archive.id}").get_data(as_text=True)
    assert person_of(STAFF1).name in page and "添加档案记录" not in page
    assert c.get(f"/archive/{archive.id}.xlsx").status_code == 200
    assert [r.channel for r in reads(archive.id, STAFF1)][-2:] == ["查看", "导出Excel"]

    c.post(f"/archive/edit/{archive.id}", {"person": archive.person_id, "opened_on": "2020-01-01",
                                           "notes": "本人改写"})
    c.post(f"/archive/{archive.id}/entry", {"kind": "纪律处分", "occurred_on": "2020-01-01", "content": "本人添加"})
    c.post(f"/archive/{archive.id}/entry/{archive.entries[0].id}/delete")
    assert a.put(f"/api/v1/archive/{archive.id}", json={"notes": "接口改写"}).status_code == 403
    assert a.post(f"/api/v1/archive/{archive.id}/entry", json={
        "kind": "纪律处分", "occurred_on": "2020-01-01", "content": "接口添加"}).status_code == 403
    assert a.post("/api/v1/archive/", json={"person": archive.person_id}).status_code == 403
    archive = archive_of(STAFF1)
    assert len(archive.entries) == entries and archive.notes == notes


def test_the_commission_keeps_archives_and_the_office_only_reads(client, api, ctx):
    person = new_person("CZJ", "综合股", name="新建档干部")
    r = api("office").post("/api/v1/archive/", json={"person": person.id, "opened_on": "2026-01-05"})
    assert r.status_code == 403
    r = api("jiwei").post("/api/v1/archive/", json={"person": person.id, "opened_on": "2026-01-05",
                                                    "keeper": "示范县纪委监委"})
    assert r.status_code == 201, r.json
    archive_id = r.json["id"]
    assert db.session.get(IntegrityArchive, archive_id).section.name == "综合股"  # placed from the person
    r = api("jiwei").post("/api/v1/archive/", json={"person": person.id, "opened_on": "2026-01-05"})
    assert r.status_code == 422 and "「新建档干部」的廉政档案已经建立" in r.json["message"]["person"][0]

    r = api("jiwei").post(f"/api/v1/archive/{archive_id}/entry", json={
        "kind": "纪律处分", "occurred_on": "2025-03-01", "content": "警告处分（县纪委〔2025〕3号）"})
    assert r.status_code == 200 and r.json["result"]["entries"] == 1
    for body, message in [({"kind": "其他", "occurred_on": "2025-03-01", "content": "x"}, "记录类别应为"),
                          ({"kind": "纪律处分", "occurred_on": "2099-01-01", "content": "x"}, "不能晚于今天"),
                          ({"kind": "纪律处分", "occurred_on": "2025-03-01", "content": " "}, "请填写记录内容")]:
        r = api("jiwei").post(f"/api/v1/archive/{archive_id}/entry", json=body)
        assert r.status_code == 409 and message in r.json["message"], (body, r.status_code, r.json)
    page = client("jiwei").post(f"/archive/{archive_id}/entry", {"kind": "本人及配偶收入", "occurred_on": "",
                                                                 "content": "x"}, follow_redirects=True)
    assert "请填写日期" in page.get_data(as_text=True)
    assert db.session.query(ArchiveEntry).filter_by(archive_id=archive_id).count() == 1
    assert "警告处分" in client("office").get(f"/archive/show/{archive_id}").get_data(as_text=True)
    assert client("office").post(f"/archive/{archive_id}/entry", {
        "kind": "纪律处分", "occurred_on": "2025-03-01", "content": "办公室添加"}).status_code in (302, 403)
    assert db.session.query(ArchiveEntry).filter_by(archive_id=archive_id).count() == 1


def test_the_read_log_is_append_only(ctx):
    jiwei = db.session.query(Login).filter_by(username="jiwei").one()
    log_reads(jiwei, [archive_of(STAFF1)], ArchiveReadChannel.PAGE)
    entry = reads(archive_of(STAFF1).id, "jiwei")[-1]
    entry.reader = "改写"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


# ── 后期处置 ─────────────────────────────────────────────────────────────
def test_a_disposition_shows_on_the_persons_archive(client, api, ctx):
    r = api("jiwei").post("/api/v1/disposition/", json={
        "person": person_of(STAFF1).id, "kind": "诫勉纠错", "source": "群众举报", "decided_on": "2026-02-03",
        "reason": "对预算调整申请久拖不办，群众有反映。", "decided_by": "示范县纪委监委"})
    assert r.status_code == 201, r.json
    d = db.session.get(Disposition, r.json["id"])
    assert d.unit.code == "CZJ" and d.section.name == "预算股"
    page = client("jiwei").get(f"/archive/show/{archive_of(STAFF1).id}").get_data(as_text=True)
    assert "对预算调整申请久拖不办" in page and "处理中" in page
    r = api("jiwei").put(f"/api/v1/disposition/{d.id}", json={"outcome": "整改到位予以了结"})
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(Disposition, d.id).outcome_on == date.today()
    assert client("czj_ys_head").get(f"/disposition/show/{d.id}").status_code == 200  # his section
    assert client("jyj_admin").get(f"/disposition/show/{d.id}").status_code == 404


def test_bad_disposition_refused_at_the_field(client, api, ctx):
    before = db.session.query(Disposition).count()
    body = {"kind": "警示提醒", "source": "民主测评", "decided_on": "2026-02-03", "reason": "满意率低"}
    r = api("jiwei").post("/api/v1/disposition/", json=body)
    assert r.status_code == 422 and r.json["message"]["person"] == ["请选择处置对象：工作人员或科室。"]
    r = api("jiwei").post("/api/v1/disposition/", json={**body, "person": person_of(STAFF1).id,
                                                         "section": section("CZJ", "国库股").id})
    assert r.status_code == 422 and "不在科室「国库股」" in r.json["message"]["section"][0]
    r = api("jiwei").post("/api/v1/disposition/", json={**body, "person": person_of(STAFF1).id, "kind": "罚款"})
    assert r.status_code == 422 and "处置方式应为" in r.json["message"]["kind"][0]
    page = client("jiwei").post("/disposition/add", {**body, "person": person_of(STAFF1).id,
                                                    "section": section("CZJ", "国库股").id}).get_data(as_text=True)
    assert "不在科室「国库股」" in page and 'name="reason"' in page
    assert db.session.query(Disposition).count() == before


# ── 廉政谈话 ─────────────────────────────────────────────────────────────
def test_who_is_still_owed_a_talk_this_year(client, ctx):
    year = date.today().year
    cadre = new_person("CZJ", "预算股", name="待谈话干部")
    fg = client("czj_fg")
    owed = fg.get("/talk/owed").get_data(as_text=True)
    assert "待谈话干部" in owed and person_of("czj_ys_staff2").name in owed
    assert person_of(STAFF1).name not in owed  # talked to this year in the demo

    before = db.session.query(IntegrityTalk).count()
    page = client("czj_leader").post("/talk/add", {
        "cadre": cadre.id, "talker": person_of("czj_gk_head").id, "held_on": date.today().isoformat(),
        "content": "x"}).get_data(as_text=True)
    assert "不是「待谈话干部」的分管领导或主管领导" in page
    assert db.session.query(IntegrityTalk).count() == before

    fg.post("/talk/add", {"cadre": cadre.id, "talker": person_of("czj_fg").id,
                          "held_on": date.today().isoformat(), "content": "提醒严守预算纪律。"})
    talk = db.session.query(IntegrityTalk).filter_by(cadre_id=cadre.id).one()
    assert talk.year == year and talk.section.name == "预算股"
    assert "待谈话干部" not in fg.get("/talk/owed").get_data(as_text=True)
    office = client("office").get(f"/talk/owed?year={year}").get_data(as_text=True)
    assert "示范县财政局" in office and "查看名单" in office
