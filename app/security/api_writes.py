"""How the REST API takes a write: the body checked before anything is loaded,
a schema of the request's own, the version the client saw, answers in Chinese.

FAB's ``post_headless`` and ``put_headless`` load into the API's one shared
schema (see :mod:`app.security.per_request`), answer a body that is not an
object with a 500 and marshmallow's refusals in English without the field's
name.  :class:`SafeWrites` replaces them:

- the body must be a JSON object (400 otherwise);
- a related record is named by its id, a positive whole number (422);
- the rules of :func:`app.security.scoped_views.check` (field limits, the
  model's own rules, the scope) answer 422 ``{"message": {field: [message]}}``,
  each message naming the field in Chinese;
- ``version`` in the body (or ``If-Match``) is the version the client read;
  a save built on an older one answers 409 with what changed since, and the
  answers of a write carry the new ``version`` (and an ``ETag``).

:func:`step_body` checks the body of the API's step endpoints (submit,
approve, return, file, visit …) the same way.
"""
from datetime import date

from flask import request
from marshmallow import ValidationError
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE, ONETOMANY

from app import field_limits, versions
from app.errors import Refused, Stale
from app.security.api_errors import chinese
from app.security.per_request import fresh

NOT_JSON = "请求内容须为 JSON（Content-Type: application/json）。"
BAD_JSON = "请求内容不是有效的 JSON。"
NOT_OBJECT = "请求内容须为一个 JSON 对象（{…}），不能是列表、文字或数字。"
LARGEST_ID = 2 ** 31 - 1


class Answer(Exception):
    """A refusal already made into the response to send."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def json_object(api, empty_allowed=False) -> dict:
    """The request's body as a dict, or an :class:`Answer` 400."""
    if empty_allowed and not request.get_data(cache=True):
        return {}
    if not request.is_json:
        raise Answer(api.response_400(message=NOT_JSON))
    body = request.get_json(silent=True)
    if body is None:
        raise Answer(api.response_400(message=BAD_JSON))
    if not isinstance(body, dict):
        raise Answer(api.response_400(message=NOT_OBJECT))
    return body


def _flat(found) -> list:
    if isinstance(found, dict):
        return [m for value in found.values() for m in _flat(value)]
    if isinstance(found, list):
        return [m for value in found for m in _flat(value)]
    return [found]


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= LARGEST_ID


class SafeWrites:
    """POST, PUT and DELETE of a ``ModelRestApi`` (see module doc)."""

    def _label(self, field: str) -> str:
        from app.integrity import labels_of
        return labels_of(self.datamodel.obj).get(field) or ("请求内容" if field == "_schema" else field)

    def _named(self, messages) -> dict:
        """marshmallow's {field: [messages]} in Chinese, each message naming its field."""
        if not isinstance(messages, dict):
            return {"_": [chinese(m) for m in _flat(messages)]}
        return {field: [f"{self._label(field)}：{chinese(m)}" for m in _flat(found)]
                for field, found in messages.items()}

    def _refused(self, refused: Refused):
        if isinstance(refused, Stale):
            return self.response(409, message=str(refused))
        return self.response(422, message={refused.field or "_": [str(refused)]})

    def _related_ids(self, body: dict, columns) -> None:
        """A related record is given by its id: refused before marshmallow would look it up."""
        errors = {}
        for rel in self.datamodel.obj.__mapper__.relationships:
            if rel.key not in body or rel.key not in columns:
                continue
            value = body[rel.key]
            if rel.direction is MANYTOONE:
                good = value is None or _is_id(value)
                what = "应为所选记录的编号（正整数）"
            elif rel.direction in (MANYTOMANY, ONETOMANY):
                good = isinstance(value, list) and all(_is_id(v) for v in value)
                what = "应为所选记录编号的列表（如 [1, 2]）"
            else:
                continue
            if not good:
                errors[rel.key] = [f"{self._label(rel.key)}：{what}。"]
        if errors:
            raise Answer(self.response(422, message=errors))

    def _with_version(self, result: dict, item):
        if versions.is_versioned(item):
            result = {**result, versions.SEEN: item.version}
        return result

    def _written(self, code: int, item, schema, **extra):
        response = self.response(code, result=self._with_version(schema.dump(item, many=False), item), **extra)
        if versions.is_versioned(item):
            response.headers["ETag"] = f'"{item.version}"'
        return response

    def _load(self, schema, data, **kw):
        try:
            return schema.load(data, **kw)
        except ValidationError as error:
            raise Answer(self.response(422, message=self._named(error.messages)))

    def _answered(self, write):
        """``write()``'s response; a refusal on the way rolls back and answers in Chinese."""
        from app.extensions import db
        try:
            return write()
        except Answer as answer:
            db.session.rollback()
            return answer.response
        except Refused as refused:
            db.session.rollback()
            return self._refused(refused)

    def post_headless(self):
        def write():
            body = json_object(self)
            self._related_ids(body, self.add_columns)
            schema = fresh(self.add_model_schema)
            item = self._load(schema, body)
            self.pre_add(item)
            self.datamodel.add(item)
            self.post_add(item)
            return self._written(201, item, schema, id=self.datamodel.get_pk_value(item))
        return self._answered(write)

    def put_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()

        def write():
            body = dict(json_object(self))
            seen = versions.seen(body.pop(versions.SEEN, None) or request.headers.get("If-Match"))
            versions.check_seen(item, seen)
            self._related_ids(body, self.edit_columns)
            schema = fresh(self.edit_model_schema)
            current = schema.dump(item, many=False)
            data = {**{c: current[c] for c in self.edit_columns if c in current}, **body}
            edited = self._load(schema, data, instance=item)
            self.pre_update(edited)
            self.datamodel.edit(edited)
            self.post_update(edited)
            return self._written(200, edited, schema)
        return self._answered(write)

    def delete_headless(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()

        def write():
            versions.check_seen(item, versions.seen(request.headers.get("If-Match")))
            self.pre_delete(item)
            self.datamodel.delete(item)
            self.post_delete(item)
            return self.response(200, message="OK")
        return self._answered(write)


# ── the bodies of step endpoints ────────────────────────────────────────
# Every key a step endpoint reads: its label and kind (text, date as text, whole number).
TEXT, DATE, NUMBER, SECRET = "text", "date", "number", "secret"
STEP_FIELDS = {
    "expected": ("当前环节", TEXT), "opinion": ("意见", TEXT), "password": ("密码", SECRET),
    "note": ("说明", TEXT), "visited_on": ("回访日期", DATE), "visitors": ("回访人员", TEXT),
    "findings": ("回访情况", TEXT), "kind": ("类别", TEXT), "occurred_on": ("发生日期", DATE),
    "content": ("内容", TEXT), "sections": ("抽取科室数", NUMBER), "persons": ("抽取人数", NUMBER),
    "seed": ("随机种子", NUMBER), "decision": ("处置方式", TEXT), "deadline": ("期限", DATE),
    "disposition": ("后期处置", NUMBER), "decided_on": ("决定日期", DATE), "result": ("了结结果", TEXT),
    "on": ("跟踪日期", DATE),
}


def _step_field_error(key: str, value) -> str | None:
    label, kind = STEP_FIELDS[key]
    if value is None:
        return None
    if kind == NUMBER:
        if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= LARGEST_ID):
            return f"{label}（{key}）应为 0 至 {LARGEST_ID} 之间的整数。"
        return None
    if not isinstance(value, str):
        return f"{label}（{key}）应为文字。"
    if kind == SECRET:
        return None
    if kind == DATE and value:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return f"{label}（{key}）应为日期（如 2026-11-23）。"
        if not field_limits.YEARS[0] <= parsed.year <= field_limits.YEARS[1]:
            return f"{label}（{key}）的年份应在 {field_limits.YEARS[0]} 至 {field_limits.YEARS[1]} 之间。"
    return field_limits.text_error(value, f"{label}（{key}）")


def step_body(api) -> dict:
    """The body of a step: absent, or an object whose known keys hold what they should."""
    body = json_object(api, empty_allowed=True)
    errors = {key: [message] for key, value in body.items()
              if key in STEP_FIELDS and (message := _step_field_error(key, value))}
    if errors:
        raise Answer(api.response(400, message=errors))
    return body
