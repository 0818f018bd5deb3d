"""The 汇总表's maintained figures stay equal to a recount from scratch, after
any mix of workflow steps and edits through the API, the ORM, bulk ORM
statements and raw SQL; `flask verify` and `flask recount` find and mend a
difference; the page, drill-down and Excel read them with the stage filter."""
import random

import pytest
from flask import g
from sqlalchemy import delete, select, text, update

from app.audit.trail import acting_as
from app.enums import ControlStage, Owner, RiskLevel, RiskType, RuleKind
from app.errors import Refused
from app.extensions import db
from app.organisation.models import Unit
from app.reports import figures, recount, summary
from app.reports.models import SummaryFigure
from app.risks.models import RiskForm, RiskPoint, Rule, SupervisionMethod
from app.security.models import Login
from app.workflow import engine
from tests.conftest import DEMO_PASSWORD
from tests.helpers import form_of, new_login, unit

ROUND = 2041
OWNERS = ["fig_a", "fig_b", "fig_c"]
REVIEWERS = ["czj_ys_head", "czj_fg", "office", "czj_leader", "czj_admin"]
SCOPED_LOGINS = ["admin", "office", "czj_admin", "czj_ys_head", "czj_fg", "czj_ys_staff1", "fig_a", "jyj_admin"]


def login(username) -> Login:
    return db.session.query(Login).filter_by(username=username).one()


def comparable(rows_):
    return [(r.key, r.label, r.people, {k: v for k, v in r.cells.items() if v}, r.risks, r.measures, r.methods,
             r.new_rules, r.revised_rules, {k: v for k, v in r.by_kind.items() if v}) for r in rows_]


def assert_equal_to_recount(app, unit_id):
    """Stored rows equal a recount; and every figure of both forms, for each
    login's scope, round, unit and stage filter, equals the live count."""
    assert figures.differences(db.session) == []
    for username in SCOPED_LOGINS:
        with app.test_request_context():
            g.user = login(username)
            county = db.session.get(Unit, unit_id).county_id
            for f in (summary.Filters(ROUND), summary.Filters(ROUND, unit_id),
                      summary.Filters(ROUND, stage="draft"), summary.Filters(ROUND, unit_id, "section_review"),
                      summary.Filters(ROUND, county_id=county)):
                for by in (["section"] if f.unit_id else ["unit", "county"]):
                    assert comparable(summary.rows(f, by)) == comparable(recount.rows(f, by)), (username, f, by)
                mine, theirs = summary.by_owner_kind(f), recount.by_owner_kind(f)
                assert comparable(mine.values()) == comparable(theirs.values()), (username, f)


@pytest.fixture()
def owners(ctx, app):
    for name in OWNERS:
        if not db.session.query(Login).filter_by(username=name).first():
            new_login(name, "CZJ", "预算股", name=f"汇总{name}")
            engine.create_form(Owner.PERSON, ROUND, login(name))
    return unit("CZJ")


class Story:
    """Random steps by the owners (API), the reviewers (engine) and the system (ORM, bulk, SQL)."""

    def __init__(self, app, api, rng):
        self.app, self.rng = app, rng
        self.apis = {name: api(name) for name in OWNERS}

    def forms(self, draft=None):
        db.session.expire_all()
        query = db.session.query(RiskForm).join(Login, Login.person_id == RiskForm.owner_id).filter(
            RiskForm.round == ROUND, Login.username.in_(OWNERS))
        forms = query.order_by(RiskForm.id).all()
        return [f for f in forms if draft is None or (f.stage == "draft") == draft]

    def owner_api(self, form):
        name = db.session.query(Login.username).filter_by(person_id=form.owner_id).scalar()
        return self.apis[name]

    def risks(self, draft=True):
        ids = [f.id for f in self.forms(draft)]
        return db.session.query(RiskPoint).filter(RiskPoint.form_id.in_(ids)).order_by(RiskPoint.id).all() if ids else []

    # ── the owner, through the API ──
    def add_risk(self):
        forms = self.forms(draft=True)
        if forms:
            form = self.rng.choice(forms)
            kind = self.rng.choice(RiskType.for_owner(Owner.PERSON))
            r = self.owner_api(form).post("/api/v1/risk/", json={
                "form": form.id, "risk_type": kind.value, "content": "随机风险", "level": self.rng.choice(RiskLevel.values())})
            assert r.status_code == 201, r.get_data(as_text=True)

    def edit_risk(self):
        risks = self.risks()
        if risks:
            risk = self.rng.choice(risks)
            r = self.owner_api(risk.form).put(f"/api/v1/risk/{risk.id}", json={
                "level": self.rng.choice(RiskLevel.values()),
                "risk_type": self.rng.choice(RiskType.for_owner(Owner.PERSON)).value})
            assert r.status_code == 200, r.get_data(as_text=True)

    def delete_risk(self):
        risks = self.risks()
        if risks:
            risk = self.rng.choice(risks)
            assert self.owner_api(risk.form).delete(f"/api/v1/risk/{risk.id}").status_code == 200

    def add_measure(self):
        risks = self.risks()
        if risks:
            risk = self.rng.choice(risks)
            r = self.owner_api(risk.form).post("/api/v1/control/", json={
                "risk": risk.id, "stage": self.rng.choice(ControlStage.values()), "content": "随机措施"})
            assert r.status_code == 201, r.get_data(as_text=True)

    def delete_measure(self):
        measures = [m for r in self.risks() for m in r.measures]
        if measures:
            m = self.rng.choice(measures)
            assert self.owner_api(m.risk.form).delete(f"/api/v1/control/{m.id}").status_code == 200

    def refused_edit(self):
        """A reviewer's write to a frozen form is refused and counts nothing."""
        risks = self.risks(draft=False)
        if risks:
            r = self.apis[OWNERS[0]].put(f"/api/v1/risk/{self.rng.choice(risks).id}", json={"level": "一级"})
            assert r.status_code in (404, 422), r.status_code

    # ── the system, through the ORM, bulk statements ──
    def add_method(self):
        risks = self.risks()
        if risks:
            risk = self.rng.choice(risks)
            with acting_as():
                db.session.add(SupervisionMethod(risk=risk, unit_id=risk.unit_id, section_id=risk.section_id,
                                                 owner_id=risk.owner_id, content="随机办法"))
                db.session.commit()

    def move_measure(self):
        risks = self.risks()
        measures = [m for r in risks for m in r.measures]
        if measures and len(risks) > 1:
            m, target = self.rng.choice(measures), self.rng.choice(risks)
            with acting_as():
                m.risk = target
                db.session.commit()

    def bulk_level(self):
        forms = self.forms(draft=True)
        if forms:
            form = self.rng.choice(forms)
            with acting_as():
                db.session.execute(update(RiskPoint).where(RiskPoint.form_id == form.id)
                                   .values(level=self.rng.choice(RiskLevel.values())))
                db.session.commit()

    def bulk_delete_methods(self):
        risks = self.risks()
        if risks:
            with acting_as():
                db.session.execute(delete(SupervisionMethod).where(SupervisionMethod.risk_id == self.rng.choice(risks).id))
                db.session.commit()

    def rule(self):
        risks = self.risks(draft=None)
        if not risks:
            return
        with acting_as():
            try:
                existing = db.session.query(Rule).filter(Rule.name.like("随机制度%")).all()
                if existing and self.rng.random() < 0.5:
                    rule = self.rng.choice(existing)
                    choice = self.rng.random()
                    if choice < 0.3:
                        rule.kind = RuleKind.REVISED.value if rule.kind == RuleKind.NEW.value else RuleKind.NEW.value
                    elif choice < 0.6:
                        rule.risks = self.rng.sample(risks, min(len(risks), 3))
                    else:
                        db.session.delete(rule)
                else:
                    db.session.add(Rule(unit_id=risks[0].unit_id, section_id=risks[0].section_id,
                                        name=f"随机制度{self.rng.randint(1, 10 ** 6)}",
                                        kind=self.rng.choice(RuleKind.values()),
                                        risks=self.rng.sample(risks, min(len(risks), 2))))
                db.session.commit()
            except Refused:  # linked to a frozen form: nothing changes
                db.session.rollback()

    # ── the flow, through the engine ──
    def step(self):
        forms = self.forms()
        if not forms:
            return
        form = self.rng.choice(forms)
        if form.stage == "approved":
            return
        stage = engine.current(form)
        if stage.actor is engine.Actor.OWNER:
            user = login(db.session.query(Login.username).filter_by(person_id=form.owner_id).scalar())
            if form.stage == "draft":
                engine.submit(form, user, form.stage)
            else:
                engine.sign(form, user, DEMO_PASSWORD, form.stage)
            return
        actors = [u for u in map(login, REVIEWERS) if engine.may_act(u, form)]
        assert actors, form.stage
        if self.rng.random() < 0.3:
            engine.send_back(form, actors[0], "请修改。", form.stage)
        else:
            engine.approve(form, actors[0], "同意。", form.stage)

    def steps(self):
        return [self.add_risk, self.add_risk, self.edit_risk, self.delete_risk, self.add_measure, self.add_measure,
                self.delete_measure, self.refused_edit, self.add_method, self.move_measure, self.bulk_level,
                self.bulk_delete_methods, self.rule, self.step, self.step, self.step]


def test_figures_equal_a_recount_after_random_steps(app, api, owners):
    rng = random.Random(13)
    story = Story(app, api, rng)
    for i in range(60):
        try:
            rng.choice(story.steps())()
        except Refused:  # a step the flow refuses (nothing to submit yet …) changes nothing
            pass
        db.session.rollback()
        assert figures.differences(db.session) == [], f"after step {i}"
    assert db.session.scalar(select(SummaryFigure.id).where(SummaryFigure.round == ROUND)) is not None
    assert_equal_to_recount(app, owners.id)


def test_a_deleted_form_takes_its_figures(owners):
    with acting_as():
        name = "fig_gone"
        new_login(name, "CZJ", "国库股")
        form = engine.create_form(Owner.PERSON, ROUND, login(name))
        db.session.add(RiskPoint(form=form, unit_id=form.unit_id, section_id=form.section_id, owner_id=form.owner_id,
                                 owner_kind="个人", risk_type="思想道德", content="将删除", level="一级"))
        db.session.commit()
        form_id = form.id
        assert db.session.query(SummaryFigure).filter_by(form_id=form_id).count() == 1
        db.session.delete(form_of(form_id))
        db.session.commit()
    assert db.session.query(SummaryFigure).filter_by(form_id=form_id).count() == 0
    assert figures.differences(db.session) == []


def test_verify_and_recount_find_and_mend_a_write_past_the_orm(app, owners):
    form = db.session.query(RiskForm).filter_by(round=ROUND).order_by(RiskForm.id).first()
    form_id = form.id
    db.session.execute(text(
        "INSERT INTO risk_point (form_id, unit_id, section_id, owner_id, owner_kind, risk_type, content, level) "
        "VALUES (:f, :u, :s, :o, '个人', '思想道德', '绕过程序写入', '一级')"),
        {"f": form.id, "u": form.unit_id, "s": form.section_id, "o": form.owner_id})
    db.session.commit()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["verify"])
    assert out.exit_code == 1 and f"登记表 #{form_id} 的汇总数字与重新统计不符" in out.output, out.output
    out = runner.invoke(args=["recount"])
    assert out.exit_code == 0 and "此前不符 1 处" in out.output, out.output
    assert figures.differences(db.session) == []
    out = runner.invoke(args=["verify"])
    assert "汇总数字：通过" in out.output, out.output


def test_page_excel_and_drill_down_read_the_figures(client, owners):
    """The page shows the figures of the stage chosen; the drill-down lists the same number."""
    office = client("office")
    draft = db.session.query(RiskPoint).join(RiskForm).filter(
        RiskForm.round == ROUND, RiskForm.stage == "draft", RiskPoint.unit_id == owners.id).count()
    page = office.get(f"/reports/summary?round={ROUND}&unit={owners.id}&stage=draft").get_data(as_text=True)
    total_row = page.split("总合计")[1].split("</tr>")[0]
    assert f">{draft}<" in total_row.replace("</a>", "<") or (draft == 0 and ">0<" in total_row)
    listing = office.get(f"/reports/risks?round={ROUND}&unit={owners.id}&stage=draft").get_data(as_text=True)
    assert f"共 {draft} 个" in listing
