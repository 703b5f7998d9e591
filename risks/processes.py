"""Risk acceptance, a process of the approval engine: a high or critical residual risk is kept only when senior
management accepts it. Its subject is the risk; its lock is the risk itself (it never blocks a stage gate or a terms
change of the product, nor another risk's acceptance). Who decides comes from GatePolicy rows for process
"risk_acceptance" (seeded: senior management); the engine brings four-eyes, delegation, overdue reminders and
escalation, the queue and the audit entries."""
from django.utils.translation import gettext_lazy as _

from lifecycle.engine import Facts, Process, register_process

from .choices import RISK_ACCEPTANCE, RiskLevel
from .models import Risk


class RiskAcceptance(Process):
    code = RISK_ACCEPTANCE
    label = _("剩余风险接受")
    not_submitter_message = _("只有可维护该风险的人可以提交剩余风险接受。")
    lock_scope = RISK_ACCEPTANCE

    def product_of(self, subject):
        return subject.product

    def lock_key(self, *, subject) -> str:
        return f"{self.lock_scope}:{subject.pk}"

    def can_submit(self, *, user, subject) -> bool:
        from .services import risk_can_edit

        return risk_can_edit(user=user, product=subject.product, risk=subject)

    def facts(self, *, subject, target: str) -> Facts:
        """Policy rows may match on the product's category and the risk's residual level (as the flag
        ``critical`` for a critical residual risk)."""
        flags = {"critical"} if subject.residual_level == "critical" else set()
        return Facts(target=target, category=subject.product.category, risk_rating=subject.product.risk_rating,
                     flags=flags)

    def snapshot(self, *, subject, target: str) -> dict:
        """The assessment senior management accepts, as it stood when it was put up."""
        risk = subject
        return {
            "product": {"code": risk.product.code, "name": risk.product.name, "category": risk.product.category,
                        "stage": risk.product.stage},
            "risk": {"id": risk.pk, "title": risk.title, "description": risk.description,
                     "category": risk.category, "cause": risk.cause, "method": risk.method,
                     "method_note": risk.method_note, "response": risk.response,
                     "transfer_instrument": risk.transfer_instrument,
                     "inherent": [risk.likelihood, risk.impact, risk.inherent_score, risk.inherent_level],
                     "residual": [risk.residual_likelihood, risk.residual_impact, risk.residual_score,
                                  risk.residual_level],
                     "owner": str(risk.owner), "review_due": risk.review_due.isoformat(),
                     "controls": [{"description": c.description, "type": c.type,
                                   "owner": str(c.owner) if c.owner_id else ""}
                                  for c in risk.controls.select_related("owner").order_by("id")]},
        }

    def makers(self, *, review) -> set[int]:
        """Who shaped the risk up for acceptance never accepts it: the submitter and the risk's makers (its
        registrant, the product's owner, every owner of the risk since its last acceptance)."""
        from .services import risk_makers

        risk = Risk.objects.select_related("product").get(pk=review.subject_id)
        return {review.submitted_by_id, *risk_makers(risk=risk)} - {None}

    def describe(self, *, review) -> str:
        risk = (review.snapshot or {}).get("risk", {})
        level = (risk.get("residual") or [None, None, None, ""])[3]
        return _("%(product)s 剩余风险接受：「%(title)s」（剩余风险等级为%(level)s）") % {
            "product": review.product.code, "title": risk.get("title", ""),
            "level": RiskLevel(level).label if level in RiskLevel.values else level}

    def on_approved(self, *, review, user) -> None:
        from .services import risk_acceptance_approved

        risk_acceptance_approved(review=review, user=user)

    def on_rejected(self, *, review, user) -> None:
        from .services import risk_acceptance_refused

        risk_acceptance_refused(review=review, user=user)


def register() -> None:
    register_process(RiskAcceptance())
