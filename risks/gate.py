"""The register's part in the stage gate: the launch precondition and the snapshot section reviewers see."""
from django.utils.translation import gettext as _

from products.choices import LifecycleStage

from .choices import ACTIVE_STATUSES, ASSESSED_STATUSES, RiskCategory, RiskLevel, RiskStatus
from .models import Risk
from .services import requirements_for


def launch_problems(*, product) -> list[str]:
    """What keeps the product from launch: a required risk category without an assessed risk, or a critical
    residual risk senior management has not accepted. One message per problem, naming it."""
    risks = list(Risk.objects.filter(product=product, status__in=ACTIVE_STATUSES)
                 .values_list("title", "category", "status", "residual_level").order_by("id"))
    problems = []
    for category in requirements_for(product=product):
        if any(c == category and s in ASSESSED_STATUSES for _t, c, s, _l in risks):
            continue
        label = RiskCategory(category).label
        stale = [t for t, c, s, _l in risks if c == category and s == RiskStatus.NEEDS_REVIEW]
        if stale:
            problems.append(_("缺少已评估的%(category)s：「%(titles)s」待重新评估。") % {
                "category": label, "titles": "」「".join(stale)})
        else:
            problems.append(_("缺少已评估的%(category)s：上线前须登记并评估该类风险。") % {"category": label})
    for title, _c, status, level in risks:
        if level == RiskLevel.CRITICAL and status != RiskStatus.ACCEPTED:
            problems.append(_("风险「%(title)s」的剩余风险等级为极高，尚未经高级管理层接受。") % {"title": title})
    return problems


def launch_precondition(*, subject, target) -> dict[str, list[str]]:
    """Stage-gate precondition: submitting development -> marketing needs a complete register."""
    if target != LifecycleStage.MARKETING:
        return {}
    return {"risks": launch_problems(product=subject)}


def register_snapshot(*, subject, target) -> dict:
    """The register as reviewers approve it: the active risks with their levels, controls and acceptance."""
    risks = (Risk.objects.filter(product=subject, status__in=ACTIVE_STATUSES)
             .select_related("owner", "accepted_by").prefetch_related("controls").order_by("-residual_score", "id"))
    return {
        "required_categories": requirements_for(product=subject),
        "risks": [
            {"id": r.pk, "title": r.title, "category": r.category, "status": r.status, "response": r.response,
             "inherent_score": r.inherent_score, "inherent_level": r.inherent_level,
             "residual_score": r.residual_score, "residual_level": r.residual_level,
             "owner": str(r.owner), "review_due": r.review_due.isoformat(),
             "controls": [c.description for c in r.controls.all()],
             "accepted_by": str(r.accepted_by) if r.accepted_by else None}
            for r in risks
        ],
    }
