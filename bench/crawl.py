"""Crawls every menu page and every add / edit / show page (one row each) as
one login, in process: SQL statements, bytes and server time of each page.

Used by ``bench/run.py`` at city scale and by ``tests/test_bounded.py`` on
the demo.  A page the login may not open (a redirect to the login page, 403,
404) is listed with its status and left out of the figures.
"""
import re
import statistics
import time
from dataclasses import dataclass

from flask import g
from sqlalchemy import event

RECORD_PAGES = ("add", "edit", "show")
# Pages no menu entry names, reached by a link from one that does (the login's first
# form's own page is added in ``urls``).
LINKED = ("/", "/selfcheck/filing/year")


FLOOR = "/"   # the home page: login, permissions, menu and layout, no data of its own


@dataclass
class Page:
    url: str
    status: int
    queries: int
    bytes: int
    ms: float
    floor_ms: float = 0.0   # the home page, measured between this page's requests


def login(app, username: str, password: str):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": username, "password": password, "csrf_token": token})
    return client


def urls(app, username: str) -> list[str]:
    """The menu's pages and those linked from them (:data:`LINKED`, the first form in
    scope), then add, edit and show of every model page on the first row the login may
    see (its scope, by the page's own filters)."""
    from flask_appbuilder import ModelView

    from app.extensions import db
    from app.risks.models import RiskForm
    from app.security.models import Login
    from app.security.scope import criteria, current_scope

    found = []
    with app.test_request_context():
        g.user = db.session.query(Login).filter_by(username=username).one()
        for item in app.appbuilder.menu.get_list():
            for child in item.childs or [item]:
                if child.name != "-":
                    found.append(child.get_url())
        found += LINKED
        form = db.session.query(RiskForm.id).filter(criteria(RiskForm, current_scope())).order_by(RiskForm.id).first()
        if form is not None:
            found.append(f"/forms/{form.id}")
        for view in app.appbuilder.baseviews:
            if not isinstance(view, ModelView):
                continue
            base = view.route_base
            found.append(f"{base}/add")
            query = view._base_filters.apply_all(db.session.query(view.datamodel.obj))
            pk = query.with_entities(view.datamodel.get_pk()).order_by(view.datamodel.get_pk()).limit(1).scalar()
            if pk is not None:
                found += [f"{base}/edit/{pk}", f"{base}/show/{pk}"]
        db.session.rollback()
    return list(dict.fromkeys(found))


def measure(app, client, url: str, repeat: int = 3, floor: bool = False) -> Page:
    """Median server time over ``repeat`` requests after one warm-up (and of the
    home page between them, with ``floor``)."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_a, **_k):
        seen.append(1)

    def timed(path):
        start = time.perf_counter()
        response = client.get(path)
        body = response.get_data()
        return response, body, (time.perf_counter() - start) * 1000

    times, floors, response, body, queries = [], [], None, b"", 0
    for i in range(repeat + 1):
        seen.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            response, body, took = timed(url)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        queries = len(seen)
        if response.status_code != 200:
            break
        if i:
            times.append(took)
            if floor:
                floors.append(timed(FLOOR)[2])
    return Page(url, response.status_code, queries, len(body), statistics.median(times) if times else 0.0,
                statistics.median(floors) if floors else 0.0)


def crawl(app, username: str, password: str, repeat: int = 3, floor: bool = False) -> list[Page]:
    client = login(app, username, password)
    return [measure(app, client, url, repeat, floor) for url in urls(app, username)]
