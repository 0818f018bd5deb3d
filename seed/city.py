"""The city level and a second county, beside the demo county (``seed.demo``).

示范市本级 (the city's own organs, a county row of their own) holds the city's
纪委监委 with the logins of the city level; 和溪县 is a small second county — its
纪委监委, 财政局 and 教育局 with a few sections each, their 职权目录, a plan, one
reminder rule and a register or two — with logins of its own.  A random
generator of its own, so the demo county stays exactly as it was.
"""
import random
from datetime import date

from app.enums import Owner, RiskType
from app.extensions import db
from app.organisation.models import County
from app.security import roles
from app.workflow import configure, engine
from seed import data, reminders
from seed import risks as texts
from seed import round as round_

# code -> (demo unit it is modelled on, its sections)
CITY_UNITS = {"SJW": ("JW", ("办公室", "党风政风监督室", "案件监督管理室"))}
SECOND_UNITS = {
    "HX-JW": ("JW", ("办公室", "党风政风监督室", "案件监督管理室")),
    "HX-CZJ": ("CZJ", ("办公室", "预算股", "国库股")),
    "HX-JYJ": ("JYJ", ("办公室", "基础教育股")),
}


def _role_of(username: str) -> str:
    """The role of a demo county login, for the same post in another county."""
    from seed.demo import DEMO_LOGINS
    return DEMO_LOGINS[username][2]


# username -> (unit code, how to find the person, role); see README 演示账号.
CITY_LOGINS = {
    "shiwei": ("SJW", ("head", "案件监督管理室"), roles.CITY_COMMISSION),
    "shiban": ("SJW", ("staff", "党风政风监督室", 0), roles.CITY_OFFICE),
}
SECOND_LOGINS = {
    "office2": ("HX-JW", ("staff", "党风政风监督室", 0), _role_of("office")),
    "czj2_admin": ("HX-CZJ", ("staff", "办公室", 0), _role_of("czj_admin")),
    "czj2_ys_head": ("HX-CZJ", ("head", "预算股"), _role_of("czj_ys_head")),
    "czj2_ys_staff1": ("HX-CZJ", ("staff", "预算股", 0), _role_of("czj_ys_staff1")),
}


def _spec(code: str, model: str, sections, place: str) -> dict:
    """A unit like the demo's ``model``, renamed for ``place`` and cut to ``sections``."""
    base = next(u for u in data.UNITS if u["code"] == model)

    def rename(text):
        text = text.replace("示范县", place)
        return text.replace("全县", "全市") if place.endswith("市") else text

    return {**base, "code": code, "name": rename(base["name"]), "duties": rename(base["duties"] or ""),
            "sections": [s for s in base["sections"] if s["name"] in sections]}


def _county(city, name_code, units: dict, rng, seed_logins: dict, password: str) -> tuple[County, dict]:
    from flask import current_app
    from seed.demo import _Builder, _find, create_login, load_catalogue

    name, code = name_code
    county = County(city=city, name=name, code=code)
    builder = _Builder(rng, (1, 1), region=code)
    place = data.CITY[0] if code == data.CITY_LEVEL[1] else name
    people = {c: builder.unit(county, _spec(c, model, sections, place)) for c, (model, sections) in units.items()}
    for c, (model, _) in units.items():
        if c != "SJW":
            load_catalogue(rng, people[c]["unit"], people[c]["sections"], code=model)
    db.session.commit()
    sm = current_app.appbuilder.sm
    for username, (unit_code, locator, role) in seed_logins.items():
        create_login(sm, username, _find(people[unit_code], locator), role, password)
    return county, people


def load(city, seed: int = 2026, password: str | None = None) -> None:
    from flask import current_app

    password = password or current_app.config["DEMO_PASSWORD"]
    rng = random.Random(seed + 1)
    _county(city, data.CITY_LEVEL, CITY_UNITS, rng, CITY_LOGINS, password)
    second, _ = _county(city, data.SECOND_COUNTY, SECOND_UNITS, rng, SECOND_LOGINS, password)

    configure.install_variant(second, "002")   # 和溪县 reviews by seed 002's flows (示范县: seed 000's, the default)
    today = date.today()
    reminders.load_plan(today, second, on_time="HX-CZJ", late=None)
    reminders.load_rules(second, keys={"plan"}, suffix=f"_{second.code}")
    # a register waiting for its section head, and the section's own still in draft
    form, owner = round_._person_form("czj2_ys_staff1", today.year, texts.SECTION_DUTY["预算股"][:2], moral=1)
    engine.submit(form, owner)
    form = engine.create_form(Owner.SECTION, today.year, round_._user("czj2_ys_head"))
    round_.add_risk(form, RiskType.INSTITUTIONAL, texts.INSTITUTIONAL[0], owner=form.section.name)
    db.session.commit()
