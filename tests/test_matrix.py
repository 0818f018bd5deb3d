"""The permission matrix over everything the app registers.

Every page and API of ``app.appbuilder.baseviews`` — found from the app's own
URL map, so a resource added tomorrow is in the matrix the day it is added —
is tried by one login of every role (plus the second county's and the city's)
on rows of his own, of another section, of another unit and of the other
county: read, list, add, edit, delete, each bulk action, each export and each
custom route, through the page URL, the REST API and the bulk action.  (The
public pages, which need no login, are not in it.)

The outcome expected in each cell is computed, never written down: the grant
from ``app/security/roles.py`` (matched as FAB matches its built-in roles) and
the rows from ``app/security/scope.py`` (``criteria``), or the narrower rule a
view declares (archives, one's own messages).  Writes are tried for real where
they must be refused (and the rows are checked afterwards); where they are
allowed the door is probed without writing (the row opens, ``_info`` lists the
permission), so the demo data stays as it is for the other tests.
"""
import re
import time
from collections import Counter

from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED
from sqlalchemy import func, select, true

from app.archives.access import readable as readable_archives
from app.archives.models import IntegrityArchive
from app.audit.models import AuditLog
from app.audit.views import visible as visible_entries
from app.extensions import db
from app.monitoring.access import readable_signals
from app.monitoring.models import Signal
from app.organisation.models import County, Unit
from app.reminders.models import Message
from app.risks.models import RiskForm
from app.security.models import Login
from app.security.roles import EVERY_LOGIN, ROLES
from app.security.scope import Level, Scope, Scoped, criteria, scope_of
from app.security.scoped_views import SCOPE_FILTER
from tests.conftest import Api, Client

# One login per role, plus the second county's office and unit admin (the other county's side).
LOGINS = ("admin", "office", "jiwei", "czj_admin", "czj_leader", "czj_fg", "czj_ys_head", "czj_ys_staff1",
          "shiwei", "shiban", "office2", "czj2_admin")
CANDIDATES = 300  # rows per county the sample is chosen from
MAX_ROWS = 4  # sample rows per model, chosen to cover own / same county / other county for every login
# Doors whose cells another check already holds: the API list (its count) and _info (its permissions).
COVERED = {"get_list", "info"}
# A door a role is not granted is refused before any row is read: it is knocked on by this
# many of the logins without the grant, taken in turn, so every login meets every kind of door.
DENIED_PER_ROUTE = 2



def as_login(rule):
    """A rule written for the request's login, evaluated for ``login``."""
    def evaluate(login):
        from flask import current_app, g
        with current_app.test_request_context():
            g.user = login
            g.pop("scope", None)  # the app context (and its g) outlives this request
            try:
                return rule(login)
            finally:
                g.pop("scope", None)
    return evaluate


# Views whose rows are narrower than the data scope, by the rule their package declares.
NARROWER = {
    IntegrityArchive: lambda login: readable_archives(login),
    Message: lambda login: Message.login_id == login.id,
    AuditLog: as_login(visible_entries),
    Signal: lambda login: readable_signals(login),
}
# Unscoped models read beyond the administrator, and who scopes them (none today).
PENDING = {}
# Route arguments that name a row of a model other than the view's own.
ROW_ARGS = {"form_id": RiskForm, "unit_id": Unit}

OK, DENIED, HIDDEN, MOVED = "允许", "拒绝", "不可见", "转向"
REFUSED = {DENIED, HIDDEN}  # without the grant: refused (403), or a door that is not there for him (404)


def granted(login, resource, permission) -> bool:
    """Whether roles.py grants ``permission`` on ``resource`` to the login (FAB's built-in role match)."""
    pairs = [p for r in login.roles for p in ROLES[r.name].permissions] + EVERY_LOGIN
    return any(re.match(res, resource) and re.match(perm, permission) for res, perm in pairs)


def visible_rule(model, login, view=None):
    """The rows of ``model`` the login may reach: the scope, or the narrower rule of the model."""
    if model in NARROWER:
        return NARROWER[model](login)
    if issubclass(model, Scoped) and model.__scope__:
        return criteria(model, scope_of(login))
    return true()


def own_account(view, permission) -> bool:
    """Granted to every login for his own account (FAB's "reset my password" acts on
    the login himself, whichever row it is sent with)."""
    return any(re.match(res, view.class_permission_name) and re.match(perm, permission) for res, perm in EVERY_LOGIN)


def outcome(response, client=None) -> str:
    """允许, 拒绝 (no grant), 不可见 (outside the rows), 转向 (a page sending elsewhere)."""
    code = response.status_code
    if code in (401, 403) or (code == 302 and "/login" in response.headers.get("Location", "")):
        return DENIED
    if code == 302 and client is not None:
        with client.http.session_transaction() as session:
            flashes = session.pop("_flashes", [])
        return DENIED if any(m == FLAMSG_ERR_SEC_ACCESS_DENIED for _, m in flashes) else MOVED
    return {200: OK, 404: HIDDEN}.get(code, f"HTTP {code}")


class Matrix:
    def __init__(self, app):
        self.app = app
        self.logins = {u: db.session.scalar(select(Login).where(Login.username == u)) for u in LOGINS}
        self.pages = {u: Client(app, u) for u in LOGINS}
        self.apis = {u: Api(app, u) for u in LOGINS}
        self.tokens = {u: c.csrf("/") for u, c in self.pages.items()}
        self.rows, self.visible, self.cells, self.failures = {}, {}, Counter(), []
        self.counties = db.session.scalars(select(County.id)).all()
        self.turn = 0

    # ── expectations ──
    def may(self, user, view, permission) -> bool:
        return permission in view.base_permissions and granted(self.logins[user], view.class_permission_name,
                                                               permission)

    def sample(self, model, view=None) -> list[int]:
        """Few rows that, together, are inside and outside every login's scope, in and out of his county."""
        key = model
        if key in self.rows:
            return self.rows[key]
        # candidates: the first rows of each county, and the first of all (rows of no county)
        county_of = {}
        if issubclass(model, Scoped) and model.__scope__:
            for c in self.counties:
                for i in db.session.scalars(select(model.id).where(criteria(model, Scope(Level.COUNTY, county_id=c)))
                                            .order_by(model.id).limit(CANDIDATES)):
                    county_of.setdefault(i, c)
        ids = sorted(set(county_of) | set(db.session.scalars(select(model.id).order_by(model.id).limit(CANDIDATES))))
        seen = {u: set(db.session.scalars(select(model.id).where(model.id.in_(ids),
                                                                  visible_rule(model, login, view))))
                for u, login in self.logins.items()}
        home = {u: (login.person.unit.county_id if login.person else None) for u, login in self.logins.items()}

        def covers(i):
            return {(u, "in" if i in seen[u] else ("county" if county_of.get(i) == home[u] else "other"))
                    for u in LOGINS}
        chosen, covered = [], set()
        for _ in range(MAX_ROWS):
            best = max(ids, key=lambda i: len(covers(i) - covered), default=None)
            if best is None or not covers(best) - covered:
                break
            chosen.append(best)
            covered |= covers(best)
        self.rows[key] = chosen
        for u in LOGINS:
            self.visible[key, u] = seen[u]
        return chosen

    def seen(self, model, view, user) -> set:
        self.sample(model, view)
        return self.visible[model, user]

    def check(self, user, door, url, got, expected: set):
        self.cells[door] += 1
        if got not in expected:
            self.failures.append(f"{user:14} {door:10} {url}: {got}, expected {'/'.join(sorted(map(str, expected)))}")

    # ── requests ──
    def get(self, user, url, api=False):
        return (self.apis if api else self.pages)[user].get(url)

    def post_page(self, user, url, data=None):
        return self.pages[user].http.post(url, data={"csrf_token": self.tokens[user], **(data or {})})

    # ── the doors of one view ──
    def routes(self, view):
        prefix = type(view).__name__ + "."
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint.startswith(prefix):
                yield rule.endpoint[len(prefix):], rule

    def permission_of(self, view, name):
        f = getattr(view, name, None)
        if f is None or not hasattr(f, "_permission_name"):
            return None  # public (login, public pages) or handled apart (actions)
        mapped = (view.method_permission_name or {}).get(name)
        return "can_" + (mapped or f._permission_name.removeprefix("can_"))

    def model_of(self, view, rule):
        arg = next((a for a in rule.arguments if a in ROW_ARGS or a == "pk"), None)
        if arg == "pk":
            return getattr(getattr(view, "datamodel", None), "obj", None), arg
        return ROW_ARGS.get(arg), arg

    def url(self, rule, values):
        words = {"step": "submit", "name": "x", "group_by": "x", "code": "x", "locale": "zh", "filename": "x.txt"}
        filler = {a: values.get(a, words.get(a, "1")) for a in rule.arguments}
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(filler[m.group(1)]), rule.rule)

    def try_route(self, view, name, rule):
        permission = self.permission_of(view, name)
        if permission is None or name in COVERED:
            return
        model, arg = self.model_of(view, rule)
        methods = rule.methods - {"HEAD", "OPTIONS"}
        write = bool(methods - {"GET"})  # a form page (GET and POST) is tried by its POST
        known = set(rule.arguments) <= {arg} if arg else not rule.arguments
        if model is not None and arg != "pk":
            view_for_rows = None  # a row named by a custom page (a form, a unit): the scope decides
        else:
            view_for_rows = view
        rows = self.sample(model, view_for_rows) if model else [None]
        denied = [u for u in LOGINS if not self.may(u, view, permission)]
        for user in self.rotate(denied, DENIED_PER_ROUTE):
            self.knock(view, name, rule, user, arg, rows[0] if rows else 0, write, REFUSED)
        probed = set()
        for user in LOGINS:
            if user in denied:
                continue
            seen = self.seen(model, view_for_rows, user) if model else set()
            same = self.alike(user, model, view_for_rows) in probed  # rows a login already tried here reaches
            probed.add(self.alike(user, model, view_for_rows))
            inside = [r for r in rows if r is None or r in seen]
            outside = [r for r in rows if r not in inside]
            if inside and known and not write and not (name == "list" and self.has_api(view)):
                # a read that opens (an allowed write is not made; a list whose API counts its rows is not re-read)
                self.knock(view, name, rule, user, arg, inside[0], write, {OK, MOVED})
            if outside and not same:  # a row beyond his scope: each door takes the next one
                self.knock(view, name, rule, user, arg, self.rotate(outside, 1)[0], write, {HIDDEN})

    def alike(self, user, model, view=None):
        """Logins that reach the same rows of ``model`` need their rows tried once per door."""
        return frozenset(self.seen(model, view, user)) if model is not None else user

    def has_api(self, view) -> bool:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        return any(isinstance(v, ModelRestApi) and v.datamodel.obj is model and v.base_filters == view.base_filters
                   for v in self.app.appbuilder.baseviews)

    def rotate(self, items, n):
        self.turn += 1
        return [items[(self.turn + i) % len(items)] for i in range(min(n, len(items)))]

    def knock(self, view, name, rule, user, arg, row, write, expected):
        api = isinstance(view, ModelRestApi)
        url = self.url(rule, {arg: row} if arg else {})
        count = None
        if name == "list":  # the page's 记录数目 is the number of rows the scope gives
            url += f"?psize_{type(view).__name__}=1"
            if OK in expected:
                count = db.session.scalar(select(func.count()).select_from(view.datamodel.obj).where(
                    visible_rule(view.datamodel.obj, self.logins[user], view)))
        if write:
            method = next(iter(rule.methods - {"GET", "HEAD", "OPTIONS"}))
            r = getattr(self.apis[user], method.lower())(url, json={}) if api else self.post_page(user, url)
        else:
            r = self.get(user, url, api)
        got = outcome(r, None if api else self.pages[user])
        if count is not None and got == OK:
            shown = re.search(r"记录数目:</strong>\s*(\d+)", r.get_data(as_text=True))
            got, expected = (int(shown.group(1)) if shown else count), {count}
        self.check(user, f"{'API' if api else '页面'}:{name}", url, got, expected)

    def try_actions(self, view):
        if not isinstance(view, ModelView) or not view.actions:
            return
        model = view.datamodel.obj
        rows = self.sample(model, view)
        base = view.route_base
        for name in view.actions:
            permission = view.get_action_permission_name(name)
            if own_account(view, permission):
                continue
            denied = [u for u in LOGINS if not granted(self.logins[u], view.class_permission_name, permission)]
            knocking = self.rotate(denied, DENIED_PER_ROUTE) if denied else []
            for user in LOGINS:
                if user in denied and user not in knocking:
                    continue
                hidden = [r for r in rows if r not in self.seen(model, view, user)]
                if user not in denied and not hidden:
                    continue  # an allowed action on his own rows is not run
                target = rows if user in denied else hidden
                if not target:
                    continue  # a table with no rows yet
                r = self.pages[user].http.post(f"{base}/action_post", data={
                    "csrf_token": self.tokens[user], "action": name, "rowid": target})
                expected = REFUSED if user in denied else {HIDDEN}
                self.check(user, f"批量:{name}", f"{base}/action_post {target}", outcome(r, self.pages[user]),
                           expected)
                one = f"{base}/action/{name}/{target[0]}"  # the same action on one row, from its page
                self.check(user, f"操作:{name}", one, outcome(self.post_page(user, one), self.pages[user]), expected)

    def try_list_counts(self, view):
        """The API's list holds exactly the rows the scope gives (its ``count``)."""
        if not isinstance(view, ModelRestApi) or "can_read" not in view.base_permissions:
            return
        model = view.datamodel.obj
        counted = set()
        for user in LOGINS:
            if not self.may(user, view, "can_read") or self.alike(user, model, view) in counted:
                continue
            counted.add(self.alike(user, model, view))
            want = db.session.scalar(select(func.count()).select_from(model).where(
                visible_rule(model, self.logins[user], view)))
            r = self.apis[user].get(f"/api/v1/{view.resource_name}/?q=(page_size:1)")
            got = r.json.get("count") if r.status_code == 200 else f"HTTP {r.status_code}"
            self.check(user, "API:列表数", view.resource_name, got, {want})

    def try_info(self, view):
        """``_info`` lists exactly the permissions roles.py grants."""
        if not isinstance(view, ModelRestApi) or "info" not in dict(self.routes(view)):
            return
        for user in LOGINS:
            r = self.apis[user].get(f"/api/v1/{view.resource_name}/_info?q=(keys:!(permissions))")
            if not self.may(user, view, self.permission_of(view, "info")):
                self.check(user, "API:_info", view.resource_name, outcome(r), REFUSED)
                continue
            want = tuple(sorted(p for p in view.base_permissions if self.may(user, view, p)))
            self.check(user, "API:_info", view.resource_name, tuple(sorted(r.json.get("permissions", []))), {want})

    def try_foreign_add(self, view):
        """POST with a related row the login may not choose: refused, nothing written."""
        if not isinstance(view, ModelRestApi) or "post" not in dict(self.routes(view)):
            return
        model = view.datamodel.obj
        rows = set(self.sample(model, view))
        for user in LOGINS:
            if not self.may(user, view, self.permission_of(view, "post")):
                continue
            own = min(self.seen(model, view, user) & rows, default=None)
            if own is None:
                continue
            item = db.session.get(model, own)
            for rel in model.__mapper__.relationships:
                target = rel.mapper.class_
                if rel.key not in view.add_columns or rel.direction.name != "MANYTOONE" \
                        or not (issubclass(target, Scoped) and target.__scope__):
                    continue
                foreign = db.session.scalar(select(target.id).where(
                    ~visible_rule(target, self.logins[user])).order_by(target.id).limit(1))
                if foreign is None:
                    continue
                body = {**payload(view, item), rel.key: foreign}
                before = db.session.scalar(select(func.count()).select_from(model))
                r = self.apis[user].post(f"/api/v1/{view.resource_name}/", json=body)
                db.session.expire_all()
                written = db.session.scalar(select(func.count()).select_from(model)) != before
                text = r.get_data(as_text=True)
                got = ("写入" if written else "数据库报错" if "Database exception" in text else
                       "拒绝" if r.status_code in (400, 403, 404, 422) else f"HTTP {r.status_code}")
                self.check(user, "API:跨范围新增", f"{view.resource_name}.{rel.key}={foreign}", got, {"拒绝"})

    def rows_still_there(self):
        for model, ids in self.rows.items():
            db.session.expire_all()
            there = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
            for i in set(ids) - there:
                self.failures.append(f"{model.__name__} #{i} was deleted by a refused request")


def payload(view, item) -> dict:
    """The add columns of an existing row, as the API takes them, made unique where
    the table wants it, so only the related row under test can refuse it."""
    from sqlalchemy import String
    unique = {c.key for c in type(item).__table__.columns if c.unique and isinstance(c.type, String)}
    body = {}
    for column in view.add_columns:
        value = getattr(item, column, None)
        if column == "id_number":
            value = fresh_id_number()
        elif column in unique and isinstance(value, str):
            value = (value + "矩阵")[-type(item).__table__.columns[column].type.length:]
        elif hasattr(value, "id"):
            value = value.id
        elif isinstance(value, list):
            value = [v.id for v in value]
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        if value is not None:
            body[column] = value
    return body


def fresh_id_number() -> str:
    import random
    from app.organisation.models import Person
    from seed.data import id_number
    rng = random.Random()
    while True:
        number = id_number(rng, 1990, "男", "459003")
        if db.session.scalar(select(Person.id).where(Person.id_number == number)) is None:
            return number


def unscoped_beyond_admin(app) -> list[str]:
    """Model views without the scope (nor a narrower rule) that roles.py opens below the administrator."""
    found = []
    for view in app.appbuilder.baseviews:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if model is None or view.base_filters == SCOPE_FILTER or model in NARROWER:
            continue
        for role, definition in ROLES.items():
            if definition.level == Level.ALL:
                continue
            opened = [p for p in view.base_permissions  # EVERY_LOGIN: one's own account and messages
                      if any(re.match(res, view.class_permission_name) and re.match(perm, p)
                             for res, perm in definition.permissions)]
            if opened and model not in PENDING:
                found.append(f"{type(view).__name__} ({model.__name__}) has no scope but is open to {role}: {opened}")
    return found


def remind(app):
    """Reminders of both counties' plan rules, so the delivery log and messages have rows
    (the e-mail goes to a closed port and waits for a retry); returns their clean-up."""
    from sqlalchemy import delete, update
    from app.reminders import delivery
    from app.reminders.models import Delivery, ReminderRule
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    for rule in db.session.scalars(select(ReminderRule).where(ReminderRule.kind == "plan")).all():
        delivery.run_rule(rule)
    app.config.update(saved)

    def clean():
        with app.app_context():
            db.session.execute(delete(Message))
            db.session.execute(delete(Delivery))
            db.session.execute(update(ReminderRule).values(last_run_at=None))
            db.session.commit()
    return clean


def test_logins_cover_every_role(ctx):
    roles = {r.name for u in LOGINS for r in db.session.scalar(select(Login).where(Login.username == u)).roles}
    assert roles == set(ROLES), f"add a demo login for: {set(ROLES) - roles}"


def test_views_declare_their_rows(app):
    """Each model view is under the scope or declares its narrower rule; no unscoped model is open below admin."""
    for view in app.appbuilder.baseviews:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        filters = getattr(view, "base_filters", None) or []
        if model is not None and filters and filters != SCOPE_FILTER:
            assert model in NARROWER, f"{type(view).__name__}: a filter of its own; declare its rule in NARROWER"
    assert unscoped_beyond_admin(app) == []


def test_permission_matrix(app, ctx, request):
    import logging
    quiet = logging.getLogger("flask_appbuilder")
    level, quiet.level = quiet.level, logging.ERROR  # thousands of "Access is Denied" lines otherwise
    request.addfinalizer(lambda: quiet.setLevel(level))
    started, cpu = time.monotonic(), time.process_time()
    request.addfinalizer(remind(app))
    matrix = Matrix(app)
    for view in app.appbuilder.baseviews:
        if not isinstance(view, (ModelView, ModelRestApi)) and not getattr(view, "class_permission_name", None):
            continue
        for name, rule in matrix.routes(view):
            if name not in ("action", "action_post"):
                matrix.try_route(view, name, rule)
        matrix.try_actions(view)
        matrix.try_list_counts(view)
        matrix.try_info(view)
        matrix.try_foreign_add(view)
    matrix.rows_still_there()
    total = sum(matrix.cells.values())
    line = (f"权限矩阵 [{request.node.callspec.id}]: {total} 格，{len(LOGINS)} 个账号 × "
            f"{len(app.appbuilder.baseviews)} 个视图与接口，{time.monotonic() - started:.0f} 秒"
            f"（本进程 CPU {time.process_time() - cpu:.0f} 秒）；"
            + "，".join(f"{k} {v}" for k, v in sorted(matrix.cells.items())))
    print("\n" + line)
    request.config.matrix_lines = getattr(request.config, "matrix_lines", []) + [line]
    assert not matrix.failures, f"{len(matrix.failures)} 格不符:\n" + "\n".join(matrix.failures[:80])

