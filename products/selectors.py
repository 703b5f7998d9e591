from django.db.models import QuerySet

from .models import Product


def product_list() -> QuerySet[Product]:
    """Products with what list pages and the API show, in a constant number of queries."""
    return Product.objects.select_related("owner").prefetch_related("sales_channels")
