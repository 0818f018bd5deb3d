"""长效机制 for the demo county: the warning rules, their reminder, last year's round
the current one was built on, and a year of signals, measure checks and warnings.

- **Last year's round**: 县财政局's ``czj_ys_staff1``, ``czj_ys_staff2``, ``czj_gk_staff2``
  and the 国库股 section had approved registers last year (walked through the engine as
  the demo logins, on last November's clock), differing from this year's as revising
  does (a level raised, a text sharpened, a measure added, a risk dropped, a risk new).
  ``czj_ys_staff2``'s register of this year, still a draft, keeps the link of each row
  to the row it was carried over from, as the round copy makes it; the others, already
  frozen in review when this module runs, are compared with last year's by type and
  text (``app.monitoring.rounds.diff_form``).
- **Signals** of several sources (信访举报, 行政投诉, 民主测评, 述职述廉, 明察暗访,
  专项检查/抽查发现), some verified; **measure checks** of this quarter on the approved
  registers, one measure 未落实 and some measures nobody checked.
- **Warnings** of all three colours, raised by the rules as the job would: 红 — a
  verified 信访举报 on ``czj_gk_staff1``'s 一级 risk, handled by ``jiwei`` with a
  责令整改 whose deadline has passed (逾期未了结), and the 未落实 measure of
  ``czj_gk_staff2`` (待处置); 黄 — 县教育局's overdue 整改通知, handled by ``office``
  (处置中); 蓝 — a low 民主测评 of ``czj_ys_staff2``, warned by ``czj_leader`` and closed
  (予以了结, so it shows on his draft as 本年度预警), and one of the 国库股 (待处置).

Everything goes through :mod:`app.monitoring.services` and :mod:`app.workflow.engine`.
"""
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from app.enums import (CheckResult, ControlStage, DispositionKind, DispositionOutcome, Owner, ReminderKind,
                       SignalSource, Verification, WarningColour, WarningRuleKind)
from app.extensions import db
from app.monitoring import access, services
from app.monitoring.models import MeasureCheck, RiskWarning, Signal, WarningRule
from app.organisation.models import Section, Unit
from app.reminders.models import ReminderRule
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, SupervisionMethod
from app.security.models import Login
from app.workflow import engine
from app.workflow.flows import DRAFT
from seed.reminders import BODY

K = WarningRuleKind
# (name, kind, colour, parameters)
RULES = [
    ("一级风险措施未落实或逾期未检查", K.MEASURE, WarningColour.RED, {"level": "一级", "months": 3}),
    ("二级风险措施未落实或逾期未检查", K.MEASURE, WarningColour.AMBER, {"level": "二级", "months": 3}),
    ("经核实的信访举报涉及一级风险", K.SIGNAL_ON_RISK, WarningColour.RED,
     {"source": SignalSource.PETITION.value, "level": "一级", "months": 12}),
    ("抽查发现一级风险问题", K.SIGNAL_ON_RISK, WarningColour.RED,
     {"source": SignalSource.INSPECTION.value, "level": "一级", "months": 6}),
    ("12个月内两次以上经核实的信访举报", K.REPEATED, WarningColour.AMBER,
     {"source": SignalSource.PETITION.value, "count": 2, "months": 12}),
    ("行政投诉经核实涉及二级风险", K.SIGNAL_ON_RISK, WarningColour.AMBER,
     {"source": SignalSource.COMPLAINT.value, "level": "二级", "months": 12}),
    ("民主测评满意率低于80%", K.APPRAISAL, WarningColour.BLUE, {"threshold": 80, "months": 12}),
    ("整改通知逾期未了结", K.NOTICE, WarningColour.AMBER, {"days": 0}),
]
REMINDER = ("warnings", "预警处置提醒", "0 9 * * 1-5", services.UNHANDLED_DAYS, "预警处置提醒（{period}）")

# Last year's registers, by owner: (this year's risk index → last year's level / text / extra
# measure), the indexes new this year, and risks dropped since (type, content, level).
LAST_YEAR = {
    "czj_ys_staff1": {"level": {1: "二级"}, "text": {3: "在预算股业务办理中把关不严，违规审核通过申请事项"},
                      "measure": {3: 1}, "new": {2},
                      "dropped": [("岗位职责", "预算资料保管不善，存在泄露未公开预算信息的风险", "三级")]},
    "czj_ys_staff2": {"level": {1: "二级"}, "text": {2: "在预算股业务办理中把关不严，违规审核通过申请事项"},
                      "measure": {0: 2}, "new": set(),
                      "dropped": [("思想道德", "工作中存在“庸懒散”现象，服务意识不强，办事拖拉", "三级")]},
    "czj_gk_staff2": {"new": {2}, "dropped": []},   # the 专户 risk was added after this year's send-back
    "czj_gk_head": {"level": {1: "三级"}, "new": set(),
                    "dropped": [("制度机制", "国库股内部轮岗交流制度执行不到位，关键岗位人员长期不交流", "三级")]},
}


def _user(username) -> Login:
    return db.session.query(Login).filter_by(username=username).one()


@contextmanager
def _clock(start: datetime):
    """The engine's clock set back to ``start``, a minute further at each step, so last
    year's review history reads as it happened then (nothing is edited afterwards)."""
    ticks = [start]

    def now():
        ticks[0] += timedelta(minutes=7)
        return ticks[0]
    saved = engine.now
    engine.now = now
    try:
        yield
    finally:
        engine.now = saved


# ── rules ────────────────────────────────────────────────────────────────
def load_rules() -> None:
    """The demo county's warning rules and its reminder of warnings waiting."""
    from app.organisation.models import County
    from seed.data import COUNTY
    county = db.session.query(County).filter_by(code=COUNTY[1]).one()
    for name, kind, colour, params in RULES:
        db.session.add(WarningRule(county=county, name=name, kind=kind.value, colour=colour.value, enabled=True,
                                   **params))
    key, name, schedule, lead, subject = REMINDER
    db.session.add(ReminderRule(county=county, key=key, name=name, kind=ReminderKind.WARNING.value,
                                schedule=schedule,
                                lead_days=lead, roles="、".join(access.handler_roles()), subject=subject, body=BODY,
                                enabled=True))
    db.session.commit()


# ── last year's round ────────────────────────────────────────────────────
def _this_years_form(username, year) -> RiskForm:
    kind = Owner.SECTION if username.endswith("_head") else Owner.PERSON
    return db.session.query(RiskForm).filter_by(owner_id=_user(username).person_id, round=year,
                                                owner_kind=kind.value).one()


def _copy(form, risk_type, content, level, measures, methods, previous=None) -> RiskPoint:
    risk = RiskPoint(form=form, unit_id=form.unit_id, section_id=form.section_id, owner_id=form.owner_id,
                     owner_kind=form.owner_kind, risk_type=risk_type, content=content, level=level)
    db.session.add(risk)
    for stage, text, responsible in measures:
        db.session.add(ControlMeasure(risk=risk, unit_id=form.unit_id, section_id=form.section_id,
                                      owner_id=form.owner_id, stage=stage, content=text, responsible=responsible))
    for text in methods:
        db.session.add(SupervisionMethod(risk=risk, unit_id=form.unit_id, section_id=form.section_id,
                                         owner_id=form.owner_id, content=text))
    return risk


def _last_year_form(username, year, password) -> None:
    """``username``'s register of ``year - 1``, approved, with this year's rows linked to it."""
    current = _this_years_form(username, year)
    spec, owner = LAST_YEAR[username], _user(username)
    old = engine.create_form(current.kind, year - 1, owner)
    links = {}
    for i, risk in enumerate(current.risks):
        if i in spec["new"]:
            continue
        measures = [(m.stage, m.content, m.responsible) for m in risk.measures]
        if i in spec.get("measure", {}):   # this year added a measure to that line of defence
            measures.pop(spec["measure"][i])
        links[risk.id] = _copy(old, risk.risk_type, spec.get("text", {}).get(i, risk.content),
                               spec.get("level", {}).get(i, risk.level), measures, [m.content for m in risk.methods])
    for risk_type, content, level in spec["dropped"]:
        _copy(old, risk_type, content, level,
              [(s.value, f"{s.value}：加强教育和日常管理", owner.person.name) for s in ControlStage], ["科室负责人日常监督"])
    old.pledge = current.pledge
    db.session.commit()
    _approve(old, owner, password)
    if current.stage == DRAFT.key:   # a draft is still written (for its owner) as the round copy would have
        for risk_id, previous in links.items():
            db.session.get(RiskPoint, risk_id).previous_id = previous.id
        db.session.commit()


def _approve(form, owner, password) -> None:
    office, fg, leader, admin = (_user(u) for u in ("office", "czj_fg", "czj_leader", "czj_admin"))
    engine.submit(form, owner)
    if form.kind is Owner.SECTION:
        reviewers = [(fg, "同意。"), (office, "同意，返回科室确认。")]
        after_sign = [(admin, "已在局内公示五个工作日，无异议。"), (office, "无需修改。"), (leader, "经局党组审核确定。")]
    else:
        head = db.session.get(Section, form.section_id).head
        reviewers = [(_login_of(head), "同意。"), (office, "同意，请本人确认。")]
        after_sign = [(office, "汇总审核通过。"), (leader, "经局党组审核确定。")]
    for reviewer, opinion in reviewers:
        engine.approve(form, reviewer, opinion)
    engine.sign(form, owner, password)
    for reviewer, opinion in after_sign:
        engine.approve(form, reviewer, opinion)


def _login_of(person) -> Login:
    return db.session.query(Login).filter_by(person_id=person.id).one()


def load_last_round(year: int, password: str) -> None:
    with _clock(datetime(year - 1, 11, 20, 9, 0)):
        for username in LAST_YEAR:
            _last_year_form(username, year, password)


# ── signals, checks, warnings ────────────────────────────────────────────
def _risk(username, year, index) -> RiskPoint:
    return _this_years_form(username, year).risks[index]


def _signal(recorder, source, received_on, content, person=None, section=None, unit=None, risk=None,
            verification=Verification.PENDING, score=None, reporter=None, note=None, now=None):
    signal = Signal(source=source.value, received_on=received_on, content=content, person=person, section=section,
                    unit=unit, risk=risk, verification=verification.value, score=score, reporter=reporter,
                    verification_note=note)
    return services.record_signal(signal, _user(recorder), now)


def _warning(subject_field, subject_id, rule_name) -> RiskWarning:
    return db.session.query(RiskWarning).join(RiskWarning.rule).filter(
        getattr(RiskWarning, subject_field) == subject_id, WarningRule.name == rule_name).one()


def _checks(year, today) -> None:
    quarter = (today.month - 1) // 3 + 1
    checked_on = max(date(year, 3 * quarter - 2, 1), today - timedelta(days=5))
    gk_admin = _user("czj_gk_head")
    results = {  # (owner, risk index) -> result of each measure, in stage order; None: nobody checked
        ("czj_gk_staff2", 0): [CheckResult.DONE] * 3,
        ("czj_gk_staff2", 1): [CheckResult.DONE, CheckResult.PARTLY, CheckResult.DONE],
        ("czj_gk_staff2", 2): [CheckResult.DONE, CheckResult.NOT_DONE, None],
        ("czj_gk_head", 0): [CheckResult.DONE, CheckResult.DONE, None],
    }
    evidence = {CheckResult.DONE: "查阅台账和会议记录，措施已按要求执行。",
                CheckResult.PARTLY: "大额支付双人复核已执行，但复核记录不完整。",
                CheckResult.NOT_DONE: "本季度未按月与银行对账，专户资金存放未经集体决策。"}
    for (username, index), outcome in results.items():
        risk = _risk(username, year, index)
        for measure, result in zip(risk.measures, outcome):
            if result is not None:
                services.check_measure(MeasureCheck(measure=measure, year=year, quarter=quarter, result=result.value,
                                                    evidence=evidence[result], checked_on=checked_on), gk_admin)


def load_watch(today: date) -> None:
    year = today.year
    jiwei, office, leader = _user("jiwei"), _user("office"), _user("czj_leader")
    gk_staff1, ys_staff2 = _user("czj_gk_staff1").person, _user("czj_ys_staff2").person
    gk = db.session.query(Section).filter_by(unit=gk_staff1.unit, name="国库股").one()
    jyj = db.session.query(Unit).filter_by(code="JYJ").one()
    early = datetime.combine(today - timedelta(days=70), time(10, 0))

    # seventy days ago: a verified 信访举报 (红) and a low 民主测评 (蓝)
    _signal("jiwei", SignalSource.PETITION, today - timedelta(days=80),
            "群众来信反映：国库股工作人员在办理国库集中支付时，对个别单位资料不全的支付申请予以拨付，并接受对方宴请。",
            person=gk_staff1, risk=_risk("czj_gk_staff1", year, 1), verification=Verification.TRUE,
            reporter="实名举报人（县某建筑公司职工）", note="经县纪委监委第二纪检监察室核实，违规拨付一笔属实，接受宴请未查实。",
            now=early)
    _signal("czj_admin", SignalSource.APPRAISAL, today - timedelta(days=90),
            "年中民主测评：服务对象反映办理预算调整时解释不耐心。", person=ys_staff2, score=75,
            verification=Verification.TRUE, now=early)
    red = _warning("person_id", gk_staff1.id, "经核实的信访举报涉及一级风险")
    services.handle_warning(red, jiwei, DispositionKind.RECTIFICATION.value, today - timedelta(days=10),
                            "责令其对违规拨付的资金限期追回，写出书面检查，国库股完善支付审核制度。",
                            decided_on=today - timedelta(days=60))
    services.follow_up(red, jiwei, "资金已追回一半，书面检查已交，制度尚未修订。", today - timedelta(days=30))
    blue = _warning("person_id", ys_staff2.id, "民主测评满意率低于80%")
    services.handle_warning(blue, leader, DispositionKind.WARNING.value, today - timedelta(days=35),
                            "由分管领导进行警示提醒谈话，改进服务态度。", decided_on=today - timedelta(days=65))
    services.follow_up(blue, leader, "已谈话提醒，本人作出书面说明。", today - timedelta(days=40))
    services.close_warning(blue, leader, DispositionOutcome.SETTLED.value, "回访服务对象，反映态度明显改进。",
                           closed_on=today - timedelta(days=30))

    # lately: signals of other sources, a few not (yet) verified
    _signal("jiwei", SignalSource.PETITION, today - timedelta(days=6),
            "匿名来信反映县教育局基础教育股在学生资助名单审核中优亲厚友。",
            person=_user("jyj_staff1").person, reporter="匿名")
    _signal("czj_admin", SignalSource.COMPLAINT, today - timedelta(days=12),
            "服务对象投诉国库股退回支付申请未说明理由。", person=_user("czj_gk_head").person)
    _signal("czj_admin", SignalSource.DEBRIEF, today - timedelta(days=20),
            "述职述廉会上，群众代表建议国库股公开支付办理时限。", section=gk, verification=Verification.TRUE)
    _signal("office", SignalSource.UNANNOUNCED, today - timedelta(days=15),
            "明察暗访：预算股窗口工作日下午有人员脱岗。", person=_user("czj_ys_head").person,
            verification=Verification.PARTLY, note="脱岗一人次属实，系外出送审材料未登记。")
    _signal("office", SignalSource.INSPECTION, today - timedelta(days=18),
            "每半年抽查：国库股业务审核记录不完整。", section=gk, risk=_risk("czj_gk_head", year, 0),
            verification=Verification.TRUE)
    _signal("czj_admin", SignalSource.APPRAISAL, today - timedelta(days=8),
            "季度民主测评：国库股服务满意率72%。", section=gk, score=72, verification=Verification.TRUE)

    # this quarter's checks, then the nightly job: 未落实 (红), the overdue notice (黄)
    _checks(year, today)
    services.raise_warnings()
    amber = _warning("unit_id", jyj.id, "整改通知逾期未了结")
    services.handle_warning(amber, office, DispositionKind.RECTIFICATION.value, today + timedelta(days=20),
                            "约谈县教育局主要负责人，督促其逐项落实整改通知要求，限期报送整改报告。")


def load(today: date) -> None:
    from flask import current_app
    db.session.expunge_all()   # the county loaded so far need not be tracked (each commit would expire it all)
    load_rules()
    load_last_round(today.year, current_app.config["DEMO_PASSWORD"])
    load_watch(today)

