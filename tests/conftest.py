"""Fixtures: the app on SQLite and on PostgreSQL, and clients that log in as
the demo county's users.

Every test runs once per database.  PostgreSQL needs ``TEST_POSTGRES_URL``
(``tests/run.sh`` installs and starts a server and sets it).
"""
import os
import re
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import config
from app import create_app
from app.audit.trail import acting_as
from app.extensions import db

ADMIN_PASSWORD = "Admin#2026test"
DEMO_PASSWORD = "Demo#2026"


def pytest_addoption(parser):
    parser.addoption("--database", choices=["sqlite", "postgresql"],
                     help="只运行这一种数据库上的测试（tests/run.sh 让两种数据库并行运行）")


def pytest_collection_modifyitems(config, items):
    """With --database, keep that database's runs; tests that use no database run with SQLite's."""
    chosen = config.getoption("--database")
    if not chosen:
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        (keep if params.get("database_url", "sqlite") == chosen else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter, config):
    """What tests/test_matrix.py reports (its cell count), at the end of the run."""
    for line in getattr(config, "matrix_lines", []):
        terminalreporter.write_line(line)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        return
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        pytest.skip("TEST_POSTGRES_URL 未设置（tests/run.sh 会安装并启动 PostgreSQL）")
    name = f"lianzheng_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(config.database_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    yield make_url(config.database_url(server)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_config(url, **overrides):
    return type("Cfg", (config.TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "DEMO_PASSWORD": DEMO_PASSWORD, **overrides})


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from app.bootstrap import setup
    from seed import demo

    application = create_app(make_config(database_url))
    with application.app_context(), acting_as():
        setup(ADMIN_PASSWORD)
        demo.load("small")
        db.session.remove()
        db.engine.dispose()   # idle: PostgreSQL copies only a database nobody is connected to
    # the demo as loaded, before any test changes it: copied again by fresh_demo()
    application.config["TEST_DEMO_COPY"] = copy_database(database_url, tmp_path_factory, "demo")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(application.config["TEST_DEMO_COPY"])


def copy_database(url, tmp_path_factory, tag) -> str:
    """A copy of the (idle) database at ``url``, as a URL: SQLite's backup API, or
    PostgreSQL's CREATE DATABASE … TEMPLATE."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import sqlite3
        target = str(tmp_path_factory.mktemp(tag) / f"{tag}.db")
        with sqlite3.connect(parsed.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return "sqlite:///" + target
    name = f"{parsed.database}_{tag}_{uuid.uuid4().hex[:6]}"
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_database(url) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return   # a file under pytest's temporary directory
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    server.dispose()


@contextmanager
def fresh_demo(app, tmp_path_factory, tag, **config):
    """An app of its own on a database holding the demo exactly as loaded, whatever
    the session's tests have changed since: for a story whose every page must read
    the same at each run (a count of clicks)."""
    url = copy_database(app.config["TEST_DEMO_COPY"], tmp_path_factory, tag)
    other = create_app(make_config(url, **config))
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)


@pytest.fixture()
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


class FreshContextClient:
    """Each request in an app context of its own, as in production: a test's
    own app context (``ctx``) would otherwise lend every request one ``g``."""

    def __init__(self, app):
        self.app, self._client = app, app.test_client()

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name not in ("get", "post", "put", "delete", "patch"):
            return attr

        def call(*args, **kwargs):
            with self.app.app_context():
                return attr(*args, **kwargs)
        return call


class Client:
    """A test client that logs in like a person at a browser."""

    def __init__(self, app, username=None):
        self.app, self.http, self.username = app, FreshContextClient(app), username
        if username:
            self.login(username)

    def login(self, username, password=None):
        token = self.csrf("/login/")
        password = password or (ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD)
        return self.http.post("/login/", data={"username": username, "password": password,
                                               "csrf_token": token})

    def csrf(self, url="/login/"):
        """The CSRF token of this client's session, as a page's form carries it."""
        page = self.http.get(url, follow_redirects=True).get_data(as_text=True)
        found = (re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
                 or re.search(r'<meta name="csrf-token" content="([^"]+)"', page))
        assert found, f"no CSRF token on {url}"
        return found.group(1)

    def get(self, url, **kw):
        return self.http.get(url, **kw)

    def post(self, url, data=None, csrf_from=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(csrf_from or "/"))
        return self.http.post(url, data=data, **kw)


class Api:
    """A REST client with a JWT from /api/v1/security/login."""

    def __init__(self, app, username):
        self.http = FreshContextClient(app)
        password = ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD
        r = self.http.post("/api/v1/security/login", json={
            "username": username, "password": password, "provider": "db"})
        assert r.status_code == 200, r.get_data(as_text=True)
        self.headers = {"Authorization": "Bearer " + r.json["access_token"]}

    def __getattr__(self, method):
        call = getattr(self.http, method)
        return lambda url, **kw: call(url, headers=self.headers, **kw)


@pytest.fixture()
def client(app):
    return lambda username=None: Client(app, username)


@pytest.fixture()
def api(app):
    return lambda username: Api(app, username)


@pytest.fixture()
def only_scheduled_reminders(app):
    """The delivery log without the notices of form steps (app.workflow.notify),
    which the workflow tests leave pending, nor their rule: tests that count what
    a retry sends or which jobs are scheduled count their own rules only."""
    from sqlalchemy import delete, select
    from app.reminders.models import Delivery, Message, ReminderRule
    from app.workflow.notify import RULE_KEY
    with app.app_context(), acting_as():
        rule_ids = select(ReminderRule.id).where(ReminderRule.key == RULE_KEY)
        step_rows = select(Delivery.id).where(Delivery.rule_id.in_(rule_ids))
        db.session.execute(delete(Message).where(Message.delivery_id.in_(step_rows)))
        db.session.execute(delete(Delivery).where(Delivery.rule_id.in_(rule_ids)))
        db.session.execute(delete(ReminderRule).where(ReminderRule.key == RULE_KEY))  # made again on use
        db.session.commit()
    yield
