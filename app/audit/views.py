"""审计日志 page: read by the office and the administrator, changed by nobody."""
from flask_appbuilder import ModelView

from app.audit.models import AuditLog
from app.formatting import cn_date
from app.security import roles
from app.security.scoped_views import interface


class AuditLogView(ModelView):
    route_base = "/audit"
    datamodel = interface(AuditLog)
    class_permission_name = roles.AUDIT
    method_permission_name = {"list": "read", "show": "read"}
    base_permissions = ["can_read"]
    list_title = show_title = "审计日志"
    list_columns = ["at", "actor", "action", "table_name", "record_id", "record"]
    show_columns = list_columns + ["before", "after"]
    search_columns = ["actor", "action", "table_name", "record_id", "at"]
    label_columns = {"at": "时间", "actor": "操作人", "action": "操作", "table_name": "数据表",
                     "record_id": "记录编号", "record": "记录", "before": "修改前", "after": "修改后"}
    formatters_columns = {"at": cn_date}
    base_order = ("id", "desc")


def register(appbuilder):
    appbuilder.add_view(AuditLogView, "AuditLog", label="审计日志", icon="fa-history",
                        category=roles.SYSTEM_MENU, category_label="系统管理")
