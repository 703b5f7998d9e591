"""Reads of periodic reviews: the list with its relations, the portfolio (due, overdue, running, outcomes over
time) in a constant number of queries."""
from collections import Counter
from datetime import date

from django.db.models import QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from products.choices import LifecycleStage
from products.models import Product

from . import services
from .choices import OPEN_STATUSES, ReviewOutcome, ReviewStatus
from .models import ProductReview

# The outcome chart covers this many months up to now.
OUTCOME_MONTHS = 24


def review_list() -> QuerySet[ProductReview]:
    return ProductReview.objects.select_related("product__owner", "opened_by", "prepared_by", "gate_review",
                                                "change", "exit_plan")


def open_review_of(*, product) -> ProductReview | None:
    return review_list().filter(product=product, status__in=OPEN_STATUSES).first()


def schedule(*, today: date | None = None, products=None) -> list[dict]:
    """Every product in operation with its next due date, its running review and whether it is overdue, soonest
    first."""
    today = today or timezone.localdate()
    products = list((products if products is not None else Product.objects.all())
                    .filter(stage=LifecycleStage.OPERATION).select_related("owner").order_by("code"))
    dues = services.next_due_dates(products)
    running = {r.product_id: r for r in review_list().filter(product__in=products, status__in=OPEN_STATUSES)}
    rows = []
    for product in products:
        review = running.get(product.pk)
        due = review.due_date if review else dues[product.pk]
        rows.append({"product": product, "next_due": dues[product.pk], "due": due, "review": review,
                     "days": (due - today).days, "overdue": due < today})
    return sorted(rows, key=lambda r: (r["due"], r["product"].code))


def outcomes_by_month(*, today: date | None = None) -> dict:
    """Decided reviews per month and outcome over the last two years (the portfolio's chart)."""
    today = today or timezone.localdate()
    first = services.add_months(today.replace(day=1), -(OUTCOME_MONTHS - 1))
    counts = Counter()
    for month, outcome in (ProductReview.objects.filter(status=ReviewStatus.DECIDED, decided_at__date__gte=first)
                           .annotate(month=TruncMonth("decided_at")).values_list("month", "outcome")):
        counts[(timezone.localdate(month) if hasattr(month, "hour") else month).strftime("%Y-%m"), outcome] += 1
    months = [services.add_months(first, i).strftime("%Y-%m") for i in range(OUTCOME_MONTHS)]
    return {"months": months,
            "series": [{"code": code, "name": str(label), "data": [counts[(m, code)] for m in months]}
                       for code, label in ReviewOutcome.choices]}
