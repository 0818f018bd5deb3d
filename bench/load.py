"""A mixed load of logged-in users against a running server on 127.0.0.1.

Each user is a thread with its own session (cookies), logged in through the
login page, then asking for pages from its own list, picked at random with the
list's weights, back to back, until the time is up or it has made its share
of requests.  Latency is measured at the client (connection included).
"""
import http.cookiejar
import os
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


class Session:
    def __init__(self, base: str, username: str, password: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.get("/login/")[1]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token}).encode()
        with self.opener.open(base + "/login/", body, timeout=60) as r:
            r.read()
        if "/logout" not in self.get("/")[1]:
            raise RuntimeError(f"{username} could not log in")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, ""


def cpu_seconds(server_group: int) -> dict:
    """CPU seconds (user + system) used so far by the web server's processes (its process
    group), PostgreSQL's processes and this client, read from /proc: where a request's
    time goes when the cores, not the waits, are what limits the throughput."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server": 0.0, "database": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                head, _, rest = f.read().rpartition(")")
        except OSError:        # gone meanwhile
            continue
        fields, name = rest.split(), head.partition("(")[2]
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if int(fields[2]) == server_group:
            used["server"] += seconds
        elif name.startswith("postgres"):
            used["database"] += seconds
    used["client"] = sum(os.times()[:2])
    return used


def run(base: str, users: list[dict], seconds: float, max_requests: int, seed: int = 13,
        server_group: int | None = None) -> dict:
    """``users``: [{"username", "password", "paths": [(path, weight), …]}]."""
    sessions = [Session(base, u["username"], u["password"]) for u in users]
    samples, errors, lock = [], [], threading.Lock()
    share = max_requests // len(users)
    start_at = time.perf_counter()
    stop_at = start_at + seconds

    def work(i):
        rng = random.Random(seed + i)
        paths, weights = zip(*users[i]["paths"])
        for _ in range(share):
            if time.perf_counter() >= stop_at:
                break
            path = rng.choices(paths, weights)[0]
            began = time.perf_counter()
            status, _ = sessions[i].get(path)
            took = (time.perf_counter() - began) * 1000
            with lock:
                samples.append((path.split("?")[0], took))
                if status != 200:
                    errors.append(f"{status} {path}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(users))]
    cpu_before = cpu_seconds(server_group) if server_group else None
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start_at
    cpu = {k: v - cpu_before[k] for k, v in cpu_seconds(server_group).items()} if server_group else {}
    times = sorted(t for _, t in samples)

    def pct(p):
        return times[min(int(len(times) * p), len(times) - 1)] if times else 0.0
    by_path = {}
    for path, took in samples:
        by_path.setdefault(re.sub(r"/\d+", "/<id>", path), []).append(took)
    return {"users": len(users), "seconds": elapsed, "requests": len(samples), "errors": errors[:20],
            "error_count": len(errors), "rps": len(samples) / elapsed if elapsed else 0.0,
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
            "cpu_ms": {k: v * 1000 / len(samples) for k, v in cpu.items()} if samples else {},
            "paths": {p: {"n": len(t), "median": statistics.median(t)} for p, t in sorted(by_path.items())}}
