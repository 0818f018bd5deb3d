"""``flask --app run import catalogue|people|register --unit CODE FILE``: the same
imports as the pages, run as the system; any problem is printed in Chinese, row
by row, the command exits with 1 and nothing is written."""
import os

import click
from flask.cli import AppGroup

from app.audit.trail import acting_as

import_cli = AppGroup("import", help="从 Excel 导入单位已有的职权目录、花名册或廉政风险登记表（整份导入，有误则不导入）。")


def _fail(lines: list[str]):
    for line in lines:
        click.echo(f"错误：{line}", err=True)
    raise click.exceptions.Exit(1)


def _run(unit_code, file, run):
    """Finds the unit, opens the file, runs the import as the system: its result, or exit 1."""
    from app.extensions import db
    from app.imports.common import ImportRefused
    from app.organisation.models import Unit
    if not unit_code:
        _fail(["请用 --unit 指定单位代码，如 --unit CZJ。"])
    unit = db.session.query(Unit).filter_by(code=unit_code).one_or_none()
    if unit is None:
        _fail([f"没有代码为 {unit_code} 的单位。"])
    if not file or not os.path.isfile(file):
        _fail([f"找不到文件 {file}。"])
    try:
        with acting_as(), open(file, "rb") as stream:
            return unit, run(unit, stream)
    except ImportRefused as refused:
        db.session.rollback()
        _fail(["未导入任何数据，请修改以下问题后重新导入："] + [str(p) for p in refused.problems])


UNIT = click.option("--unit", "unit_code", help="单位代码，如 CZJ")
FILE = click.argument("file", required=False)


@import_cli.command("catalogue")
@UNIT
@FILE
def import_catalogue(unit_code, file):
    """导入职权目录（002 附件2 职权目录，或 000 附件2 每类一张工作表的行政职权目录分表）。"""
    from app.catalogue.importer import import_catalogue as run
    unit, result = _run(unit_code, file, run)
    click.echo(f"已导入 {unit.name} 的职权目录（{result.layout.name}）：新增 {len(result.created)} 项，"
               f"更新 {len(result.updated)} 项，{len(result.unchanged)} 项与目录相同；新导入的职权为草稿。")


@import_cli.command("people")
@UNIT
@FILE
def import_people(unit_code, file):
    """导入花名册（姓名、身份证号、科室、岗位、职务、任职时间、班子成员、分管科室）。"""
    from app.imports.people import import_people as run
    unit, result = _run(unit_code, file, run)
    click.echo(f"已导入 {unit.name} 的花名册：新增 {len(result.created)} 人，更新 {len(result.updated)} 人，"
               f"新建岗位 {len(result.posts)} 个。")


@import_cli.command("register")
@UNIT
@click.option("--round", "round_", type=int, help="年度，默认今年")
@FILE
def import_register(unit_code, round_, file):
    """导入廉政风险登记表（000 附件7/8，002 附件3/4/5；每张工作表一张），为本人建立草稿，不签字、不流转。"""
    from app.imports.registers import import_registers
    unit, result = _run(unit_code, file, lambda unit, stream: import_registers(unit, stream, round_))
    click.echo(f"已导入 {unit.name} 的登记表（{result.round}年度）：新建草稿 {len(result.created)} 张，"
               f"补充草稿 {len(result.updated)} 张，共 {result.risks} 个风险点；须由本人核对、提交并签字。")
    for form in result.forms:
        click.echo(f"  {form}（编号 {form.id}，{form.stage_label}）")
    for note in result.notes:
        click.echo(f"  注意：{note}")
