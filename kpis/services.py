"""KPI rules: ingestion of observations, snapshot computation, early-warning alerts.

Pages, API views, the admin, Celery tasks and management commands all call these functions.
"""
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.choices import DepartmentCode
from accounts.permissions import can_manage_products
from notifications.services import localised, notify
from products.models import Product
from products.services import product_can_edit

from . import sql
from .choices import (
    ACTIVE_ALERT_STATUSES,
    ALERT_COMMENT_MAX_LENGTH,
    MAX_OBSERVATIONS_PER_REQUEST,
    Aggregation,
    AlertStatus,
    IngestError,
    KpiFamily,
    MetricCode,
    ObservationSource,
    SnapshotStatus,
)
from .models import Alert, Metric, Observation, Snapshot
from .periods import Period, parse_period, period_range

# ---------------------------------------------------------------------------------------------------------------
# Ingestion
# ---------------------------------------------------------------------------------------------------------------

ITEM_FIELDS = ("product", "metric", "date", "value")


class BulkValidationError(ValidationError):
    """Errors of a bulk write, one entry per failing item: `[{"index": 3, "errors": {"metric": [...]}}]`."""

    def __init__(self, item_errors: list[dict]):
        self.item_errors = item_errors
        super().__init__(_("%(count)d 条数据有误，未写入任何数据。") % {"count": len(item_errors)})


@dataclass
class IngestResult:
    received: int
    created: int
    updated: int
    dry_run: bool


def observations_ingest(*, user, items, source: str = ObservationSource.API, dry_run: bool = False) -> IngestResult:
    """Validate every item, then upsert all of them in one statement, or nothing at all.

    Heads of product and admins may send figures for any product, product managers for their own products.
    Derived metrics and backlog-fed metrics are computed by the system and refused here.
    """
    if not can_manage_products(user):
        raise PermissionDenied(_("只有产品经理、产品负责人和管理员可以提交指标数据。"))
    if not isinstance(items, list):
        raise ValidationError({"non_field_errors": [IngestError.NOT_A_LIST.label]})
    if not items:
        raise ValidationError({"non_field_errors": [IngestError.EMPTY.label]})
    if len(items) > MAX_OBSERVATIONS_PER_REQUEST:
        raise ValidationError({"non_field_errors": [
            _("单次最多提交 %(max)s 条观测值，本次收到 %(count)s 条；请分批提交。")
            % {"max": f"{MAX_OBSERVATIONS_PER_REQUEST:,}", "count": f"{len(items):,}"}
        ]})
    rows, errors = _validate_items(user=user, items=items)
    if errors:
        raise BulkValidationError(errors)
    if dry_run:
        return IngestResult(received=len(rows[0]), created=0, updated=0, dry_run=True)
    with transaction.atomic():
        created = _upsert_observations(rows, source)
    return IngestResult(received=len(rows[0]), created=created, updated=len(rows[0]) - created, dry_run=False)


def _validate_items(*, user, items: list) -> tuple[tuple[list, list, list, list], list[dict]]:
    """Plain-Python validation with dicts of codes → ids: fast enough for 10,000 items per request."""
    codes = {item.get("product") for item in items if isinstance(item, dict) and _is_storable(item.get("product"))}
    products = {code: (pk, owner) for code, pk, owner in
                Product.objects.filter(code__in=codes).values_list("code", "id", "owner_id")}
    metrics = {code: (pk, agg, code) for code, pk, agg in Metric.objects.values_list("code", "id", "aggregation")}
    # Valid ranges (counts ≥ 0, rates 0–100 …) are checked per item like every other error.
    bounded = {metric.code: metric for metric in Metric.objects.exclude(min_value=None, max_value=None)}
    # Same rule as editing the product itself; owners are already loaded, so this costs no query per item.
    editable = {code for code, (pk, owner) in products.items()
                if product_can_edit(user=user, product=Product(pk=pk, owner_id=owner))}
    product_ids, metric_ids, dates, values = [], [], [], []
    errors, seen = [], {}
    for index, item in enumerate(items):
        problems = _item_problems(item, products, metrics, editable)
        if not problems and item["metric"] in bounded:
            outside = bounded[item["metric"]].range_error(float(item["value"]))
            problems = {"value": [outside]} if outside else problems
        if not problems:
            key = (products[item["product"]][0], metrics[item["metric"]][0], date.fromisoformat(item["date"]))
            if key in seen:
                problems = {"date": [_("与第 %(other)d 项重复（同一产品、指标和日期）。") % {"other": seen[key]}]}
            else:
                seen[key] = index
                product_ids.append(key[0])
                metric_ids.append(key[1])
                dates.append(key[2])
                values.append(float(item["value"]))
        if problems:
            errors.append({"index": index, "errors": problems})
    return (product_ids, metric_ids, dates, values), errors


def _item_problems(item, products, metrics, editable) -> dict:
    if not isinstance(item, dict):
        return {"non_field_errors": [IngestError.NOT_AN_OBJECT.label]}
    problems = {name: [IngestError.UNKNOWN_FIELD.label] for name in item if name not in ITEM_FIELDS}
    for name in ITEM_FIELDS:
        if name not in item or item[name] is None:
            problems[name] = [IngestError.REQUIRED.label]
    code = item.get("product")
    if "product" not in problems:
        if not _is_storable(code) or code not in products:
            problems["product"] = [_("未知产品代码 '%(code)s'。") % {"code": _printable(code)}]
        elif code not in editable:
            problems["product"] = [IngestError.NOT_YOUR_PRODUCT.label]
    metric = item.get("metric")
    if "metric" not in problems:
        if not _is_storable(metric) or metric not in metrics:
            problems["metric"] = [_("未知指标代码 '%(code)s'。") % {"code": _printable(metric)}]
        elif metrics[metric][1] == Aggregation.DERIVED or metric == MetricCode.REQUIREMENTS_DELIVERED:
            problems["metric"] = [IngestError.NOT_INGESTIBLE.label]
    if "date" not in problems and not _is_iso_date(item["date"]):
        problems["date"] = [IngestError.BAD_DATE.label]
    if "value" not in problems and not _is_finite_number(item["value"]):
        problems["value"] = [IngestError.BAD_VALUE.label]
    return problems


def _is_storable(text) -> bool:
    """A string PostgreSQL can be asked about: no NUL character and no lone surrogate (JSON admits both)."""
    if not isinstance(text, str) or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(value) -> str:
    """Echo a bad code back safely: the error response itself must be encodable."""
    return str(value).replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _is_finite_number(value) -> bool:
    """Booleans are not numbers here; an integer too large for a float (JSON allows any) is not finite either."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _is_iso_date(text) -> bool:
    if not isinstance(text, str) or len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


_UPSERT_PG = """
INSERT INTO kpis_observation (product_id, metric_id, date, value, source)
SELECT u.p, u.m, u.d, u.v, %s FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::float8[]) AS u(p, m, d, v)
ON CONFLICT (product_id, metric_id, date) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source
RETURNING (xmax = 0)"""


def _upsert_observations(rows, source: str) -> int:
    """One set-based upsert; returns how many rows were new (PostgreSQL: xmax = 0 marks an inserted row)."""
    product_ids, metric_ids, dates, values = rows
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT_PG, [source, product_ids, metric_ids, dates, values])
            return sum(1 for (inserted,) in cursor.fetchall() if inserted)
    existing = set(Observation.objects.filter(
        product_id__in=set(product_ids), metric_id__in=set(metric_ids), date__in=set(dates)
    ).values_list("product_id", "metric_id", "date"))
    objects = [Observation(product_id=p, metric_id=m, date=d, value=v, source=source)
               for p, m, d, v in zip(product_ids, metric_ids, dates, values, strict=True)]
    Observation.objects.bulk_create(objects, batch_size=2000, update_conflicts=True,
                                    unique_fields=["product", "metric", "date"], update_fields=["value", "source"])
    return sum(1 for key in zip(product_ids, metric_ids, dates, strict=True) if key not in existing)


# ---------------------------------------------------------------------------------------------------------------
# Snapshots
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class ComputeResult:
    periods: int = 0
    snapshots: int = 0
    alerts_opened: int = 0
    alerts_resolved: int = 0


def kpi_can_compute(*, user) -> bool:
    """Heads of product and admins trigger a recomputation; everybody else waits for the nightly run."""
    return user.is_authenticated and (user.is_admin or user.is_head_of_product)


def kpi_compute_request(*, user, period: str, granularity: str) -> str:
    """Check and queue the Celery task after commit; returns the task id the caller can poll."""
    if not kpi_can_compute(user=user):
        raise PermissionDenied(_("只有产品负责人和管理员可以重新计算指标快照。"))
    parsed = parse_period(period, granularity)
    task_id = str(uuid.uuid4())
    from .tasks import compute_kpi_snapshots

    transaction.on_commit(lambda: compute_kpi_snapshots.apply_async(
        args=[parsed.label, parsed.granularity], task_id=task_id))
    return task_id


def kpi_snapshots_compute(
    *, period: str, granularity: str, through: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ComputeResult:
    """Compute snapshots of one period, or of every period from `period` through `through` (a backfill).

    Idempotent: each period is one upsert keyed by product, metric, granularity and period start.
    Each period commits on its own, so a long backfill does not hold one huge transaction.
    """
    first = parse_period(period, granularity)
    last = parse_period(through, granularity) if through else first
    if last.start < first.start:
        raise ValidationError({"through": _("结束周期不能早于开始周期。")})
    periods = period_range(first, last)
    result = ComputeResult()
    if progress:
        progress(0, len(periods))
    for done, each in enumerate(periods, start=1):
        with transaction.atomic():
            rows, opened, resolved = _compute_period(each)
        result.periods += 1
        result.snapshots += rows
        result.alerts_opened += opened
        result.alerts_resolved += resolved
        if progress:
            progress(done, len(periods))
    return result


def _metric_ids() -> dict[str, int]:
    codes = [MetricCode.REVENUE, MetricCode.COST, MetricCode.PROFIT, MetricCode.MARGIN]
    found = dict(Metric.objects.filter(code__in=codes).values_list("code", "id"))
    return {code: found.get(code, -1) for code in codes}


def snapshot_params(period: Period, now) -> dict:
    previous, last_year = period.previous(), period.last_year()
    return {
        **_metric_ids(), "granularity": period.granularity, "label": period.label, "now": now,
        "s0": period.start, "e0": period.end, "s1": previous.start, "e1": previous.end,
        "s2": last_year.start, "e2": last_year.end,
    }


def _compute_period(period: Period) -> tuple[int, int, int]:
    from .sources import sync_backlog_observations

    sync_backlog_observations(start=period.start, end=period.end)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql.UPSERT_SNAPSHOTS, snapshot_params(period, now))
        rows = cursor.rowcount
    if rows < 0:  # SQLite does not count rows of an INSERT with a WITH clause
        rows = Snapshot.objects.filter(granularity=period.granularity, period_start=period.start).count()
    opened = _open_alerts(period, now)
    resolved = _auto_resolve_alerts(period, now)
    return rows, opened, resolved


# ---------------------------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------------------------

class StateConflict(Exception):
    """The object is not in a state that allows this action (HTTP 409)."""


def _open_alerts(period: Period, now) -> int:
    """Red snapshots of the period open an alert unless one is active or a later period is already green."""
    same = {"product": OuterRef("product"), "metric": OuterRef("metric")}
    later_green = Snapshot.objects.filter(**same, granularity=period.granularity, status=SnapshotStatus.GREEN,
                                          period_start__gt=period.start)
    red = (Snapshot.objects.filter(granularity=period.granularity, period_start=period.start, status=SnapshotStatus.RED)
           .exclude(Exists(Alert.objects.filter(**same, status__in=ACTIVE_ALERT_STATUSES)))
           .exclude(Exists(later_green)))
    alerts = [
        Alert(product_id=s.product_id, metric_id=s.metric_id, snapshot=s, granularity=s.granularity, period=s.period,
              period_start=s.period_start, value=s.value, critical_threshold=s.critical_threshold, opened_at=now)
        for s in red
    ]
    if not alerts:
        return 0
    # A concurrent run may have opened the same alert: the partial unique constraint makes that a no-op.
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    new = list(Alert.objects.filter(opened_at=now, period_start=period.start, granularity=period.granularity)
               .select_related("product__owner", "metric"))
    risk_members = None
    for alert in new:
        recipients = [alert.product.owner]
        if alert.metric.family == KpiFamily.RISK:
            if risk_members is None:
                risk_members = list(get_user_model().objects.filter(departments__code=DepartmentCode.RISK,
                                                                    is_active=True))
            recipients += risk_members
        _notify_alert(alert, recipients)
    return len(new)


def _notify_alert(alert: Alert, recipients) -> None:
    from django.urls import reverse

    metric = alert.metric
    notify(
        recipients=recipients,
        title_code=gettext_noop("指标预警：%(product)s %(metric)s（%(period)s）"),
        body_code=gettext_noop("%(metric)s 为 %(value)s，已越过预警阈值 %(limit)s。请确认并说明应对措施。"),
        params={"product": alert.product.code, "metric": localised(lambda: metric.display_name), "period": alert.period,
                "value": _fmt(alert.value), "limit": _fmt(alert.critical_threshold)},
        url=reverse("kpis:alert-list") + f"?product={alert.product_id}",
    )


def _fmt(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _auto_resolve_alerts(period: Period, now) -> int:
    """Active alerts whose metric is green again in this period (or later) resolve themselves."""
    green = Snapshot.objects.filter(product=OuterRef("product"), metric=OuterRef("metric"),
                                    granularity=period.granularity, period_start=period.start,
                                    status=SnapshotStatus.GREEN)
    alerts = (Alert.objects.select_for_update()
              .filter(status__in=ACTIVE_ALERT_STATUSES, granularity=period.granularity,
                      period_start__lte=period.start)
              .filter(Exists(green)))
    count = 0
    for alert in alerts:
        alert.resolve(user=None, comment=_("指标已恢复达标（%(period)s），系统自动解除。") % {"period": period.label},
                      at=now, automatic=True)
        alert.save()
        count += 1
    return count


def alert_can_handle(*, user, alert: Alert) -> bool:
    """The product's manager, heads of product, admins, and for risk metrics the risk department."""
    if not user.is_authenticated:
        return False
    if user.is_admin or user.is_head_of_product or alert.product.owner_id == user.pk:
        return True
    return alert.metric.family == KpiFamily.RISK and DepartmentCode.RISK in user.department_codes


def _locked_alert(*, user, alert: Alert, comment: str) -> Alert:
    if not alert_can_handle(user=user, alert=alert):
        raise PermissionDenied(_("您无权处理该预警。"))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("请填写说明。")})
    if len(comment.strip()) > ALERT_COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": _("说明不能超过 %(max)d 个字符。") % {"max": ALERT_COMMENT_MAX_LENGTH}})
    return Alert.objects.select_for_update().select_related("product", "metric").get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, user, alert: Alert, comment: str) -> Alert:
    """Acknowledge an open alert with a comment saying what is being done."""
    locked = _locked_alert(user=user, alert=alert, comment=comment)
    if locked.status != AlertStatus.OPEN:
        raise StateConflict(_("只有待处理的预警可以确认。"))
    locked.acknowledge(user=user, comment=comment.strip(), at=timezone.now())
    locked.save()
    return locked


@transaction.atomic
def alert_resolve(*, user, alert: Alert, comment: str) -> Alert:
    """Resolve an open or acknowledged alert with a comment."""
    locked = _locked_alert(user=user, alert=alert, comment=comment)
    if locked.status not in ACTIVE_ALERT_STATUSES:
        raise StateConflict(_("该预警已解除。"))
    locked.resolve(user=user, comment=comment.strip(), at=timezone.now())
    locked.save()
    return locked
