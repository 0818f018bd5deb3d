"""考核: who has and has not filed a quarter's self-check; a 不及格 grade and its
printed 整改通知; follow-up visits and closing; the reproducible spot-check
sample; bad input refused at the field with nothing written."""
import io
from datetime import date, timedelta

from openpyxl import load_workbook
import pytest

from app.assessment import services
from app.assessment.documents import filing
from app.assessment.models import (Assessment, Commendation, FollowUpVisit, Inspection, RectificationNotice,
                                   SelfCheck)
from app.errors import Refused
from app.extensions import db
from app.formatting import cn_date
from app.organisation.models import Section
from app.security.models import Login
from app.security.scope import scope_of
from tests.helpers import section, unit

COMPLETE = {"gap_analysis": "风险点与流程图环节对应不够。", "effect": "查找风险点12个，满意率97%。",
            "leadership_eval": "领导重视。", "measures_eval": "措施落实。", "self_check_eval": "自查认真。",
            "improvement_eval": "及时修正。", "self_grade": "良好"}


def count(model, **where):
    db.session.expire_all()
    return db.session.query(model).filter_by(**where).count()


def login(username) -> Login:
    return db.session.query(Login).filter_by(username=username).one()


def filed_report(api, username, year, quarter, section_id=None):
    a = api(username)
    body = {"unit": unit("CZJ").id, "year": year, "quarter": quarter, **COMPLETE}
    if section_id:
        body["section"] = section_id
    r = a.post("/api/v1/selfcheck/", json=body)
    assert r.status_code == 201, r.json
    r = a.post(f"/api/v1/selfcheck/{r.json['id']}/file")
    assert r.status_code == 200 and r.json["result"]["status"] == "已报送", r.json
    return r.json["result"]["id"]


# ── 季度自查 ─────────────────────────────────────────────────────────────
def test_not_filed_list_per_quarter(client, api, ctx):
    ys, gk = section("CZJ", "预算股"), section("CZJ", "国库股")
    filed_report(api, "czj_admin", 2019, 1)
    filed_report(api, "czj_ys_head", 2019, 1, ys.id)
    draft = api("czj_gk_head").post("/api/v1/selfcheck/", json={
        "unit": unit("CZJ").id, "section": gk.id, "year": 2019, "quarter": 1, **COMPLETE})
    assert draft.status_code == 201  # written but not filed: still missing

    office = scope_of(login("office"))
    q1 = {(r.unit.code, r.section.name if r.section else None): r.filed for r in filing(2019, 1, office)}
    assert q1[("CZJ", None)] and q1[("CZJ", "预算股")]
    assert not q1[("CZJ", "国库股")] and not q1[("JYJ", None)] and not q1[("JYJ", "基础教育股")]
    q2 = {(r.unit.code, r.section.name if r.section else None): r.filed for r in filing(2019, 2, office)}
    assert not q2[("CZJ", None)] and not any(q2.values())

    office_page = client("office")
    first = office_page.get("/selfcheck/filing?year=2019&quarter=1&missing=1").get_data(as_text=True)
    assert f"共 {len(q1) - 2} 条，每页 50 条" in first  # a page at a time
    page = "".join(office_page.get(f"/selfcheck/filing?year=2019&quarter=1&missing=1&page={n}").get_data(as_text=True)
                   for n in range(1, (len(q1) - 2) // 50 + 2))
    assert "2019年第一季度" in page and f"已报送 2 份，未报送 {len(q1) - 2} 份" in page
    assert "示范县教育局" in page and "国库股" in page and "预算股" not in page
    book = load_workbook(io.BytesIO(client("office").get("/selfcheck/filing.xlsx?year=2019&quarter=2").data))
    cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert "2019年第二季度廉政风险防范管理自查报告报送情况" in cells and cells.count("已报送") == 0

    # the year at a glance: a row per unit and section, a column per quarter
    year = "".join(office_page.get(f"/selfcheck/filing/year?year=2019&page={n}").get_data(as_text=True)
                   for n in range(1, len(q1) // 50 + 2))
    rows = {r.split("<td>")[1].split("</td>")[0] + "·" + r.split("<td>")[2].split("</td>")[0]: r
            for r in year.split("</tr>") if r.count("<td") == 6}
    assert len(rows) == len(q1)
    czj = rows[f"{unit('CZJ').name}·（单位）"]
    quarters = czj.split("<td")[3:]
    assert "已报送" in quarters[0] and all("未报送" in q for q in quarters[1:])


def test_a_filed_report_is_complete_and_frozen(client, api, ctx):
    a = api("czj_admin")
    r = a.post("/api/v1/selfcheck/", json={"unit": unit("CZJ").id, "year": 2019, "quarter": 3,
                                           "gap_analysis": "只写了差距分析。"})
    rid = r.json["id"]
    r = a.post(f"/api/v1/selfcheck/{rid}/file")
    assert r.status_code == 409 and r.json["message"] == "请填写量化效果后再报送。"
    assert a.put(f"/api/v1/selfcheck/{rid}", json=COMPLETE).status_code == 200
    assert a.post(f"/api/v1/selfcheck/{rid}/file").status_code == 200
    r = a.put(f"/api/v1/selfcheck/{rid}", json={"effect": "报送后改写"})
    assert r.status_code == 422 and "不能再修改" in str(r.json)
    page = client("czj_admin").post(f"/selfcheck/{rid}/file", follow_redirects=True).get_data(as_text=True)
    assert "已于" in page and "报送领导小组办公室，不能再修改" in page
    db.session.expire_all()
    assert db.session.get(SelfCheck, rid).effect == COMPLETE["effect"]


def test_bad_self_check_refused_at_the_field(client, ctx):
    before = count(SelfCheck)
    next_year = date.today().year + 1
    c = client("czj_admin")
    page = c.post("/selfcheck/add", {"unit": unit("CZJ").id, "year": next_year, "quarter": 1}).get_data(as_text=True)
    assert f"{next_year}年第一季度尚未开始，不能填报自查报告。" in page
    page = client("admin").post("/selfcheck/add", {"unit": unit("CZJ").id, "section": section("JYJ", "基础教育股").id,
                                                   "year": 2019, "quarter": 4}).get_data(as_text=True)
    assert "不属于单位" in page and 'name="gap_analysis"' in page
    assert count(SelfCheck) == before


def test_attachments_go_with_the_report_until_filed(client, ctx):
    report = SelfCheck(unit=unit("CZJ"), year=2018, quarter=1, **COMPLETE)
    db.session.add(report)
    db.session.commit()
    c = client("czj_admin")
    c.post(f"/selfcheck/{report.id}/attach", {"csrf_token": c.csrf(f"/selfcheck/show/{report.id}"),
                                              "file": (io.BytesIO("自查台账".encode()), "台账.txt")},
           content_type="multipart/form-data")
    db.session.refresh(report)
    [attachment] = report.attachments
    assert c.get(f"/selfcheck/{report.id}/attachment/{attachment.id}").data == "自查台账".encode()
    assert client("jyj_admin").get(f"/selfcheck/{report.id}/attachment/{attachment.id}").status_code == 404
    c.post(f"/selfcheck/{report.id}/file")
    page = c.post(f"/selfcheck/{report.id}/attachment/{attachment.id}/delete",
                  follow_redirects=True).get_data(as_text=True)
    assert "不能再修改" in page and len(db.session.get(SelfCheck, report.id).attachments) == 1


# ── 考核, 整改通知, 跟踪回访 ─────────────────────────────────────────────────
def grade_by_page(client, code, year, grade, assessed_on, **fields):
    return client("office").post("/assessment/add", {
        "unit": unit(code).id, "year": year, "assessed_on": assessed_on.isoformat(), "grade": grade,
        **fields}, follow_redirects=True).get_data(as_text=True)


def test_a_fail_makes_a_notice_whose_printout_carries_unit_requirements_deadline(client, ctx):
    assessed_on = date.today() - timedelta(days=10)
    grade_by_page(client, "SCJGJ", 2020, "不及格", assessed_on, measures_grade="不及格",
                  measures_comment="食品抽检环节防控措施未落实", feedback="防控措施落实不到位。")
    assessment = db.session.query(Assessment).filter_by(unit_id=unit("SCJGJ").id, year=2020).one()
    notice = assessment.notice
    assert notice is not None and notice.deadline == assessed_on + timedelta(days=services.RECTIFY_DAYS)
    assert count(Commendation, assessment_id=assessment.id) == 0

    printout = client("office").get(f"/notice/{notice.id}/print").get_data(as_text=True)
    assert "廉政风险防范管理整改通知书" in printout and unit("SCJGJ").name in printout
    assert "整改要求" in printout and "对照「措施落实」标准整改" in printout
    assert "食品抽检环节防控措施未落实" in printout and f"请于{cn_date(notice.deadline)}前完成整改" in printout
    book = load_workbook(io.BytesIO(client("office").get(f"/notice/{notice.id}.xlsx").data))
    cells = [str(c.value) for row in book["整改通知"].iter_rows() for c in row if c.value]
    assert unit("SCJGJ").name in cells and any(cn_date(notice.deadline) in c for c in cells)
    # the unit reads its own notice; another unit does not
    assert client("czj_admin").get(f"/notice/{notice.id}/print").status_code == 404


def test_nothing_is_graded_for_the_office_and_an_empty_comment_is_not_praise(client, ctx):
    from app.enums import Standard
    page = client("office").get("/assessment/add").get_data(as_text=True)
    grade = page[page.index('name="grade"'):].split("</select>")[0]
    assert grade.split(">", 1)[1].startswith('<option value="">（请选择）</option>') and "selected" not in grade
    assert "请选择综合评定等次" in grade_by_page(client, "SCJGJ", 2019, "", date.today())
    grade_by_page(client, "SCJGJ", 2019, "不及格", date.today(), leadership_grade="及格", feedback="台账不全。")
    notice = db.session.query(Assessment).filter_by(unit_id=unit("SCJGJ").id, year=2019).one().notice
    lead = next(s for s in Standard if s.key == "leadership")
    assert f"{lead.value}（及格）：未达到标准要求（{lead.text}）" in notice.problems


def test_excellent_is_commended_and_a_settled_grade_stays(api, ctx):
    a = api("office")
    r = a.post("/api/v1/assessment/", json={"unit": unit("WJJ").id, "year": 2020, "grade": "优秀",
                                            "assessed_on": "2021-01-20", "feedback": "成效明显。"})
    assert r.status_code == 201, r.json
    assessment = db.session.get(Assessment, r.json["id"])
    assert assessment.commendation.title == "2020年度廉政风险防范管理工作考核优秀单位"
    assert assessment.notice is None
    r = a.put(f"/api/v1/assessment/{assessment.id}", json={"grade": "不及格", "feedback": "改判"})
    assert r.status_code == 422 and "等次不能再修改" in str(r.json["message"]["grade"])
    assert a.delete(f"/api/v1/assessment/{assessment.id}").status_code == 422
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).grade == "优秀"


def test_bad_assessment_refused_at_the_field(client, api, ctx):
    before = count(Assessment)
    page = grade_by_page(client, "RSJ", 2020, "不及格", date.today())
    assert "评定为不及格时请填写反馈意见，它将写入整改通知。" in page
    r = api("office").post("/api/v1/assessment/", json={"unit": unit("RSJ").id, "year": 2020, "grade": "很好",
                                                        "assessed_on": "2021-01-20"})
    assert r.status_code == 422 and "等次应为：优秀、良好、及格、不及格" in r.json["message"]["grade"][0]
    r = api("office").post("/api/v1/assessment/", json={"unit": unit("CZJ").id, "year": date.today().year - 1,
                                                        "grade": "良好", "assessed_on": "2021-01-20"})
    assert r.status_code == 422 and "已有考核记录" in r.json["message"]["year"][0]  # the demo graded it
    assert api("czj_admin").post("/api/v1/assessment/", json={
        "unit": unit("CZJ").id, "year": 2020, "grade": "优秀", "assessed_on": "2021-01-20"}).status_code == 403
    assert count(Assessment) == before


def test_a_closed_notice_leaves_the_overdue_list(client, api, ctx):
    r = api("office").post("/api/v1/assessment/", json={
        "unit": unit("RSJ").id, "year": 2021, "grade": "不及格", "feedback": "自查流于形式。",
        "assessed_on": (date.today() - timedelta(days=200)).isoformat()})
    notice = db.session.get(Assessment, r.json["id"]).notice
    overdue = client("office").get("/notice/overdue").get_data(as_text=True)
    assert notice.number in overdue
    assert notice.id in [n.id for n in services.overdue_notices(scope_of(login("office")))]

    r = api("office").post(f"/api/v1/notice/{notice.id}/close", json={"note": "已整改"})
    assert r.status_code == 409 and r.json["message"] == "尚未跟踪回访，不能了结整改通知。"
    r = api("jiwei").post(f"/api/v1/notice/{notice.id}/visit", json={
        "visited_on": (date.today() - timedelta(days=5)).isoformat(), "visitors": "第三纪检监察室",
        "findings": "整改方案已落实，制度已修订。"})
    assert r.status_code == 200 and r.json["result"]["visits"] == 1
    r = api("jiwei").post(f"/api/v1/notice/{notice.id}/close", json={"note": "已整改"})
    assert r.status_code == 403           # roles.py gives the commission no CLOSE on notices
    with pytest.raises(Refused, match="只有领导小组办公室"):
        services.close_notice(notice, login("jiwei"), "已整改")
    db.session.rollback()

    office = client("office")
    page = office.post(f"/notice/{notice.id}/close", {"note": "经回访，整改到位。"},
                       follow_redirects=True).get_data(as_text=True)
    assert "整改通知已了结" in page
    assert notice.number not in office.get("/notice/overdue").get_data(as_text=True)
    db.session.expire_all()
    assert notice.id not in [n.id for n in services.overdue_notices(scope_of(login("office")))]
    r = api("office").put(f"/api/v1/notice/{notice.id}", json={"requirements": "了结后改写"})
    assert r.status_code == 422 and "已了结" in str(r.json)
    r = api("office").post(f"/api/v1/notice/{notice.id}/visit", json={
        "visited_on": date.today().isoformat(), "visitors": "x", "findings": "y"})
    assert r.status_code == 409


def test_a_visit_needs_its_date_people_and_findings(api, ctx):
    notice = db.session.query(RectificationNotice).join(Assessment).filter(
        Assessment.unit_id == unit("JYJ").id).one()  # the demo's overdue notice
    visits = len(notice.visits)
    for body, message in [({"visitors": "x", "findings": "y"}, "请填写回访日期。"),
                          ({"visited_on": date.today().isoformat(), "findings": "y"}, "请填写回访人员。"),
                          ({"visited_on": "2001-01-01", "visitors": "x", "findings": "y"}, "回访日期应在")]:
        r = api("office").post(f"/api/v1/notice/{notice.id}/visit", json=body)
        assert r.status_code == 409 and message in r.json["message"]
    assert count(FollowUpVisit, notice_id=notice.id) == visits
    assert notice.is_overdue() and notice.status == "逾期未了结"


# ── 检查与抽查 ───────────────────────────────────────────────────────────
def spot_check(api, title, units=("CZJ", "JYJ"), kind="每半年抽查"):
    r = api("office").post("/api/v1/inspection/", json={
        "kind": kind, "title": title, "held_on": date.today().isoformat(),
        "units": [unit(code).id for code in units], "methods": "座谈会、检查相关材料"})
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_the_spot_check_sample_is_reproducible_from_its_seed(client, api, ctx):
    first, second, third = (spot_check(api, f"抽样复核{i}") for i in range(3))
    a = api("office")
    drawn = a.post(f"/api/v1/inspection/{first}/sample", json={"sections": 3, "persons": 5, "seed": 4242}).json
    again = a.post(f"/api/v1/inspection/{second}/sample", json={"sections": 3, "persons": 5, "seed": 4242}).json
    other = a.post(f"/api/v1/inspection/{third}/sample", json={"sections": 3, "persons": 5, "seed": 4243}).json
    assert drawn["result"] == again["result"] and drawn["result"]["seed"] == 4242
    assert len(drawn["result"]["sections"]) == 3 and len(drawn["result"]["persons"]) == 5
    assert other["result"]["persons"] != drawn["result"]["persons"]

    inspection = db.session.get(Inspection, first)
    assert inspection.sample_person_ids == drawn["result"]["persons"] and inspection.sampled_by
    sections, persons = services.population(inspection, scope_of(login("office")))
    assert services.sample(4242, sections, persons, 3, 5) == (inspection.sample_section_ids,
                                                            inspection.sample_person_ids)
    assert {section_of(sid).unit.code for sid in inspection.sample_section_ids} <= {"CZJ", "JYJ"}
    page = client("office").get(f"/inspection/show/{first}").get_data(as_text=True)
    assert "4242" in page and "用同一种子重新抽取，结果一致" in page

    r = a.post(f"/api/v1/inspection/{first}/sample", json={"sections": 1, "persons": 1, "seed": 1})
    assert r.status_code == 409 and "不能重新抽取" in r.json["message"]
    special = spot_check(api, "专项检查不抽样", kind="专项检查")
    r = a.post(f"/api/v1/inspection/{special}/sample", json={"sections": 1, "persons": 1})
    assert r.status_code == 409 and r.json["message"] == "只有每半年抽查可以随机抽取样本。"


def section_of(section_id) -> Section:
    return db.session.get(Section, section_id)


def test_bad_inspection_refused_at_the_field(client, api, ctx):
    before = count(Inspection)
    r = api("jiwei").post("/api/v1/inspection/", json={
        "kind": "专项检查", "title": "方法不对", "held_on": "2020-05-01", "methods": "座谈会、明察暗访"})
    assert r.status_code == 422 and "检查方法「明察暗访」不在规定的方法之中" in r.json["message"]["methods"][0]
    r = api("jiwei").post("/api/v1/inspection/", json={
        "kind": "专项检查", "title": "科室不对", "held_on": "2020-05-01", "units": [unit("CZJ").id],
        "sections": [section("JYJ", "基础教育股").id]})
    assert r.status_code == 422 and "不属于所检查的单位" in r.json["message"]["sections"][0]
    page = client("jiwei").post("/inspection/add", {"kind": "专项检查", "title": "",
                                                   "held_on": "2020-05-01"}).get_data(as_text=True)
    assert 'name="title"' in page and count(Inspection) == before
    assert api("czj_admin").get("/api/v1/inspection/").status_code == 403


def test_unit_reads_its_own_assessment_only(client, api, ctx):
    mine = db.session.query(Assessment).filter_by(unit_id=unit("CZJ").id).first()
    theirs = db.session.query(Assessment).filter_by(unit_id=unit("JYJ").id).first()
    assert client("czj_admin").get(f"/assessment/show/{mine.id}").status_code == 200
    assert client("czj_admin").get(f"/assessment/show/{theirs.id}").status_code == 404
    rows = api("czj_leader").get("/api/v1/assessment/?q=(page_size:100)").json["result"]
    assert {r["unit"]["name"] for r in rows} == {unit("CZJ").name}
