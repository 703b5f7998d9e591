"""Demo figures by segment, channel and region: the reference regions, three months of dimensioned figures for two
live products (their day totals rolled up from them, kpis.dimensions), and one sale into an excluded segment that
opens a target-market alert. Called by kpis.demo.seed before the snapshots are computed."""
from datetime import timedelta

from products.models import Product

from .dimensions import batch_of, store
from .models import Metric, Region
from .target_market import target_market_check

# Regions sell unevenly (a factor per region), so that the breakdown shows a shape.
REGION_FACTORS = [1.8, 1.3, 1.0, 0.7, 0.4]
REGIONS = [("sh", "上海", "Shanghai"), ("sz", "深圳", "Shenzhen"), ("bj", "北京", "Beijing"),
           ("gz", "广州", "Guangzhou"), ("cd", "成都", "Chengdu")]
# Day value per metric at weight w of the segment × channel × region cell (deterministic), scaled so that the
# rolled-up totals stay near the demo's product totals (kpis.demo.FORMULAS).
BASE = {"new_customers": 0.5, "sales_volume": 4, "csat": 86}  # complaints come from the register (complaints.demo)
DEMO_PRODUCTS = ["CC-001", "WM-001"]


def seed_dimensions(*, end) -> int:
    for position, (code, name, name_en) in enumerate(REGIONS):
        Region.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "position": position})
    metrics = dict(Metric.objects.filter(code__in=BASE).values_list("code", "id"))
    start = (end.replace(day=1) - timedelta(days=62)).replace(day=1)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    rows = []
    for product in Product.objects.filter(code__in=DEMO_PRODUCTS).prefetch_related("sales_channels"):
        segments = sorted({product.customer_segment, "youth", "senior"})
        channels = [c.code for c in product.sales_channels.all()][:2] + ["partner"]
        for i, day in enumerate(days):
            for s, segment in enumerate(segments):
                for c, channel in enumerate(channels):
                    for r, (region, _n, _e) in enumerate(REGIONS):
                        weight = 1 + (s * 3 + c * 2 + r + i) % 5
                        for code, base in BASE.items():
                            if segment == "senior" and code != "csat" and (i + r) % 9:
                                value = 0.0  # almost no sales outside the target market …
                            elif code == "csat":
                                value = base + (weight - 3) * 0.8
                            else:
                                value = float(round(base * weight * REGION_FACTORS[r]))
                            rows.append((product.pk, metrics[code], day, segment, channel, region, value))
        if product.code == DEMO_PRODUCTS[1] and product.customer_segment != "senior":
            product.excluded_segments = ["senior"]  # … but some: the demo's target-market alert
            product.save(update_fields=["excluded_segments"])
    if rows:
        store(batch=batch_of(rows), source="demo")
        target_market_check(product_ids={row[0] for row in rows})
    return len(rows)
