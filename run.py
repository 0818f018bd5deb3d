"""Start the back-office: ``python run.py [--host H] [--port P]``.

On an empty database it applies the migrations, creates the roles, the
``admin`` login and the demo county; later starts keep every row.
"""
import argparse

from app import create_app
from app.audit.trail import acting_as

app = create_app()


def prepare(application) -> None:
    from app.bootstrap import setup
    from app.organisation.models import Unit
    from app.extensions import db
    from seed import demo

    with application.app_context(), acting_as():
        made_up = setup(application.config.get("ADMIN_PASSWORD"))
        if made_up:
            print(f"已创建管理员 admin，初始密码：{made_up}（请登录后修改）")
        if db.session.query(Unit.id).first() is None:
            made = demo.load("small")
            print(f"已载入演示县：{made['units']} 个单位，{made['people']} 名工作人员。")


def main() -> None:
    parser = argparse.ArgumentParser(description="廉政风险防控管理系统")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--debug", action="store_true", help="Flask's development server with its debugger")
    args = parser.parse_args()
    prepare(app)
    from app.reminders import scheduler
    scheduler.start(app)  # the one scheduler of this single process (no reloader: never twice)
    print(f"廉政风险防控管理系统：http://{args.host}:{args.port}/")
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True, use_reloader=False)
    else:
        from app.server import serve
        serve(app, args.host, args.port)   # waitress: many users at once (app/server.py)


if __name__ == "__main__":
    main()
