"""Roles as data: each role's data-scope level and its permissions.

Permissions are (resource, permission) regular-expression pairs, the format
of FAB's built-in roles (``FAB_ROLES``); a page and its REST API share one
resource name, so one grant covers both.  Resource names are stable English
identifiers; menus and pages show Chinese labels.
"""
from dataclasses import dataclass

from app.security.scope import Level

# Resources (a view's or API's ``class_permission_name``) and menu categories.
UNIT, SECTION, POST, PERSON, COUNTY = "Unit", "Section", "Post", "Person", "County"
POWER, CATALOGUE_TABLES = "Power", "CatalogueTables"
RISK_FORM, RISK_CONTENT, RULE, FORM_PAGES, MY_FORMS = "RiskForm", "RiskContent", "Rule", "FormPages", "MyForms"
REPORTS, DASHBOARD = "Reports", "Dashboard"
AUDIT = "AuditLog"
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
ORGANISATION = (UNIT, SECTION, POST, PERSON)
CATALOGUE = (POWER, CATALOGUE_TABLES)
MENUS = (ORGANISATION_MENU, CATALOGUE_MENU, RISK_MENU, "PublicPages")
# Permissions, shared by pages and APIs (see ``scoped_views.METHOD_PERMISSIONS``).
READ, ADD, EDIT, DELETE = "can_read", "can_add", "can_edit", "can_delete"
MENU = "menu_access"


def any_of(*names: str) -> str:
    return "^(" + "|".join(names) + ")$"


def grant(resources, *permissions) -> tuple[str, str]:
    return any_of(*resources), any_of(*permissions)


# Forms and their content: everybody may open the pages; who may write or act
# on a given form is decided by app.workflow.engine (the owner, the reviewer).
REGISTERS = [grant([RISK_FORM, FORM_PAGES, MY_FORMS], READ, EDIT, MENU),
             grant([RISK_CONTENT], READ, ADD, EDIT, DELETE, MENU)]

# The summaries and exports, for everyone who looks beyond his own records.
REPORTING = [grant([REPORTS], READ, MENU), grant([REPORT_MENU, DASHBOARD], MENU)]

# Archives are narrower than the data scope (app.archives.access): these roles
# read the archives in their scope, everybody else only his own.
ARCHIVE_READERS = ("领导小组办公室", "纪委监察")
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


def _reader(*resources):
    return [grant(resources, READ, MENU), grant(MENUS, MENU)] + REGISTERS


def _keeper(*resources):
    return [grant(resources, READ, ADD, EDIT, DELETE, MENU), grant(MENUS, MENU)] + REGISTERS


# 考核, 后期处置, 廉政谈话, 廉政档案 (app.assessment, app.archives), role by role.
ALL = (READ, ADD, EDIT, DELETE, MENU)
OFFICE_OVERSIGHT = [
    grant([*SELF_CHECKS, *TALKS, ARCHIVE], READ, MENU),
    grant([INSPECTION, ASSESSMENT, *NOTICES, DISPOSITION], *ALL),
    grant([ASSESSMENT_MENU, ARCHIVE_MENU], MENU),
    grant([PLAN, PLAN_DELIVERABLES, PLAN_SUBMISSION, REMINDER_RULE], *ALL),
    grant([PLAN_STATUS, PLAN_OVERDUE, PLAN_MENU, REMINDER_JOBS], MENU), grant([DELIVERY], READ, MENU),
]
# The plan as the units see it: read the plan, record and read their own unit's submissions.
PLAN_READER = [grant([PLAN, PLAN_DELIVERABLES], READ, MENU), grant([PLAN_SUBMISSION], READ, MENU),
               grant([PLAN_STATUS, PLAN_OVERDUE, PLAN_MENU], MENU)]
PLAN_KEEPER = [grant([PLAN, PLAN_DELIVERABLES], READ, MENU), grant([PLAN_SUBMISSION], *ALL),
               grant([PLAN_STATUS, PLAN_OVERDUE, PLAN_MENU], MENU)]
COMMISSION_OVERSIGHT = [
    grant([*SELF_CHECKS, ASSESSMENT, *TALKS, ARCHIVE_READS], READ, MENU),
    grant([*NOTICES], READ, EDIT, MENU),               # 跟踪回访; the office closes a notice
    grant([INSPECTION, DISPOSITION], *ALL),
    grant([ARCHIVE], READ, ADD, EDIT, MENU),           # keeps the archives
    grant([ASSESSMENT_MENU, ARCHIVE_MENU], MENU),
]
UNIT_OVERSIGHT = [grant([ASSESSMENT, *NOTICES, DISPOSITION], READ, MENU), grant([*TALKS], *ALL),
                  grant([ASSESSMENT_MENU], MENU)] + ARCHIVE_OWN

ROLES: dict[str, RoleDef] = {
    "系统管理员": RoleDef(Level.ALL, [(".*", ".*")], "维护系统、账号与权限"),
    "领导小组办公室": RoleDef(Level.COUNTY, _keeper(*ORGANISATION, COUNTY, *CATALOGUE, RULE) + REPORTING + [
        grant([AUDIT], READ, MENU), grant([SYSTEM_MENU], MENU),
    ] + OFFICE_OVERSIGHT, "维护职权目录，推进审核，考核各单位"),
    "纪委监察": RoleDef(Level.COUNTY, _reader(*ORGANISATION, COUNTY, *CATALOGUE, RULE) + REPORTING
                     + COMMISSION_OVERSIGHT + PLAN_READER, "查阅全县数据，专项检查与抽查，廉政档案"),
    "单位管理员": RoleDef(Level.UNIT, _keeper(SECTION, POST, PERSON, *CATALOGUE, RULE) + REPORTING + [
        grant([UNIT], READ, EDIT, MENU), grant([*SELF_CHECKS], *ALL),
    ] + UNIT_OVERSIGHT + PLAN_KEEPER, "维护本单位数据"),
    "单位领导": RoleDef(Level.UNIT, _reader(*ORGANISATION, *CATALOGUE, RULE) + REPORTING + [
        grant([*SELF_CHECKS], READ, MENU),
    ] + UNIT_OVERSIGHT + PLAN_READER, "本单位领导班子"),
    "分管领导": RoleDef(Level.SECTIONS, _reader(*ORGANISATION, *CATALOGUE, RULE) + REPORTING + [
        grant([*SELF_CHECKS, DISPOSITION], READ, MENU), grant([*TALKS], *ALL), grant([ASSESSMENT_MENU], MENU),
    ] + ARCHIVE_OWN, "分管若干科室"),
    "科室负责人": RoleDef(Level.SECTIONS, _reader(*ORGANISATION, *CATALOGUE) + REPORTING + [
        grant([POST, PERSON], EDIT), grant([RULE], READ, ADD, EDIT, DELETE, MENU),
        grant([*SELF_CHECKS], *ALL), grant([DISPOSITION], READ, MENU), grant([ASSESSMENT_MENU], MENU),
    ] + ARCHIVE_OWN, "本科室负责人"),
    "工作人员": RoleDef(Level.SELF, _reader(UNIT, SECTION, PERSON, *CATALOGUE, RULE) + ARCHIVE_OWN, "本人"),
}
ADMIN_ROLE = "系统管理员"


def fab_roles() -> dict[str, list[tuple[str, str]]]:
    """``FAB_ROLES``: FAB checks these in memory, no permission rows needed."""
    return {name: role.permissions + EVERY_LOGIN for name, role in ROLES.items()}
