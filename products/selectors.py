from django.db.models import QuerySet

from bankpm.text import list_join

from .models import Product


def product_list() -> QuerySet[Product]:
    """Products with what list pages and the API show, in a constant number of queries."""
    return Product.objects.select_related("owner").prefetch_related("sales_channels")


def product_export_rows(queryset):
    """One row per product, display values in the active language."""
    for p in queryset:
        channels = list_join(p.sales_channels.all())
        yield (
            p.code, p.name, p.name_en, p.get_category_display(), p.get_stage_display(), p.risk_rating,
            p.get_customer_segment_display(), channels, str(p.owner), p.interest_rate, p.fee, p.expected_yield_min,
            p.expected_yield_max,
        )


def product_readable(*, user, product: Product) -> bool:
    """Every signed-in role reads every product (docs/hardening.md, "Roles"); files attached to a product follow
    this rule."""
    return bool(user.is_authenticated and user.is_active and product.pk)
