"""``flask --app run …`` commands: setup, seed, export, jobs, verify, backup, restore."""
import os

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

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




export_cli = AppGroup("export", help="导出正式表格（Excel 或 Word，按 --out 的扩展名）。")


def _write(grids, out) -> None:
    """The grids as .xlsx or .docx, as ``out``'s ending says."""
    from app.exports.download import FORMATS, render
    fmt = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    if fmt not in FORMATS:
        raise click.ClickException("--out 须以 .xlsx 或 .docx 结尾。")
    with open(out, "wb") as f:
        f.write(render(grids, fmt))


@export_cli.command("form")
@click.option("--id", "form_id", required=True, type=int, help="登记表编号")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出的 .xlsx 或 .docx 文件")
def export_form(form_id, out):
    """导出一张登记表的全部纸质表格（签字版本按签字时的内容）。"""
    from app.extensions import db
    from app.risks import documents
    from app.risks.models import RiskForm
    form = db.session.get(RiskForm, form_id)
    if form is None:
        raise click.ClickException(f"没有编号为 {form_id} 的登记表。")
    _write(documents.paper(form)[0], out)
    click.echo(f"已导出 {form}：{out}")


@export_cli.command("plan")
@click.option("--county", "county_code", help="县的代码；不填则每个县一张")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出的 .xlsx 或 .docx 文件")
def export_plan(county_code, out):
    """导出推进计划表（002 附件1）。"""
    from sqlalchemy import select

    from app.extensions import db
    from app.organisation.models import County
    from app.papers import s002_a1_plan
    query = select(County).order_by(County.id)
    counties = db.session.scalars(query.where(County.code == county_code) if county_code else query).all()
    if not counties:
        raise click.ClickException(f"没有代码为 {county_code} 的县。")
    _write(s002_a1_plan.grids(counties), out)
    click.echo(f"已导出推进计划表：{out}")


@export_cli.command("catalogue")
@click.option("--unit", "unit_code", required=True, help="单位代码，如 CZJ")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出的 .xlsx 或 .docx 文件")
def export_catalogue(unit_code, out):
    """导出一个单位的职权目录总表、分表和职权目录（含合计）。"""
    from app.catalogue import tables
    from app.extensions import db
    from app.organisation.models import Unit

    unit = db.session.query(Unit).filter_by(code=unit_code).one_or_none()
    if unit is None:
        raise click.ClickException(f"没有代码为 {unit_code} 的单位。")
    _write(tables.all_tables(unit), out)
    click.echo(f"已导出 {unit.name} 的职权目录：{out}")


@export_cli.command("summary")
@click.option("--unit", "unit_code", help="单位代码；不填则为全县按单位汇总")
@click.option("--round", "round_", type=int, help="年度，默认今年")
@click.option("--stage", default="approved", show_default=True,
              help="统计哪一审核状态的登记表：环节标识（approved 为审核确定），all 为全部状态（含草稿）")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出的 .xlsx 或 .docx 文件")
def export_summary(unit_code, round_, stage, out):
    """导出汇总表（附件9 与附件6）。"""
    from datetime import date

    from app.extensions import db
    from app.organisation.models import Unit
    from app.reports import tables
    from app.reports.summary import ALL_STAGES, Filters

    unit = None
    if unit_code:
        unit = db.session.query(Unit).filter_by(code=unit_code).one_or_none()
        if unit is None:
            raise click.ClickException(f"没有代码为 {unit_code} 的单位。")
    filters = Filters(round=round_ or date.today().year, unit_id=unit.id if unit else None,
                      stage=None if stage == ALL_STAGES else stage)
    name = unit.name if unit else ""
    grids = [tables.summary_9(filters, "section" if unit else "unit", name), tables.summary_6(filters, name)]
    _write(grids, out)
    click.echo(f"已导出{filters.round}年度汇总表：{out}")


@export_cli.command("risks")
@click.option("--round", "round_", type=int, help="年度，默认今年")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="输出的 .xlsx 文件")
def export_risks(round_, out):
    """导出全部风险点明细（流式写入，适合全市规模）。"""
    from datetime import date

    from app.reports import export
    from app.reports.summary import ALL_STAGES, Filters
    n = export.write(Filters(round=round_ or date.today().year), out)
    click.echo(f"已导出 {n} 个风险点：{out}")


jobs_cli = AppGroup("jobs", help="定时提醒：调度器与单次执行。")


@jobs_cli.command("run")
def jobs_run():
    """运行调度器进程：持有数据库租约时为活动调度器（先补发停机期间错过的提醒），否则待命；
    可在多台机器上各运行一个，活动者停止后另一个在一个租约期内接替。"""
    import signal

    from app.reminders import scheduler
    runner = scheduler.Runner(current_app._get_current_object(), echo=click.echo)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    try:
        runner.run()
    except KeyboardInterrupt:
        runner.stop()


@jobs_cli.command("once")
@click.argument("rule")
def jobs_once(rule):
    """立即执行一条提醒规则一次（RULE 为规则标识，如 self_check）。"""
    from app.reminders import scheduler
    from app.reminders.models import ReminderRule
    from app.extensions import db
    if db.session.query(ReminderRule.id).filter_by(key=rule).first() is None:
        raise click.ClickException(f"没有标识为 {rule} 的提醒规则。")
    outcome = scheduler.run_once(current_app._get_current_object(), rule)
    click.echo(f"已执行 {rule}：{outcome}。")


@click.command("verify")
def verify_command():
    """验签：检查每个签字版本、审计日志与档案查阅记录的哈希链；有问题时以非零状态退出。"""
    from app.audit import verify
    report = verify.run()
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise SystemExit(1)


@click.command("recount")
def recount_command():
    """重新统计汇总表数字（数据库被绕过程序直接修改之后）：先列出不符之处，再全部重算。"""
    from app.extensions import db
    from app.reports import figures
    found = figures.differences(db.session)
    for line in found:
        click.echo(line)
    figures.rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"汇总数字已重新统计（此前不符 {len(found)} 处）。" if found else "汇总数字与重新统计一致，已重新统计。")


def _fail(message: str):
    """A refusal in Chinese on stderr and exit code 1 (click's own says "Error:")."""
    click.echo(f"错误：{message}", err=True)
    raise click.exceptions.Exit(1)


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="备份文件")
@with_appcontext
def backup_command(out):
    """备份整个数据库（含自查报告附件）：SQLite 用在线备份，PostgreSQL 用 pg_dump -Fc。"""
    from app import backup
    from app.extensions import db
    try:
        kind = backup.backup(db.engine, out)
    except backup.BackupError as e:
        _fail(str(e))
    click.echo(f"已备份（{'SQLite 在线备份' if kind == 'sqlite' else 'pg_dump 自定义格式'}）：{out}，"
               f"{os.path.getsize(out):,} 字节。")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已有数据的数据库")
@with_appcontext
def restore_command(file, force):
    """用 backup 生成的文件替换整个数据库；目标库已有数据时须加 --force。
    恢复前请停止网站与调度器进程。"""
    from alembic.script import ScriptDirectory

    from app import backup
    from app.extensions import db
    migrations = current_app.extensions["migrate"]
    scripts = ScriptDirectory.from_config(migrations.migrate.get_config(migrations.directory))
    known = {s.revision for s in scripts.walk_revisions()}
    try:
        revision = backup.restore(db.engine, file, force=force, known_revisions=known)
    except backup.BackupError as e:
        _fail(str(e))
    click.echo(f"已从 {file} 恢复数据库（数据库版本 {revision}）。")
    if revision not in scripts.get_heads():
        click.echo("备份来自较早的版本：请运行 flask --app run db upgrade。")


def register(app):
    for command in (seed_cli, setup_command, export_cli, jobs_cli, verify_command, backup_command,
                    restore_command, recount_command):
        app.cli.add_command(command)
    from app.monitoring.cli import watch_cli
    app.cli.add_command(watch_cli)
    from app.imports.cli import import_cli
    app.cli.add_command(import_cli)
