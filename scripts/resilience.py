"""`make resilience`: the fault drills, each against the rehearsal of scripts/cluster.sh, each with its figure.

    .venv/bin/python scripts/resilience.py [drill ...]     # drills: worker web replica database redis (default: all)

It brings the rehearsal up (its own PostgreSQL primary and replica, Redis, HAProxy, two web nodes, two workers and a
beat: nothing of the machine's shared services is stopped), runs the drills in order and prints one line of
figures per drill; it exits non-zero when a drill's expectation fails. Not in CI: the rehearsal alone takes minutes
on 2 cores. Results of the last run are in docs/scaling.md.
"""
from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = [str(ROOT / "scripts" / "cluster.sh")]
STATE = Path(os.environ.get("CLUSTER_DIR", "/tmp/bankpm-cluster"))
LB = "http://127.0.0.1:8080"
PASSWORD = "bankpm-demo"
PRODUCTS, DAYS, FIRST_DAY = 400, 730, date(2024, 7, 1)
METRICS = ["active_customers", "new_customers", "balance", "sales_volume", "revenue", "cost", "csat", "complaints",
           "default_rate", "nps"]
WRITES_FROM = date(2025, 1, 1)  # the web drill's observations: past days (future ones are refused)
FAILURES: list[str] = []


def log(text: str) -> None:
    print(text, flush=True)


def expect(ok: bool, what: str) -> None:
    log(f"  {'ok ' if ok else 'FAIL'} {what}")
    if not ok:
        FAILURES.append(what)


def cluster(*args: str) -> None:
    subprocess.run([*CLUSTER, *args], check=True, cwd=ROOT)


def cluster_env() -> dict:
    out = subprocess.run([*CLUSTER, "env"], check=True, capture_output=True, text=True).stdout
    return dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line)


def django_setup() -> None:
    os.environ.update(cluster_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pid(name: str) -> int:
    return int((STATE / f"{name}.pid").read_text())


def kill9(name: str) -> None:
    """SIGKILL a component and its children: a machine dying, not a shutdown."""
    parent = pid(name)
    subprocess.run(["pkill", "-KILL", "-P", str(parent)], check=False)
    os.kill(parent, signal.SIGKILL)


def token(username: str) -> str:
    response = requests.post(f"{LB}/api/v1/auth/token/", json={"username": username, "password": PASSWORD}, timeout=10)
    response.raise_for_status()
    return response.json()["token"]


# ---- drill 1: a worker dies in the middle of a 24-month backfill -------------------------------------------------
def generate_observations() -> None:
    from django.db import connection

    from accounts.models import User
    from kpis.partitions import observation_partitions_ensure
    from products.models import Product

    observation_partitions_ensure(first=FIRST_DAY - timedelta(days=366), last=FIRST_DAY + timedelta(days=DAYS + 90))
    if Product.objects.filter(code__startswith="RES-").count() == PRODUCTS:
        return
    owner = User.objects.get(username="pm2")
    Product.objects.bulk_create([Product(code=f"RES-{i:04d}", name=f"演练产品{i}", name_en=f"Drill product {i}",
                                         category="loan", owner=owner, risk_rating="R2", stage="operation")
                                 for i in range(PRODUCTS)])
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO kpis_observation (product_id, metric_id, date, value, source)
            SELECT p.id, m.id, %s::date + g.i, (50 + (p.id %% 50) + (g.i %% 17))::float8, 'api'
            FROM products_product p CROSS JOIN kpis_metric m CROSS JOIN generate_series(0, %s) AS g(i)
            WHERE p.code LIKE 'RES-%%' AND m.code = ANY(%s)""", [FIRST_DAY, DAYS - 1, METRICS])
        cursor.execute("ANALYZE kpis_observation")


def snapshot_digest() -> tuple[int, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*), md5(string_agg(concat_ws('|', s.product_id, s.metric_id, s.granularity, s.period_start,
                                                     round(s.value::numeric, 6), s.status), ',' ORDER BY
                                            s.product_id, s.metric_id, s.granularity, s.period_start))
            FROM kpis_snapshot s JOIN products_product p ON p.id = s.product_id
            WHERE p.code LIKE 'RES-%%' AND s.granularity = 'month'""")
        return cursor.fetchone()


def clear_snapshots() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kpis_snapshot s USING products_product p "
                       "WHERE p.id = s.product_id AND p.code LIKE 'RES-%%'")


def backfill(*, kill_after: float | None) -> tuple[float, dict]:
    from kpis.tasks import compute_kpi_snapshots

    last = FIRST_DAY + timedelta(days=DAYS - 1)
    result = compute_kpi_snapshots.apply_async(args=[FIRST_DAY.strftime("%Y-%m"), "month", last.strftime("%Y-%m")],
                                               task_id=str(uuid.uuid4()))
    started = time.monotonic()
    if kill_after is not None:
        time.sleep(kill_after)
        kill9("worker-1")
    value = result.get(timeout=600, propagate=True)
    return time.monotonic() - started, value


def drill_worker() -> None:
    log("drill: kill -9 one Celery worker in the middle of a 24-month backfill")
    generate_observations()
    clear_snapshots()
    clean_seconds, clean = backfill(kill_after=None)
    clean_digest = snapshot_digest()
    clear_snapshots()
    seconds, killed = backfill(kill_after=min(3.0, clean_seconds / 3))
    digest = snapshot_digest()
    from bankpm.celery import app

    with app.connection_for_write() as conn:
        unacked = conn.default_channel.client.hlen("unacked")
    log(f"  clean run {clean_seconds:.1f} s; with worker-1 killed {seconds:.1f} s; {digest[0]:,} snapshots")
    expect(killed["periods"] == clean["periods"] == 24, f"all 24 periods computed ({killed['periods']})")
    expect(killed["snapshots"] == clean["snapshots"], "the same number of snapshots as a clean run")
    expect(digest == clean_digest, "snapshot values equal a clean run's, row for row")
    expect(unacked == 0, f"no task left running or unacknowledged ({unacked})")
    cluster("start", "worker-1")


# ---- drill 2: a web node dies under an 8-client mixed load -------------------------------------------------------
class Load:
    """8 clients: reads of the product list and writes of observations, each write a distinct (product, metric,
    day) sent until acknowledged, as a client with retries would; ingestion is keyed, so a retry never doubles."""

    def __init__(self, api_token: str, product_codes: list[str], clients: int = 8):
        self.headers = {"Authorization": f"Token {api_token}"}
        self.codes = product_codes
        self.clients = clients
        self.stop = threading.Event()
        self.samples: list[tuple[float, float, str, int]] = []  # (time, seconds, kind, status)
        self.written: set[tuple[str, str]] = set()
        self.lock = threading.Lock()

    def _request(self, session, kind, method, url, **kwargs):
        start = time.monotonic()
        try:
            status = session.request(method, url, timeout=15, headers=self.headers, **kwargs).status_code
        except requests.RequestException:
            status = 0
        with self.lock:
            self.samples.append((start, time.monotonic() - start, kind, status))
        return status

    def client(self, n: int) -> None:
        session, k = requests.Session(), 0
        while not self.stop.is_set():
            self._request(session, "read", "GET", f"{LB}/api/v1/products/?page_size=50")
            code, day = self.codes[(n * 7919 + k) % len(self.codes)], (WRITES_FROM + timedelta(days=k)).isoformat()
            item = [{"product": code, "metric": "csat", "date": day, "value": 80 + n}]
            for _attempt in range(10):
                if self._request(session, "write", "POST", f"{LB}/api/v1/metrics/observations/", json=item) in (
                        200, 201):
                    with self.lock:
                        self.written.add((code, day))
                    break
                time.sleep(0.2)
            k += 1

    def run(self, seconds: float, fault=None, fault_at: float = 0.0) -> None:
        threads = [threading.Thread(target=self.client, args=(n,)) for n in range(self.clients)]
        for thread in threads:
            thread.start()
        if fault:
            time.sleep(fault_at)
            self.fault_time = time.monotonic()
            fault()
            time.sleep(seconds - fault_at)
        else:
            time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join()

    def figures(self, since: float = 0.0, until: float = float("inf")):
        window = [s for s in self.samples if since <= s[0] <= until]
        failed_reads = [s[3] for s in window if s[2] == "read" and s[3] != 200]
        errors = sum(1 for s in window if s[3] not in (200, 201))
        p99 = statistics.quantiles([s[1] for s in window], n=100)[98] * 1000 if len(window) > 1 else 0.0
        return len(window), failed_reads, errors, p99


def stored_observations(product_codes: list[str]) -> set[tuple[str, str]]:
    from kpis.models import Observation

    rows = Observation.objects.filter(product__code__in=product_codes, metric__code="csat",
                                      date__gte=WRITES_FROM).values_list("product__code", "date")
    return {(code, day.isoformat()) for code, day in rows}


def drill_web() -> None:
    from kpis.models import Observation
    from products.models import Product

    log("drill: kill -9 one web node under an 8-client mixed load")
    codes = list(Product.objects.filter(owner__username="pm2").values_list("code", flat=True)[:20])
    Observation.objects.filter(product__code__in=codes, metric__code="csat", date__gte=WRITES_FROM).delete()
    load = Load(token("pm2"), codes)
    load.run(30, fault=lambda: kill9("web-8001"), fault_at=8)
    total, failed_reads, errors, p99 = load.figures()
    during = load.figures(load.fault_time - 1, load.fault_time + 5)
    stored = stored_observations(codes)
    log(f"  {total:,} requests ({total / 30:.0f}/s); during the failover (5 s): {during[0]} requests, "
        f"{during[2]} errors ({100 * during[2] / max(during[0], 1):.1f} %), p99 {during[3]:.0f} ms; "
        f"overall p99 {p99:.0f} ms")
    expect(not failed_reads, f"0 failed reads (statuses of failed reads: {failed_reads})")
    expect(stored == load.written, f"0 lost or doubled writes ({len(load.written)} acknowledged, {len(stored)} stored)")
    cluster("start", "web-8001")


# ---- drill 3: the replica stops, then comes back -----------------------------------------------------------------
def page_session(username: str) -> requests.Session:
    """A signed-in browser session. The site is https behind the balancer, so its cookies are Secure: over the
    rehearsal's plain http they are sent by hand."""
    session = requests.Session()
    csrf = session.get(f"{LB}/login/", timeout=10).cookies["csrftoken"]
    response = session.post(f"{LB}/login/", data={"username": username, "password": PASSWORD,
                                                  "csrfmiddlewaretoken": csrf},
                            headers={"Referer": "https://127.0.0.1:8080/login/", "Cookie": f"csrftoken={csrf}"},
                            timeout=10, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {username} failed: {response.status_code}")
    session.headers["Cookie"] = f"sessionid={response.cookies['sessionid']}"
    session.cookies.clear()
    return session


def read_pages(session: requests.Session, seconds: float) -> tuple[int, int, dict]:
    end, count, errors, sources = time.monotonic() + seconds, 0, 0, {}
    while time.monotonic() < end:
        response = session.get(f"{LB}/products/", timeout=15, allow_redirects=False)
        count += 1
        errors += response.status_code != 200
        source = response.headers.get("X-BankPM-Read", "?")
        sources[source] = sources.get(source, 0) + 1
    return count, errors, sources


def drill_replica() -> None:
    log("drill: stop the replica, then bring it back")
    session = page_session("head1")
    time.sleep(6)  # past the read-your-writes window of the sign-in
    before = read_pages(session, 5)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "bankpm_replica", "stop", "-m",
                    "immediate"], check=True)
    down = read_pages(session, 8)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "bankpm_replica", "start"], check=True)
    back_at = time.monotonic()
    after = (0, 0, {})
    while time.monotonic() - back_at < 30:
        after = read_pages(session, 2)
        if after[2].get("replica"):
            break
    log(f"  before {before}; replica down {down}; back after {time.monotonic() - back_at:.1f} s {after}")
    expect(before[2].get("replica", 0) > 0, "reads went to the replica while it was up")
    expect(down[1] == 0 and down[2].get("primary", 0) == down[0],
           "no error while it was down: all reads on the primary")
    expect(after[2].get("replica", 0) > 0, "reads returned to the replica")


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


# ---- drill 4: PostgreSQL restarts under load ---------------------------------------------------------------------
def drill_database() -> None:
    log("drill: restart the PostgreSQL primary under load")
    headers = {"Authorization": f"Token {token('pm2')}"}
    samples = []
    stop = threading.Event()

    def reader():
        session = requests.Session()
        while not stop.is_set():
            start = time.monotonic()
            try:
                status = session.get(f"{LB}/api/v1/products/", headers=headers, timeout=15).status_code
            except requests.RequestException:
                status = 0
            samples.append((start, time.monotonic() - start, status))
            time.sleep(0.05)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "bankpm_primary", "stop", "-m", "fast"],
                   check=True)
    down_at = time.monotonic()
    time.sleep(5)
    restart_at = time.monotonic()  # down until here for sure; it accepts connections a moment before `start` returns
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "bankpm_primary", "start"], check=True)
    up_at = time.monotonic()
    time.sleep(30)
    stop.set()
    for thread in threads:
        thread.join()
    during = [s for s in samples if down_at + 0.5 <= s[0] and s[0] + s[1] <= restart_at]
    recovered = [s[0] for s in samples if s[0] > up_at and s[2] == 200]
    statuses = {status: sum(1 for s in during if s[2] == status) for status in sorted({s[2] for s in during})}
    slowest = max((s[1] for s in during), default=0.0)
    first_ok = (min(recovered) - up_at) if recovered else float("inf")
    tail_ok = all(s[2] == 200 for s in samples if s[0] > up_at + 30 - 10)
    log(f"  while down: {len(during)} requests, statuses {statuses}, slowest {slowest * 1000:.0f} ms; "
        f"first 200 {first_ok:.1f} s after the restart")
    expect(list(statuses) == [503], "a clear 503 while the database is down")
    expect(slowest < 5, "failing fast (each answer within 5 s)")
    expect(first_ok < 30 and tail_ok, "recovered by itself within 30 s")


# ---- drill 5: Redis stops for a minute ---------------------------------------------------------------------------
def drill_redis(stop_seconds: int = 60) -> None:
    from notifications.models import Notification

    log(f"drill: stop Redis for {stop_seconds} s")
    headers = {"Authorization": f"Token {token('head1')}"}
    from kpis.models import TaskRun

    before_runs = set(TaskRun.objects.values_list("id", flat=True))
    subprocess.run(["redis-cli", "-p", "6390", "shutdown", "nosave"], check=False)
    time.sleep(1)
    started, ids, statuses = time.monotonic(), [], []
    period = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    for _ in range(5):
        response = requests.post(f"{LB}/api/v1/kpi-snapshots/compute/", headers=headers, timeout=15,
                                 json={"period": period, "granularity": "month"})
        statuses.append(response.status_code)
        if response.status_code == 202:
            ids.append(response.json().get("task_id") or response.json().get("id"))
    outbox_before = Notification.objects.filter(sent_at__isnull=True).count() \
        if hasattr(Notification, "sent_at") else None
    time.sleep(max(0, stop_seconds - (time.monotonic() - started)))
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6390", "--save", "",
                    "--appendonly", "yes", "--dir", str(STATE), "--pidfile", str(STATE / "redis.pid"),
                    "--logfile", str(STATE / "redis.log")], check=True)
    back = time.monotonic()
    runs = TaskRun.objects.exclude(id__in=before_runs)
    deadline = back + 180
    from celery.result import AsyncResult

    while time.monotonic() < deadline:
        states = [AsyncResult(str(run.id)).state for run in runs]
        if states and all(state == "SUCCESS" for state in states):
            break
        time.sleep(2)
    states = [AsyncResult(str(run.id)).state for run in runs]
    log(f"  {len(statuses)} requests while Redis was down: {statuses}; {len(states)} runs recorded; "
        f"all done {time.monotonic() - back:.0f} s after Redis came back: {states}"
        + (f"; outbox rows pending before: {outbox_before}" if outbox_before is not None else ""))
    expect(all(s == 202 for s in statuses), "requests accepted while the broker was down (kept in the outbox)")
    expect(len(states) == 5 and all(state == "SUCCESS" for state in states),
           "every run delivered after Redis came back")


DRILLS = {"worker": drill_worker, "web": drill_web, "replica": drill_replica, "database": drill_database,
          "redis": drill_redis}


def main(names: list[str]) -> int:
    unknown = set(names) - set(DRILLS)
    if unknown:
        log(f"unknown drills: {', '.join(sorted(unknown))} (known: {', '.join(DRILLS)})")
        return 2
    if os.environ.get("CLUSTER_REUSE") != "1":
        cluster("up")
    django_setup()
    from django.db import connections

    for name in names or list(DRILLS):
        connections.close_all()  # a drill may have restarted the database under this process's connection
        DRILLS[name]()
    log(json.dumps({"failures": FAILURES}, ensure_ascii=False))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
