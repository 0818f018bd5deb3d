"""The REST API refuses in Chinese, like the pages.

FAB's API answers with fixed English messages ("Not found", "Forbidden",
"Not authorized" …) from helpers every API class shares, and
Flask-JWT-Extended with its own for a missing, forged or expired token.
The token errors get Chinese answers through JWT-Extended's callbacks; FAB's
fixed messages are replaced as the response leaves (one table, every API,
FAB's own security API included).
"""
from flask import jsonify, request

FAB_MESSAGES = {
    "Not found": "记录不存在，或不在您的数据范围内。",
    "Forbidden": "您没有执行此操作的权限。",
    "Not authorized": "用户名或密码错误，或尚未登录。",
    "Fatal error": "操作未完成，系统内部出现错误。请稍后重试；如仍出现，请联系系统管理员。",
    "Internal error": "操作未完成，系统内部出现错误。请稍后重试；如仍出现，请联系系统管理员。",
    "Arguments are not correct": "请求参数不正确。",
    "Could not process entity": "提交的内容无法处理，请检查后重试。",
    "Request is not JSON": "请求内容须为 JSON。",
    "Request payload is not JSON": "请求内容须为 JSON。",
}
TOKEN_MISSING = "请先登录：请求缺少有效的登录令牌（Authorization: Bearer …）。"
TOKEN_INVALID = "登录令牌无效，请重新登录。"
TOKEN_EXPIRED = "登录令牌已过期，请重新登录。"
TOKEN_NOT_FRESH = "此操作需要重新登录后进行。"


def _refuse(message, code=401):
    return jsonify(message=message), code


def speak_chinese(jwt_manager) -> None:
    """Chinese answers for every token error of Flask-JWT-Extended."""
    jwt_manager.unauthorized_loader(lambda _reason: _refuse(TOKEN_MISSING))
    jwt_manager.invalid_token_loader(lambda _reason: _refuse(TOKEN_INVALID))
    jwt_manager.expired_token_loader(lambda _header, _payload: _refuse(TOKEN_EXPIRED))
    jwt_manager.revoked_token_loader(lambda _header, _payload: _refuse(TOKEN_INVALID))
    jwt_manager.needs_fresh_token_loader(lambda _header, _payload: _refuse(TOKEN_NOT_FRESH))
    jwt_manager.user_lookup_error_loader(lambda _header, _payload: _refuse(TOKEN_INVALID))
    jwt_manager.token_verification_failed_loader(lambda _header, _payload: _refuse(TOKEN_INVALID, 403))


def translate(response):
    """after_request: FAB's fixed English message of an API error, in Chinese."""
    if response.status_code < 400 or not request.path.startswith("/api/") or not response.is_json:
        return response
    body = response.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"] in FAB_MESSAGES:
        body["message"] = FAB_MESSAGES[body["message"]]
        response.set_data(jsonify(body).get_data())
    return response
