"""``flask --app run …`` commands: setup, seed, roles."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.audit.trail import acting_as

seed_cli = AppGroup("seed", help="载入演示数据。")


@seed_cli.command("demo")
@click.option("--scale", type=click.Choice(["small", "county", "city"]), default="small",
              help="small：十余个单位；county：约 100 个单位、800 个科室、8000 人；"
                   "city：另加 10 个县（约 1000 个单位、10 万人、50 万风险点、150 万条措施）。")
@click.option("--seed", "seed_value", default=2026, show_default=True, help="随机种子")
def seed_demo(scale, seed_value):
    """载入演示数据：small/county 需为空库；city 在演示县之外批量加入 10 个县。"""
    from seed import demo, scale as bulk
    with acting_as():
        if scale == "city":
            from app.organisation.models import Unit
            from app.extensions import db
            if db.session.query(Unit.id).first() is None:
                demo.load("small", seed_value)
            made = bulk.load(10, seed_value)
            click.echo("已批量载入：" + "，".join(f"{t} {n} 行" for t, n in made.items()))
            return
        made = demo.load(scale, seed_value)
    click.echo(f"已载入演示县：{made['units']} 个单位，{made['people']} 名工作人员。")


@click.command("setup")
def setup_command():
    """应用迁移、同步角色、创建 admin 与 system 账号（部署步骤）。"""
    from app.bootstrap import setup
    made_up = setup(current_app.config.get("ADMIN_PASSWORD"))
    if made_up:
        click.echo(f"已创建管理员 admin，初始密码：{made_up}")
    click.echo("数据库与角色已就绪。")




export_cli = AppGroup("export", help="导出正式表格（Excel）。")


@export_cli.command("catalogue")
@click.option("--unit", "unit_code", required=True, help="单位代码，如 CZJ")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出的 .xlsx 文件")
def export_catalogue(unit_code, out):
    """导出一个单位的职权目录总表、分表和职权目录（含合计）。"""
    from app.catalogue import tables
    from app.exports.xlsx import workbook
    from app.extensions import db
    from app.organisation.models import Unit

    unit = db.session.query(Unit).filter_by(code=unit_code).one_or_none()
    if unit is None:
        raise click.ClickException(f"没有代码为 {unit_code} 的单位。")
    with open(out, "wb") as f:
        f.write(workbook(tables.all_tables(unit)))
    click.echo(f"已导出 {unit.name} 的职权目录：{out}")


@export_cli.command("summary")
@click.option("--unit", "unit_code", help="单位代码；不填则为全县按单位汇总")
@click.option("--round", "round_", type=int, help="年度，默认今年")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出的 .xlsx 文件")
def export_summary(unit_code, round_, out):
    """导出汇总表（附件9 与附件6）。"""
    from datetime import date

    from app.exports.xlsx import workbook
    from app.extensions import db
    from app.organisation.models import Unit
    from app.reports import tables
    from app.reports.summary import Filters

    unit = None
    if unit_code:
        unit = db.session.query(Unit).filter_by(code=unit_code).one_or_none()
        if unit is None:
            raise click.ClickException(f"没有代码为 {unit_code} 的单位。")
    filters = Filters(round=round_ or date.today().year, unit_id=unit.id if unit else None)
    name = unit.name if unit else ""
    grids = [tables.summary_9(filters, "section" if unit else "unit", name), tables.summary_6(filters, name)]
    with open(out, "wb") as f:
        f.write(workbook(grids))
    click.echo(f"已导出{filters.round}年度汇总表：{out}")


@export_cli.command("risks")
@click.option("--round", "round_", type=int, help="年度，默认今年")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出的 .xlsx 文件")
def export_risks(round_, out):
    """导出全部风险点明细（流式写入，适合全市规模）。"""
    from datetime import date

    from app.reports import export
    from app.reports.summary import Filters
    n = export.write(Filters(round=round_ or date.today().year), out)
    click.echo(f"已导出 {n} 个风险点：{out}")


jobs_cli = AppGroup("jobs", help="定时提醒：调度器与单次执行。")


@jobs_cli.command("run")
def jobs_run():
    """运行唯一的调度器（生产环境中单独一个进程）；先补发停机期间错过的提醒。"""
    import time

    from apscheduler.schedulers.blocking import BlockingScheduler

    from app.reminders import scheduler
    app = current_app._get_current_object()
    sched = scheduler.build(app, BlockingScheduler)
    click.echo("调度器已启动（Asia/Shanghai），任务：" + "、".join(j.id for j in sched.get_jobs()))
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        time.sleep(0)


@jobs_cli.command("once")
@click.argument("rule")
def jobs_once(rule):
    """立即执行一条提醒规则一次（RULE 为规则标识，如 self_check）。"""
    from app.reminders import scheduler
    from app.reminders.models import ReminderRule
    from app.extensions import db
    if db.session.query(ReminderRule.id).filter_by(key=rule).first() is None:
        raise click.ClickException(f"没有标识为 {rule} 的提醒规则。")
    made = scheduler.run_once(current_app._get_current_object(), rule)
    click.echo(f"已执行 {rule}：新发出 {made} 条提醒。")


@click.command("verify")
def verify_command():
    """验签：检查每个签字版本、审计日志与档案查阅记录的哈希链；有问题时以非零状态退出。"""
    from app.audit import verify
    report = verify.run()
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise SystemExit(1)


def register(app):
    for command in (seed_cli, setup_command, export_cli, jobs_cli, verify_command):
        app.cli.add_command(command)
    from app.monitoring.cli import watch_cli
    app.cli.add_command(watch_cli)
