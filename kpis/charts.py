"""What the product KPI page's charts draw: one line per metric with its target, on an axis that starts at a
sensible baseline (a narrow range auto-scaled makes noise look dramatic: NPS 31.4–32.8 filling the chart)."""


def axis_min(*, metric, figures) -> float | None:
    """Zero when every figure is zero or above; else the metric's natural lower bound (NPS -100), or None to let
    the chart fit a metric that has none."""
    present = [f for f in figures if f is not None]
    if not present or min(present) >= 0:
        return 0
    return metric.min_value


def product_charts(series) -> list[dict]:
    """One chart per metric of `selectors.product_series(...)["series"]`."""
    charts = []
    for item in series:
        metric, rows = item["metric"], item["rows"]
        values, targets = [s.value for s in rows], [s.target_value for s in rows]
        charts.append({
            "id": f"chart-{metric.code}", "name": metric.display_name, "unit": metric.display_unit,
            "periods": [s.period for s in rows], "values": values, "targets": targets,
            "axis_min": axis_min(metric=metric, figures=values + targets),
        })
    return charts
