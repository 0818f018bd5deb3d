"""考核 for the demo county: this quarter's self-checks (some units filed,
others not), a special inspection and a spot check with its drawn sample, and
last year graded — 县财政局 优秀 and commended, 县教育局 不及格 with a notice
that was visited once and is now overdue.

Dates are counted back from ``today`` so the story reads the same on any day;
every step goes through :mod:`app.assessment.services` as the demo logins.
"""
from datetime import date, timedelta

from app.assessment import services
from app.assessment.models import Assessment, Inspection, SelfCheck
from app.assessment.rules import current_quarter
from app.enums import Grade, InspectionKind, InspectionMethod, Standard
from app.extensions import db
from app.organisation.models import Section, Unit
from app.security.models import Login

SPOT_CHECK_SEED = 20260620

REPORT = {
    "gap_analysis": "对照四项考核标准，{who}风险点查找已覆盖全部岗位，但部分岗位职责风险表述笼统、"
                    "与权力运行流程图的环节对应不够；中期监控措施中的电子监察尚未覆盖全部业务。",
    "effect": "本季度共查找廉政风险点{risks}个，完善防控措施{measures}条，修订制度2项；"
              "开展廉政教育{talks}次，服务对象满意率{satisfaction}%。",
    "leadership_eval": "党组专题研究廉政风险防范管理工作，主要领导负总责，分管领导分工负责，责任分解到岗到人。",
    "measures_eval": "前期预防、中期监控、后期处置三道防线措施已明确责任人，本季度未发生违规违纪行为。",
    "self_check_eval": "按季度开展自查，自查报告如实反映问题，自查档案齐全。",
    "improvement_eval": "针对新增业务及时补充风险点，对多次发生的问题修订了防控措施。",
}


def _user(username) -> Login:
    return db.session.query(Login).filter_by(username=username).one()


def _report(unit, section, year, quarter, n) -> SelfCheck:
    who = section.name if section else unit.name
    values = {k: v.format(who=who, risks=12 + n, measures=30 + 2 * n, talks=2 + n % 2, satisfaction=96 + n % 3)
              for k, v in REPORT.items()}
    report = SelfCheck(unit=unit, section=section, year=year, quarter=quarter, self_grade=Grade.GOOD.value, **values)
    db.session.add(report)
    db.session.commit()
    return report


def _self_checks(today, czj, jyj):
    year, quarter = current_quarter(today)
    ys, gk = (db.session.query(Section).filter_by(unit=czj, name=n).one() for n in ("预算股", "国库股"))
    filings = [(czj, None, "czj_admin"), (czj, ys, "czj_ys_head"), (czj, gk, "czj_gk_head")]
    for n, (unit, section, username) in enumerate(filings):
        services.file_self_check(_report(unit, section, year, quarter, n), _user(username))
    _report(jyj, None, year, quarter, 3)  # drafted, not yet filed
    last = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    services.file_self_check(_report(czj, None, *last, 4), _user("czj_admin"))


def _inspections(today, office, jiwei, units) -> Inspection:
    special = Inspection(
        kind=InspectionKind.SPECIAL.value, title="财政、教育系统廉政风险防范管理专项检查",
        held_on=today - timedelta(days=110), organiser=jiwei.person.unit, units=units[:2],
        team="组长：县纪委监委党风政风监督室主任；成员：第一、第三纪检监察室干部4名",
        methods="、".join(InspectionMethod.values()),
        findings="县财政局风险点查找全面，防控措施落实到位；县教育局部分学校未开展季度自查，"
                 "食堂采购、学生资助等重点岗位风险点缺失，防控措施流于形式。")
    spot = Inspection(
        kind=InspectionKind.SPOT_CHECK.value, title="领导小组半年廉政风险防范工作抽查",
        held_on=today - timedelta(days=20), organiser=office.person.unit, units=units,
        team="领导小组办公室2名、县纪委监委1名", methods="座谈会、检查相关材料、社会评议和民主测评",
        findings="抽查科室均已公示风险点和防控措施；个别人员对本岗位风险点不熟悉。")
    db.session.add_all([special, spot])
    db.session.commit()
    services.draw_sample(spot, office, 3, 5, seed=SPOT_CHECK_SEED)
    return special


def _grade(unit, year, assessed_on, inspection, grade, ratings, feedback, office):
    assessment = Assessment(unit=unit, year=year, assessed_on=assessed_on, inspection=inspection,
                            grade=grade.value, feedback=feedback)
    for standard, (value, comment) in zip(Standard, ratings):
        setattr(assessment, f"{standard.key}_grade", value.value)
        setattr(assessment, f"{standard.key}_comment", comment)
    services.grade(assessment, office)
    db.session.add(assessment)
    db.session.commit()
    return assessment


def _assessments(today, office, inspection, units):
    year, assessed_on = today.year - 1, today - timedelta(days=100)  # the notice's 90 days have run out
    czj, jyj, *others = units
    good = (Grade.GOOD, "工作扎实，措施基本落实。")
    _grade(czj, year, assessed_on, inspection, Grade.EXCELLENT,
           [(Grade.EXCELLENT, "党组高度重视，责任分工明确，风险界定准确。"),
            (Grade.EXCELLENT, "三道防线措施落实到位，全年无违规违纪行为。"),
            (Grade.GOOD, "季度自查报告客观真实，个别季度报送不及时。"),
            (Grade.EXCELLENT, "及时修正风险内容，完善了国库支付复核制度。")],
           "工作扎实有效，予以表彰。", office)
    failed = _grade(jyj, year, assessed_on, inspection, Grade.FAIL,
                    [(Grade.PASS, "领导小组已成立，但责任分工不够明确。"),
                     (Grade.FAIL, "学校食堂采购、学生资助等环节防控措施未落实。"),
                     (Grade.FAIL, "全年仅报送一次季度自查报告，自查流于形式。"),
                     (Grade.PASS, "风险内容未随业务调整修正。")],
                    "风险防控措施落实不到位，季度自查流于形式，群众对学生资助评审有反映。", office)
    for unit, grade in zip(others, (Grade.GOOD, Grade.PASS)):
        _grade(unit, year, assessed_on, inspection, grade, [good] * 4, "请对照考核标准继续改进。", office)
    services.record_visit(failed.notice, office, today - timedelta(days=40), "领导小组办公室 张主任、县纪委监委 第三纪检监察室",
                          "已制定整改方案，学生资助评审已公开公示；食堂采购制度尚未修订，要求加快进度。")


def load(today: date) -> None:
    office, jiwei = _user("office"), _user("jiwei")
    units = [db.session.query(Unit).filter_by(code=code).one() for code in ("CZJ", "JYJ", "ZRZYJ", "WJJ")]
    _self_checks(today, *units[:2])
    special = _inspections(today, office, jiwei, units)
    _assessments(today, office, special, units)
