"""The navigation's global search: products by code and name, requirements by id and title, term changes by id and
summary, risks by id and title (every signed-in role reads every product and what belongs to it)."""
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from changes.models import Change
from products.models import Product
from requirements.models import Requirement
from risks.models import Risk

MAX_QUERY_LENGTH = 100


@dataclass
class Hit:
    kind: str
    label: str
    detail: str
    url: str


def global_search(*, q: str, limit: int = 8) -> list[Hit]:
    """At most `limit` hits of each kind, in four queries; an empty or overlong query finds nothing."""
    q = (q or "").strip().lstrip("#")
    if not q or len(q) > MAX_QUERY_LENGTH or "\x00" in q:
        return []
    products = Product.objects.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    by_id = Q(pk=int(q)) if q.isascii() and q.isdecimal() and len(q) < 10 else Q(pk__in=[])
    requirements = Requirement.objects.select_related("product").filter(Q(title__icontains=q) | by_id).order_by("-id")
    changes = Change.objects.select_related("product").filter(Q(summary__icontains=q) | by_id).order_by("-id")
    risks = Risk.objects.select_related("product").filter(Q(title__icontains=q) | by_id).order_by("-id")
    hits = [Hit(kind=str(_("产品")), label=f"{p.code} {p.display_name}", detail=p.get_stage_display(),
                url=p.get_absolute_url()) for p in products.order_by("code")[:limit]]
    hits += [Hit(kind=str(_("需求")), label=f"#{r.pk} {r.title}", detail=r.product.code, url=r.get_absolute_url())
             for r in requirements[:limit]]
    hits += [Hit(kind=str(_("条款变更")), label=f"#{c.pk} {c.summary}", detail=c.product.code,
                 url=c.get_absolute_url()) for c in changes[:limit]]
    hits += [Hit(kind=str(_("风险")), label=f"#{r.pk} {r.title}", detail=r.product.code, url=r.get_absolute_url())
             for r in risks[:limit]]
    return hits
