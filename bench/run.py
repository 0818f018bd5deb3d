"""Benchmark: builds the county (SQLite) and city (PostgreSQL) datasets, runs
the app under gunicorn, measures, and writes bench/RESULTS.md.

    python bench/run.py              # both datasets (the city takes minutes to load)
    python bench/run.py --only county

PostgreSQL is reached at $BENCH_POSTGRES_URL (a server URL whose user may
create databases), as tests/run.sh sets up for the tests.
"""
import argparse
import http.cookiejar
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import date, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
PASSWORD = "Demo#2026"
REQUESTS = 40
# The demo holds counties 1–3 (示范县, 示范市本级, 和溪县); the first bulk county is 4,
# with logins office4 and head4.
OFFICE, HEAD = "office4", "head4"


def sh(*args, env=None, capture=True):
    result = subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, text=True,
                            capture_output=capture, check=True)
    return result.stdout if capture else ""


def flask(env, *args):
    return sh(sys.executable, "-m", "flask", "--app", "run", *args, env=env)


def build(name: str, url: str, counties: int) -> dict:
    env = {"DATABASE_URL": url, "ADMIN_PASSWORD": "Admin#2026bench", "DEMO_PASSWORD": PASSWORD}
    start = time.perf_counter()
    flask(env, "setup")
    flask(env, "seed", "demo")
    loaded = time.perf_counter()
    sh(sys.executable, "-c", f"""
import sys; sys.path.insert(0, {ROOT!r})
from app import create_app
from app.audit.trail import acting_as
app = create_app()
with app.app_context(), acting_as():
    from seed import scale
    print(scale.load({counties}))
""", env=env)
    return {"env": env, "seconds": time.perf_counter() - loaded, "setup": loaded - start}


class Browser:
    def __init__(self, base, username):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.get("/login/")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        self.post("/login/", {"username": username, "password": PASSWORD, "csrf_token": token})

    def get(self, path, headers=None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with self.opener.open(request, timeout=60) as r:
            return r.read().decode("utf-8", "replace")

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=60) as r:
            return r.read().decode("utf-8", "replace")


def timed(call, n=REQUESTS):
    for _ in range(3):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1]}


def api_token(base, username):
    request = urllib.request.Request(base + "/api/v1/security/login", json.dumps(
        {"username": username, "password": PASSWORD, "provider": "db"}).encode(),
        {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())["access_token"]


def serve(env, port):
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b",
                             f"127.0.0.1:{port}", "run:app"], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def latencies(env, port) -> dict:
    proc = serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        office, head = Browser(base, OFFICE), Browser(base, HEAD)
        form_id = re.search(r'/forms/(\d+)', office.get("/reports/risks?kind=%E4%B8%AA%E4%BA%BA")).group(1)
        token = api_token(base, OFFICE)
        result = {
            "风险点列表（领导小组办公室）": timed(lambda: office.get("/risk/list/")),
            "风险点列表（科室负责人）": timed(lambda: head.get("/risk/list/")),
            "个人登记表页面": timed(lambda: office.get(f"/forms/{form_id}")),
            "汇总表页面": timed(lambda: office.get("/reports/summary"), n=15),
            "API 风险点列表": timed(lambda: office.get("/api/v1/risk/", {"Authorization": f"Bearer {token}"})),
        }
        result["rps"] = throughput(office, "/risk/list/")
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def throughput(client, path, threads=8, seconds=15):
    """Concurrent clients on one session (one login: the login rate limit stays out of it)."""
    done, stop = [0] * threads, time.perf_counter() + seconds

    def work(i):
        while time.perf_counter() < stop:
            client.get(path)
            done[i] += 1
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return {"clients": threads, "seconds": seconds, "rps": sum(done) / seconds}


IN_PROCESS = r"""
import json, statistics, sys, time
sys.path.insert(0, ROOT)
from flask import g
from sqlalchemy import event, text
from app import create_app
from app.extensions import db
from app.reports.summary import Filters, rows
from app.security.models import Login
app = create_app()
out = {}
with app.app_context():
    engine = db.engine
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": OFFICE, "password": PASSWORD, "csrf_token": token})
    counts = {}
    for url, view in [("/risk/list/", "RiskPointView"), ("/register/list/", "RiskFormView"),
                      ("/person/list/", "PersonView"), ("/power/list/", "PowerView")]:
        counts[url] = []
        for size in (10, 100):
            seen = []
            listener = lambda *a, **k: seen.append(1)
            event.listen(engine, "before_cursor_execute", listener)
            with app.app_context():
                client.get(f"{url}?psize_{view}={size}")
            event.remove(engine, "before_cursor_execute", listener)
            counts[url].append(len(seen))
    out["queries"] = counts
    office = db.session.query(Login).filter_by(username=OFFICE).one()
    county = office.person.unit.county_id
    with app.test_request_context():
        g.user = office
        def ours():
            return rows(Filters(ROUND), by="unit")
        bare_sql = text("SELECT p.unit_id, p.risk_type, p.level, count(*) FROM risk_point p "
                        "JOIN risk_form f ON f.id = p.form_id JOIN unit u ON u.id = p.unit_id "
                        "WHERE f.round = :r AND u.county_id = :c GROUP BY p.unit_id, p.risk_type, p.level")
        def bare():
            return db.session.execute(bare_sql, {"r": ROUND, "c": county}).all()
        def best(call):
            call()
            times = []
            for _ in range(7):
                start = time.perf_counter(); call(); times.append(time.perf_counter() - start)
            return statistics.median(times) * 1000
        out["summary_ms"], out["bare_ms"] = best(ours), best(bare)
print(json.dumps(out))
"""


def in_process(env) -> dict:
    code = IN_PROCESS.replace("ROOT", repr(ROOT)).replace("PASSWORD", repr(PASSWORD)).replace(
        "ROUND", str(date.today().year)).replace("OFFICE", repr(OFFICE))
    return json.loads(sh(sys.executable, "-c", code, env=env).strip().splitlines()[-1])


def exports(env) -> dict:
    year = str(date.today().year)
    ours = sh(sys.executable, "bench/app_export.py", os.path.join(DATA, "ours.xlsx"), year, env=env).split()
    bare = sh(sys.executable, "bench/bare_export.py", os.path.join(DATA, "bare.xlsx"), year, env=env).split()
    return {"rows": int(ours[2]), "ours_s": float(ours[0]), "ours_mb": float(ours[1]),
            "bare_s": float(bare[0]), "bare_mb": float(bare[1])}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
    return (f"{platform.node()} · {os.cpu_count()} cores ({cpu}) · {int(mem) // 1024 // 1024} GiB · "
            f"Python {platform.python_version()} · {platform.platform()}")


def report(results: dict) -> str:
    lines = ["# Benchmark results", "", f"Run {datetime.now():%Y-%m-%d %H:%M} on {machine()}.",
             "Produced by `python bench/run.py`; latencies over gunicorn (2 workers × 4 threads), "
             f"{REQUESTS} requests per page after 3 warm-ups (汇总表: 15).", ""]
    for name, r in results.items():
        lines += [f"## {name}", "", f"Dataset loaded in {r['load']['seconds']:.0f} s "
                  f"(migrations and demo county: {r['load']['setup']:.0f} s).", "",
                  "| page | median ms | p95 ms |", "|---|---|---|"]
        for page, t in r["latency"].items():
            if page != "rps":
                lines.append(f"| {page} | {t['median']:.0f} | {t['p95']:.0f} |")
        rps = r["latency"]["rps"]
        lines += ["", f"Throughput on the risk list: {rps['rps']:.1f} requests/s with {rps['clients']} "
                  f"concurrent clients over {rps['seconds']} s.", "",
                  "| list page | SQL queries at 10 rows | at 100 rows |", "|---|---|---|"]
        for url, (ten, hundred) in r["inproc"]["queries"].items():
            lines.append(f"| `{url}` | {ten} | {hundred} |")
        s, b = r["inproc"]["summary_ms"], r["inproc"]["bare_ms"]
        e = r["export"]
        lines += ["", f"汇总表 figures: {s:.0f} ms beside one hand-written GROUP BY: {b:.0f} ms "
                  f"(ratio {s / b:.2f}; target ≤ 2).", "",
                  f"Full export of {e['rows']:,} risks: {e['ours_s']:.1f} s and {e['ours_mb']:.0f} MB peak, "
                  f"beside a bare xlsxwriter loop over the same query: {e['bare_s']:.1f} s and "
                  f"{e['bare_mb']:.0f} MB (time ratio {e['ours_s'] / e['bare_s']:.2f}, target ≤ 1.5; "
                  f"memory target < 300 MB).", ""]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["county", "city"])
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    sh(sys.executable, "-m", "pip", "install", "-q", "-r", "bench/requirements.txt")
    plans = {"county (SQLite)": ("sqlite:///" + os.path.join(DATA, "county.db"), 1, 8055),
             "city (PostgreSQL)": (None, 10, 8056)}
    results = {}
    for name, (url, counties, port) in plans.items():
        if args.only and not name.startswith(args.only):
            continue
        if url is None:
            url = fresh_postgres("lianzheng_bench_city")
        elif os.path.exists(url[len("sqlite:///"):]):
            os.remove(url[len("sqlite:///"):])
        print(f"building {name} …", flush=True)
        loaded = build(name, url, counties)
        env = loaded["env"]
        print(f"measuring {name} …", flush=True)
        results[name] = {"load": loaded, "latency": latencies(env, port), "inproc": in_process(env),
                         "export": exports(env)}
    out = os.path.join(ROOT, "bench", "RESULTS.md")
    with open(out, "w") as f:
        f.write(report(results))
    print(open(out).read())


def fresh_postgres(name: str) -> str:
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not server:
        sys.exit("BENCH_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    sys.path.insert(0, ROOT)
    import config
    engine = create_engine(config.database_url(server), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    return make_url(config.database_url(server)).set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
