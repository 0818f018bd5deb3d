"""The 汇总表's figures beside their yardsticks, in one process, interleaved.

For one county (as its office) and for the whole city (as admin), each
repetition runs, in a rotating order:

- ``page``      what the 汇总表 page computes: every figure of 附件9 and 附件6
                (``summary.rows`` + ``summary.by_owner_kind``), read from the
                maintained figures, rows named;
- ``table``     the yardstick: the same figures read by hand-written SQL from a
                table that already holds them (``summary_figure``/``summary_rule``:
                one statement per form, no names, no Python objects);
- ``recount``   the figures counted from the risks, as the page did before the
                figures were kept (``app.reports.recount``);
- ``raw``       the yardstick of that: hand-written SQL computing every figure
                of both forms from the risks (the old yardstick counted one).

Prints one JSON object: median milliseconds per variant, per place.

    python bench/figures.py <county office login> <round> <repetitions>
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import g  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.reports import recount, summary  # noqa: E402
from app.reports.models import CELL_COLUMNS  # noqa: E402
from app.security.models import Login  # noqa: E402

CELLS = ", ".join(f"sum({c})" for c in CELL_COLUMNS.values())
LEVELS = ", ".join("sum(" + " + ".join(c for (_, lv), c in CELL_COLUMNS.items() if lv is level) + ")"
                   for level in dict.fromkeys(lv for _, lv in CELL_COLUMNS))
# {key}: what a row is; {join}: the unit, for a county key; {names}: where a row's name is;
# {place}: one county, or the city
PLACES = {
    "county": {"key": "{t}.unit_id", "join": "", "names": "unit",
               "place": "AND {t}.unit_id IN (SELECT id FROM unit WHERE county_id = :county)"},
    "city": {"key": "u.county_id", "join": "JOIN unit u ON u.id = {t}.unit_id", "names": "county", "place": ""},
}
TABLE = {  # the same figures (and the rows' names) from the table that holds them: one row per form and place
    "rows": "SELECT {key}, n.name, count(DISTINCT f.person_id), sum(f.risks), sum(f.measures), sum(f.methods), " +
            CELLS + " FROM summary_figure f {join} LEFT JOIN {names} n ON n.id = {key} "
            "WHERE f.round = :round {place} GROUP BY 1, 2",
    "rules": "SELECT {key}, f.kind, count(DISTINCT f.rule_id) FROM summary_rule f {join} "
             "WHERE f.round = :round {place} GROUP BY 1, 2",
    "kinds": "SELECT f.owner_kind, sum(f.risks), sum(f.measures), " + LEVELS +
             " FROM summary_figure f WHERE f.round = :round {place} GROUP BY 1",
}
RAW_FROM = "FROM risk_point p JOIN risk_form f ON f.id = p.form_id {join} WHERE f.round = :round {place}"
RAW_OF = ("JOIN risk_point p ON p.id = m.risk_id JOIN risk_form f ON f.id = p.form_id {join} "
          "WHERE f.round = :round {place}")
RAW = {  # every figure of both forms, counted from the risks by hand
    "cells": "SELECT {key}, p.risk_type, p.level, count(*) " + RAW_FROM + " GROUP BY 1, 2, 3",
    "people": "SELECT {key}, count(DISTINCT f.person_id) " + RAW_FROM + " AND f.owner_kind = '个人' GROUP BY 1",
    "measures": "SELECT {key}, count(*) FROM control_measure m " + RAW_OF + " GROUP BY 1",
    "methods": "SELECT {key}, count(*) FROM supervision_method m " + RAW_OF + " GROUP BY 1",
    "rules": "SELECT {key}, r.kind, count(DISTINCT r.id) FROM rule r JOIN rule_risk rr ON rr.rule_id = r.id "
             "JOIN risk_point p ON p.id = rr.risk_id JOIN risk_form f ON f.id = p.form_id {join} "
             "WHERE f.round = :round {place} GROUP BY 1, 2",
    "kinds": "SELECT p.owner_kind, p.level, count(*) " + RAW_FROM.replace("{join} ", "") + " GROUP BY 1, 2",
    "kind_measures": "SELECT p.owner_kind, count(*) FROM control_measure m " + RAW_OF.replace("{join} ", "") +
                     " GROUP BY 1",
}


def statements(templates, table_alias, place):
    parts = {k: v.format(t=table_alias) for k, v in PLACES[place].items()}
    return [text(t.format(**parts)) for t in templates.values()]


def main():
    office, round_, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    app = create_app()
    out = {}
    with app.app_context():
        users = {"county": db.session.query(Login).filter_by(username=office).one(),
                 "city": db.session.query(Login).filter_by(username="admin").one()}
        county = users["county"].person.unit.county_id
        for place, user in users.items():
            by = "unit" if place == "county" else "county"
            params = {"round": round_, "county": county}
            table = statements(TABLE, "f", place)
            raw = statements(RAW, "p", place)
            with app.app_context(), app.test_request_context():   # a g of its own: the scope is the user's
                g.user = db.session.merge(user)
                filters = summary.Filters(round_)
                variants = {
                    "page": lambda: (summary.rows(filters, by), summary.by_owner_kind(filters)),
                    "table": lambda: [db.session.execute(s, params).all() for s in table],
                    "recount": lambda: (recount.rows(filters, by), recount.by_owner_kind(filters)),
                    "raw": lambda: [db.session.execute(s, params).all() for s in raw],
                }
                assert _same(variants["page"](), variants["recount"]()), "maintained figures differ from a recount"
                times = {name: [] for name in variants}
                names = list(variants)
                for i in range(repeat + 1):   # the first round warms the caches and is not counted
                    for name in names[i % len(names):] + names[:i % len(names)]:
                        start = time.perf_counter()
                        variants[name]()
                        if i:
                            times[name].append((time.perf_counter() - start) * 1000)
                        db.session.rollback()
                out[place] = {name: statistics.median(t) for name, t in times.items()}
                if db.engine.dialect.name == "postgresql":   # the planner's default, for comparison
                    db.session.execute(text("SET random_page_cost = 4"))
                    default = []
                    for _ in range(max(repeat // 2, 3)):
                        start = time.perf_counter()
                        variants["page"]()
                        default.append((time.perf_counter() - start) * 1000)
                    db.session.rollback()
                    out[place]["page_default_cost"] = statistics.median(default)
    print(json.dumps(out))


def _same(a, b) -> bool:
    def plain(rows_):
        return [(r.key, r.people, {k: v for k, v in r.cells.items() if v}, r.risks, r.measures, r.methods,
                 r.new_rules, r.revised_rules) for r in rows_]
    return plain(a[0]) == plain(b[0]) and plain(a[1].values()) == plain(b[1].values())


if __name__ == "__main__":
    main()
