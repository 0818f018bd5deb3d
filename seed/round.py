"""A review round for the demo county, with forms in every state.

Every step goes through :mod:`app.workflow.engine` as the demo logins, so the
history reads as if people had done it.
"""
from app.catalogue.models import Power
from app.enums import ControlStage, Owner, RiskType
from app.extensions import db
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, SupervisionMethod
from app.security.models import Login
from app.workflow import engine
from seed import risks as texts


def _user(username) -> Login:
    return db.session.query(Login).filter_by(username=username).one()


def add_risk(form: RiskForm, risk_type: RiskType, spec, power=None, step=None, **fmt):
    content, level, (prevention, monitoring, handling), method = spec
    responsible = form.owner.name
    risk = RiskPoint(form=form, unit_id=form.unit_id, section_id=form.section_id, owner_id=form.owner_id,
                     owner_kind=form.owner_kind, risk_type=risk_type.value, content=content.format(**fmt),
                     level=level, power=power, step=step)
    db.session.add(risk)
    for stage, text in zip(ControlStage, (prevention, monitoring, handling)):
        db.session.add(ControlMeasure(risk=risk, unit_id=form.unit_id, section_id=form.section_id,
                                      owner_id=form.owner_id, stage=stage.value,
                                      content=text.format(**fmt), responsible=responsible))
    db.session.add(SupervisionMethod(risk=risk, unit_id=form.unit_id, section_id=form.section_id,
                                     owner_id=form.owner_id, content=method.format(**fmt)))
    return risk


def _person_form(username, year, duty_specs, power=None, step=None, moral=0):
    user = _user(username)
    form = engine.create_form(Owner.PERSON, year, user)
    section = form.section.name
    add_risk(form, RiskType.MORAL, texts.MORAL[moral])
    for i, spec in enumerate(duty_specs):
        add_risk(form, RiskType.DUTY, spec, power=power if i == 0 else None,
                 step=step if i == 0 else None, section=section)
    form.pledge = texts.PLEDGE
    db.session.commit()
    return form, user


def _section_form(username, year):
    user = _user(username)
    form = engine.create_form(Owner.SECTION, year, user)
    add_risk(form, RiskType.DUTY, texts.DUTY[0], section=form.section.name)
    add_risk(form, RiskType.INSTITUTIONAL, texts.INSTITUTIONAL[0], owner=form.section.name)
    db.session.commit()
    return form, user


def load_round(year: int) -> int:
    """Forms of 县财政局 and 县教育局 at every stage of their flows."""
    office, fg, leader, admin = (_user(u) for u in ("office", "czj_fg", "czj_leader", "czj_admin"))
    ys_head, gk_head = _user("czj_ys_head"), _user("czj_gk_head")
    budget_power = (db.session.query(Power).join(Power.section)
                    .filter(Power.unit_id == ys_head.person.unit_id, Power.section.has(name="预算股"))
                    .order_by(Power.id).first())
    step = budget_power.steps[min(2, len(budget_power.steps) - 1)] if budget_power else None
    ys_specs = texts.SECTION_DUTY["预算股"] + texts.DUTY[:1]
    gk_specs = texts.SECTION_DUTY["国库股"] + texts.DUTY[1:2]

    # 预算股: one returned for confirmation, one still drafting with a 帮查 comment
    form, owner = _person_form("czj_ys_staff1", year, ys_specs, budget_power, step)
    engine.submit(form, owner)
    engine.approve(form, ys_head, "风险查找较准确，同意。")
    engine.approve(form, office, "同意，请本人确认。")
    form, owner = _person_form("czj_ys_staff2", year, ys_specs[1:], moral=1)
    engine.peer_comment(form, fg, "建议补充预算执行环节中资金拨付进度方面的风险。")

    # 国库股: one waiting for its head; one carried through a send-back to publication
    form, owner = _person_form("czj_gk_staff1", year, gk_specs, moral=2)
    engine.submit(form, owner)
    form, owner = _person_form("czj_gk_staff2", year, gk_specs[:1], moral=3)
    engine.submit(form, owner)
    engine.send_back(form, gk_head, "岗位职责风险查找不全，请补充专户资金管理方面的风险点。")
    engine.begin_edit(form, owner)
    add_risk(form, RiskType.DUTY, texts.SECTION_DUTY["国库股"][1])
    db.session.commit()
    engine.submit(form, owner)
    engine.approve(form, gk_head, "同意。")
    engine.approve(form, office, "同意。")
    engine.sign(form, owner, _password())
    engine.approve(form, office, "汇总审核通过。")
    engine.approve(form, leader, "经局党组审核确定。")
    engine.set_published(form, office, True)

    # section forms: 预算股 with its 分管领导; 国库股 approved and published
    form, owner = _section_form("czj_ys_head", year)
    engine.submit(form, owner)
    form, owner = _section_form("czj_gk_head", year)
    engine.submit(form, owner)
    engine.approve(form, fg, "同意。")
    engine.approve(form, office, "同意，返回科室确认。")
    engine.sign(form, owner, _password())
    engine.approve(form, admin, "已在局内公示五个工作日，无异议。")
    engine.approve(form, office, "无需修改。")
    engine.approve(form, leader, "经局党组审核确定。")
    engine.set_published(form, admin, True)

    # the 国库股 head's own form (his 分管领导 reviews it) waits for the office's summary review
    form, owner = _person_form("czj_gk_head", year, gk_specs[1:], moral=0)
    engine.submit(form, owner)
    engine.approve(form, fg, "同意。")
    engine.approve(form, office, "同意。")
    engine.sign(form, owner, _password())
    # the unit form waits for the office; a 教育局 draft
    unit_form = engine.create_form(Owner.UNIT, year, leader)
    add_risk(unit_form, RiskType.INSTITUTIONAL, texts.INSTITUTIONAL[1], owner="局机关")
    db.session.commit()
    engine.submit(unit_form, leader)
    form, owner = _person_form("jyj_staff1", year, texts.DUTY[:1])
    return db.session.query(RiskForm).count()


def _password():
    from flask import current_app
    return current_app.config["DEMO_PASSWORD"]
