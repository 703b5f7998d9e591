"""The navigation's global search: products by code and name, requirements by id and title."""
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from products.models import Product
from requirements.models import Requirement

MAX_QUERY_LENGTH = 100


@dataclass
class Hit:
    kind: str
    label: str
    detail: str
    url: str


def global_search(*, q: str, limit: int = 8) -> list[Hit]:
    """At most `limit` hits of each kind, in two queries; an empty or overlong query finds nothing."""
    q = (q or "").strip().lstrip("#")
    if not q or len(q) > MAX_QUERY_LENGTH or "\x00" in q:
        return []
    products = Product.objects.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    requirement_filter = Q(title__icontains=q)
    if q.isascii() and q.isdecimal():
        requirement_filter |= Q(pk=int(q))
    requirements = Requirement.objects.select_related("product").filter(requirement_filter).order_by("-id")
    hits = [Hit(kind=str(_("产品")), label=f"{p.code} {p.display_name}", detail=p.get_stage_display(),
                url=p.get_absolute_url()) for p in products.order_by("code")[:limit]]
    hits += [Hit(kind=str(_("需求")), label=f"#{r.pk} {r.title}", detail=r.product.code, url=r.get_absolute_url())
             for r in requirements[:limit]]
    return hits
