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

    @classmethod
    def parse(cls, text: str) -> "PowerCategory | None":
        """A category as written on either county's form (full or short name)."""
        text = (text or "").strip().replace("（", "(").replace("）", ")")
        return next((c for c in cls if text in (c.value, c.short)), None)


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


# ── 廉政风险 ─────────────────────────────────────────────────────────────
class Owner(Choice):
    """Whose risk point or form it is."""
    PERSON = "个人"
    SECTION = "部门"
    UNIT = "单位"


class RiskType(Choice):
    """风险类别, and whose risks each may be (DESIGN step 3)."""
    MORAL = "思想道德"
    DUTY = "岗位职责"
    INSTITUTIONAL = "制度机制"

    @property
    def owners(self) -> tuple[Owner, ...]:
        return {
            RiskType.MORAL: (Owner.PERSON,),
            RiskType.DUTY: (Owner.PERSON, Owner.SECTION),
            RiskType.INSTITUTIONAL: (Owner.SECTION, Owner.UNIT),
        }[self]

    @classmethod
    def for_owner(cls, owner: Owner) -> list["RiskType"]:
        return [t for t in cls if owner in t.owners]


class RiskLevel(Choice):
    """风险等级, with who monitors it and what it may break."""
    FIRST = "一级"
    SECOND = "二级"
    THIRD = "三级"

    @property
    def monitor(self) -> str:
        return {"一级": "纪检监察", "二级": "效能监察", "三级": "部门领导"}[self.value]

    @property
    def meaning(self) -> str:
        return {"一级": "可能违反党纪国法", "二级": "可能违反本级党委、政府及其职能部门的规章制度",
                "三级": "可能违反单位内部管理制度"}[self.value]


class ControlStage(Choice):
    """防控措施的三道防线."""
    PREVENTION = "前期预防"
    MONITORING = "中期监控"
    HANDLING = "后期处置"


class RuleKind(Choice):
    NEW = "新建立"
    REVISED = "修订"
