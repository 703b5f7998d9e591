from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import PackSubscription, PortfolioPack
from .subscriptions import pack_subscription_delete, pack_subscription_save


@admin.register(PackSubscription)
class PackSubscriptionAdmin(admin.ModelAdmin):
    """Who receives which pack in which language: saved and deleted through reports.subscriptions (audited)."""

    list_display = ["kind", "language", "user"]
    list_filter = ["kind", "language"]
    actions = None  # a bulk delete would skip the service

    def save_model(self, request, obj, form, change):
        pack_subscription_save(user=request.user, subscription=obj)

    def delete_model(self, request, obj):
        pack_subscription_delete(user=request.user, subscription=obj)


@admin.register(PortfolioPack)
class PortfolioPackAdmin(ReadOnlyAdmin):
    """Read-only: packs are records, built by the beat task."""

    list_display = ["kind", "period_start", "period_end", "language", "built_at", "sha256"]
    list_filter = ["kind", "language"]
    exclude = ["pdf", "xlsx"]
