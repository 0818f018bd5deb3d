"""What every FAB page shows, set once after the views are registered: a
Chinese title where FAB would make an English one ("Edit Plan Phase"), a
Chinese label for a foreign key named after its relation ("Reader Id"), and
every list and show cell through app.formatting.cell (no None, True/False or
raw timestamps), unless the view formats that column itself."""
from flask_appbuilder.baseviews import BaseCRUDView

from app.formatting import cell

# Tables no page lists by themselves.
TABLES = {"archive_entry": "廉政档案内容", "risk_form": "登记表", "review_step": "办理记录",
          "form_revision": "签字版本", "ab_user": "登录账号", "ab_role": "角色", "message": "站内消息",
          "flow_transition": "流程图连线", "follow_up_visit": "跟踪回访", "warning_follow_up": "预警跟踪处理",
          "self_check_attachment": "自查报告附件", "city": "市", "review_flow": "审核流程"}


def _english(text) -> bool:
    return text is None or str(text).isascii()


def _titles(view) -> None:
    base = next((t for t in (view.list_title, view.show_title, view.edit_title, view.add_title)
                 if not _english(t)), None)
    if base is None:
        return
    for attr, verb in (("list_title", ""), ("show_title", "查看"), ("add_title", "新增"), ("edit_title", "修改")):
        if _english(getattr(view, attr, None)):
            setattr(view, attr, f"{verb}{base.removeprefix('新增').removeprefix('修改')}")


def _labels(view) -> None:
    labels = view.label_columns
    for key, label in list(labels.items()):
        if not _english(label):
            continue
        relation = key.removesuffix("_id") if key.endswith("_id") else key.rpartition(".")[0]
        if relation and not _english(labels.get(relation)):
            labels[key] = labels[relation] + ("编号" if key.endswith("_id") else "")


def _cells(view, tables: dict[str, str]) -> None:
    shown = set(getattr(view, "list_columns", []) or []) | set(getattr(view, "show_columns", []) or [])
    for column in shown:
        if column == "table_name":   # the audit log names tables: show what the menu calls them
            view.formatters_columns.setdefault(column, lambda name: tables.get(name, name))
        view.formatters_columns.setdefault(column, cell)


def _table_labels(views) -> dict[str, str]:
    """Each model's table with the Chinese title of its page (plan_phase → 推进计划)."""
    labels = {}
    for view in views:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        name = getattr(model, "__tablename__", None)
        if name and name not in labels and not _english(view.list_title):
            labels[name] = view.list_title
    return labels


def apply(appbuilder) -> None:
    views = [v for v in appbuilder.baseviews if isinstance(v, BaseCRUDView)]
    for view in views:
        view.formatters_columns = dict(view.formatters_columns or {})
        _titles(view)
        _labels(view)
    tables = _table_labels(views)
    tables.update(TABLES)
    for view in views:
        _cells(view, tables)
