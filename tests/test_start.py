"""`python run.py` on an empty database, then again: the README's first command."""
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import create_engine, inspect, text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(db_path, port, **env):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}",
                   "ADMIN_PASSWORD": "", "DEMO_PASSWORD": "Demo#2026", **env}
    proc = subprocess.Popen([sys.executable, "run.py", "--port", str(port)], cwd=ROOT,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    pytest.fail("run.py did not start:\n" + proc.stdout.read())


def stop(proc):
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    return out


def test_first_start_migrates_and_loads_demo_second_start_keeps_data(tmp_path):
    db_path = tmp_path / "first.db"
    out = stop(start(db_path, 5071))
    assert "已创建管理员 admin，初始密码：" in out and "已载入演示县" in out
    engine = create_engine(f"sqlite:///{db_path}")
    tables = set(inspect(engine).get_table_names())
    assert {"alembic_version", "unit", "person", "audit_log", "ab_user"} <= tables
    with engine.begin() as conn:
        roles = {r for (r,) in conn.execute(text("SELECT name FROM ab_role"))}
        assert {"系统管理员", "领导小组办公室", "纪委监察", "单位管理员", "单位领导",
                "分管领导", "科室负责人", "工作人员"} <= roles
        people = conn.execute(text("SELECT count(*) FROM person")).scalar()
        conn.execute(text("UPDATE unit SET name = '改过的名字' WHERE code = 'CZJ'"))
    engine.dispose()

    out = stop(start(db_path, 5072))
    assert "初始密码" not in out and "已载入演示县" not in out
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM person")).scalar() == people
        assert conn.execute(text("SELECT name FROM unit WHERE code='CZJ'")).scalar() == "改过的名字"
    engine.dispose()
