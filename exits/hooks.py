"""The exit runbook's plugs into the approval engine's stage gate (registered in ExitsConfig.ready)."""
from lifecycle.choices import STAGE_GATE
from lifecycle.engine import register_hook
from products.choices import LifecycleStage

from . import selectors, services
from .api.serializers import plan_representation


def gate_preconditions(*, subject, target: str) -> dict[str, list[str]]:
    """operation -> retirement needs a complete plan; retirement -> retired needs every customer migrated or
    closed and every aftercare task done or waived."""
    if target == LifecycleStage.RETIREMENT:
        return {"exit_plan": services.plan_missing(plan=services.exit_plan_of(subject))}
    if target == LifecycleStage.RETIRED:
        return {"exit": services.exit_blockers(plan=services.exit_plan_of(subject))}
    return {}


def plan_snapshot(*, subject, target: str) -> dict | None:
    """What exit reviewers approve: the plan as submitted, its evidence with values and its progress."""
    if target not in (LifecycleStage.RETIREMENT, LifecycleStage.RETIRED):
        return None
    plan = selectors.plan_detail(product=subject)
    if plan is None:
        return None
    return plan_representation(plan)


def create_tasks_on_retirement(*, review, user) -> None:
    """When the product enters retirement its aftercare tasks are created from the templates."""
    if review.to_stage != LifecycleStage.RETIREMENT:
        return
    plan = services.exit_plan_of(review.product)
    if plan is not None:
        services.exit_tasks_ensure(plan=plan, user=user)


def register() -> None:
    register_hook(STAGE_GATE, "precondition", gate_preconditions)
    register_hook(STAGE_GATE, "snapshot", plan_snapshot, key="exit_plan")
    register_hook(STAGE_GATE, "approved", create_tasks_on_retirement)
