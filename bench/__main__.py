"""`make bench` / `python -m bench`: run every benchmark, then print each ratio next to its aim.

Each benchmark runs in its own process (each sets up Django against its own scratch database derived from
DATABASE_URL) and prints a last line `RESULTS {json}`; this script streams their output and summarises.
    KPIs:          <DATABASE_URL name>_kpi_bench (kept between runs: generating 7.3 M rows takes minutes)
    workers:       the same database, real Celery workers (needs CELERY_BROKER_URL), 1, 2 and 4 processes
    requirements:  <DATABASE_URL name>_bench (created and dropped), including gunicorn over loopback
    roadmap:       <DATABASE_URL name>_roadmap_bench (created and dropped): 1,000 products over three years
    dimensions:    <DATABASE_URL name>_dim_bench (created and dropped): ingestion and snapshots by dimension
    growth:        <DATABASE_URL name>_growth_{1,2,4}x (kept): the same measures at 1×, 2× and 4× the data
                   (GROWTH_SCALE, default 1 = the issue's 1,000 → 4,000 products; not in a plain `make bench`)
BENCH_ONLY=kpis, workers, requirements, roadmap, dimensions or growth runs one of them.
"""
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent


def _run(script: str, env: dict) -> dict:
    process = subprocess.Popen([sys.executable, str(HERE / script)], env=env, stdout=subprocess.PIPE, text=True)
    results = {}
    for line in process.stdout:
        if line.startswith("RESULTS "):
            results = json.loads(line[len("RESULTS "):])
        else:
            print(line, end="", flush=True)
    if process.wait() != 0:
        raise SystemExit(f"{script} failed with exit code {process.returncode}")
    return results


def worker_rows(r: dict) -> list[tuple[str, str, str, str]]:
    """The backfill on 1, 2 and 4 worker processes (the last as two nodes), each against the reference just before."""
    counts = sorted(int(k) for k in r if k.isdigit())
    rows = [(f"backfill on {n} worker process(es) ÷ reference", f"{r[str(n)] / r[f'reference_{n}']:.2f}× "
             f"({r[str(n)]:.1f} s / {r[f'reference_{n}']:.1f} s)", "reported", "measured") for n in counts]
    for a, b in zip(counts, counts[1:], strict=False):
        rows.append((f"backfill speed-up {a} → {b} worker processes", f"{r[str(a)] / r[str(b)]:.2f}×", "reported",
                     "measured"))
    return rows


def _median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else float("nan")


def kpi_rows(r: dict) -> list[tuple[str, str, str, str]]:
    month = [m["task"] / m["reference"] for m in r["month"]]
    backfill = [b["task"] / b["reference"] for b in r["backfill"]]
    api_rate = [100_000 / i["api"] for i in r["ingest"]]
    ingest_ratio = [i["copy"] / i["api"] for i in r["ingest"]]
    runs = lambda xs, fmt="{:.2f}": " / ".join(fmt.format(x) for x in xs)  # noqa: E731
    rows = []
    if month:
        rows += [("one month's snapshots ÷ reference statement, kept", runs(month) + "×", "≤ 1.5×",
                  _ok(max(month) <= 1.5)),
                 ("  the same ÷ the reference computed only", runs([m["task"] / m["computed"] for m in r["month"]])
                  + "×", "(what keeping costs)", "measured")]
    if backfill:
        rows += [("24-month backfill ÷ reference statement, kept", runs(backfill) + "×", "≤ 1.5×",
                  _ok(max(backfill) <= 1.5)),
                 ("  the same ÷ the reference computed only",
                  runs([b["task"] / b["computed"] for b in r["backfill"]]) + "×", "(what keeping costs)", "measured")]
    if api_rate:
        loads = " / ".join(i.get("load", "?") for i in r["ingest"])
        rows += [
            ("ingestion through the API, rows/s", runs(api_rate, "{:,.0f}") + f" (load {loads})", "≥ 100,000",
             _ok(min(api_rate) >= 1e5)),
            ("ingestion: API rows/s ÷ COPY rows/s", runs(ingest_ratio), "≥ 0.25", _ok(min(ingest_ratio) >= 0.25)),
            ("stale recompute after 100,000 rows, s", runs([i["recompute"] for i in r["ingest"]]), "< 60 s",
             _ok(max(i["recompute"] for i in r["ingest"]) < 60)),
        ]
    pages = r.get("pages")
    if pages:
        rows += [
            ("dashboard, 1,000 products", f"{pages['dashboard_ms']:.0f} ms, {pages['dashboard_queries']} q "
             f"(load {pages.get('load', '?')})", "constant queries", "measured"),
            ("product KPI page", f"{pages['product_ms']:.0f} ms, {pages['product_queries']} q", "constant queries",
             "measured"),
        ]
    rows.append(("observation bytes per row (old layout)",
                 f"{r['bytes_per_row']['new']:.0f} ({r['bytes_per_row']['old']:.0f})", "smaller", _ok(
                     r["bytes_per_row"]["new"] < r["bytes_per_row"]["old"])))
    return rows


def requirement_rows(r: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    reference = r.get("reference_ms")
    for label, aim_ms, aim_q in (("list page (50 rows)", 20, 6), ("list API (50 rows)", 20, 6)):
        ms, queries = r["pages"][label]
        versus = f"; {ms / reference:.1f}× the hand-written reference" if reference else ""
        rows.append((f"backlog {label}", f"{ms:.1f} ms, {queries} q ({ms / 40:.2f}× peer{versus})",
                     f"≤ {aim_ms} ms, ≤ {aim_q} q (≤ 0.5× peer)", _ok(ms <= aim_ms and queries <= aim_q)))
    if reference:
        rows.append(("reference API page in-process (psycopg + json, 3 statements)", f"{reference:.1f} ms", "",
                     "reference"))
    http = r.get("http")
    if http:
        rows.append(("API over HTTP, gunicorn 2 sync workers, 8 connections 30 s",
                     f"{http['rps']:.0f} req/s, p50 {http['p50']:.0f} ms, p99 {http['p99']:.0f} ms "
                     f"(load {http['load']})",
                     "≥ 90 req/s (peer 43–45)", _ok(http["rps"] >= 90)))
        if "reference_rps" in http:
            rows.append(("  the same load on the hand-written reference under gunicorn",
                         f"{http['reference_rps']:.0f} req/s, p50 {http['reference_p50']:.0f} ms, "
                         f"p99 {http['reference_p99']:.0f} ms (load {http['reference_load']})",
                         "", f"BankPM ÷ reference {http['rps'] / http['reference_rps']:.2f}"))
        if "ab_rps" in http:
            versus = (f"BankPM ÷ reference {http['ab_rps'] / http['reference_ab_rps']:.2f}"
                      if "reference_ab_rps" in http else "")
            rows.append(("  the same load from ApacheBench (C client)",
                         f"{http['ab_rps']:.0f} req/s, p50 {http['ab_p50']:.0f} ms, p99 {http['ab_p99']:.0f} ms; "
                         f"reference {http.get('reference_ab_rps', 0):.0f} req/s", "≥ 90 req/s",
                         f"{_ok(http['ab_rps'] >= 90)}; {versus}"))
        rows.append(("API over HTTP, sequential median", f"{http['sequential_ms']:.1f} ms", "", "measured"))
    return rows


def roadmap_rows(r: dict) -> list[tuple[str, str, str, str]]:
    page, api, xlsx = r["page"], r["api"], r["xlsx"]
    return [
        ("roadmap page, 1,000 products × 3 years", f"{page['ms']:.0f} ms, {page['queries']} q (load {r['load']})",
         "< 1 s, constant queries", _ok(page["ms"] < 1000)),
        ("roadmap API, the same items", f"{api['ms']:.0f} ms, {api['queries']} q", "constant queries", "measured"),
        ("roadmap XLSX export, the same items", f"{xlsx['ms']:.0f} ms, {xlsx['queries']} q", "", "measured"),
    ]


def dimension_rows(r: dict) -> list[tuple[str, str, str, str]]:
    scale = f"{r['products']} products × {r['days']} days, {r['rows']:,} rows, load {r['load']}"
    return [
        ("dimensioned ingestion through the API ÷ COPY", f"{r['ingest_ratio']:.2f} ({r['api_rows_per_s']:,.0f} / "
         f"{r['copy_rows_per_s']:,.0f} rows/s; {scale})", "≥ 0.25", _ok(r["ingest_ratio"] >= 0.25)),
        ("one month's snapshots by dimension ÷ raw statement", f"{r['snapshot_ratio']:.2f}× ({r['statement']:.3f} / "
         f"{r['raw']:.3f} s, {r['checked']:,} rows equal)", "≤ 1.5×", _ok(r["snapshot_ratio"] <= 1.5)),
    ]


def growth_rows(r: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for name, by_factor in r["measures"].items():
        base = by_factor["1"]["seconds"]
        times = " / ".join(f"{by_factor[f]['seconds']:.2f} s" if by_factor[f]["seconds"] >= 1
                           else f"{by_factor[f]['seconds'] * 1000:.0f} ms" for f in ("1", "2", "4"))
        growth = by_factor["4"]["seconds"] / base
        rows.append((f"growth 1×/2×/4× (scale {r['scale']:g}): {name}",
                     f"{times}; ×{by_factor['2']['seconds'] / base:.2f}, ×{growth:.2f}", "≤ ×2, ×4 (linear)",
                     _ok(growth <= 4.4)))
    return rows


def _ok(flag: bool) -> str:
    return "met" if flag else "NOT met"


def main():
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankpm")
    url = urlparse(base)
    name = url.path.lstrip("/")
    only = os.environ.get("BENCH_ONLY", "")
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    table = []
    if only in ("", "kpis"):
        env = {**os.environ, "DATABASE_URL": urlunparse(url._replace(path=f"/{name}_kpi_bench"))}
        table += kpi_rows(_run("kpis_bench.py", env))
    if only in ("", "workers") and os.environ.get("CELERY_BROKER_URL"):
        env = {**os.environ, "DATABASE_URL": urlunparse(url._replace(path=f"/{name}_kpi_bench"))}
        table += worker_rows(_run("workers_bench.py", env))
    if only in ("", "requirements"):
        table += requirement_rows(_run("requirements_bench.py", {**os.environ, "DATABASE_URL": base}))
    if only in ("", "roadmap"):
        table += roadmap_rows(_run("roadmap_bench.py", {**os.environ, "DATABASE_URL": base}))
    if only in ("", "dimensions"):
        table += dimension_rows(_run("dimensions_bench.py", {**os.environ, "DATABASE_URL": base}))
    if only == "growth":  # minutes of data generation at the full scale: asked for by name
        table += growth_rows(_run("growth_bench.py", {**os.environ, "DATABASE_URL": base}))
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    width = max(len(row[0]) for row in table)
    print(f"\n{'measure':<{width}}  {'result (runs)':<44}  {'aim':<34}  verdict")
    for label, value, aim, verdict in table:
        print(f"{label:<{width}}  {value:<44}  {aim:<34}  {verdict}")
    print(f"\nload average (1, 5, 15 min): {load_before} before, {load_after} after; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
