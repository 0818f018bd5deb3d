"""The demo county: deterministic, realistic, at a chosen scale.

``small`` (the first start) loads the first units of ``seed.data.UNITS`` with
a few people per post; ``county`` loads all of them (about 100 units, 800
sections, 8,000 people).  The same seed always gives the same county.
"""
import random
from datetime import date

from app.audit.trail import acting_as
from app.extensions import db
from app.catalogue.models import FlowStep, FlowTransition, Power
from app.enums import PowerStatus
from app.organisation.models import City, County, Person, Post, Section, Unit
from seed import archives, assessment, data, powers, reminders
from seed import round as round_
from seed import monitoring

SCALES = {
    # unit codes taken from data.UNITS (None: all), people on each non-head post
    "small": {"units": ("JW", "CZJ", "JYJ", "ZRZYJ", "ZZB", "FGJ", "ZJJ", "SCJGJ", "WJJ",
                        "RSJ", "CGZ", "DPX", "RMYY", "DYZX"), "per_post": (1, 2)},
    "county": {"units": None, "per_post": (3, 4)},
}

# username -> (unit code, how to find the person, role); see README 演示账号.
DEMO_LOGINS = {
    "office": ("JW", ("staff", "党风政风监督室", 0), "领导小组办公室"),
    "jiwei": ("JW", ("head", "案件监督管理室"), "纪委监察"),
    "czj_admin": ("CZJ", ("staff", "办公室", 0), "单位管理员"),
    "czj_leader": ("CZJ", ("leader", 0), "单位领导"),
    "czj_fg": ("CZJ", ("leader", 1), "分管领导"),
    "czj_ys_head": ("CZJ", ("head", "预算股"), "科室负责人"),
    "czj_ys_staff1": ("CZJ", ("staff", "预算股", 0), "工作人员"),
    "czj_ys_staff2": ("CZJ", ("staff", "预算股", 1), "工作人员"),
    "czj_gk_head": ("CZJ", ("head", "国库股"), "科室负责人"),
    "czj_gk_staff1": ("CZJ", ("staff", "国库股", 0), "工作人员"),
    "czj_gk_staff2": ("CZJ", ("staff", "国库股", 1), "工作人员"),
    "jyj_admin": ("JYJ", ("staff", "办公室", 0), "单位管理员"),
    "jyj_staff1": ("JYJ", ("staff", "基础教育股", 0), "工作人员"),
}
ADMIN_PERSON = ("JW", ("staff", "办公室", 1))  # the person behind the `admin` login
# czj_fg supervises exactly these two sections (the demo's 分管领导 story).
CZJ_FG_SECTIONS = ("预算股", "国库股")


class _Builder:
    def __init__(self, rng: random.Random, per_post: tuple[int, int], region: str = data.COUNTY[1]):
        self.rng, self.per_post, self.region = rng, per_post, region
        self.id_numbers: set[str] = set()

    def person(self, unit, section, post, title, is_leader=False) -> Person:
        rng = self.rng
        gender = rng.choice(("男", "男", "女"))
        while True:
            number = data.id_number(rng, rng.randint(1966, 1999), gender, self.region)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                break
        person = Person(
            unit=unit, section=section, post=post, name=data.person_name(rng, gender),
            gender=gender, id_number=number, title=title, is_leader=is_leader,
            appointed_on=date(rng.randint(2012, 2025), rng.randint(1, 12), rng.randint(1, 28)),
            phone="1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)))
        db.session.add(person)  # objects reach the session one by one: no cascade from Unit
        return person

    def unit(self, county, spec) -> dict:
        """Creates one unit; returns its people arranged for the login lookup."""
        unit = Unit(county=county, code=spec["code"], name=spec["name"], kind=spec["kind"],
                    duties=spec["duties"])
        db.session.add(unit)
        leaders = []
        for title, is_key in data.leadership_for(spec):
            post = Post(unit=unit, name=title, is_key=is_key,
                        duties=f"{spec['name']}{title}，负责分管领域的全面工作和党风廉政建设“一岗双责”。")
            leaders.append(self.person(unit, None, post, title, is_leader=True))
        vice = leaders[1:] or leaders
        people = {"unit": unit, "leader": leaders, "head": {}, "staff": {}, "sections": {}}
        for i, sec in enumerate(spec["sections"]):
            section = Section(unit=unit, name=sec["name"], duties=sec["duties"],
                              supervisor=vice[i % len(vice)])
            db.session.add(section)
            people["sections"][sec["name"]] = section
            staff = []
            for j, p in enumerate(sec["posts"]):
                post = Post(unit=unit, section=section, name=p["name"], duties=p["duties"],
                            is_key=p["is_key"])
                count = 1 if j == 0 else self.rng.randint(*self.per_post)
                for _ in range(count):
                    person = self.person(unit, section, post, p["name"])
                    if j == 0 and section.head is None:
                        section.head = person
                    else:
                        staff.append(person)
            people["head"][sec["name"]] = section.head
            people["staff"][sec["name"]] = staff
        if spec["code"] == "CZJ":
            fg, other = leaders[1], leaders[2]
            for name, section in people["sections"].items():
                section.supervisor = fg if name in CZJ_FG_SECTIONS else other
        db.session.flush()
        return people


def load_catalogue(rng: random.Random, unit: Unit, sections: dict[str, Section], code: str | None = None):
    """The unit's 职权目录 with flowcharts (those of the demo unit ``code``, if given);
    most confirmed or published, some drafts."""
    statuses = [PowerStatus.PUBLISHED] * 3 + [PowerStatus.CONFIRMED] * 2 + [PowerStatus.DRAFT]
    for spec in powers.POWERS.get(code or unit.code, []) + powers.COMMON_INTERNAL:
        power = Power(unit=unit, name=spec["name"], category=spec["category"], subject=unit.name,
                      basis=spec["basis"], disclosure_forms="、".join(spec["forms"]),
                      disclosure_scope=spec["scope"], disclosure_time=spec["time"], fee=spec["fee"],
                      remarks=spec.get("remarks") or None, section=sections.get(spec["section"]),
                      status=rng.choice(statuses).value)
        db.session.add(power)
        steps = [FlowStep(power=power, seq=i, name=s["name"], actor=s["actor"], condition=s["condition"],
                          procedure=s["procedure"], time_limit=s["time_limit"],
                          supervision=s["supervision"]) for i, s in enumerate(spec["steps"], start=1)]
        db.session.add_all(steps)
        for step, s in zip(steps, spec["steps"]):
            for target, label in s["next"]:
                db.session.add(FlowTransition(source=step, target=steps[target], label=label or None))


def _find(people, locator) -> Person:
    kind, *where = locator
    if kind == "leader":
        return people["leader"][where[0]]
    if kind == "head":
        return people["head"][where[0]]
    return people["staff"][where[0]][where[1]]


def load(scale: str = "small", seed: int = 2026, password: str | None = None) -> dict:
    """Loads the demo county into an empty database, then the city's own organs
    and a second, smaller county (``seed.city``); returns what it made."""
    from flask import current_app

    if db.session.query(Unit.id).first() is not None:
        raise RuntimeError("数据库中已有单位数据，演示数据只能载入空库。")
    spec = SCALES[scale]
    rng = random.Random(seed)
    builder = _Builder(rng, spec["per_post"])
    units = [u for u in data.UNITS if spec["units"] is None or u["code"] in spec["units"]]
    with acting_as():
        county = County(city=City(name=data.CITY[0], code=data.CITY[1]), name=data.COUNTY[0], code=data.COUNTY[1])
        people = {u["code"]: builder.unit(county, u) for u in units}
        for spec in units:
            load_catalogue(rng, people[spec["code"]]["unit"], people[spec["code"]]["sections"])
        db.session.commit()
        password = password or current_app.config["DEMO_PASSWORD"]
        sm = current_app.appbuilder.sm
        for username, (code, locator, role) in DEMO_LOGINS.items():
            create_login(sm, username, _find(people[code], locator), role, password)
        admin = sm.find_user(username="admin")
        if admin is not None and admin.person_id is None:
            code, locator = ADMIN_PERSON
            admin.person_id = _find(people[code], locator).id
            db.session.commit()
        made_forms = round_.load_round(date.today().year)
        assessment.load(date.today())
        archives.load(date.today())
        reminders.load(date.today(), county)
        county_id = county.id
        monitoring.load(date.today())   # it lets go of the objects loaded so far
        from seed import city  # it builds on this module
        city.load(db.session.get(County, county_id).city, seed, password)
    return {"units": len(units), "people": db.session.query(Person).count(), "forms": made_forms}


def create_login(sm, username: str, person: Person, role_name: str, password: str):
    """A login for ``person`` with one role (also used by the admin pages' tests)."""
    role = sm.find_role(role_name)
    user = sm.add_user(username=username, first_name=person.name, last_name="",
                       email=f"{username}@demo.lianzheng.local", role=role, password=password)
    if not user:
        raise RuntimeError(f"无法创建账号 {username}")
    user.person_id = person.id
    # The demo's people count as having chosen the shared demo password
    # themselves, so the demo can show signing; a real login's password set by
    # the administrator cannot sign (app.workflow.engine.sign).
    user.own_password = True
    db.session.commit()
    return user
