"""Target-market monitoring (EBA product oversight and governance): sales by segment and channel against the
product's excluded segments and approved channels.

Sales are the dimensioned figures of `new_customers` and `sales_volume` above zero. A sale into an excluded
segment, or through a channel the product is not approved for, opens one alert of kind `target_market` per
product and segment or channel (a partial unique index keeps it one while it is active, however often the figures
arrive), for the product's manager, compliance and risk.
"""
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.choices import DepartmentCode
from notifications.services import localised, notify
from products.models import Product

from .choices import AlertKind, Dimension, Granularity
from .dimensions import member_label
from .models import Alert, DimensionObservation, Metric
from .periods import period_containing

SALES_METRICS = ("new_customers", "sales_volume")


def target_market_violations(*, product_ids, first=None, last=None) -> list[dict]:
    """(product, dimension, member, metric id, value, last day) of every sale outside the approved market, on the
    days first … last when given (an ingestion checks the days it wrote, not the products' whole history again)."""
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids).prefetch_related("sales_channels")}
    metrics = dict(Metric.objects.filter(code__in=SALES_METRICS).values_list("pk", "code"))
    sales = DimensionObservation.objects.filter(product_id__in=list(products), metric_id__in=list(metrics),
                                                value__gt=0)
    if first is not None:
        sales = sales.filter(date__gte=first, date__lte=last)
    sales = (sales
             .values("product_id", "metric_id", "segment", "channel").annotate(total=Sum("value"), last=Max("date"))
             .order_by("product_id", "metric_id", "segment", "channel"))
    found: dict[tuple, dict] = {}
    for row in sales:
        product = products[row["product_id"]]
        channels = {c.code for c in product.sales_channels.all()}
        breaches = []
        if row["segment"] and row["segment"] in (product.excluded_segments or []):
            breaches.append((Dimension.SEGMENT, row["segment"]))
        if row["channel"] and row["channel"] not in channels:
            breaches.append((Dimension.CHANNEL, row["channel"]))
        for dimension, member in breaches:
            item = found.setdefault((product.pk, dimension, member), {
                "product": product, "dimension": dimension, "member": member, "metric_id": row["metric_id"],
                "value": 0.0, "last": row["last"]})
            if row["metric_id"] == item["metric_id"]:
                item["value"] += row["total"]
            item["last"] = max(item["last"], row["last"])
    return list(found.values())


def target_market_check(*, product_ids, first=None, last=None, sold: tuple[set, set, set] | None = None) -> int:
    """Open the missing target-market alerts of these products (for sales on the days first … last when given) and
    notify; returns how many were opened.

    `sold`, when given, is what an ingestion has just stored: the (metric ids, segments, channels) of its figures.
    Unless one of these products excludes one of those segments, or is not approved for one of those channels,
    nothing is read back: a batch inside the market opens nothing, not even for an earlier sale of the same days
    whose alert was already handled.
    """
    if sold is not None and not _may_sell_outside_market(set(product_ids), *sold):
        return 0
    violations = target_market_violations(product_ids=product_ids, first=first, last=last)
    if not violations:
        return 0
    now = timezone.now()
    alerts = []
    for v in violations:
        period = period_containing(v["last"], Granularity.MONTH)
        alerts.append(Alert(product=v["product"], metric_id=v["metric_id"], kind=AlertKind.TARGET_MARKET,
                            dimension=v["dimension"], member=v["member"], granularity=Granularity.MONTH,
                            period=period.label, period_start=period.start, value=v["value"], opened_at=now))
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)  # an active one already exists: nothing new
    new = list(Alert.objects.filter(kind=AlertKind.TARGET_MARKET, opened_at=now,
                                    product_id__in=[v["product"].pk for v in violations])
               .select_related("product__owner", "metric"))
    if new:
        reviewers = list(get_user_model().objects.filter(
            departments__code__in=[DepartmentCode.COMPLIANCE, DepartmentCode.RISK], is_active=True).distinct())
        for alert in new:
            _notify(alert, [alert.product.owner, *reviewers])
    return len(new)


def _may_sell_outside_market(product_ids: set, metric_ids: set, segments: set, channels: set) -> bool:
    """Whether figures of these metrics, segments and channels may include a sale outside one of these products'
    approved markets: a few queries on the batch's sets, nothing per figure (the check that reads the figures back
    costs 15 ms for a 10,000-row batch inside its market, this one 1)."""
    segments, channels = segments - {""}, channels - {""}
    if not (segments or channels) or not Metric.objects.filter(pk__in=metric_ids, code__in=SALES_METRICS).exists():
        return False
    if segments and any(segments.intersection(excluded or ()) for excluded in Product.objects.filter(
            pk__in=product_ids).values_list("excluded_segments", flat=True)):
        return True
    approved = Product.sales_channels.through.objects.filter(product_id__in=product_ids,
                                                             saleschannel__code__in=channels)
    return bool(channels) and approved.count() < len(product_ids) * len(channels)


def _notify(alert: Alert, recipients) -> None:
    dimension, member = alert.dimension, alert.member
    notify(
        recipients=recipients,
        title_code=gettext_noop("目标市场预警：%(product)s 销售进入 %(member)s"),
        body_code=gettext_noop("%(product)s 在 %(member)s 有销售（%(metric)s %(value)s），"
                               "不在批准的目标市场或销售渠道内。请核查并说明整改措施。"),
        params={"product": alert.product.code, "member": localised(lambda: member_label(dimension, member)),
                "metric": localised(lambda: alert.metric.display_name), "value": f"{alert.value:,.0f}"},
        url=reverse("kpis:alert-list") + f"?product={alert.product_id}",
    )
