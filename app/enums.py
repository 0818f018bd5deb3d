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

    @property
    def hint(self) -> str:
        """What the type covers, in the words of seed 000 (三、1), for whoever picks it."""
        return {
            RiskType.MORAL: "因私欲私利、亲情请托等思想道德偏误，可能使职业操守偏移、以权谋私的风险（个人查找）",
            RiskType.DUTY: "个人：“一岗双责”履行不到位、违反廉洁自律或机关效能规定、利用职务之便谋私、失职渎职等；"
                           "部门：职责不清、衔接不畅、把关不严等（个人、部门查找）",
            RiskType.INSTITUTIONAL: "制度缺失或操作性不强，程序、时限、标准不明，自由裁量空间大，缺乏制衡和监督的风险"
                                    "（部门、单位查找）",
        }[self]


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

    @property
    def hint(self) -> str:
        return f"{self.meaning}，由{self.monitor}监控"


class ControlStage(Choice):
    """防控措施的三道防线."""
    PREVENTION = "前期预防"
    MONITORING = "中期监控"
    HANDLING = "后期处置"

    @property
    def hint(self) -> str:
        """What each line of defence holds (seed 000, 三、3)."""
        return {"前期预防": "事前：廉政教育、公开承诺、明确职责、完善制度",
                "中期监控": "事中：检查督促、集体研究、定期抽查、信息监测",
                "后期处置": "事后：警示提醒、诫勉纠错、责令整改、责任追究"}[self.value]


class RuleKind(Choice):
    NEW = "新建立"
    REVISED = "修订"


# ── 考核 ─────────────────────────────────────────────────────────────────
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")  # 季度 n is QUARTERS[n - 1]


class Grade(Choice):
    """考核等次."""
    EXCELLENT = "优秀"
    GOOD = "良好"
    PASS = "及格"
    FAIL = "不及格"


class Standard(Choice):
    """The four 考核标准 of seed 000 四(四)1, each rated on its own."""
    LEADERSHIP = "组织领导"
    MEASURES = "措施落实"
    SELF_CHECK = "自查自纠"
    IMPROVEMENT = "总结修正"

    @property
    def key(self) -> str:
        """The prefix of the columns that hold this standard's rating."""
        return self.name.lower()

    @property
    def text(self) -> str:
        return {
            "组织领导": "廉政风险防范管理工作领导重视，制度机制健全，责任分工明确，界定风险准确，"
                    "实施方案能结合自身实际，具有较强的针对性和可操作性。",
            "措施落实": "本单位、本部门廉政风险的前期预防、中期监控、后期处置等各项措施落实到位。"
                    "未出现违规违纪行为，群众满意度高。",
            "自查自纠": "本单位、本部门能够认真自查自纠，自查报告客观真实，查找问题准确，结果运用有效，相关档案齐全。",
            "总结修正": "注意总结和研究廉政风险防范管理工作，不断修正廉政风险内容，完善措施，改进工作。",
        }[self.value]


class InspectionKind(Choice):
    SPECIAL = "专项检查"
    SPOT_CHECK = "每半年抽查"


class InspectionMethod(Choice):
    """检查方法 (several may apply), seed 000 四(四)2②."""
    REPORT = "听取主要领导汇报"
    FORUM = "座谈会"
    TEAM_REVIEW = "督查组评议"
    PUBLIC_REVIEW = "社会评议和民主测评"
    QUESTIONNAIRE = "问卷调查"
    MATERIALS = "检查相关材料"
    RECEIPTS = "查看有关票据"


# ── 后期处置, 廉政档案 ────────────────────────────────────────────────────
class DispositionKind(Choice):
    WARNING = "警示提醒"
    ADMONISHMENT = "诫勉纠错"
    RECTIFICATION = "责令整改"
    ACCOUNTABILITY = "责任追究"
    TO_COMMISSION = "移交纪检监察机关"
    TO_JUDICIARY = "移交司法机关"


class DispositionSource(Choice):
    """Where the matter came from (seed 000 四(二)③c and 中期监控)."""
    REPORT = "群众举报"
    SOCIAL = "社会反映"
    COMPLAINT = "信访投诉"
    APPRAISAL = "民主测评"
    INSPECTION = "风险防范检查"
    NOT_APPLIED = "未落实防范措施"
    OTHER = "组织认为有必要"


class DispositionOutcome(Choice):
    SETTLED = "整改到位予以了结"
    PURSUED = "整改不力予以追究"


class ArchiveEntryKind(Choice):
    """What an integrity archive records besides what the app already knows
    (post duties, risk points, talks, dispositions, assessments)."""
    APPOINTMENT = "职务任免"
    ORGANISATIONAL = "组织处理"
    DISCIPLINARY = "纪律处分"
    DECLARATION = "个人有关事项申报"
    DECLARATION_CHANGE = "个人有关事项变更"
    INCOME = "本人及配偶收入"
    FAMILY_EMPLOYMENT = "配偶、子女从业情况"


class ArchiveReadChannel(Choice):
    """How an archive was read; every read is logged with one of these."""
    LIST = "列表"
    PAGE = "查看"
    PRINT = "打印"
    EXCEL = "导出Excel"
    WORD = "导出Word"
    API_GET = "接口查看"
    API_LIST = "接口列表"
    HISTORY = "查阅修改记录"


# ── 推进计划, 提醒 ────────────────────────────────────────────────────────
class ReminderKind(Choice):
    """What a reminder rule looks for (app.reminders.rules)."""
    SELF_CHECK = "每季度自查"
    SPOT_CHECK = "每半年抽查"
    TALK = "年度廉政谈话"
    PLAN = "推进计划报送"
    WAITING = "审核滞留"
    NOTICE = "整改通知期限"
    WARNING = "预警处置"        # app.monitoring: warnings unhandled too long or past their deadline
    FORM_STEP = "登记表流转"   # sent by each workflow step (app.workflow.notify), not by a schedule


class DeliveryStatus(Choice):
    PENDING = "待发送"
    SENT = "已发送"
    RETRYING = "待重试"
    FAILED = "发送失败"
    NO_EMAIL = "无邮箱"


class MessageStatus(Choice):
    READ = "已读"
    UNREAD = "未读"


class SelfCheckStatus(Choice):
    FILED = "已报送"
    NOT_FILED = "未报送"


class NoticeStatus(Choice):
    OPEN = "整改中"
    OVERDUE = "逾期未了结"
    CLOSED = "已了结"


class PlanState(Choice):
    """A unit's state under one deliverable of the plan."""
    SUBMITTED = "已报送"
    LATE = "逾期报送"
    OVERDUE = "逾期未报"
    NOT_DUE = "未到期"


# The colour each status is shown in (a Bootstrap context class): red for what needs someone.
COLOURS = {
    DeliveryStatus.SENT: "success", DeliveryStatus.RETRYING: "warning", DeliveryStatus.FAILED: "danger",
    MessageStatus.UNREAD: "info",
    SelfCheckStatus.FILED: "success", SelfCheckStatus.NOT_FILED: "danger",
    NoticeStatus.OPEN: "warning", NoticeStatus.OVERDUE: "danger", NoticeStatus.CLOSED: "success",
    PlanState.SUBMITTED: "success", PlanState.LATE: "warning", PlanState.OVERDUE: "danger",
}


def colour_of(status) -> str:
    """The colour of a status member; "" for one shown plainly, or for bare text."""
    for kind in (DeliveryStatus, MessageStatus, SelfCheckStatus, NoticeStatus, PlanState):
        if isinstance(status, kind):
            return COLOURS.get(status, "")
    return ""


# ── 长效机制: 风险监测, 预警纠错 (app.monitoring) ─────────────────────────
class SignalSource(Choice):
    """监测信息的来源 (seed 000 中期监控: 行政投诉、信访举报, 述职述廉, 民主生活会, 党风廉政监督员座谈会,
    民主测评, 座谈会和明察暗访, 个人申报事项核实; 领导小组的抽查)."""
    PETITION = "信访举报"
    COMPLAINT = "行政投诉"
    APPRAISAL = "民主测评"
    DEBRIEF = "述职述廉"
    LIFE_MEETING = "民主生活会"
    SUPERVISORS = "监督员座谈会"
    UNANNOUNCED = "明察暗访"
    INSPECTION = "专项检查/抽查发现"
    DECLARATION = "个人事项申报核实"
    AUDIT = "审计"
    OTHER = "其他"

    @property
    def confidential(self) -> bool:
        """Read only by those holding ``roles.PETITION`` (the commission and the office)."""
        return self is SignalSource.PETITION

    @property
    def disposition_source(self) -> "DispositionSource":
        """The 问题来源 of the 后期处置 a warning from this source leads to."""
        return {
            SignalSource.PETITION: DispositionSource.REPORT, SignalSource.COMPLAINT: DispositionSource.COMPLAINT,
            SignalSource.APPRAISAL: DispositionSource.APPRAISAL, SignalSource.INSPECTION: DispositionSource.INSPECTION,
            SignalSource.AUDIT: DispositionSource.INSPECTION, SignalSource.DEBRIEF: DispositionSource.SOCIAL,
            SignalSource.LIFE_MEETING: DispositionSource.SOCIAL, SignalSource.SUPERVISORS: DispositionSource.SOCIAL,
            SignalSource.UNANNOUNCED: DispositionSource.SOCIAL,
        }.get(self, DispositionSource.OTHER)


class Verification(Choice):
    """核实情况 of a signal; only 属实 and 部分属实 count towards a warning."""
    PENDING = "待核实"
    TRUE = "属实"
    PARTLY = "部分属实"
    UNFOUNDED = "不属实"

    @classmethod
    def verified(cls) -> list[str]:
        return [cls.TRUE.value, cls.PARTLY.value]


class CheckResult(Choice):
    """措施落实: the quarterly check of one measure."""
    DONE = "已落实"
    PARTLY = "部分落实"
    NOT_DONE = "未落实"


class WarningColour(Choice):
    """预警颜色, matching the three risk levels and who watches them (DESIGN step 9)."""
    RED = "红色"
    AMBER = "黄色"
    BLUE = "蓝色"

    @property
    def level(self) -> RiskLevel:
        return {"红色": RiskLevel.FIRST, "黄色": RiskLevel.SECOND, "蓝色": RiskLevel.THIRD}[self.value]

    @property
    def label(self) -> str:
        return f"{self.value}预警"

    @property
    def css(self) -> str:
        """The colour drawn on pages and charts."""
        return {"红色": "#c0392b", "黄色": "#e6a100", "蓝色": "#2e86c1"}[self.value]

    @property
    def handled_by(self) -> str:
        """Who handles it, in the words of the levels' 监控主体."""
        return self.level.monitor


class WarningState(Choice):
    OPEN = "待处置"
    HANDLING = "处置中"
    CLOSED = "已了结"


class WarningRuleKind(Choice):
    """What a warning rule can look for: each kind is one evaluation of
    ``app.monitoring.rules`` with the parameters it needs."""
    MEASURE = "风险措施未落实或未检查"
    SIGNAL_ON_RISK = "经核实的监测信息涉及风险"
    REPEATED = "同一人多次经核实的监测信息"
    APPRAISAL = "民主测评满意率偏低"
    NOTICE = "整改通知逾期未了结"
