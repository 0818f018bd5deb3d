"""审计日志 page (read by the office of its county and the administrator, changed
by nobody) and the 验签 page that runs the evidence check."""
from flask import abort, g, request
from flask_appbuilder import BaseView, ModelView
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from sqlalchemy import and_, not_, true

from app.audit import verify
from app.audit.models import AuditLog
from app.audit.trail import ARCHIVE_TABLES
from app.formatting import cn_date
from app.security import roles
from app.security.scope import current_scope
from app.security.scoped_views import interface


def visible(user):
    """The trail entries ``user`` may read: his county's; entries about an
    archive only for those who may read archives (reading them is logged)."""
    scope = current_scope()
    own = true() if scope.everything else AuditLog.county_id == scope.county_id
    if roles.reads_archives(user):
        return own
    return and_(own, not_(AuditLog.table_name.in_(ARCHIVE_TABLES)))


class VisibleEntries(BaseFilter):
    name, arg_name = "审计范围", "audit_scope"

    def apply(self, query, value):
        return query.filter(visible(g.user))


class AuditLogView(ModelView):
    route_base = "/audit"
    datamodel = interface(AuditLog)
    class_permission_name = roles.AUDIT
    method_permission_name = {"list": "read", "show": "read"}
    base_permissions = ["can_read"]
    base_filters = [["id", VisibleEntries, None]]
    list_title = show_title = "审计日志"
    list_columns = ["at", "actor", "action", "table_name", "record_id", "record"]
    show_columns = list_columns + ["before", "after", "row_hash"]
    search_columns = ["actor", "action", "table_name", "record_id", "at"]
    label_columns = {"at": "时间", "actor": "操作人", "action": "操作", "table_name": "数据表",
                     "record_id": "记录编号", "record": "记录", "before": "修改前", "after": "修改后",
                     "row_hash": "链式校验值"}
    formatters_columns = {"at": cn_date}
    base_order = ("id", "desc")

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        entry = self.datamodel.get(pk, self._base_filters)
        if entry is None:
            abort(404)
        if entry.table_name in ARCHIVE_TABLES:   # an archive's history is the archive
            from app.archives.access import log_history_read
            log_history_read(g.user, entry)
        return super().show(pk)


class VerifyView(BaseView):
    """验签: the office runs the same check as ``flask --app run verify``."""
    route_base = "/verify"
    default_view = "index"
    class_permission_name = roles.VERIFICATION
    method_permission_name = {"index": "read"}

    @expose("/")
    @has_access
    def index(self):
        """The check reads every signed revision, both chains and the 汇总表 figures of the
        whole installation: it runs when asked (``?run=1``), not on opening the menu."""
        report = verify.run() if request.args.get("run") else None
        return self.render_template("audit/verify.html", report=report)


def register(appbuilder):
    menu = dict(category=roles.SYSTEM_MENU, category_label="系统管理")
    appbuilder.add_view(AuditLogView, roles.AUDIT, label="审计日志", icon="fa-history", **menu)
    appbuilder.add_view(VerifyView, roles.VERIFICATION, label="验签与审计链检查", icon="fa-certificate", **menu)
