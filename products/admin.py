from django.contrib import admin

from .models import Product, SalesChannel


@admin.register(SalesChannel)
class SalesChannelAdmin(admin.ModelAdmin):
    list_display = ("code",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Catalogue data only; the stage is read-only here and changes through gate reviews."""

    list_display = ("code", "name", "category", "stage", "risk_rating", "owner", "updated_at")
    list_filter = ("category", "stage", "risk_rating")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("stage", "created_at", "updated_at")
    filter_horizontal = ("sales_channels",)
    list_select_related = ("owner",)
