"""Benchmark at city scale on PostgreSQL; writes bench/RESULTS.md.

    python bench/run.py                  # load a fresh city (minutes), then measure
    python bench/run.py --reuse          # measure the city loaded by an earlier run
    python bench/run.py --city-export    # also the city-wide export, app and yardstick once each

The server is reached at $BENCH_POSTGRES_URL, or $TEST_POSTGRES_URL as
tests/run.sh sets it (a URL whose user may create databases); the city goes
into its own database (``--database``).  Everything runs on 127.0.0.1.

What is measured, each figure beside a yardstick doing the same work,
interleaved over ``--repeat`` repetitions, medians (see each script):

- bench/figures.py  the 汇总表's figures (one county, the city) beside the same
                    figures read by hand from the table that holds them, and the
                    recount from the risks (the page before) beside hand-written SQL;
- bench/crawl.py    every menu page and every add / edit / show page (one row
                    each) as a county's office and as admin: SQL statements,
                    bytes, server time, beside the home page (the floor every
                    page pays: login, permissions, menu, layout);
- bench/load.py     20 logged-in users on gunicorn as the README runs it: a mixed
                    load, beside the same users asking for the home page;
- bench/export.py   one county's full export beside a bare XlsxWriter loop writing
                    the same cells with the same formats, and their own peak memory.
"""
import argparse
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import date, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
PASSWORD = "Demo#2026"
ADMIN_PASSWORD = "Admin#2026bench"
# The demo holds counties 1–3 (示范县, 示范市本级, 和溪县); the bulk counties follow from 4, each
# with logins office<n> (领导小组办公室) and head<n> (a section head).
OFFICE = "office4"
BULK = range(4, 14)
TARGETS = {"figures_ratio": 2.0, "county_page_ms": 150, "office_queries": 25, "office_ms": 200, "admin_ms": 500,
           "rps": 40, "p95_ms": 500, "export_ratio": 1.2, "export_mb": 100, "page_kb": 1024}
GUNICORN = ["-w", "4"]   # as the README's production section runs it


def sh(*args, env=None) -> str:
    result = subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, text=True,
                            capture_output=True)
    if result.returncode:
        sys.exit(f"{' '.join(args[:4])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def flask(env, *args) -> str:
    return sh(sys.executable, "-m", "flask", "--app", "run", *args, env=env)


def script(env, *args) -> dict:
    return json.loads(sh(sys.executable, *args, env=env).strip().splitlines()[-1])


def load_average() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB, Python {platform.python_version()}, "
            f"{platform.platform()}")


# ── the city ────────────────────────────────────────────────────────────
def server_url() -> str:
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not server:
        sys.exit("BENCH_POSTGRES_URL (or TEST_POSTGRES_URL) is not set: a PostgreSQL server URL")
    sys.path.insert(0, ROOT)
    import config
    return config.database_url(server)


def database(name: str, fresh: bool) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    server = server_url()
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if fresh:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
        # The data of a city fits in memory (or on SSD): random reads cost little more
        # than sequential ones, as the README's production notes say.
        conn.execute(text(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1'))
    engine.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def build(env) -> dict:
    start = time.perf_counter()
    flask(env, "setup")
    flask(env, "seed", "demo", "--scale", "city")
    loaded = time.perf_counter()
    from sqlalchemy import create_engine, text
    engine = create_engine(env["DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))   # statistics and visibility after the bulk load
    engine.dispose()
    return {"load_s": loaded - start, "analyze_s": time.perf_counter() - loaded, "counts": row_counts(env)}


def row_counts(env) -> dict:
    from sqlalchemy import create_engine, text
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("unit", "section", "person", "risk_form", "risk_point", "control_measure",
                            "supervision_method", "summary_figure")}
    engine.dispose()
    return counts


# ── the crawl ───────────────────────────────────────────────────────────
CRAWL = r"""
import json, sys
sys.path.insert(0, ROOT)
from app import create_app
from bench.crawl import crawl
app = create_app()
out = {}
for user, password in USERS:
    out[user] = [p.__dict__ for p in crawl(app, user, password, repeat=REPEAT, floor=True)]
print(json.dumps(out))
"""


def crawl(env, repeat) -> dict:
    code = (CRAWL.replace("ROOT", repr(ROOT)).replace("REPEAT", str(repeat))
            .replace("USERS", repr([(OFFICE, PASSWORD), ("admin", ADMIN_PASSWORD)])))
    return json.loads(sh(sys.executable, "-c", code, env=env).strip().splitlines()[-1])


# ── the mixed load ──────────────────────────────────────────────────────
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def users(env) -> list[dict]:
    """Twenty logins: the office and a section head of each bulk county, each with
    pages of his own (a form he may open, a search he may make)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(env["DATABASE_URL"])
    found = []
    with engine.connect() as conn:
        for username in [f"{kind}{c}" for c in BULK for kind in ("office", "head")]:
            person, section, unit = conn.execute(text(
                "SELECT p.id, p.section_id, p.unit_id FROM ab_user u JOIN person p ON p.id = u.person_id "
                "WHERE u.username = :u"), {"u": username}).one()
            where = "f.section_id = :s" if username.startswith("head") else \
                "f.unit_id IN (SELECT id FROM unit WHERE county_id = (SELECT county_id FROM unit WHERE id = :u))"
            form = conn.execute(text(f"SELECT f.id FROM risk_form f WHERE {where} ORDER BY f.id LIMIT 1"),
                                {"s": section, "u": unit}).scalar()
            found.append({"username": username, "password": PASSWORD, "paths": [
                ("/risk/list/", 25), (f"/forms/{form}", 20), ("/reports/summary", 10), ("/reports/dashboard", 10),
                ("/forms/todo", 10), ("/person/list/", 10), ("/register/list/", 10),
                ("/control/choices/risk?mode=add&q=%E9%A2%84%E7%AE%97", 5)]})
    engine.dispose()
    return found


def serve(env, port):
    env = {**os.environ, **env, "SECRET_KEY": secrets.token_hex(32)}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", *GUNICORN, "-b", f"127.0.0.1:{port}",
                             "--timeout", "120", "run:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    import urllib.request
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGTERM)
    sys.exit("gunicorn did not start")


def mixed_load(env, seconds, max_requests) -> dict:
    sys.path.insert(0, ROOT)
    from bench import load
    people = users(env)
    port = free_port()
    proc = serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        floor = load.run(base, [{**u, "paths": [("/", 1)]} for u in people], seconds / 3, max_requests,
                         server_group=proc.pid)
        mixed = load.run(base, people, seconds, max_requests, server_group=proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    return {"mixed": mixed, "floor": floor, "gunicorn": " ".join(GUNICORN)}


# ── the export ──────────────────────────────────────────────────────────
def exports(env, repeat, city) -> dict:
    year = str(date.today().year)
    runs = {"app": [], "bare": []}
    for i in range(repeat):
        for which in (["app", "bare"] if i % 2 == 0 else ["bare", "app"]):
            runs[which].append(script(env, "bench/export.py", which, os.path.join(DATA, f"{which}.xlsx"), year,
                                      OFFICE))
    out = {"county": runs}
    if city:
        out["city"] = {w: [script(env, "bench/export.py", w, os.path.join(DATA, f"{w}-city.xlsx"), year, "city")]
                       for w in ("app", "bare")}
    return out


# ── the report ──────────────────────────────────────────────────────────
def median(values):
    values = sorted(values)
    n = len(values)
    return (values[n // 2] + values[(n - 1) // 2]) / 2 if values else 0.0


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(r: dict) -> str:
    t, lines = TARGETS, []
    add = lines.append
    add("# Benchmark results\n")
    add(f"Run {r['started']} – {r['finished']} by `python bench/run.py` on {r['machine']}. "
        f"The machine is shared: load average {r['loadavg']['start']} at the start, "
        + ", ".join(f"{k} {v}" for k, v in r["loadavg"].items() if k != "start")
        + ". Absolute times on a loaded machine are longer than on a quiet one; ratios are measured "
        "interleaved, each figure beside its yardstick, so they hold whatever the load.\n")
    c = r["build"]["counts"]
    add(f"City: the demo county and 10 bulk counties on PostgreSQL — {c['unit']:,} units, {c['section']:,} sections, "
        f"{c['person']:,} people, {c['risk_form']:,} forms, {c['risk_point']:,} risks, {c['control_measure']:,} "
        f"measures, {c['supervision_method']:,} methods ({c['summary_figure']:,} rows of maintained 汇总表 figures). "
        + (f"Loaded in {r['build']['load_s']:.0f} s, then `VACUUM ANALYZE` ({r['build']['analyze_s']:.0f} s). "
           if "load_s" in r["build"] else "Loaded by an earlier run. ")
        + "The database runs with `random_page_cost = 1.1` (data in memory or on SSD, see README).\n")

    f = r["figures"]
    add("## 汇总表\n")
    add(f"Every figure of 附件9 and 附件6, in process, median of {r['repeat']} interleaved repetitions (ms). "
        "*page*: what the page computes now, from the maintained figures, rows named; *table*: the yardstick, "
        "the same figures read by hand-written SQL from the table that holds them; *recount*: the figures "
        "counted from the risks as the page did before; *raw*: hand-written SQL computing every figure of both "
        "forms from the risks.\n")
    add("| place | page | table | page ÷ table | recount (before) | recount ÷ table (before) | raw | recount ÷ raw |")
    add("|---|---|---|---|---|---|---|---|")
    for place, label in (("county", f"one county ({OFFICE})"), ("city", "the city (admin)")):
        v = f[place]
        add(f"| {label} | {v['page']:.0f} | {v['table']:.0f} | **{v['page'] / v['table']:.2f}** | "
            f"{v['recount']:.0f} | {v['recount'] / v['table']:.1f} | {v['raw']:.0f} | {v['recount'] / v['raw']:.2f} |")
    ratio = max(f[p]["page"] / f[p]["table"] for p in ("county", "city"))
    county_page = next((p for p in r["crawl"][OFFICE] if p["url"] == "/reports/summary"), None)
    add(f"\nTarget page ÷ table ≤ {t['figures_ratio']}: {verdict(ratio <= t['figures_ratio'])} "
        f"(worst {ratio:.2f}). With PostgreSQL's default `random_page_cost = 4` the page's figures take "
        f"{f['county']['page_default_cost']:.0f} ms for the county and {f['city']['page_default_cost']:.0f} ms for "
        "the city (the planner then scans the whole table instead of one county's rows).")
    if county_page:
        add(f"The county's 汇总表 page, server time: {county_page['ms']:.0f} ms (the home page beside it: "
            f"{county_page['floor_ms']:.0f} ms), {county_page['queries']} statements, {county_page['bytes'] / 1024:.0f} KB; "
            f"target ≤ {t['county_page_ms']} ms: {verdict(county_page['ms'] <= t['county_page_ms'])}.\n")

    add("## Every page\n")
    add(f"Every menu page and every add / edit / show page on one row each, in process (server time: median of "
        f"{r['crawl_repeat']} after one warm-up; *floor*: the home page, measured between them).\n")
    for user, label, limit in ((OFFICE, "a county's office", t["office_ms"]), ("admin", "admin, city-wide", t["admin_ms"])):
        pages = [p for p in r["crawl"][user] if p["status"] == 200]
        denied = [p["url"] for p in r["crawl"][user] if p["status"] != 200]
        slow = max(pages, key=lambda p: p["ms"])
        most = max(pages, key=lambda p: p["queries"])
        big = max(pages, key=lambda p: p["bytes"])
        over = [p for p in pages if p["ms"] > limit or (user == OFFICE and p["queries"] > t["office_queries"])
                or p["bytes"] > t["page_kb"] * 1024]
        add(f"### As {label} ({user}): {len(pages)} pages\n")
        add(f"Slowest `{slow['url']}` {slow['ms']:.0f} ms; most statements `{most['url']}` {most['queries']}; "
            f"largest `{big['url']}` {big['bytes'] / 1024:.0f} KB; floor {median([p['floor_ms'] for p in pages]):.0f} ms. "
            f"Targets (≤ {t['office_queries'] if user == OFFICE else '—'} statements, ≤ {limit} ms, ≤ 1 MB): "
            f"{verdict(not over)}" + (" — over: " + ", ".join(f"`{p['url']}` ({p['ms']:.0f} ms, {p['queries']} st.)"
                                                              for p in over) if over else "") + ".\n")
        add("| page | statements | KB | ms | floor ms |")
        add("|---|---|---|---|---|")
        for p in sorted(pages, key=lambda p: -p["ms"]):
            add(f"| `{p['url']}` | {p['queries']} | {p['bytes'] / 1024:.0f} | {p['ms']:.0f} | {p['floor_ms']:.0f} |")
        if denied:
            add(f"\nNot open to {user} (refused as they should be): " + ", ".join(f"`{u}`" for u in denied) + ".")
        add("")

    m, fl = r["load"]["mixed"], r["load"]["floor"]
    add("## 20 users at once\n")
    add(f"gunicorn `{r['load']['gunicorn']}` (the README's production command) on 127.0.0.1; 20 logins (the office "
        "and a section head of each bulk county), each a thread with its own session asking back to back, "
        "latency at the client. *mixed*: risk list 25%, a form 20%, 汇总表, dashboard, to-do, people, registers 10% "
        "each, a related-field search 5%; *floor*: the same users asking for the home page.\n")
    add("| load | requests | seconds | requests/s | p50 ms | p95 ms | p99 ms | errors |")
    add("|---|---|---|---|---|---|---|---|")
    for name, v in (("mixed", m), ("floor (home page)", fl)):
        add(f"| {name} | {v['requests']} | {v['seconds']:.0f} | {v['rps']:.1f} | {v['p50']:.0f} | {v['p95']:.0f} | "
            f"{v['p99']:.0f} | {v['error_count']} |")
    add(f"\nTargets ≥ {t['rps']} requests/s, p95 ≤ {t['p95_ms']} ms, no errors: "
        f"{verdict(m['rps'] >= t['rps'] and m['p95'] <= t['p95_ms'] and not m['error_count'])}.\n")
    if m.get("cpu_ms"):
        add("CPU time per request (user + system, read from /proc over the run): the web server's processes, "
            "PostgreSQL's and the client's threads, on the same cores.\n")
        add("| load | server ms | database ms | client ms | all ms | at most requests/s on "
            f"{os.cpu_count()} cores |")
        add("|---|---|---|---|---|---|")
        for name, v in (("mixed", m), ("floor (home page)", fl)):
            c = v["cpu_ms"]
            whole = c["server"] + c["database"] + c["client"]
            add(f"| {name} | {c['server']:.0f} | {c['database']:.0f} | {c['client']:.0f} | {whole:.0f} | "
                f"{os.cpu_count() * 1000 / whole:.0f} |")
        c = m["cpu_ms"]
        whole = c["server"] + c["database"] + c["client"]
        add(f"\nWith every core busy, throughput is the cores' time divided by the CPU one request costs: "
            f"{whole:.0f} ms for a request of the mix ({c['server']:.0f} ms in the server, {c['database']:.0f} ms "
            f"in PostgreSQL, {c['client']:.0f} ms in the client sharing the machine), so {os.cpu_count()} cores "
            f"serve at most {os.cpu_count() * 1000 / whole:.0f} requests/s here, whatever the number of users.\n")
    add("| page | requests | median ms |")
    add("|---|---|---|")
    for path, v in m["paths"].items():
        add(f"| `{path}` | {v['n']} | {v['median']:.0f} |")
    if m["errors"]:
        add("\nErrors: " + ", ".join(m["errors"]))
    add("")

    e = r["export"]["county"]
    app_s, bare_s = median([x["seconds"] for x in e["app"]]), median([x["seconds"] for x in e["bare"]])
    own = max(x["own_mb"] for x in e["app"])
    add("## Full export\n")
    add(f"All {e['app'][0]['rows']:,} risks of one county as its office, median of {len(e['app'])} interleaved runs, "
        "each in a fresh process; *own memory*: the process's peak less its size when the export began.\n")
    add("| writer | seconds | own peak MB | process peak MB |")
    add("|---|---|---|---|")
    add(f"| app (`app.reports.export`) | {app_s:.1f} | {own:.0f} | {max(x['peak_mb'] for x in e['app']):.0f} |")
    add(f"| yardstick (same query, cells and formats, bare XlsxWriter) | {bare_s:.1f} | "
        f"{max(x['own_mb'] for x in e['bare']):.0f} | {max(x['peak_mb'] for x in e['bare']):.0f} |")
    add(f"\nRatio {app_s / bare_s:.2f}; targets ≤ {t['export_ratio']}× and < {t['export_mb']} MB own peak: "
        f"{verdict(app_s / bare_s <= t['export_ratio'] and own < t['export_mb'])}.")
    if "city" in r["export"]:
        ca, cb = r["export"]["city"]["app"][0], r["export"]["city"]["bare"][0]
        add(f"The whole city ({ca['rows']:,} risks, once each): app {ca['seconds']:.0f} s and {ca['own_mb']:.0f} MB "
            f"own peak, yardstick {cb['seconds']:.0f} s and {cb['own_mb']:.0f} MB (ratio {ca['seconds'] / cb['seconds']:.2f}).")
    add("")
    add("## Where a target is missed\n")
    add(r.get("notes") or "See each section.")
    return "\n".join(lines) + "\n"


NOTES = os.path.join(ROOT, "bench", "NOTES.md")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="lianzheng_bench_city")
    parser.add_argument("--reuse", action="store_true", help="measure the city an earlier run loaded")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--crawl-repeat", type=int, default=3)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--load-requests", type=int, default=4000)
    parser.add_argument("--city-export", action="store_true")
    parser.add_argument("--resume", action="store_true", help="keep the steps bench/data/results.json already holds")
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    saved = os.path.join(DATA, "results.json")
    r = {"started": f"{datetime.now():%Y-%m-%d %H:%M}", "machine": machine(), "repeat": args.repeat,
         "crawl_repeat": args.crawl_repeat, "loadavg": {"start": load_average()}}
    if args.resume and os.path.exists(saved):
        r = json.load(open(saved))
        args.reuse = True
    url = database(args.database, fresh=not args.reuse)
    env = {"DATABASE_URL": url, "ADMIN_PASSWORD": ADMIN_PASSWORD, "DEMO_PASSWORD": PASSWORD}
    if "build" in r:
        pass
    elif args.reuse:
        r["build"] = {"counts": row_counts(env)}
    else:
        print("loading the city …", flush=True)
        r["build"] = build(env)
    steps = [("figures", lambda: script(env, "bench/figures.py", OFFICE, str(date.today().year), str(args.repeat))),
             ("crawl", lambda: crawl(env, args.crawl_repeat)),
             ("load", lambda: mixed_load(env, args.load_seconds, args.load_requests)),
             ("export", lambda: exports(env, args.repeat, args.city_export))]
    for name, step in steps:
        if name in r:
            continue
        print(f"measuring {name} …", flush=True)
        started = time.perf_counter()
        result = step()
        r[name] = result
        r["loadavg"][f"after {name}"] = load_average()
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
        with open(saved, "w") as f:   # a run stopped half-way resumes from here (--resume)
            json.dump(r, f, ensure_ascii=False, indent=1)
    r["finished"] = f"{datetime.now():%Y-%m-%d %H:%M}"
    r["notes"] = open(NOTES).read().strip() if os.path.exists(NOTES) else ""
    with open(saved, "w") as f:
        json.dump(r, f, ensure_ascii=False, indent=1)
    out = os.path.join(ROOT, "bench", "RESULTS.md")
    with open(out, "w") as f:
        f.write(report(r))
    print(open(out).read())


if __name__ == "__main__":
    main()
