from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import PackSubscription, PortfolioPack


@admin.register(PackSubscription)
class PackSubscriptionAdmin(admin.ModelAdmin):
    """Who receives which pack in which language (plain configuration, no governed state)."""

    list_display = ["kind", "language", "user"]
    list_filter = ["kind", "language"]


@admin.register(PortfolioPack)
class PortfolioPackAdmin(ReadOnlyAdmin):
    """Read-only: packs are records, built by the beat task."""

    list_display = ["kind", "period_start", "period_end", "language", "built_at", "sha256"]
    list_filter = ["kind", "language"]
    exclude = ["pdf", "xlsx"]
