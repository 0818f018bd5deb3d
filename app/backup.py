"""Backup and restore of the whole database (``flask --app run backup`` / ``restore``).

SQLite is copied through its online backup API (``sqlite3.Connection.backup``):
a consistent copy while the back-office keeps running, and a restore that
replaces every page of the target at once.  PostgreSQL goes through
``pg_dump -Fc`` and ``pg_restore --clean --if-exists --single-transaction``
(so a restore that fails changes nothing), found on ``PATH`` or under
``/usr/lib/postgresql/<version>/bin``; the password travels in the
environment, never on a command line.

Everything lives in the database — the 自查报告 attachments too (table
``self_check_file``) — so one file holds it all.  A restore refuses a target
that already holds data unless told to overwrite it, and refuses a file that
is not a backup of this system or comes from a newer version of it.
"""
import glob
import os
import re
import shutil
import sqlite3
import subprocess

from sqlalchemy import inspect, literal_column, select, table
from sqlalchemy.engine import Engine, make_url

SQLITE_HEADER = b"SQLite format 3\x00"
PG_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator."""


def kind_of_url(engine: Engine) -> str:
    name = engine.url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库：{name}。")
    return name


def kind_of_file(path: str) -> str | None:
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_HEADER):
        return "postgresql"
    return None


def tables_with_rows(engine: Engine) -> list[str]:
    """The tables of the database that hold at least one row (Alembic's own aside)."""
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        return [n for n in sorted(names) if conn.execute(select(literal_column("1")).select_from(table(n)).limit(1)).first()]


def backup(engine: Engine, out: str) -> str:
    """Writes the whole database to ``out`` (through ``out.part``, so ``out`` is
    either complete or untouched); returns the kind of the file."""
    kind = kind_of_url(engine)
    part = out + ".part"
    try:
        if kind == "sqlite":
            source = sqlite3.connect(_sqlite_path(engine))
            target = sqlite3.connect(part)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", part], engine)
        os.replace(part, out)
    finally:
        if os.path.exists(part):
            os.remove(part)
    return kind


def restore(engine: Engine, path: str, force: bool = False, known_revisions=()) -> str:
    """Replaces the database with the backup ``path``; returns the backup's
    migration revision.  ``known_revisions``: the revisions this code knows."""
    kind = kind_of_url(engine)
    found = kind_of_file(path)
    if found is None:
        raise BackupError(f"{path} 不是本系统的备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）。")
    if found != kind:
        raise BackupError(f"备份文件是 {_LABEL[found]} 的备份，当前数据库是 {_LABEL[kind]}：请恢复到同类数据库。")
    revision = _sqlite_revision(path) if kind == "sqlite" else _pg_revision(path, engine)
    if revision is None:
        raise BackupError(f"{path} 中没有本系统的数据库版本（alembic_version），不是本系统的备份。")
    if known_revisions and revision not in known_revisions:
        raise BackupError(f"备份的数据库版本 {revision} 比当前程序新，请先升级程序再恢复。")
    holding = tables_with_rows(engine)
    if holding and not force:
        shown = "、".join(holding[:5]) + (" 等" if len(holding) > 5 else "")
        raise BackupError(f"目标数据库不是空库：{len(holding)} 张表已有数据（{shown}）。恢复会覆盖其中全部数据；"
                          "确认覆盖请加 --force。")
    engine.dispose()   # no pooled connection of ours may hold the tables
    if kind == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(engine), timeout=LOCK_WAIT)
        try:
            source.backup(target)
        except sqlite3.OperationalError as e:
            raise BackupError(f"{IN_USE}（{e}）") from e
        finally:
            target.close()
            source.close()
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", path], engine, database_flag=True)
    engine.dispose()
    return revision


_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
LOCK_WAIT = 30   # seconds a restore waits for other connections to let go of the tables
IN_USE = "数据库仍被其他连接占用：请先停止网站与调度器进程，再恢复"


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复。")
    return path


def _sqlite_revision(path: str) -> str | None:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} 已损坏（SQLite 完整性检查未通过）。")
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _pg_revision(path: str, engine: Engine) -> str | None:
    listing = _run(["pg_restore", "--data-only", "--table=alembic_version", "--file=-", path], engine,
                   connect=False)
    found = re.search(r"COPY [\w.\"]*alembic_version \(version_num\) FROM stdin;\n([^\n\\]+)\n", listing)
    return found.group(1).strip() if found else None


def tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                      key=lambda p: [int(n) for n in re.findall(r"\d+", p.split("/")[4])], reverse=True)
    if not versions:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（如 apt-get install postgresql-client）。")
    return versions[0]


def _run(args: list[str], engine: Engine, database_flag: bool = False, connect: bool = True) -> str:
    url = make_url(engine.url)
    env = dict(os.environ)
    if connect:
        env.update({k: str(v) for k, v in {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
                                            "PGPASSWORD": url.password, "PGDATABASE": url.database}.items() if v})
    command = [tool(args[0]), *args[1:]]
    if database_flag:
        command[1:1] = ["--dbname", url.database]
        env["PGOPTIONS"] = f"-c lock_timeout={LOCK_WAIT * 1000}"   # fail with a message rather than hang
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0 and "lock timeout" in done.stderr:
        raise BackupError(f"{IN_USE}（{done.stderr.strip()[-300:]}）")
    if done.returncode != 0:
        raise BackupError(f"{args[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-1500:]}")
    return done.stdout
