"""``flask --app run watch …``: raise warnings now, start next year's round."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.audit.trail import acting_as

watch_cli = AppGroup("watch", help="风险监测、预警与年度优化修正。")


@watch_cli.command("raise")
def raise_now():
    """依全部启用的预警规则立即检查一遍（与每晚的定时任务相同；同一事实不会重复预警）。"""
    from app.monitoring import services
    click.echo(f"新生成预警 {services.run_job(current_app._get_current_object())} 条。")


@watch_cli.command("round")
@click.option("--from", "year", type=int, required=True, help="据以开始的年度（其审定的登记表）")
@click.option("--as", "username", required=True, help="以哪个登录名开始（须有开始新年度的权限，范围即其数据范围）")
def start_round(year, username):
    """据某年度审定的登记表，为范围内每名责任人建立下一年度的登记表草稿（仍由本人修改、签字）。"""
    from app.errors import Refused
    from app.extensions import db
    from app.monitoring import rounds
    from app.security.models import Login

    user = db.session.query(Login).filter_by(username=username).one_or_none()
    if user is None:
        raise click.ClickException(f"没有登录名 {username}。")
    with acting_as(username):
        try:
            made = rounds.start_round(year, user)
        except Refused as refused:
            raise click.ClickException(str(refused))
    click.echo(f"已开始{made.year}年度：建立登记表草稿 {len(made.made)} 份，未建立 {len(made.skipped)} 份。")
    for name, why in made.skipped:
        click.echo(f"  未建立：{name}（{why}）")
