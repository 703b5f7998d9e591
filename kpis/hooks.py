"""Extension points of kpis for the apps above it (no Django signals): called by kpis.services in the same
transaction as the event."""
from collections.abc import Callable

_ALERT_OPENED: list[Callable] = []


def register_alert_opened(hook: Callable) -> None:
    """`hook(*, alerts)` runs with the alerts a snapshot computation has just opened (in its transaction)."""
    if hook not in _ALERT_OPENED:
        _ALERT_OPENED.append(hook)


def run_alert_opened(*, alerts) -> None:
    for hook in _ALERT_OPENED:
        hook(alerts=alerts)


_DASHBOARD_CARDS: list[str] = []


def register_dashboard_card(template: str) -> None:
    """A partial the portfolio dashboard renders in its card row (apps above kpis contribute their own)."""
    if template not in _DASHBOARD_CARDS:
        _DASHBOARD_CARDS.append(template)


def dashboard_cards() -> list[str]:
    return list(_DASHBOARD_CARDS)


_METRIC_SOURCES: list[Callable] = []


def register_metric_source(source: Callable) -> None:
    """`source(*, product_ids, metric_ids)` returns the (product id, metric id) pairs whose figures another app
    computes (e.g. complaints from the register): ingestion refuses them, so each product has one source."""
    if source not in _METRIC_SOURCES:
        _METRIC_SOURCES.append(source)


def metric_fed_elsewhere(*, product_ids, metric_ids) -> set[tuple[int, int]]:
    fed: set[tuple[int, int]] = set()
    for source in _METRIC_SOURCES:
        fed |= source(product_ids=set(product_ids), metric_ids=set(metric_ids))
    return fed
