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


class AuditAction(models.TextChoices):
    STAGE_CHANGED = "stage_changed", _("阶段变更")
    DELIVERABLE_DONE = "deliverable_done", _("交付物完成")
    DELIVERABLE_WAIVED = "deliverable_waived", _("交付物豁免")
    DELIVERABLE_REOPENED = "deliverable_reopened", _("交付物重新打开")
    DELIVERABLE_WAIVER_REQUESTED = "deliverable_waiver_requested", _("申请豁免必需交付物")
    DELIVERABLE_WAIVER_APPROVED = "deliverable_waiver_approved", _("批准交付物豁免")
    DELIVERABLE_WAIVER_REJECTED = "deliverable_waiver_rejected", _("驳回交付物豁免")
    DELIVERABLE_EDITED = "deliverable_edited", _("交付物信息修改")


class LifecycleError(models.TextChoices):
    """Error codes of stage gates and deliverables returned by the API (`code`) and used by the pages (the engine's
    own are approvals.choices.ApprovalError)."""

    NOT_SUBMITTER = "not_submitter", _("只有产品负责人或产品主管可以提交阶段评审。")
    MISSING_DELIVERABLES = "missing_deliverables", _("以下必需交付物尚未完成或豁免：")
    STAGE_NOT_ALLOWED = "stage_not_allowed", _("当前阶段不能进入该目标阶段。")
    DELIVERABLE_OTHER_STAGE = "deliverable_other_stage", _("只能更新当前阶段的交付物。")
    DELIVERABLE_UNDER_REVIEW = "deliverable_under_review", _("阶段评审进行中，不能重新打开交付物。")
    WAIVER_NOT_REQUESTED = "waiver_not_requested", _("该交付物没有待批准的豁免申请。")
