"""The `periodic_review` process of the approval engine: its subject is a ProductReview whose pack its manager
prepared. Departments come from GatePolicy rows for process "periodic_review" (risk and compliance; senior
management too from R4, seeded by this app's data migration). Approving departments choose an outcome; the most
cautious prevails (keep < remediate < change < exit), and `remediate` carries its actions as approval conditions.
The review runs in its own lock scope: it never blocks a stage gate or a terms change of the product."""
from django.utils.translation import gettext_lazy as _

from approvals.engine import Facts, Outcome, Process, register_hook, register_process

from . import pack, services
from .choices import OUTCOME_RANKS, PERIODIC_REVIEW, ReviewAuditAction, ReviewOutcome


class PeriodicReviewProcess(Process):
    code = PERIODIC_REVIEW
    label = _("定期评审")
    not_submitter_message = _("只有产品负责人或产品主管可以提交定期评审材料。")
    lock_scope = PERIODIC_REVIEW
    # Its own rows say who decides: risk and compliance, senior management only from R4 (not the shared row).
    shared_policy = False
    outcomes = tuple(Outcome(code, label, OUTCOME_RANKS[code]) for code, label in ReviewOutcome.choices)
    # Whoever wrote the price and value assessment shaped what is decided (besides the product's own makers).
    shaping_actions = (ReviewAuditAction.PREPARED,)

    def product_of(self, subject):
        return subject.product

    def can_submit(self, *, user, subject) -> bool:
        return services.review_can_prepare(user=user, review=subject)

    def facts(self, *, subject, target: str) -> Facts:
        product = subject.product
        return Facts(target=target, category=product.category, risk_rating=product.risk_rating)

    def snapshot(self, *, subject, target: str) -> dict:
        return pack.build_pack(review=subject)

    def describe(self, *, review) -> str:
        return _("%(product)s 定期评审（到期日 %(due)s）") % {
            "product": review.product.code,
            "due": ((review.snapshot or {}).get("periodic_review") or {}).get("due_date") or "—"}

    def on_finished(self, *, review, user, outcome: str) -> None:
        services.review_on_finished(review=review, user=user, outcome=outcome)


def register() -> None:
    register_process(PeriodicReviewProcess())
    # A draft change a review opened has no terms until its manager writes them.
    register_hook("change", "precondition", services.change_needs_terms, key="reviews.change_needs_terms")
