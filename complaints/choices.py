"""Constants of the complaints register: categories, severities, statuses, the root-cause taxonomy, audit codes."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintCategory(models.TextChoices):
    FEES = "fees", _("费用与收费")
    DISCLOSURE = "disclosure", _("信息披露")
    MIS_SELLING = "mis_selling", _("不当销售")
    SERVICE = "service", _("服务")
    FRAUD = "fraud", _("欺诈")
    TECHNICAL = "technical", _("技术故障")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    CRITICAL = "critical", _("严重")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    INVESTIGATING = "investigating", _("调查中")
    RESOLVED = "resolved", _("已解决")
    REJECTED = "rejected", _("不予受理")


# A complaint in one of these states still waits for its answer (deadlines, reminders, escalation).
OPEN_STATUSES = [ComplaintStatus.OPEN, ComplaintStatus.INVESTIGATING]


class RootCause(models.TextChoices):
    """Why customers complain (the taxonomy the Pareto counts), with free text beside it on each complaint."""

    PRODUCT_DESIGN = "product_design", _("产品设计")
    PRICING = "pricing", _("定价与费用规则")
    DISCLOSURE_DOCS = "disclosure_docs", _("文件与披露不清")
    SALES_PRACTICE = "sales_practice", _("销售行为")
    PROCESS = "process", _("业务流程")
    STAFF = "staff", _("员工服务")
    SYSTEM = "system", _("系统与技术")
    THIRD_PARTY = "third_party", _("第三方与合作机构")
    FRAUD_CONTROL = "fraud_control", _("风控与反欺诈")
    OTHER = "other", _("其他")


class ComplaintSource(models.TextChoices):
    PAGE = "page", _("页面录入")
    FEEDBACK = "feedback", _("客户反馈转入")
    UPLOAD = "upload", _("文件导入")
    API = "api", _("接口推送")


class ComplaintAuditAction(models.TextChoices):
    CREATED = "complaint_created", _("登记投诉")
    UPDATED = "complaint_updated", _("修改投诉")
    STATUS = "complaint_status", _("投诉状态变更")
    ESCALATED = "complaint_escalated", _("投诉升级")
    POLICY_SAVED = "complaint_policy_saved", _("修改投诉答复时限")


MAX_COMPLAINTS_PER_REQUEST = 1000
MAX_TEXT = 5000
