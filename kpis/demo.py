"""Demo data for this app; called by `manage.py seed_demo`. Idempotent: it runs once, then leaves the data alone.

24 months of daily figures (up to the end of the last full month) for the live demo products are generated in the database with one
INSERT … SELECT (PostgreSQL and SQLite alike), snapshots are computed, targets are derived from them (mostly
met, some missed), and snapshots are computed again: the loan "LN-002" breaks its default-rate limit and has an
open alert. A product being withdrawn counts the customers its exit plan counts (`_exit_customers`): no new
customers from its notice date on, and its active customers fall with the migration reported on its plan (the exits
demo runs first).
"""
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from products.models import Product

from . import services
from .choices import Granularity, ObservationSource
from .models import Metric, Observation, Snapshot, Target
from .periods import add_months, period_containing
from .selectors import LIVE_STAGES

# Daily value per metric: n is a deterministic noise in [-8, 8], i the day index, p the product id.
FORMULAS = {
    "active_customers": "20000 + (pid % 20) * 1500 + i * 12 + n * 20",
    "new_customers": "40 + (pid % 5) * 10 + n",
    "balance": "80000 + (pid % 20) * 5000 + i * 40 + n * 150",
    "sales_volume": "300 + (pid % 7) * 40 + n * 10 + i * 0.1",
    "revenue": "100 + (pid % 9) * 15 + i * 0.05 + n * 4",
    "cost": "70 + (pid % 9) * 10 + i * 0.02 + n * 2.5",
    "csat": "86 + n * 0.6",
    "nps": "32 + n * 1.5",
    "complaints": "1 + (n + 8) % 4",
    "default_rate": "CASE WHEN pcode = 'LN-002' THEN 1.0 + i * 0.0018 + n * 0.02 "
                    "WHEN pcat IN ('loan', 'credit_card') THEN 1.1 + n * 0.03 END",
    "market_share": "2 + (pid % 10) * 0.4 + i * 0.001 + n * 0.01",
    "retention_rate": "91 + n * 0.3",
}
RISK_LIMIT = (1.5, 1.8, 2.0)  # default rate: target, warning, limit (%)
TARGETED = ["revenue", "csat", "complaints", "active_customers", "margin", "market_share"]
LOWER_IS_BETTER = {"complaints"}
EXIT_METRICS = ["active_customers", "new_customers"]


def seed(*, stdout=None):
    if Observation.objects.filter(source=ObservationSource.DEMO).exists():
        return 0
    products = list(Product.objects.filter(stage__in=LIVE_STAGES).values_list("id", flat=True))
    if not products:
        return 0
    # Whole months only: the month in progress would show as a slump in every summed metric.
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    start = add_months(end.replace(day=1), -23)
    rows = _generate(products, start, end)
    _exit_customers(products, start, end)
    from .demo_dimensions import seed_dimensions

    seed_dimensions(end=end)
    _compute(start, end)
    _targets(products)
    _compute(start, end)
    if stdout:
        stdout.write(f"KPI demo: {rows} observations, {Snapshot.objects.count()} snapshots")
    return rows


def _generate(products, start, end) -> int:
    from .partitions import observation_partitions_ensure

    pg = connection.vendor == "postgresql"
    observation_partitions_ensure(first=start, last=end)  # each month's figures in its own partition
    days = [(i, start + timedelta(days=i)) for i in range((end - start).days + 1)]
    literal = "CAST('{}' AS DATE)" if pg else "'{}'"
    values = ", ".join(f"({i}, {literal.format(day.isoformat())})" for i, day in days)
    cases = " ".join(f"WHEN '{code}' THEN {formula}" for code, formula in FORMULAS.items())
    codes = ", ".join(f"'{code}'" for code in FORMULAS)
    ids = ", ".join(str(int(pk)) for pk in products)
    # n is a cheap, deterministic, portable noise in [-8, 8] depending on the day, the product and the metric.
    statement = f"""
        WITH d(i, day) AS (VALUES {values})
        INSERT INTO kpis_observation (product_id, metric_id, date, value, source)
        SELECT pid, metric_id, day, value, 'demo' FROM (
          SELECT pid, metric_id, day, CASE code {cases} END AS value FROM (
            SELECT p.id AS pid, p.code AS pcode, p.category AS pcat, m.id AS metric_id, m.code AS code,
                   d.i AS i, d.day AS day, ((d.i * 37 + p.id * 11 + m.id * 7) % 17) - 8 AS n
            FROM d CROSS JOIN products_product p CROSS JOIN kpis_metric m
            WHERE p.id IN ({ids}) AND m.code IN ({codes})
          ) x
        ) y WHERE value IS NOT NULL"""
    with connection.cursor() as cursor:
        cursor.execute(statement)
    return Observation.objects.filter(source=ObservationSource.DEMO).count()


def _exit_customers(products, start, end) -> None:
    """Replace the generated customer figures of products with an exit plan by figures drawn from the plan: before
    its notice date the active customers fall towards the plan's count (0.1 % a day), from then on they are the plan's
    customers less those reported migrated or closed, and nobody new joins."""
    from exits.models import ExitPlan

    plans = ExitPlan.objects.filter(product_id__in=products, notice_date__isnull=False).prefetch_related(
        "segments__progress")
    metrics = dict(Metric.objects.filter(code__in=EXIT_METRICS).values_list("code", "id"))
    rows = []
    for plan in plans:
        Observation.objects.filter(product_id=plan.product_id, metric_id__in=metrics.values(),
                                   source=ObservationSource.DEMO).delete()
        for i in range((end - start).days + 1):
            day = start + timedelta(days=i)
            active, new = _exit_day(plan, day)
            rows += [Observation(product_id=plan.product_id, metric_id=metrics["active_customers"], date=day,
                                 value=active, source=ObservationSource.DEMO),
                     Observation(product_id=plan.product_id, metric_id=metrics["new_customers"], date=day,
                                 value=new, source=ObservationSource.DEMO)]
    Observation.objects.bulk_create(rows, batch_size=2000)


def _exit_day(plan, day) -> tuple[int, int]:
    """(active customers, new customers) of a product being withdrawn on a day."""
    segments = list(plan.segments.all())
    customers = sum(s.customers for s in segments)
    if day < plan.notice_date:
        return round(customers * (1 + 0.001 * (plan.notice_date - day).days)), 3 + day.day % 4
    left = 0
    for segment in segments:
        reported = [p for p in segment.progress.all() if p.date <= day]
        last = max(reported, key=lambda p: p.date, default=None)
        left += segment.customers - (last.migrated + last.closed if last else 0)
    return left, 0


def _compute(start, end):
    for granularity in Granularity.values:
        first, last = period_containing(start, granularity), period_containing(end, granularity)
        services.kpi_snapshots_compute(period=first.label, granularity=granularity, through=last.label)


def _targets(products):
    """Targets a little below the actual figures (met), and every seventh period a little above (missed)."""
    targets = []
    snaps = Snapshot.objects.filter(product_id__in=products, metric__code__in=TARGETED, value__isnull=False)
    for product_id, metric_id, code, granularity, start, value in snaps.values_list(
            "product_id", "metric_id", "metric__code", "granularity", "period_start", "value"):
        missed = (product_id + metric_id + start.month + start.year) % 7 == 0
        if code in LOWER_IS_BETTER:
            goal = value / (1.08 if missed else 0.95)
            warning, critical = goal * 1.05, goal * 1.2
        else:
            goal = value / (0.92 if missed else 1.03)
            warning, critical = goal * 0.95, goal * 0.85
        targets.append(Target(product_id=product_id, metric_id=metric_id, granularity=granularity,
                              period_start=start, target_value=round(goal, 2), warning_threshold=round(warning, 2),
                              critical_threshold=round(critical, 2)))
    risk = Snapshot.objects.filter(product_id__in=products, metric__code="default_rate")
    for product_id, metric_id, granularity, start in risk.values_list("product_id", "metric_id", "granularity",
                                                                      "period_start"):
        targets.append(Target(product_id=product_id, metric_id=metric_id, granularity=granularity,
                              period_start=start, target_value=RISK_LIMIT[0], warning_threshold=RISK_LIMIT[1],
                              critical_threshold=RISK_LIMIT[2]))
    Target.objects.bulk_create(targets, batch_size=1000, ignore_conflicts=True)

