"""Every enumeration of the programme, with the Chinese label users see.

The value *is* the label as printed on the official forms, so a stored value,
a list column, an Excel cell and an import all read the same.
"""
from enum import StrEnum


class Choice(StrEnum):
    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.value) for m in cls]

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class UnitKind(Choice):
    PARTY = "党委部门"
    GOVERNMENT = "政府部门"
    TOWNSHIP = "乡镇"
    INSTITUTION = "事业单位"
    MASS_ORG = "群团组织"
    OTHER = "其他"


class Gender(Choice):
    MALE = "男"
    FEMALE = "女"


# ── 职权目录 ─────────────────────────────────────────────────────────────
class PowerCategory(Choice):
    """权力类别: eight external categories, in the order of 附件1, and internal."""
    LICENSING = "行政许可(含非许可行政审批)"
    PENALTY = "行政处罚"
    LEVY = "行政征收"
    COERCION = "行政强制"
    BENEFIT = "行政给付"
    ADJUDICATION = "行政裁决"
    CONFIRMATION = "行政确认"
    OTHER = "其他权力"
    INTERNAL = "内部管理职权"

    @classmethod
    def external(cls) -> list["PowerCategory"]:
        return [c for c in cls if c is not cls.INTERNAL]

    @property
    def short(self) -> str:
        """The shorter name seed 002's 合计 line uses (行政审批, 其他行政权力)."""
        return {"行政许可(含非许可行政审批)": "行政审批", "其他权力": "其他行政权力"}.get(self.value, self.value)


class DisclosureForm(Choice):
    """公开形式 (several may apply)."""
    WEBSITE = "单位网站"
    BOARD = "公开栏"
    PAPER = "纸质文书"
    GUIDE = "办事指南"
    HALL = "政务服务大厅"


class DisclosureScope(Choice):
    INTERNAL = "内部公开"
    PUBLIC = "向社会公开"
    ON_REQUEST = "依申请公开"
    NONE = "不公开"


class DisclosureTime(Choice):
    PERMANENT = "长期公开"
    ANY_TIME = "随时公开"
    ON_REQUEST = "依申请公开"


class PowerStatus(Choice):
    DRAFT = "草稿"
    CONFIRMED = "已确认"
    PUBLISHED = "已公开"

    @property
    def next(self) -> "PowerStatus | None":
        order = list(PowerStatus)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


NO_FEE = "不收费"
