"""The navigation's global search: products by code and name, requirements by id and title, term changes by id and
summary, risks by id, title and category (every signed-in role reads every product and what belongs to it). A kind's
name in either language ("risk", "风险", "change") lists the latest of that kind, with its list page when it has one."""
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from changes.models import Change
from products.models import Product
from requirements.models import Requirement
from risks.choices import RiskCategory
from risks.models import Risk

MAX_QUERY_LENGTH = 100
# Words naming each kind besides its label in the reader's language (English and Chinese whatever the page's).
KIND_WORDS = {
    "product": ("product", "products", "产品"),
    "requirement": ("requirement", "requirements", "backlog", "需求"),
    "change": ("change", "changes", "term change", "term changes", "变更", "条款变更"),
    "risk": ("risk", "risks", "风险"),
}
KIND_LIST_URLS = {"product": "products:list", "requirement": "requirements:list", "risk": "risks:list"}


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
    kinds = named_kinds(q)
    everything = Q(pk__isnull=False)
    products = Product.objects.filter(
        everything if "product" in kinds else Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    by_id = Q(pk=int(q)) if q.isascii() and q.isdecimal() and len(q) < 10 else Q(pk__in=[])
    requirements = Requirement.objects.select_related("product").filter(
        everything if "requirement" in kinds else Q(title__icontains=q) | by_id).order_by("-id")
    changes = Change.objects.select_related("product").filter(
        everything if "change" in kinds else Q(summary__icontains=q) | by_id).order_by("-id")
    risks = Risk.objects.select_related("product").filter(
        everything if "risk" in kinds else Q(title__icontains=q) | Q(category__in=_risk_categories(q)) | by_id
    ).order_by("-id")
    hits = [_list_hit(kind) for kind in kinds if kind in KIND_LIST_URLS]
    hits += [Hit(kind=str(_("产品")), label=f"{p.code} {p.display_name}", detail=p.get_stage_display(),
                 url=p.get_absolute_url()) for p in products.order_by("-id" if "product" in kinds else "code")[:limit]]
    hits += [Hit(kind=str(_("需求")), label=f"#{r.pk} {r.title}", detail=r.product.code, url=r.get_absolute_url())
             for r in requirements[:limit]]
    hits += [Hit(kind=str(_("条款变更")), label=f"#{c.pk} {c.summary}", detail=c.product.code,
                 url=c.get_absolute_url()) for c in changes[:limit]]
    hits += [Hit(kind=str(_("风险")), label=f"#{r.pk} {r.title}", detail=r.product.code, url=r.get_absolute_url())
             for r in risks[:limit]]
    return hits


def named_kinds(q: str) -> list[str]:
    """The kinds a query names: a whole word of the kind's names, or the start of one (three letters at least)."""
    needle = q.casefold()
    kinds = []
    for kind, words in KIND_WORDS.items():
        names = {w.casefold() for w in words} | {str(_kind_label(kind)).casefold()}
        if needle in names or (len(needle) >= 3 and any(name.startswith(needle) for name in names)):
            kinds.append(kind)
    return kinds


def _kind_label(kind: str):
    return {"product": _("产品"), "requirement": _("需求"), "change": _("条款变更"), "risk": _("风险")}[kind]


def _list_hit(kind: str) -> Hit:
    return Hit(kind=str(_kind_label(kind)), label=str(_("查看全部")), detail="", url=reverse(KIND_LIST_URLS[kind]))


def _risk_categories(q: str) -> list[str]:
    """Risk categories whose name, in Chinese or English, holds the query ("credit", "流动性")."""
    needle = q.casefold()
    codes = []
    for code, label in RiskCategory.choices:
        with translation.override("en"):
            english = str(label)
        with translation.override("zh-hans"):
            chinese = str(label)
        if len(needle) >= 3 and (needle in english.casefold() or needle in chinese) or needle == code:
            codes.append(code)
    return codes
