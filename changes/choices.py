"""Constants of product changes: reasons, statuses, pilot operators, audit actions and error codes."""
from django.db import models
from django.utils.translation import gettext_lazy as _

CHANGE_PROCESS = "change"
EXPANDED = "expanded"  # the policy fact of a change that widens the product's reach (OCC 2017-43)


class ChangeReason(models.TextChoices):
    COMPETITOR = "competitor", _("竞争对手")
    REGULATION = "regulation", _("监管要求")
    TECHNOLOGY = "technology", _("技术进步")
    CUSTOMER_FEEDBACK = "customer_feedback", _("客户反馈")
    INTERNAL = "internal", _("内部需要")


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    PILOTING = "piloting", _("试点中")
    ROLLED_OUT = "rolled_out", _("已全面推广")
    WITHDRAWN = "withdrawn", _("已撤回")


class TermsVersionStatus(models.TextChoices):
    ACTIVE = "active", _("生效中")
    SCHEDULED = "scheduled", _("待生效")
    SUPERSEDED = "superseded", _("已被取代")


class CriterionOp(models.TextChoices):
    GTE = ">=", "≥"
    LTE = "<=", "≤"


class ChangeAuditAction(models.TextChoices):
    CREATED = "change_created", _("提出条款变更")
    UPDATED = "change_updated", _("修改条款变更")
    SUBMITTED = "change_submitted", _("提交条款变更")
    APPROVED = "change_approved", _("条款变更获批")
    REJECTED = "change_rejected", _("条款变更被驳回")
    PILOT_STARTED = "change_pilot_started", _("开始试点")
    ROLLED_OUT = "change_rolled_out", _("全面推广")
    OVERRIDDEN = "change_rollout_overridden", _("高层越过试点标准推广")
    WITHDRAWN = "change_withdrawn", _("撤回条款变更")
    VERSION_CREATED = "terms_version_created", _("新增条款版本")
    VERSION_ACTIVATED = "terms_version_activated", _("条款版本生效")


class ChangeError(models.TextChoices):
    """Codes of the 409 responses (`code`), with the message pages show."""

    TERMS_FROZEN = "terms_frozen", _("产品已上线，条款已冻结：请通过条款变更流程修改。")
    CATEGORY_FROZEN = "category_frozen", _("产品已上线，产品类别不能修改（它决定适用的审批政策和退出通知期）。")
    REVIEW_PENDING = "review_pending", _("该产品有进行中的评审，评审期间条款不能修改。")
    TERMS_NOT_FROZEN = "terms_not_frozen", _("产品尚未上线，请直接编辑条款。")
    CHANGE_OPEN = "change_open", _("该产品已有尚未完成的条款变更。")
    NOT_DRAFT = "change_not_draft", _("只有草稿状态的变更可以修改或提交。")
    NOT_APPROVED = "change_not_approved", _("只有已批准且需要试点的变更可以开始试点。")
    NOT_PILOTING = "change_not_piloting", _("只有试点中的变更可以全面推广。")
    NOT_WITHDRAWABLE = "change_not_withdrawable", _("该变更当前不能撤回。")
    CRITERIA_NOT_MET = "pilot_criteria_not_met", _("试点标准尚未全部达到，不能全面推广。")
