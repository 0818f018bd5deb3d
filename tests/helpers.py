"""Looking up the demo county's records the way a tester would name them."""
from app.extensions import db
from app.organisation.models import Person, Section, Unit
from app.security.models import Login


def unit(code) -> Unit:
    return db.session.query(Unit).filter_by(code=code).one()


def section(code, name) -> Section:
    return db.session.query(Section).join(Unit).filter(Unit.code == code, Section.name == name).one()


def person_of(username) -> Person:
    return db.session.query(Login).filter_by(username=username).one().person


def new_person(code, section_name=None, name="测试人员", **fields) -> Person:
    """A fresh person to edit or delete, with a valid unique 身份证号."""
    from seed.data import id_number
    import random
    rng = random.Random()
    while True:
        number = id_number(rng, 1990, "男")
        if not db.session.query(Person).filter_by(id_number=number).first():
            break
    u = unit(code)
    s = section(code, section_name) if section_name else None
    p = Person(unit=u, section=s, name=name, id_number=number, gender="男", **fields)
    db.session.add(p)
    db.session.commit()
    return p


def new_login(username, code, section_name, role="工作人员", name=None):
    """A person with a login of his own, for a story that must not touch the demo's."""
    from flask import current_app
    from seed.demo import create_login
    from tests.conftest import DEMO_PASSWORD
    person = new_person(code, section_name, name=name or username)
    return create_login(current_app.appbuilder.sm, username, person, role, DEMO_PASSWORD)


def form_of(form_id):
    from app.risks.models import RiskForm
    db.session.expire_all()
    return db.session.get(RiskForm, form_id)
