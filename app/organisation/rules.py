"""Rules an organisation record must keep, shared by forms and the API."""
import re

ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
CODE = re.compile(r"^[A-Za-z0-9_-]+$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number_error(value: str | None) -> str | None:
    """公民身份号码: 18 characters with a valid check digit (GB 11643)."""
    value = (value or "").strip().upper()
    if not ID_NUMBER.match(value):
        return "身份证号应为 18 位，前 17 位为数字，末位为数字或 X。"
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS))
    if _CHECK[total % 11] != value[17]:
        return "身份证号校验位不正确，请核对。"
    return None


def code_error(value: str | None) -> str | None:
    """单位代码 is part of addresses (/public/<代码>) and file names: letters, digits, _ and -."""
    if value and not CODE.match(value):
        return "单位代码只能由英文字母、数字、下划线和短横线组成（如 CZJ）。"
    return None


def _unit_id(obj):
    if obj is None:
        return None
    return getattr(obj, "id", None) if getattr(obj, "__tablename__", "") == "unit" else obj.unit_id


def other_unit_error(unit, related, what: str) -> str | None:
    """A section or post chosen for a record must belong to the record's unit."""
    if related is None or unit is None:
        return None
    if _unit_id(related) != _unit_id(unit):
        return f"所选{what}「{related}」不属于单位「{unit}」。"
    return None
