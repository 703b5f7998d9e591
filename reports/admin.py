from django.contrib import admin

from core.admin import AuditedPolicyAdmin, ReadOnlyAdmin

from .models import PackSubscription, PortfolioPack
from .subscriptions import pack_subscription_delete, pack_subscription_save


@admin.register(PackSubscription)
class PackSubscriptionAdmin(AuditedPolicyAdmin):
    """Who receives which pack in which language: saved and deleted through reports.subscriptions (audited)."""

    list_display = ["kind", "language", "user"]
    list_filter = ["kind", "language"]
    save_service, delete_service = pack_subscription_save, pack_subscription_delete
    object_arg, objects_arg = "subscription", None


@admin.register(PortfolioPack)
class PortfolioPackAdmin(ReadOnlyAdmin):
    """Read-only: packs are records, built by the beat task."""

    list_display = ["kind", "period_start", "period_end", "language", "built_at", "sha256"]
    list_filter = ["kind", "language"]
    exclude = ["pdf", "xlsx"]
