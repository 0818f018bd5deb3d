"""廉政风险防控管理系统: the application factory, in small named steps."""
import os

from flask import Flask
from flask_appbuilder import AppBuilder, IndexView, expose

from app.extensions import csrf, db, migrate

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


class HomeView(IndexView):
    """工作台: what waits for the login, and the programme's steps (app.workbench)."""
    index_template = "index.html"

    @expose("/")
    def index(self):
        from flask import g
        from app import workbench

        user = g.user if g.user and g.user.is_authenticated else None
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    tasks=workbench.tasks(user) if user else [],
                                    steps=workbench.steps(user) if user else [])


def create_app(config=None) -> Flask:
    import config as settings

    app = Flask(__name__, instance_path=settings.INSTANCE_DIR)
    app.config.from_object(config or settings.Config)
    settings.check(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret(app.config["SECRET_KEY_FILE"])
    configure_security(app)
    setup_db(app)
    with app.app_context():
        init_views(app)
    close_file_downloads(app)
    register_cli(app)
    return app


def configure_security(app):
    from app import error_pages
    from app.security import api_errors, headers
    from app.security.passwords import check_complexity
    from app.security.roles import ADMIN_ROLE, fab_roles

    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = check_complexity
    app.config["FAB_ROLES"] = fab_roles()
    app.config["AUTH_ROLE_ADMIN"] = ADMIN_ROLE
    app.config.setdefault("AUTH_ROLE_PUBLIC", "Public")
    headers.protect(app)  # first: its nonce must exist before any other hook can refuse a request
    csrf.init_app(app)
    error_pages.register(app)
    app.before_request(api_errors.check_query)
    app.after_request(api_errors.translate)


def close_file_downloads(app):
    """FAB's /<view>/download/<file> serves FAB file columns, which no model
    here has: every such route answers 404 (it would read UPLOAD_FOLDER)."""
    from flask import abort
    from flask_appbuilder import ModelView

    def no_file(**_kwargs):
        abort(404)

    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, "__func__", None) is ModelView.download:
            app.view_functions[endpoint] = no_file


def setup_db(app):
    from app import field_limits, models, sqlite  # noqa: F401  (all mappers before first use)
    from app.audit import trail
    from app.reports import figures
    from app.risks import content
    from app.workflow import models as flow_models

    sqlite.install()   # WAL and a busy timeout for the embedded default
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True,
                     compare_type=True, include_object=_include_object)
    trail.install()
    content.install()
    flow_models.install()
    figures.install()
    field_limits.install()


def _include_object(obj, name, type_, reflected, compare_to):
    # The scheduler's job store is APScheduler's table, not ours.
    return not (type_ == "table" and name.startswith("apscheduler_"))


def init_views(app):
    from app.audit import views as audit_views
    from app.catalogue import api as catalogue_api
    from app.publication import views as publication_views
    from app.reports import views as reports_views
    from app.risks import api as risks_api
    from app.risks import views as risks_views
    from app.workflow import views as workflow_views
    from app.catalogue import views as catalogue_views
    from app.organisation import api as organisation_api
    from app.organisation import views as organisation_views
    from app.assessment import api as assessment_api
    from app.assessment import views as assessment_views
    from app.archives import api as archives_api
    from app.archives import views as archives_views
    from app.plan import views as plan_views
    from app.reminders import api as reminders_api
    from app.reminders import views as reminders_views
    from app.monitoring import api as monitoring_api
    from app.monitoring import views as monitoring_views
    from app.imports import views as import_views
    from app import display, formatting

    appbuilder = AppBuilder(indexview=HomeView, base_template="layout.html")
    appbuilder.init_app(app, db.session)
    app.appbuilder = appbuilder
    organisation_views.register(appbuilder)
    organisation_api.register(appbuilder)
    catalogue_views.register(appbuilder)
    catalogue_api.register(appbuilder)
    workflow_views.register(appbuilder)
    risks_views.register(appbuilder)
    risks_api.register(appbuilder)
    publication_views.register(appbuilder)
    reports_views.register(appbuilder)
    assessment_views.register(appbuilder)
    assessment_api.register(appbuilder)
    archives_views.register(appbuilder)
    archives_api.register(appbuilder)
    plan_views.register(appbuilder)
    reminders_views.register(appbuilder)
    reminders_api.register(appbuilder)
    monitoring_views.register(appbuilder)
    monitoring_api.register(appbuilder)
    audit_views.register(appbuilder)
    import_views.register(appbuilder)
    display.apply(appbuilder)
    app.jinja_env.filters["cn_date"] = formatting.cn_date
    app.jinja_env.filters["period_words"] = formatting.period_words
    from app.reminders.crontab import in_words
    app.jinja_env.filters["schedule_words"] = in_words
    from app.navigation import menu_html, trail
    from app.enums import colour_of
    app.jinja_env.globals["status_colour"] = colour_of
    app.jinja_env.globals["breadcrumbs"] = trail
    app.jinja_env.globals["menu_html"] = menu_html
    from app.forms import install_form_messages
    install_form_messages(app)


def register_cli(app):
    from app import cli
    cli.register(app)
