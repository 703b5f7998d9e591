"""The review pack: one review of any process (stage gate, terms change, risk acceptance, periodic review) as a
PDF for committee minutes, in the reader's language."""
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecycle.models import GateReview
from lifecycle.selectors import gate_review_list

from .pdf import render_pdf


def review_pack_review(*, pk: int) -> GateReview:
    """The review with its product, submitter and steps (with their deciders) loaded."""
    return gate_review_list().select_related("product__owner").prefetch_related(
        "steps__on_behalf_of").get(pk=pk)


def review_pack_context(*, review: GateReview) -> dict:
    end = review.decided_at or timezone.now()
    subject = review.get_process_display()
    if review.to_stage:  # a stage gate names the stages it moves between
        subject = f"{subject}：{review.get_from_stage_display()} → {review.get_to_stage_display()}"
    return {
        "review": review, "product": review.product, "subject": subject, "snapshot": review.snapshot or {},
        "steps": list(review.steps.all()),
        "conditions": list(review.conditions.select_related("owner").order_by("due", "id")),
        "lead_days": round((end - review.submitted_at).total_seconds() / 86400, 1),
        "generated_at": timezone.now(), "title": _("评审材料"),
    }


def review_pack_pdf(*, review: GateReview) -> bytes:
    """The pack as PDF bytes, laid out from reports/review_pack.html (the snapshot by the reviewers' template)."""
    return render_pdf(template="reports/review_pack.html", context=review_pack_context(review=review))
