"""Roles as data: each role's data-scope level and its permissions.

Permissions are (resource, permission) regular-expression pairs, the format
of FAB's built-in roles (``FAB_ROLES``); a page and its REST API share one
resource name, so one grant covers both.  Resource names are stable English
identifiers; menus and pages show Chinese labels.
"""
import re
from dataclasses import dataclass

from app.security.scope import Level, Sections

# Resources (a view's or API's ``class_permission_name``) and menu categories.
UNIT, SECTION, POST, PERSON, COUNTY = "Unit", "Section", "Post", "Person", "County"
CITY = "City"
POWER, CATALOGUE_TABLES = "Power", "CatalogueTables"
RISK_FORM, RISK_CONTENT, RULE, FORM_PAGES, MY_FORMS = "RiskForm", "RiskContent", "Rule", "FormPages", "MyForms"
REVIEW_FLOW = "ReviewFlow"   # each county's review flows (app.workflow.configure): its office edits them
REPORTS, DASHBOARD = "Reports", "Dashboard"
AUDIT, VERIFICATION = "AuditLog", "Verification"
SELF_CHECK, INSPECTION, ASSESSMENT, NOTICE = "SelfCheck", "Inspection", "Assessment", "RectificationNotice"
DISPOSITION, TALK, ARCHIVE, ARCHIVE_READS = "Disposition", "IntegrityTalk", "IntegrityArchive", "ArchiveRead"
SELF_CHECK_FILING, OVERDUE_NOTICES, TALKS_OWED = "SelfCheckFiling", "OverdueNotices", "TalksOwed"  # menu links
SELF_CHECKS, NOTICES, TALKS = (SELF_CHECK, SELF_CHECK_FILING), (NOTICE, OVERDUE_NOTICES), (TALK, TALKS_OWED)
ORGANISATION_MENU, CATALOGUE_MENU, RISK_MENU, SYSTEM_MENU = "Organisation", "Catalogue", "Risks", "System"
REPORT_MENU = "ReportsMenu"
ASSESSMENT_MENU, ARCHIVE_MENU = "AssessmentMenu", "ArchivesMenu"
# 推进计划 and reminders (app.plan, app.reminders).
PLAN, PLAN_DELIVERABLES, PLAN_SUBMISSION = "RolloutPlan", "PlanDeliverables", "PlanSubmission"
PLAN_STATUS, PLAN_OVERDUE, PLAN_MENU = "PlanStatus", "PlanOverdue", "PlanMenu"   # menu links, the menu
REMINDER_RULE, REMINDER_JOBS, DELIVERY, MESSAGE = "ReminderRule", "ReminderJobs", "ReminderDelivery", "Message"
REMINDER_MENU = "RemindersMenu"
# 从 Excel 导入 (app.imports): a unit's 花名册 and risk registers, by those who keep its data.
IMPORTS = "DataImport"
ORGANISATION = (UNIT, SECTION, POST, PERSON)
CATALOGUE = (POWER, CATALOGUE_TABLES)
MENUS = (ORGANISATION_MENU, CATALOGUE_MENU, RISK_MENU, "PublicPages")
# Permissions, shared by pages and APIs (see ``scoped_views.METHOD_PERMISSIONS``).
READ, ADD, EDIT, DELETE = "can_read", "can_add", "can_edit", "can_delete"
MENU = "menu_access"
# The city level's roles (the county roles are the keys of ROLES below).
CITY_COMMISSION, CITY_OFFICE = "市纪委监委", "市领导小组办公室"
# On PERSON: set a person's placement (unit, section, post).  Only those who keep
# the organisation hold it; others who may edit a person edit everything else.
PLACE = "can_place"

# Actions: named permissions beside the data ones, checked through :func:`may`
# by the workflow engine, the services, the pages, the API and the to-do list.
# Who reviews a register at a stage (app.workflow.flows.Actor) — on RISK_FORM:
REVIEW_AS_SECTION_HEAD, REVIEW_AS_SUPERVISOR = "can_review_as_section_head", "can_review_as_supervisor"
REVIEW_AS_OFFICE, REVIEW_AS_LEADERSHIP = "can_review_as_office", "can_review_as_leadership"
CLOSE_NOTICE_PERIOD = "can_review_as_unit_admin"     # 科室/单位内部公示期满
PUBLISH = "can_publish"                               # 公示 / 撤销公示 (RISK_FORM)
DECLINE = "can_decline"                               # the owner, at 确认签字: not sign, send back (RISK_FORM)
FILE = "can_file"                                     # 报送 a self-check (SELF_CHECK)
SAMPLE = "can_sample"                                 # 抽取样本 (INSPECTION)
VISIT, CLOSE = "can_visit", "can_close"               # 跟踪回访, 了结 (NOTICE)
RESEND = "can_resend"                                 # 重新发送 a failed reminder (DELIVERY); told of failures


def any_of(*names: str) -> str:
    return "^(" + "|".join(names) + ")$"


def grant(resources, *permissions) -> tuple[str, str]:
    return any_of(*resources), any_of(*permissions)


# Forms and their content: everybody may open the pages and write his own form
# (the owner rule is app.risks.content); reviewing takes one of the actions.
REGISTERS = [grant([RISK_FORM, FORM_PAGES, MY_FORMS], READ, EDIT, MENU),
             grant([RISK_CONTENT], READ, ADD, EDIT, DELETE, MENU), grant([RISK_FORM], DECLINE)]


def acts(*actions):
    return [grant([RISK_FORM], *actions)]


# The summaries and exports, for everyone who looks beyond his own records.
REPORTING = [grant([REPORTS], READ, MENU), grant([REPORT_MENU, DASHBOARD], MENU)]

# Archives are narrower than the data scope (app.archives.access): these roles
# read the archives in their scope, everybody else only his own.
ARCHIVE_READERS = ("领导小组办公室", "纪委监察", CITY_COMMISSION, CITY_OFFICE)


def reads_archives(user) -> bool:
    """Whether ``user`` reads the archives of his scope (not only his own)."""
    names = {r.name for r in user.roles}
    return ADMIN_ROLE in names or bool(set(ARCHIVE_READERS) & names)
ARCHIVE_OWN = [grant([ARCHIVE], READ, MENU), grant([ARCHIVE_MENU], MENU)]

# What every login may do: its own account, its messages, and read the API's documentation.
EVERY_LOGIN = [
    grant([MESSAGE], READ, MENU), grant([REMINDER_MENU], MENU),
    ("^OpenApi$", "^can_get$"), ("^SwaggerView$", "^can_show$"),
    ("^UserDBModelView$", any_of("can_userinfo", "resetmypassword", "userinfoedit")),
    (any_of("ResetMyPasswordView", "UserInfoEditView"),
     any_of("can_this_form_get", "can_this_form_post")),
]


@dataclass(frozen=True)
class RoleDef:
    level: Level
    permissions: list[tuple[str, str]]
    description: str = ""
    sections: Sections = Sections.NONE   # for level SECTIONS: which sections


def _reader(*resources):
    return [grant(resources, READ, MENU), grant(MENUS, MENU)] + REGISTERS


def _keeper(*resources):
    return [grant(resources, READ, ADD, EDIT, DELETE, MENU), grant(MENUS, MENU)] + REGISTERS


# 考核, 后期处置, 廉政谈话, 廉政档案 (app.assessment, app.archives), role by role.
ALL = (READ, ADD, EDIT, DELETE, MENU)
OFFICE_OVERSIGHT = [
    grant([*SELF_CHECKS, *TALKS, ARCHIVE], READ, MENU),
    grant([INSPECTION, ASSESSMENT, *NOTICES, DISPOSITION], *ALL),
    grant([INSPECTION], SAMPLE), grant([NOTICE], VISIT, CLOSE),
    grant([ASSESSMENT_MENU, ARCHIVE_MENU], MENU),
    grant([PLAN, PLAN_DELIVERABLES, PLAN_SUBMISSION, REMINDER_RULE], *ALL),
    grant([PLAN_STATUS, PLAN_OVERDUE, PLAN_MENU, REMINDER_JOBS], MENU), grant([DELIVERY], READ, RESEND, MENU),
]
# The plan as the units see it: read the plan, record and read their own unit's submissions.
PLAN_READER = [grant([PLAN, PLAN_DELIVERABLES], READ, MENU), grant([PLAN_SUBMISSION], READ, MENU),
               grant([PLAN_STATUS, PLAN_OVERDUE, PLAN_MENU], MENU)]
PLAN_KEEPER = [grant([PLAN, PLAN_DELIVERABLES], READ, MENU), grant([PLAN_SUBMISSION], *ALL),
               grant([PLAN_STATUS, PLAN_OVERDUE, PLAN_MENU], MENU)]
COMMISSION_OVERSIGHT = [
    grant([*SELF_CHECKS, ASSESSMENT, *TALKS, ARCHIVE_READS], READ, MENU),
    grant([*NOTICES], READ, MENU), grant([NOTICE], VISIT),   # 跟踪回访; the office closes a notice
    grant([INSPECTION, DISPOSITION], *ALL), grant([INSPECTION], SAMPLE),
    grant([ARCHIVE], READ, ADD, EDIT, MENU),           # keeps the archives
    grant([ASSESSMENT_MENU, ARCHIVE_MENU], MENU),
]
UNIT_OVERSIGHT = [grant([ASSESSMENT, *NOTICES, DISPOSITION], READ, MENU), grant([*TALKS], *ALL),
                  grant([ASSESSMENT_MENU], MENU)] + ARCHIVE_OWN

# The city level reads every county of its city and writes nothing in them:
# county records, forms and reviews stay the counties' own.
CITY_READS = [
    grant([*ORGANISATION, COUNTY, *CATALOGUE, RULE, RISK_FORM, FORM_PAGES, RISK_CONTENT, REPORTS,
           *SELF_CHECKS, INSPECTION, ASSESSMENT, *NOTICES, DISPOSITION, *TALKS, ARCHIVE,
           PLAN, PLAN_DELIVERABLES, PLAN_SUBMISSION], READ, MENU),
    grant([*MENUS, REPORT_MENU, DASHBOARD, ASSESSMENT_MENU, ARCHIVE_MENU, PLAN_STATUS, PLAN_OVERDUE, PLAN_MENU],
          MENU),
]

ROLES: dict[str, RoleDef] = {
    # everything but reviewing: the administrator keeps the system, not the programme
    "系统管理员": RoleDef(Level.ALL, [(".*", "^(?!can_review_as_).*$")], "维护系统、账号与权限"),
    CITY_COMMISSION: RoleDef(Level.CITY, CITY_READS + [grant([ARCHIVE_READS], READ, MENU)],
                             "查阅全市各县数据，不改动县里的记录"),
    CITY_OFFICE: RoleDef(Level.CITY, CITY_READS + [grant([REMINDER_RULE, DELIVERY], READ, MENU),
                                               grant([REMINDER_JOBS], MENU)],
                         "查阅全市各县的推进与汇总，不改动县里的记录"),
    "领导小组办公室": RoleDef(Level.COUNTY, _keeper(*ORGANISATION, *CATALOGUE, RULE) + REPORTING + [
        grant([AUDIT, VERIFICATION], READ, MENU), grant([SYSTEM_MENU], MENU),
        grant([COUNTY], READ, MENU), grant([PERSON], PLACE),
        grant([IMPORTS], READ, ADD, MENU),
    ] + OFFICE_OVERSIGHT + acts(REVIEW_AS_OFFICE, PUBLISH), "维护职权目录，推进审核，考核各单位"),
    "纪委监察": RoleDef(Level.COUNTY, _reader(*ORGANISATION, COUNTY, *CATALOGUE, RULE) + REPORTING + [
        grant([VERIFICATION], READ, MENU), grant([SYSTEM_MENU], MENU),
    ] + COMMISSION_OVERSIGHT + PLAN_READER, "查阅全县数据，专项检查与抽查，廉政档案"),
    "单位管理员": RoleDef(Level.UNIT, _keeper(SECTION, POST, PERSON, *CATALOGUE, RULE) + REPORTING + [
        grant([UNIT], READ, EDIT, MENU), grant([*SELF_CHECKS], *ALL), grant([SELF_CHECK], FILE),
        grant([PERSON], PLACE), grant([IMPORTS], READ, ADD, MENU),
    ] + UNIT_OVERSIGHT + PLAN_KEEPER + acts(CLOSE_NOTICE_PERIOD, PUBLISH), "维护本单位数据"),
    "单位领导": RoleDef(Level.UNIT, _reader(*ORGANISATION, *CATALOGUE, RULE) + REPORTING + [
        grant([*SELF_CHECKS], READ, MENU),
    ] + UNIT_OVERSIGHT + PLAN_READER + acts(REVIEW_AS_LEADERSHIP), "本单位领导班子"),
    "分管领导": RoleDef(Level.SECTIONS, _reader(*ORGANISATION, *CATALOGUE, RULE) + REPORTING + [
        grant([*SELF_CHECKS, DISPOSITION], READ, MENU), grant([*TALKS], *ALL), grant([ASSESSMENT_MENU], MENU),
    ] + ARCHIVE_OWN + acts(REVIEW_AS_SUPERVISOR), "分管若干科室", Sections.SUPERVISED),
    "科室负责人": RoleDef(Level.SECTIONS, _reader(*ORGANISATION, *CATALOGUE) + REPORTING + [
        grant([POST, PERSON], EDIT), grant([RULE], READ, ADD, EDIT, DELETE, MENU),
        grant([*SELF_CHECKS], *ALL), grant([SELF_CHECK], FILE), grant([DISPOSITION], READ, MENU),
        grant([ASSESSMENT_MENU], MENU),
    ] + ARCHIVE_OWN + acts(REVIEW_AS_SECTION_HEAD), "本科室负责人", Sections.OWN),
    "工作人员": RoleDef(Level.SELF, _reader(UNIT, SECTION, PERSON, *CATALOGUE, RULE) + ARCHIVE_OWN, "本人"),
}
ADMIN_ROLE = "系统管理员"
# A role composed in the UI (系统管理 → 角色) gets the permissions ticked for it,
# over its login's own records; a wider scope comes only with a role above.
CUSTOM_ROLE_LEVEL = Level.SELF

# 长效机制 (app.monitoring): 监测信息, 措施落实, 预警 and 预警规则, the 廉情 picture, the yearly rounds.
# 信访举报 (and who reported them) are read only by holders of PETITION; a warning is handled only by
# holders of its colour's resource (红 纪委监察, 黄 领导小组办公室 for 效能监察, 蓝 the unit's leaders).
SIGNAL, PETITION, MEASURE_CHECK, WARNING_RULE, WARNING = "Signal", "PetitionSignal", "MeasureCheck", "WarningRule", "Warning"
WARNING_RED, WARNING_AMBER, WARNING_BLUE = "RedWarning", "AmberWarning", "BlueWarning"
PICTURE, ROUNDS, WATCH_MENU = "IntegrityPicture", "RiskRounds", "WatchMenu"
WARNINGS_OVERDUE, QUARTER_CHECKS = "OverdueWarnings", "QuarterChecks"   # menu links
HANDLE = "can_handle"
_WATCH_READ = [grant([WARNING, PICTURE, ROUNDS], READ, MENU), grant([WATCH_MENU, WARNINGS_OVERDUE, QUARTER_CHECKS], MENU)]
WATCH_GRANTS = {
    "领导小组办公室": [grant([SIGNAL, MEASURE_CHECK, WARNING_RULE], *ALL), grant([PETITION], READ),
                grant([WARNING], READ, EDIT, MENU), grant([WARNING_AMBER], HANDLE),
                grant([ROUNDS], READ, ADD, MENU)] + _WATCH_READ,
    "纪委监察": [grant([SIGNAL], *ALL), grant([PETITION], READ), grant([MEASURE_CHECK, WARNING_RULE], READ, MENU),
             grant([WARNING], READ, EDIT, MENU), grant([WARNING_RED], HANDLE)] + _WATCH_READ,
    "单位管理员": [grant([SIGNAL], READ, ADD, EDIT, MENU), grant([MEASURE_CHECK], *ALL)] + _WATCH_READ,
    "单位领导": [grant([SIGNAL], READ, ADD, MENU), grant([MEASURE_CHECK], READ, MENU),
             grant([WARNING], READ, EDIT, MENU), grant([WARNING_BLUE], HANDLE)] + _WATCH_READ,
    "分管领导": [grant([SIGNAL, MEASURE_CHECK], READ, MENU)] + _WATCH_READ,
    "科室负责人": [grant([SIGNAL], READ, MENU), grant([MEASURE_CHECK], READ, ADD, EDIT, MENU)] + _WATCH_READ,
    "工作人员": [grant([WARNING, ROUNDS], READ, MENU), grant([WATCH_MENU], MENU)],
}
for _name, _grants in WATCH_GRANTS.items():
    ROLES[_name].permissions.extend(_grants)
# The city level reads what every county watches (信访举报 too, as a commission and an office), handles nothing.
for _name in (CITY_COMMISSION, CITY_OFFICE):
    ROLES[_name].permissions.extend([
        grant([PETITION], READ), grant([SIGNAL, MEASURE_CHECK, WARNING_RULE, WARNING, PICTURE, ROUNDS], READ, MENU),
        grant([WATCH_MENU, WARNINGS_OVERDUE, QUARTER_CHECKS], MENU)])


# Review flows (app.workflow.configure): each county's office edits its own; the commission and the city read them.
FLOW_GRANTS = {"领导小组办公室": [grant([REVIEW_FLOW], READ, EDIT, MENU)], "纪委监察": [grant([REVIEW_FLOW], READ, MENU)],
               CITY_COMMISSION: [grant([REVIEW_FLOW], READ, MENU)], CITY_OFFICE: [grant([REVIEW_FLOW], READ, MENU)]}
for _name, _grants in FLOW_GRANTS.items():
    ROLES[_name].permissions.extend(_grants)


def fab_roles() -> dict[str, list[tuple[str, str]]]:
    """``FAB_ROLES``: FAB checks these in memory, no permission rows needed."""
    return {name: role.permissions + EVERY_LOGIN for name, role in ROLES.items()}


def may(user, resource: str, permission: str) -> bool:
    """Whether any of ``user``'s roles holds ``permission`` on ``resource``: the
    roles above as declared here, a role composed in the UI by its permission rows."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    for role in user.roles:
        if role.name in ROLES:
            if any(re.match(r, resource) and re.match(p, permission) for r, p in ROLES[role.name].permissions):
                return True
        elif any(pv.permission.name == permission and pv.view_menu.name == resource for pv in role.permissions):
            return True
    return False
