"""The stage gate: the approval engine's first process. Its subject is the product; approval moves its stage."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.roles import product_can_submit
from products.choices import LifecycleStage
from products.terms import product_terms

from . import services
from .choices import STAGE_GATE, LifecycleError
from .engine import PRODUCT_TERMS, Process, register_process
from .models import Deliverable


class StageGate(Process):
    code = STAGE_GATE
    label = _("阶段评审")
    lock_scope = PRODUCT_TERMS  # a gate and a terms change of the product never run side by side
    not_submitter_message = LifecycleError.NOT_SUBMITTER.label
    blocked_by_open_conditions = True  # the next gate waits for the conditions of the last approvals

    def can_submit(self, *, user, subject) -> bool:
        """The product's owner (who must be allowed to own products) or a head of product submits gates."""
        if not user.is_authenticated or not user.is_active:
            return False
        return product_can_submit(user=user, product=subject)

    def resolve_target(self, *, subject, target: str) -> str:
        target = target or services.next_stage(product=subject)
        if target is None or target not in services.stage_targets(product=subject):
            raise ValidationError({"to_stage": LifecycleError.STAGE_NOT_ALLOWED.label})
        return target

    def preconditions(self, *, subject, target: str) -> dict[str, list[str]]:
        # Abandoning a product does not require finishing its stage's work first.
        missing = [] if target == LifecycleStage.CANCELLED else services.missing_deliverables(product=subject)
        return {"deliverables": [f"{LifecycleError.MISSING_DELIVERABLES.label}{t}" for t in missing]}

    def snapshot(self, *, subject, target: str) -> dict:
        deliverables = Deliverable.objects.filter(product=subject, stage=subject.stage).order_by(
            "template__position", "id")
        return {
            "product": {"code": subject.code, "name": subject.name, "category": subject.category,
                        "stage": subject.stage},
            "from_stage": subject.stage, "to_stage": target,
            "terms": product_terms(product=subject),
            "deliverables": [
                {"id": d.pk, "title": d.title, "title_en": d.title_en, "required": d.required, "status": d.status,
                 "waiver_reason": d.waiver_reason, "link": d.link,
                 "attachment": d.attachment.name if d.attachment else "",
                 "completed_by": d.completed_by_id,
                 "completed_at": d.completed_at.isoformat() if d.completed_at else None}
                for d in deliverables
            ],
        }

    def review_fields(self, *, subject, target: str) -> dict:
        """A gate review records the stage it leaves and the one it leads to."""
        return {"from_stage": subject.stage, "to_stage": target}

    def audit_values(self, *, review) -> tuple[str, str]:
        return review.from_stage, review.to_stage

    def step_notice(self, *, review) -> tuple[str, dict]:
        from notifications.services import localised

        return gettext_noop("%(product_name)s 申请由「%(from)s」进入「%(to)s」，请在 %(due)s 前审批。"), {
            "product_name": str(review.product), "from": localised(review.get_from_stage_display),
            "to": localised(review.get_to_stage_display)}

    def describe(self, *, review) -> str:
        return _("%(product)s 申请由「%(from)s」进入「%(to)s」") % {
            "product": review.product.code, "from": review.get_from_stage_display(),
            "to": review.get_to_stage_display()}

    def on_approved(self, *, review, user) -> None:
        services.stage_gate_move(review=review, user=user)


register_process(StageGate())
