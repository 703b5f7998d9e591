"""Reads of the register: the list, the Pareto of root causes and the breakdown by category, each in a fixed
number of queries."""
from django.db.models import Count, QuerySet

from .choices import ComplaintCategory, ComplaintStatus, RootCause
from .models import Complaint


def complaint_list() -> QuerySet[Complaint]:
    return Complaint.objects.select_related("product", "product__owner", "created_by")


def complaint_detail() -> QuerySet[Complaint]:
    return complaint_list().prefetch_related("risks", "requirements", "changes")


def _counted(product=None) -> QuerySet[Complaint]:
    rows = Complaint.objects.exclude(status=ComplaintStatus.REJECTED)
    return rows.filter(product=product) if product is not None else rows


def root_cause_pareto(*, product=None) -> list[dict]:
    """Root causes by count, most frequent first, with the cumulative share (the Pareto), for one product or the
    portfolio; complaints without a root cause yet are left out; rejected ones are not complaints."""
    counts = (_counted(product).exclude(root_cause="").values("root_cause").annotate(n=Count("id"))
              .order_by("-n", "root_cause"))
    total = sum(row["n"] for row in counts)
    rows, running = [], 0
    for row in counts:
        running += row["n"]
        rows.append({"code": row["root_cause"], "label": str(RootCause(row["root_cause"]).label), "count": row["n"],
                     "cumulative_pct": round(running * 100.0 / total, 1)})
    return rows


def category_breakdown(*, product=None) -> list[dict]:
    """Complaints per category and root cause (one grouped query)."""
    counts = _counted(product).values("category", "root_cause").annotate(n=Count("id")).order_by("category",
                                                                                                 "root_cause")
    by_category: dict[str, dict] = {}
    for row in counts:
        item = by_category.setdefault(row["category"], {
            "code": row["category"], "label": str(ComplaintCategory(row["category"]).label), "count": 0,
            "causes": []})
        item["count"] += row["n"]
        item["causes"].append({"code": row["root_cause"], "count": row["n"],
                               "label": str(RootCause(row["root_cause"]).label) if row["root_cause"] else "—"})
    return sorted(by_category.values(), key=lambda c: (-c["count"], c["code"]))
