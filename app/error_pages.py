"""Every error a user can cause answers in Chinese: a page in the app's
layout (with the menu when logged in), or JSON ``{"message": …}`` under
/api/. No SQL, stack trace or English server page; the details go to the log.
"""
import logging

from flask import current_app, g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.errors import Refused

log = logging.getLogger(__name__)

TITLES = {
    400: "请求无效", 401: "需要登录", 403: "没有权限", 404: "页面不存在", 405: "不支持的请求方式",
    409: "修改冲突", 413: "上传内容过大", 422: "无法处理", 429: "操作过于频繁", 500: "系统内部错误",
}
MESSAGES = {
    400: "提交的内容不完整或格式不正确，请返回检查后重试。",
    401: "请先登录。",
    403: "您没有执行此操作的权限。",
    404: "您要找的页面或记录不存在，或不在您的数据范围内。",
    405: "此地址不接受这种请求方式。",
    413: "上传的内容过大：单次上传不能超过 {mb} MB，请缩小文件后重试。",
    422: "提交的内容无法处理，请检查后重试。",
    429: "登录尝试过于频繁，请稍后再试。",
    500: "操作未完成，系统内部出现错误。请稍后重试；如仍出现，请联系系统管理员。",
}
CSRF_MESSAGE = "页面已过期或缺少安全令牌，请返回、刷新页面后重新提交。"


def _chinese(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text or ""))


def message_for(code: int, error=None) -> str:
    if isinstance(error, CSRFError):
        return CSRF_MESSAGE
    described = getattr(error, "description", None)
    if _chinese(described):  # the app's own abort(…, "…") or the login limit's message
        return str(described)
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400]).format(mb=limit)


def respond(code: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify(message=message), code
    try:
        appbuilder = current_app.appbuilder
        if not hasattr(g, "user"):  # refused before FAB's before_request set it
            g.user = current_user
        page = render_template("errors/error.html", code=code, title=TITLES.get(code, "出错了"),
                               message=message, appbuilder=appbuilder,
                               base_template=appbuilder.base_template)
    except Exception:  # the layout itself failed (database down …): a bare page, still Chinese
        log.exception("error page could not be rendered")
        page = (f"<!DOCTYPE html><meta charset='utf-8'><title>{code}</title>"
                f"<h3>{TITLES.get(code, '出错了')}</h3><p>{message}</p><p><a href='/'>返回首页</a></p>")
    return page, code


def _rollback():
    from app.extensions import db
    try:
        db.session.rollback()
    except Exception:
        log.exception("rollback after an error failed")


def register(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        if error.code >= 500:
            _rollback()
        return respond(error.code, message_for(error.code, error))

    @app.errorhandler(Refused)
    def refused(error):
        _rollback()
        return respond(422, str(error))

    @app.errorhandler(StaleDataError)   # a save whose row someone else changed meanwhile (app.versions)
    def stale(error):
        from app.versions import explain_stale
        _rollback()
        return respond(409, str(explain_stale(error)))

    @app.errorhandler(InternalServerError)  # any unhandled exception (Flask has logged it)
    def internal_error(error):
        _rollback()
        return respond(500, MESSAGES[500])
