"""The REST API refuses in Chinese, like the pages.

FAB's API answers with fixed English messages ("Not found", "Forbidden",
"Not authorized" …) from helpers every API class shares, marshmallow with its
own per field ("Missing data for required field."), and Flask-JWT-Extended
with its own for a missing, forged or expired token. The token errors get
Chinese answers through JWT-Extended's callbacks; the others are replaced as
the response leaves (one table, every API, FAB's own security API included).
"""
import json
import re

import prison
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
    "Not a valid rison/json argument": "查询参数 q 不正确：应为 rison（如 (page:0,page_size:25)）或 JSON。",
    "Not a valid rison argument": "查询参数 q 不正确：应为 rison（如 (page:0,page_size:25)）。",
}
FIELD_MESSAGES = {
    "Missing data for required field.": "必须填写。",
    "Field may not be null.": "不能为空。",
    "Unknown field.": "不是可以提交的字段。",
    "Not a valid string.": "应为文字。",
    "Not a valid integer.": "应为整数。",
    "Not a valid number.": "应为数字。",
    "Not a valid boolean.": "应为 true 或 false。",
    "Not a valid date.": "应为日期（如 2026-11-23）。",
    "Not a valid datetime.": "应为日期时间（如 2026-11-23T09:00:00）。",
    "Not a valid list.": "应为列表。",
    "Invalid input type.": "类型不正确。",
    "Invalid value.": "取值不正确。",
}
FIELD_PATTERNS = (
    (re.compile(r"Longer than maximum length (\d+)\."), r"不能超过 \1 个字符。"),
    (re.compile(r"Shorter than minimum length (\d+)\."), r"不能少于 \1 个字符。"),
    (re.compile(r"Must be one of: (.*)\."), r"应为以下之一：\1。"),
    (re.compile(r"^400 Bad Request:.*", re.S), "请求内容不是有效的 JSON。"),
    (re.compile(r"^Not a valid rison schema.*", re.S), "查询参数 q 的格式不正确，请对照接口文档（/swagger/v1）。"),
    (re.compile(r"^Filter column: (.*) not allowed to filter$"), r"不能按字段「\1」筛选。"),
    (re.compile(r"^Invalid order by column: (.*)$"), r"不能按字段「\1」排序。"),
)
TOKEN_MISSING = "请先登录：请求缺少有效的登录令牌（Authorization: Bearer …）。"
TOKEN_INVALID = "登录令牌无效，请重新登录。"
TOKEN_EXPIRED = "登录令牌已过期，请重新登录。"
TOKEN_NOT_FRESH = "此操作需要重新登录后进行。"


def _refuse(message, code=401):
    return jsonify(message=message), code


def check_query():
    """before_request: the API's ``q`` argument read before FAB reads it, so that
    one it cannot parse, a negative page or a control character answers 400
    (FAB would answer 500, or pass them to the database)."""
    from app.field_limits import FORBIDDEN

    value = request.args.get("q") if request.path.startswith("/api/") else None
    if not value:
        return None
    try:
        parsed = prison.loads(value)
    except Exception:  # noqa: BLE001  prison raises several kinds
        try:
            parsed = json.loads(value)
        except ValueError:
            return _refuse(FAB_MESSAGES["Not a valid rison/json argument"], 400)
    if isinstance(parsed, dict):
        for key in ("page", "page_size"):
            number = parsed.get(key)
            if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 0):
                return _refuse(f"查询参数 {key} 应为不小于 0 的整数。", 400)
    if any(FORBIDDEN.search(text) for text in _strings(parsed)):
        return _refuse("查询参数中含有不允许的控制字符。", 400)
    return None


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in (*value.keys(), *value.values()):
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def speak_chinese(jwt_manager) -> None:
    """Chinese answers for every token error of Flask-JWT-Extended."""
    jwt_manager.unauthorized_loader(lambda _reason: _refuse(TOKEN_MISSING))
    jwt_manager.invalid_token_loader(lambda _reason: _refuse(TOKEN_INVALID))
    jwt_manager.expired_token_loader(lambda _header, _payload: _refuse(TOKEN_EXPIRED))
    jwt_manager.revoked_token_loader(lambda _header, _payload: _refuse(TOKEN_INVALID))
    jwt_manager.needs_fresh_token_loader(lambda _header, _payload: _refuse(TOKEN_NOT_FRESH))
    jwt_manager.user_lookup_error_loader(lambda _header, _payload: _refuse(TOKEN_INVALID))
    jwt_manager.token_verification_failed_loader(lambda _header, _payload: _refuse(TOKEN_INVALID, 403))


def chinese(message):
    """A message, a list of them or {field: messages}, with the known English ones in Chinese."""
    if isinstance(message, dict):
        return {key: chinese(value) for key, value in message.items()}
    if isinstance(message, list):
        return [chinese(value) for value in message]
    if not isinstance(message, str):
        return message
    if message in FAB_MESSAGES:
        return FAB_MESSAGES[message]
    if message in FIELD_MESSAGES:
        return FIELD_MESSAGES[message]
    for pattern, replacement in FIELD_PATTERNS:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def translate(response):
    """after_request: the English messages of an API error, in Chinese."""
    if response.status_code < 400 or not request.path.startswith("/api/") or not response.is_json:
        return response
    body = response.get_json(silent=True)
    if isinstance(body, dict) and "message" in body:
        translated = chinese(body["message"])
        if translated != body["message"]:
            body["message"] = translated
            response.set_data(jsonify(body).get_data())
    return response
