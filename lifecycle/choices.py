"""Choices and error codes of stage gates, approvals and the audit trail."""
from django.db import models
from django.utils.translation import gettext_lazy as _

# The stage gate's process code (stored on every gate review and policy row; never rename it).
STAGE_GATE = "stage_gate"


class DeliverableStatus(models.TextChoices):
    OPEN = "open", _("待完成")
    DONE = "done", _("已完成")
    WAIVED = "waived", _("已豁免")
    # A required item's waiver is a decision: asked for by the manager, it counts as open until it is approved.
    WAIVER_REQUESTED = "waiver_requested", _("豁免待批准")


class GateReviewStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")  # what it asked for no longer stands (e.g. the risk was re-assessed)


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("未开始")  # senior management waits for every other department
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤销")  # the review was rejected by another department


class Decision(models.TextChoices):
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("驳回")


class ConditionStatus(models.TextChoices):
    OPEN = "open", _("待落实")
    DONE = "done", _("已落实")
    WAIVED = "waived", _("已豁免")


class AuditAction(models.TextChoices):
    REVIEW_SUBMITTED = "review_submitted", _("提交阶段评审")
    STEP_OPENED = "step_opened", _("审批步骤开启")
    STEP_APPROVED = "step_approved", _("部门同意")
    STEP_REJECTED = "step_rejected", _("部门驳回")
    STEP_OVERDUE = "step_overdue", _("审批逾期")
    STEP_ESCALATED = "step_escalated", _("逾期上报高层")
    REVIEW_APPROVED = "review_approved", _("评审通过")
    REVIEW_REJECTED = "review_rejected", _("评审驳回")
    REVIEW_WITHDRAWN = "review_withdrawn", _("评审撤回")
    STAGE_CHANGED = "stage_changed", _("阶段变更")
    DELIVERABLE_DONE = "deliverable_done", _("交付物完成")
    DELIVERABLE_WAIVED = "deliverable_waived", _("交付物豁免")
    DELIVERABLE_REOPENED = "deliverable_reopened", _("交付物重新打开")
    DELIVERABLE_WAIVER_REQUESTED = "deliverable_waiver_requested", _("申请豁免必需交付物")
    DELIVERABLE_WAIVER_APPROVED = "deliverable_waiver_approved", _("批准交付物豁免")
    DELIVERABLE_WAIVER_REJECTED = "deliverable_waiver_rejected", _("驳回交付物豁免")
    DELIVERABLE_EDITED = "deliverable_edited", _("交付物信息修改")
    POLICY_CHANGED = "policy_changed", _("审批规则变更")
    DELEGATION_CREATED = "delegation_created", _("设置审批委托")
    DELEGATION_ENDED = "delegation_ended", _("取消审批委托")
    CONDITION_SET = "condition_set", _("附条件批准：新增条件")
    CONDITION_DONE = "condition_done", _("审批条件已落实")
    CONDITION_WAIVED = "condition_waived", _("审批条件已豁免")
    CONDITION_OVERDUE = "condition_overdue", _("审批条件逾期")


class LifecycleError(models.TextChoices):
    """Error codes returned by the API (`code`) and used by the pages."""

    REVIEW_ALREADY_OPEN = "review_already_open", _("该产品已有进行中的阶段评审。")
    REVIEW_PENDING = "review_pending", _("该产品有进行中的评审：评审结束前不能变更产品负责人。")
    STEP_ALREADY_DECIDED = "step_already_decided", _("该审批步骤已有决定。")
    STEP_NOT_OPEN = "step_not_open", _("该审批步骤尚未开启：高层须在其他部门全部同意后审批。")
    REVIEW_CLOSED = "review_closed", _("该阶段评审已结束。")
    FOUR_EYES = "four_eyes", _("四眼原则：提交人和产品负责人不能审批本次评审。")
    WRONG_DEPARTMENT = "wrong_department", _("您不属于该审批部门。")
    ONE_STEP_PER_PERSON = "one_step_per_person", _("职责分离：同一人在一次评审中只能审批一个步骤。")
    NOT_SUBMITTER = "not_submitter", _("只有产品负责人或产品主管可以提交阶段评审。")
    NO_DELEGATION = "no_delegation", _("您没有该审批人当前有效的委托。")
    CONDITIONS_OPEN = "conditions_open", _("尚有未落实的审批条件。")
    CONDITION_CLOSED = "condition_closed", _("该审批条件已落实或已豁免。")
    MISSING_DELIVERABLES = "missing_deliverables", _("以下必需交付物尚未完成或豁免：")
    STAGE_NOT_ALLOWED = "stage_not_allowed", _("当前阶段不能进入该目标阶段。")
    DELIVERABLE_OTHER_STAGE = "deliverable_other_stage", _("只能更新当前阶段的交付物。")
    DELIVERABLE_UNDER_REVIEW = "deliverable_under_review", _("阶段评审进行中，不能重新打开交付物。")
    WAIVER_NOT_REQUESTED = "waiver_not_requested", _("该交付物没有待批准的豁免申请。")
