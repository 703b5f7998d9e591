"""Extension points of kpis for the apps above it (no Django signals): called by kpis.services in the same
transaction as the event. Hooks are registered in the one registry (core.hooks), scope "kpis":
`register_hook("kpis", "alert_opened", fn)` (`fn(*, alerts)` with the alerts a snapshot computation has just
opened) and `register_hook("kpis", "metric_source", fn)` (see `metric_fed_elsewhere`)."""
from core.hooks import hook_functions

SCOPE = "kpis"


def run_alert_opened(*, alerts) -> None:
    for hook in hook_functions(SCOPE, "alert_opened"):
        hook(alerts=alerts)


_DASHBOARD_CARDS: list[str] = []


def register_dashboard_card(template: str) -> None:
    """A partial the portfolio dashboard renders in its card row (apps above kpis contribute their own)."""
    if template not in _DASHBOARD_CARDS:
        _DASHBOARD_CARDS.append(template)


def dashboard_cards() -> list[str]:
    return list(_DASHBOARD_CARDS)


def metric_fed_elsewhere(*, product_ids, metric_ids) -> set[tuple[int, int]]:
    """The "metric_source" hooks (`source(*, product_ids, metric_ids)`) return the (product id, metric id) pairs
    whose figures another app computes (e.g. complaints from the register): ingestion refuses them, so each product
    has one source."""
    fed: set[tuple[int, int]] = set()
    for source in hook_functions(SCOPE, "metric_source"):
        fed |= source(product_ids=set(product_ids), metric_ids=set(metric_ids))
    return fed
