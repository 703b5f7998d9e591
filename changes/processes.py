"""The `change` process of the approval engine: its subject is a Change; approval makes the next terms version
(or lets the pilot start), rejection closes the change. Departments come from GatePolicy rows for process
"change" (seeded by this app's data migration); an *expanded* product (a higher risk rating, a new channel or a
new segment) also needs legal."""
from django.utils.translation import gettext_lazy as _

from approvals.engine import Facts, Process, register_process
from core.roles import product_can_submit

from . import services
from .choices import CHANGE_PROCESS, EXPANDED, ChangeAuditAction
from .models import Change


def is_expanded(*, base: dict, terms: dict) -> bool:
    """OCC 2017-43's *expanded* product: riskier, or sold through new channels or to a new segment."""
    if terms.get("risk_rating") and terms["risk_rating"] > (base.get("risk_rating") or ""):
        return True
    if "customer_segment" in terms and terms["customer_segment"] != base.get("customer_segment"):
        return True
    return bool(set(terms.get("sales_channels", [])) - set(base.get("sales_channels", [])))


class ChangeProcess(Process):
    code = CHANGE_PROCESS
    label = _("条款变更")
    not_submitter_message = _("只有可编辑该产品的人可以提交条款变更。")

    def product_of(self, subject):
        return subject.product

    def can_submit(self, *, user, subject) -> bool:
        """As for stage gates: the product's owner or a head of product; an administrator only for products he
        owns (a submission is the owner's accountable act)."""
        return bool(user.is_authenticated and user.is_active) and product_can_submit(user=user,
                                                                                    product=subject.product)

    def facts(self, *, subject, target: str) -> Facts:
        product = subject.product
        rating = max(product.risk_rating, subject.terms.get("risk_rating") or "")
        flags = {EXPANDED} if is_expanded(base=subject.base_terms, terms=subject.terms) else set()
        return Facts(target=target, category=product.category, risk_rating=rating, flags=flags)

    def snapshot(self, *, subject, target: str) -> dict:
        return {
            "product": {"code": subject.product.code, "name": subject.product.name,
                        "category": subject.product.category, "stage": subject.product.stage},
            "change": {"id": subject.pk, "summary": subject.summary, "reason": subject.reason,
                       "pilot": subject.pilot, "pilot_plan": subject.pilot_plan,
                       "effective_from": subject.effective_from.isoformat() if subject.effective_from else None,
                       "requirements": sorted(subject.requirements.values_list("pk", flat=True))},
            "diff": subject.diff,
            "terms": services.proposed_terms(change=subject),
        }

    # Whoever proposed or edited a change's draft shaped it (on top of the product's own shaping actions).
    shaping_actions = (ChangeAuditAction.CREATED, ChangeAuditAction.UPDATED)

    def makers(self, *, review) -> set[int]:
        """The engine's maker set, and whoever proposed the change."""
        makers = super().makers(review=review)
        created_by = Change.objects.filter(pk=review.subject_id).values_list("created_by_id", flat=True).first()
        return makers | ({created_by} if created_by else set())

    def describe(self, *, review) -> str:
        summary = (review.snapshot or {}).get("change", {}).get("summary", "")
        return _("%(product)s 条款变更：%(summary)s") % {"product": review.product.code, "summary": summary}

    def on_approved(self, *, review, user) -> None:
        services.change_on_approved(review=review, user=user)

    def on_rejected(self, *, review, user) -> None:
        services.change_on_rejected(review=review, user=user)


def register() -> None:
    register_process(ChangeProcess())
