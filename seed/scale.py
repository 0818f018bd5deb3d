"""Bulk data for measuring the back-office at county and city scale.

``load(counties)`` writes, beside whatever is there, ``counties`` copies of the
demo county's units (about 100 units, 800 sections, 10,000 people each), a
person form per person with five risk points and three measures each (a city
of 10 counties: 100,000 people, 500,000 risks, 1,500,000 measures), rows
written in bulk (PostgreSQL ``COPY``; batched ``executemany`` elsewhere) with
ids chosen here, so nothing waits on a round trip per row.  One audit-trail
entry per table notes the load; the 汇总表 figures of the new forms are
counted once at the end.  Deterministic for a given seed.
"""
import random
from datetime import date, datetime

from sqlalchemy import func, select, text

from app.audit.trail import bulk_note
from app.enums import ControlStage, RiskType
from app.extensions import db
from app.organisation.models import City, County, Person, Post, Section, Unit
from app.reports import figures
from app.risks.models import ControlMeasure, RiskForm, RiskPoint, SupervisionMethod
from app.workflow.flows import FLOWS
from app.enums import Owner
from seed import data
from seed import risks as texts

PEOPLE_PER_SECTION = 12
RISKS_PER_PERSON = 5
MEASURES_PER_RISK = 3
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(region: str, n: int) -> str:
    """A unique valid 身份证号 for the n-th person of a county."""
    born = date.fromordinal(date(1965, 1, 1).toordinal() + n // 500)
    body = f"{region}{born:%Y%m%d}{n % 500 + 100:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _W)) % 11]


class Writer:
    """Collects rows per table and writes them in bulk."""

    def __init__(self, connection):
        self.connection = connection
        self.rows: dict[str, tuple[list[str], list[tuple]]] = {}
        self.counts: dict[str, int] = {}
        self.next_id = {}

    def id(self, model) -> int:
        table = model.__tablename__
        if table not in self.next_id:
            self.next_id[table] = (self.connection.execute(select(func.max(model.id))).scalar() or 0) + 1
        value = self.next_id[table]
        self.next_id[table] += 1
        return value

    def add(self, model, **row):
        columns, rows = self.rows.setdefault(model.__tablename__, (list(row), []))
        rows.append(tuple(row[c] for c in columns))

    def flush(self, table=None):
        for name in ([table] if table else list(self.rows)):
            columns, rows = self.rows.get(name, ((), ()))
            if not rows:
                continue
            if self.connection.dialect.name == "postgresql":
                raw = self.connection.connection.driver_connection
                with raw.cursor() as cur, cur.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                table_ = db.metadata.tables[name]
                self.connection.execute(table_.insert(), [dict(zip(columns, r)) for r in rows])
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            rows.clear()


ORDER = [City, County, Unit, Section, Post, Person, RiskForm, RiskPoint, ControlMeasure, SupervisionMethod]


def load(counties: int = 10, seed: int = 2026, round_: int | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    round_ = round_ or date.today().year
    connection = db.session.connection()
    w = Writer(connection)
    first = (connection.execute(select(func.count(County.id))).scalar() or 0) + 1
    city_id = connection.execute(select(func.min(City.id))).scalar()
    if city_id is None:  # the counties join the demo's city, or one made here
        city_id = w.id(City)
        w.add(City, id=city_id, name=data.CITY[0], code=data.CITY[1])
    first_form = (connection.execute(select(func.max(RiskForm.id))).scalar() or 0) + 1
    now = datetime.now().replace(microsecond=0)
    stages = [s.key for s in FLOWS[Owner.PERSON]]
    duty = [spec for specs in texts.SECTION_DUTY.values() for spec in specs] + texts.DUTY
    for c in range(first, first + counties):
        region = f"45{c:02d}01"
        county_id = w.id(County)
        w.add(County, id=county_id, city_id=city_id, name=f"示范{c}县", code=region)
        n = 0
        for spec in data.UNITS:
            unit_id = w.id(Unit)
            w.add(Unit, id=unit_id, county_id=county_id, name=spec["name"].replace("示范县", f"示范{c}县"),
                  code=f"{c:02d}-{spec['code']}", kind=spec["kind"], duties=spec["duties"])
            for sec in spec["sections"]:
                section_id = w.id(Section)
                w.add(Section, id=section_id, unit_id=unit_id, name=sec["name"], duties=sec["duties"],
                      head_id=None, supervisor_id=None)
                post_ids = []
                for p in sec["posts"]:
                    post_ids.append(w.id(Post))
                    w.add(Post, id=post_ids[-1], unit_id=unit_id, section_id=section_id, name=p["name"],
                          duties=p["duties"], is_key=p["is_key"])
                people = []
                for i in range(PEOPLE_PER_SECTION):
                    n += 1
                    person_id = w.id(Person)
                    gender = "男" if rng.random() < 0.6 else "女"
                    people.append(person_id)
                    w.add(Person, id=person_id, unit_id=unit_id, section_id=section_id,
                          post_id=post_ids[min(i, len(post_ids) - 1)], name=data.person_name(rng, gender),
                          gender=gender, id_number=_id_number(region, n), title=sec["posts"][min(i, len(post_ids) - 1)]["name"],
                          appointed_on=date(rng.randint(2012, 2025), rng.randint(1, 12), 1), is_leader=False,
                          phone=None)
                    form_id = w.id(RiskForm)
                    stage = rng.choice(stages)
                    w.add(RiskForm, id=form_id, owner_kind=Owner.PERSON.value, round=round_, unit_id=unit_id,
                          section_id=section_id, person_id=person_id, owner_id=person_id, stage=stage,
                          entered_stage_at=now, revision=1, signed_revision=None, pledge=texts.PLEDGE,
                          correction=None, published=stage == "approved" and rng.random() < 0.5, version=1)
                    for k in range(RISKS_PER_PERSON):
                        risk_type = RiskType.MORAL if k == 0 else RiskType.DUTY
                        content, level, measures, method = texts.MORAL[k % 4] if k == 0 else duty[(n + k) % len(duty)]
                        risk_id = w.id(RiskPoint)
                        w.add(RiskPoint, id=risk_id, form_id=form_id, unit_id=unit_id, section_id=section_id,
                              owner_id=person_id, owner_kind=Owner.PERSON.value, risk_type=risk_type.value,
                              content=content.format(section=sec["name"]), level=level, power_id=None, step_id=None)
                        for stage_, measure in zip(ControlStage, measures[:MEASURES_PER_RISK]):
                            w.add(ControlMeasure, id=w.id(ControlMeasure), risk_id=risk_id, unit_id=unit_id,
                                  section_id=section_id, owner_id=person_id, stage=stage_.value,
                                  content=measure.format(section=sec["name"]), responsible=None)
                        w.add(SupervisionMethod, id=w.id(SupervisionMethod), risk_id=risk_id, unit_id=unit_id,
                              section_id=section_id, owner_id=person_id, content=method.format(section=sec["name"]))

        # parents before children: flush in foreign-key order at each county's end
        for model in ORDER:
            w.flush(model.__tablename__)
        # each section's first person is its head (a section and its people refer to each other)
        connection.execute(text(
            "UPDATE section SET head_id = (SELECT min(person.id) FROM person WHERE person.section_id = section.id) "
            "WHERE head_id IS NULL AND unit_id IN (SELECT id FROM unit WHERE county_id = :county)"),
            {"county": county_id})
    _advance_sequences(connection, w)
    if RiskForm.__tablename__ in w.next_id:  # past the ORM: the figures are counted here
        figures.rebuild(connection, select(RiskForm.id).where(RiskForm.id >= first_form))
    for model in ORDER:
        bulk_note(db.session, model.__tablename__, w.counts.get(model.__tablename__, 0), "批量载入（规模测试）")
    db.session.commit()
    for c in range(first, first + counties):
        _logins(c)
    return dict(w.counts)


def _logins(c: int):
    """``office{c}`` (领导小组办公室) and ``head{c}`` (科室负责人 of 财政局预算股) of county c."""
    from flask import current_app
    from seed.demo import create_login
    sm = current_app.appbuilder.sm
    section = db.session.scalar(select(Section).join(Unit).where(Unit.code == f"{c:02d}-CZJ", Section.name == "预算股"))
    office = db.session.scalar(select(Person).join(Unit, Person.unit_id == Unit.id)
                               .where(Unit.code == f"{c:02d}-JW").order_by(Person.id).limit(1))
    password = current_app.config["DEMO_PASSWORD"]
    create_login(sm, f"office{c}", office, "领导小组办公室", password)
    create_login(sm, f"head{c}", section.head, "科室负责人", password)


def _advance_sequences(connection, w):
    """PostgreSQL's serial sequences must move past the ids written here."""
    if connection.dialect.name != "postgresql":
        return
    for table in w.next_id:
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
