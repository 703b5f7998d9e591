from celery import shared_task

from .packs import portfolio_packs_build_closed


@shared_task
def build_portfolio_packs() -> int:
    """Daily: build the last closed month's and quarter's packs in every language, where not built yet."""
    return portfolio_packs_build_closed()
