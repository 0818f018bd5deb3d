"""推进计划 and reminder rules of a county (the demo county's; ``seed.city`` loads the second's).

The plan is seed 002 附件1 with its years moved so that it began on the last
1 August: its first deliverables are already due (县财政局 handed them in on
time, 县教育局 one of them late, the others not at all), its later ones lie ahead.
"""
from datetime import date, timedelta

from app.enums import ReminderKind
from app.extensions import db
from app.organisation.models import Unit
from app.plan.models import PlanDeliverable, PlanPhase, PlanSubmission
from app.reminders.models import ReminderRule

# (title, start, end, tasks, requirements, [(deliverable, due)]); dates as (year offset, month, day)
PHASES = [
    ("动员部署", (0, 8, 1), (0, 8, 15), "1、成立工作机构。\n2、制定工作方案。\n3、召开动员大会。\n4、搞好宣传和培训。",
     "1、要成立由“一把手”任组长的领导小组及工作机构。\n2、制定的工作方案，要切合单位实际，具有可操作性。\n"
     "3、要于8月15前将工作方案、领导小组和办公室人员名单、联系方式报县纪委。",
     [("工作方案", (0, 8, 15)), ("领导小组和办公室人员名单、联系方式", (0, 8, 15))]),
    ("依法规范职权", (0, 8, 16), (0, 11, 30), "1、全面清理确认权力。\n2、编制职权目录。\n3、绘制权力运行流程图。",
     "各单位将职权目录、权力运行流程图汇编成册，并于11月20前将本单位职权目录（见附件2）报县纪委。",
     [("职权目录（附件2）", (0, 11, 20))]),
    ("排查廉政风险", (0, 12, 1), (1, 3, 31), "1、查找廉政风险点。\n2、评定廉政风险等级。\n3、建立廉政风险信息库。",
     "3月底前，将查找的单位廉政风险、领导班子成员廉政风险报县纪委。",
     [("单位廉政风险、领导班子成员廉政风险", (1, 3, 31))]),
    ("制定防控措施", (1, 4, 1), (1, 6, 30), "各单位根据存在的廉政风险，制定有针对性的防控措施。",
     "1、要针对廉政风险制定“一对一”的防控措施，措施要具体、管用。\n2、6月20日前，将《单位廉政风险登记表》（见附件3）、"
     "《个人岗位廉政风险登记表》（领导班子成员，见附件5）和《廉政风险汇总表》（附件6）报县纪委。",
     [("单位廉政风险登记表、个人岗位廉政风险登记表和廉政风险汇总表", (1, 6, 20))]),
    ("推进权力公开", (1, 7, 1), (1, 8, 31), "1、强化权力公开。\n2、强化科技防控。\n3、强化监督制约。",
     "1、要于8月15日前，依法向社会公开“职权目录”、“权力运行流程图”。同时，公开内部职权行使、廉政风险点及防控措施，"
     "接受干部群众监督。\n2、结合实际，建立完善权力网上公开运行和电子监察系统。",
     [("职权目录、权力运行流程图向社会公开", (1, 8, 15))]),
    ("建立长效机制", (1, 9, 1), (1, 10, 31), "1、建立风险监测机制。\n2、建立预警纠错机制。\n3、建立优化修正机制。",
     "对建立的机制要认真落实，并根据发现的问题，举一反三，切实堵塞漏洞。", []),
    ("总结考核", (1, 11, 1), (1, 12, 20), "各单位进行自查总结，县纪委组织对各单位进行考核检查。",
     "1、各单位将廉政风险防控管理工作开展情况上报县纪委。\n2、县纪委组织对廉政风险防控机制建设情况进行考核。\n"
     "3、各单位根据反馈情况进行完善提高。",
     [("廉政风险防控管理工作开展情况", (1, 12, 20))]),
]

BODY = "{name}：\n以下事项请及时办理（{period}）：\n{items}\n\n——廉政风险防控管理系统"
# (key, name, kind, crontab, lead days, roles, subject)
RULES = [
    ("self_check", "季度自查报送提醒", ReminderKind.SELF_CHECK, "0 9 * * *", 15, "单位管理员、科室负责人",
     "季度自查报告尚未报送（{period}）"),
    ("spot_check", "每半年抽查提醒", ReminderKind.SPOT_CHECK, "0 9 * * 1", 30, "领导小组办公室",
     "本半年尚未组织抽查（{period}）"),
    ("talk", "年度廉政谈话提醒", ReminderKind.TALK, "0 9 1 * *", 60, "分管领导、单位领导",
     "廉政谈话尚未完成（{period}年）"),
    ("plan", "推进计划报送期限提醒", ReminderKind.PLAN, "0 9 * * 1", 7, "单位管理员、领导小组办公室",
     "推进计划材料报送提醒（{period}）"),
    ("waiting", "审核滞留提醒", ReminderKind.WAITING, "0 9 * * 1-5", 7, "科室负责人、分管领导、领导小组办公室、单位领导",
     "登记表审核滞留提醒（{period}）"),
    ("notice", "整改通知期限提醒", ReminderKind.NOTICE, "0 9 * * 1", 14, "单位管理员、单位领导、领导小组办公室",
     "整改通知期限提醒（{period}）"),
]


def _date(start_year: int, at) -> date:
    offset, month, day = at
    return date(start_year + offset, month, day)


def load_rules(county, keys=None, suffix: str = "") -> None:
    """The county's rules (``keys``: only those), each key with ``suffix`` (keys are unique)."""
    for key, name, kind, schedule, lead, role_names, subject in RULES:
        if keys is None or key in keys:
            db.session.add(ReminderRule(county=county, key=key + suffix, name=name, kind=kind.value,
                                        schedule=schedule, lead_days=lead, roles=role_names, subject=subject,
                                        body=BODY, enabled=True))
    db.session.commit()


def load_plan(today: date, county, on_time: str = "CZJ", late: str | None = "JYJ") -> None:
    """The county's plan; unit ``on_time`` handed in what was due, ``late`` its first item late."""
    start_year = today.year if today >= date(today.year, 8, 1) else today.year - 1
    due = []
    for n, (title, start, end, tasks, requirements, deliverables) in enumerate(PHASES, 1):
        phase = PlanPhase(county=county, position=n, title=title, starts_on=_date(start_year, start), ends_on=_date(start_year, end),
                          tasks=tasks, requirements=requirements)
        for name, at in deliverables:
            phase.deliverables.append(PlanDeliverable(name=name, due_on=_date(start_year, at)))
        db.session.add(phase)
        due += phase.deliverables
    db.session.flush()
    units = {u.code: u for u in db.session.query(Unit).filter(Unit.code.in_([on_time, late]))}
    for d in due:
        if d.due_on >= today:
            continue
        if on_time in units:
            db.session.add(PlanSubmission(deliverable=d, unit=units[on_time], submitted_on=d.due_on - timedelta(days=3)))
        if late in units and d is due[0]:
            db.session.add(PlanSubmission(deliverable=d, unit=units[late],
                                          submitted_on=min(d.due_on + timedelta(days=5), today), note="逾期报送"))
    db.session.commit()


def load(today: date, county) -> None:
    load_plan(today, county)
    load_rules(county)
