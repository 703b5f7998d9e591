"""Reads of stage gates and deliverables for pages and the API, each in a constant number of queries."""
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from approvals.choices import GateReviewStatus
from approvals.models import GateReview
from approvals.selectors import gate_review_list
from core.models import AuditEntry
from products.models import Product

from .choices import DeliverableStatus
from .models import Deliverable


def deliverable_list() -> QuerySet[Deliverable]:
    return Deliverable.objects.select_related("product", "owner", "template", "completed_by",
                                              "waiver_requested_by")


def product_deliverables(*, product: Product, stage: str | None = None) -> QuerySet[Deliverable]:
    return deliverable_list().filter(product=product, stage=stage or product.stage)


def product_history(*, product: Product | None = None, user=None) -> QuerySet[AuditEntry]:
    """A product's audit entries; given a user, only those core.roles lets them read (the trail's one rule)."""
    from core.roles import audit_visible_filter

    entries = AuditEntry.objects.select_related("actor", "product")
    if user is not None:
        entries = entries.filter(audit_visible_filter(user=user))
    return entries.filter(product=product) if product is not None else entries


def history_export_rows(entries: QuerySet[AuditEntry]):
    """One tuple per entry, in the order of the history export's headers: local time, names and labels (as the
    screen shows them), not UTC and raw codes."""
    from core.labels import describe_changes

    system = gettext("系统")
    for e in entries.iterator(chunk_size=1000):
        describe_changes([e])
        yield (e.pk, timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
               str(e.actor) if e.actor else system, e.get_action_display(), e.from_text, e.to_text, e.comment,
               e.entry_hash)


def products_managed_by(*, user) -> QuerySet[Product]:
    """The user's products with their open review and overdue deliverable counts."""
    today = timezone.localdate()
    open_review = GateReview.objects.filter(product=OuterRef("pk"), status=GateReviewStatus.PENDING)
    return (
        Product.objects.filter(owner=user).select_related("owner")
        .annotate(
            has_open_review=Exists(open_review),
            open_deliverables=Count("deliverables", filter=Q(deliverables__status=DeliverableStatus.OPEN,
                                                              deliverables__stage=F("stage"))),
            overdue_deliverables=Count("deliverables", filter=Q(deliverables__status=DeliverableStatus.OPEN,
                                                                 deliverables__stage=F("stage"),
                                                                 deliverables__due_date__lt=today)),
        )
        .prefetch_related(Prefetch("gate_reviews", to_attr="open_reviews", queryset=gate_review_list().filter(
            status=GateReviewStatus.PENDING)))
        .order_by("code")
    )
