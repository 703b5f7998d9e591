"""The exit runbook's sections of the product page (the runbook itself and the arrivals on a successor)."""
from django import template
from django.utils import timezone

from products.choices import LifecycleStage

from .. import selectors, services
from ..choices import ExitTaskStatus

register = template.Library()
RUNBOOK_STAGES = (LifecycleStage.OPERATION, LifecycleStage.RETIREMENT, LifecycleStage.RETIRED)


@register.inclusion_tag("exits/_runbook.html", takes_context=True)
def exit_runbook(context, product):
    user = context["request"].user
    if product.stage not in RUNBOOK_STAGES:
        return {"show": False}
    plan = selectors.plan_detail(product=product)
    can_edit = services.exit_plan_can_edit(user=user, product=product)
    if plan is None:
        return {"show": product.stage != LifecycleStage.OPERATION or can_edit, "product": product,
                "can_edit": can_edit, "plan": None}
    today = timezone.localdate()
    retiring = product.stage == LifecycleStage.RETIREMENT
    # A waiver is an exit reviewer's (asked once for the product, not per row).
    can_waive = retiring and services.exit_reviewer_can_act(user=user, product=product)
    for task in plan.task_rows:
        is_open = task.status == ExitTaskStatus.OPEN and retiring
        task.can_finish = is_open and services.exit_task_can_edit(user=user, task=task)
        task.can_waive = is_open and can_waive
        task.can_act = task.can_finish or task.can_waive
        task.overdue = task.status == ExitTaskStatus.OPEN and task.due_date < today
    return {
        "show": True, "product": product, "plan": plan, "can_edit": can_edit,
        "can_upload": can_edit and product.stage == LifecycleStage.RETIREMENT,
        "evidence": selectors.evidence_items(plan), "missing": services.plan_missing(plan=plan),
        "blockers": services.exit_blockers(plan=plan), "notice_days": services.notice_days(category=product.category),
        "days_to_close": selectors.days_to_close(plan, today),
        "burndown": selectors.burndown(plan=plan, segments=plan.segment_rows),
    }


@register.inclusion_tag("exits/_arrivals.html")
def exit_arrivals(product):
    segments = selectors.arrivals(product=product)
    return {"show": bool(segments), "segments": segments,
            "total": sum(s.migrated for s in segments), "open": ExitTaskStatus.OPEN, "today": timezone.localdate()}
