"""Target-market monitoring (EBA product oversight and governance): sales by segment and channel against the
product's excluded segments and approved channels.

Sales are the dimensioned figures of `new_customers` and `sales_volume` above zero. A sale into an excluded
segment, or through a channel the product is not approved for, opens one alert of kind `target_market` per
product and segment or channel (a partial unique index keeps it one while it is active, however often the figures
arrive), for the product's manager, compliance and risk.
"""
from django.contrib.auth import get_user_model
from django.db.models import Exists, Max, Sum
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


def breaches(segment: str, channel: str, *, excluded, approved) -> list[tuple[str, str]]:
    """The (dimension, member) pairs by which a sale in this segment through this channel lies outside a product's
    approved market: a segment it excludes, a channel it is not approved for ('' is no value of either)."""
    found = []
    if segment and segment in excluded:
        found.append((Dimension.SEGMENT, segment))
    if channel and channel not in approved:
        found.append((Dimension.CHANNEL, channel))
    return found


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
        for dimension, member in breaches(row["segment"], row["channel"], excluded=product.excluded_segments or (),
                                          approved=channels):
            item = found.setdefault((product.pk, dimension, member), {
                "product": product, "dimension": dimension, "member": member, "metric_id": row["metric_id"],
                "value": 0.0, "last": row["last"]})
            if row["metric_id"] == item["metric_id"]:
                item["value"] += row["total"]
            item["last"] = max(item["last"], row["last"])
    return list(found.values())


def target_market_check(*, product_ids, first=None, last=None,
                        sold: tuple[set[int], set[tuple[str, str]]] | None = None) -> int:
    """Open the missing target-market alerts of these products (for sales on the days first … last when given) and
    notify; returns how many were opened.

    `sold`, when given, is what an ingestion has just stored: the metric ids and the (segment, channel) pairs of its
    figures. Unless one of those pairs breaches one of these products' markets (`breaches`), nothing is read back:
    a batch inside the market opens nothing, not even for an earlier sale of the same days whose alert was already
    handled.
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


def _may_sell_outside_market(product_ids: set, metric_ids: set, pairs: set[tuple[str, str]]) -> bool:
    """Whether figures of these metrics and (segment, channel) pairs may include a sale outside one of these
    products' approved markets: the same rule (`breaches`) on the batch's few dozen pairs against every product, in
    one small query (a row per product and approved channel, none unless a metric is a sales metric), nothing per
    figure (reading the figures back costs 15 ms for a 10,000-row batch inside its market, this 1)."""
    if not any(segment or channel for segment, channel in pairs):
        return False
    sales = Metric.objects.filter(pk__in=metric_ids, code__in=SALES_METRICS)
    excluded: dict[int, list] = {}
    approved: dict[int, set[str]] = {}
    for product_id, segments, channel in Product.objects.filter(Exists(sales), pk__in=product_ids).values_list(
            "pk", "excluded_segments", "sales_channels__code"):
        excluded[product_id] = segments or ()
        if channel:
            approved.setdefault(product_id, set()).add(channel)
    return any(breaches(segment, channel, excluded=segments, approved=approved.get(p, ()))
               for p, segments in excluded.items() for segment, channel in pairs)


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
