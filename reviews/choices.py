"""Constants of periodic product reviews: the process code, statuses, triggers, outcomes, audit actions, errors."""
from django.db import models
from django.utils.translation import gettext_lazy as _

# The engine process's code: stored on every review and policy row of it; never rename it.
PERIODIC_REVIEW = "periodic_review"
# Reviews of products at these ratings are also decided by senior management (a policy row, see the migration).
SENIOR_FROM_RATING = "R4"


class ReviewStatus(models.TextChoices):
    PREPARING = "preparing", _("准备中")  # opened; the manager prepares the pack (price and value)
    IN_REVIEW = "in_review", _("审批中")  # the pack went to the reviewers (an engine review is open)
    DECIDED = "decided", _("已决定")  # the reviewers' outcome is recorded
    CANCELLED = "cancelled", _("已取消")  # the product left operation while its review ran


# A review still running: one per product (a partial unique constraint backs the row lock).
OPEN_STATUSES = [ReviewStatus.PREPARING, ReviewStatus.IN_REVIEW]


class ReviewTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("按周期")
    EVENT = "event", _("事件触发")


class ReviewOutcome(models.TextChoices):
    """The reviewers' conclusion, by caution: the most cautious one chosen by an approving department prevails."""

    KEEP = "keep", _("维持")
    REMEDIATE = "remediate", _("整改")
    CHANGE = "change", _("变更条款")
    EXIT = "exit", _("退出")


OUTCOME_RANKS = {ReviewOutcome.KEEP: 1, ReviewOutcome.REMEDIATE: 2, ReviewOutcome.CHANGE: 3, ReviewOutcome.EXIT: 4}
# Outcomes after which the next review comes sooner (the policy's `remediate_months`).
SOONER_OUTCOMES = {ReviewOutcome.REMEDIATE, ReviewOutcome.EXIT}


class ReviewAuditAction(models.TextChoices):
    OPENED = "periodic_review_opened", _("开启定期评审")
    PREPARED = "periodic_review_prepared", _("填写价格与价值评估")
    SUBMITTED = "periodic_review_submitted", _("提交定期评审材料")
    RETURNED = "periodic_review_returned", _("定期评审被退回")
    DECIDED = "periodic_review_decided", _("定期评审结论")
    ESCALATED = "periodic_review_escalated", _("定期评审逾期上报")
    FOLLOW_UP = "periodic_review_follow_up", _("定期评审后续事项")
    POLICY_CHANGED = "review_cadence_changed", _("修改定期评审周期")
    CANCELLED = "periodic_review_cancelled", _("定期评审取消")


class ReviewError(models.TextChoices):
    """Codes of the 409 responses (`code`), with the message pages show."""

    ALREADY_OPEN = "periodic_review_open", _("该产品已有进行中的定期评审。")
    NOT_OPERATING = "product_not_operating", _("只有运营阶段的产品进行定期评审。")
    NOT_PREPARING = "periodic_review_not_preparing", _("只有准备中的定期评审可以修改或提交。")
    PACK_INCOMPLETE = "price_value_missing", _("请先完成价格与价值评估（客户支付、客户获得、比较和结论）。")
    ACTIONS_MISSING = "remediation_actions_missing", _("“整改”结论须附至少一项整改事项（负责人和截止日期）。")
