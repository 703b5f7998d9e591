"""Choices and error codes of the requirements backlog (values are stable API strings)."""
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequirementStatus(models.TextChoices):
    NEW = "new", _("新建")
    ANALYSING = "analysing", _("分析中")
    CONFIRMED = "confirmed", _("已确认")
    SCHEDULED = "scheduled", _("已排期")
    IN_DEVELOPMENT = "in_development", _("开发中")
    DELIVERED = "delivered", _("已交付")
    REJECTED = "rejected", _("已拒绝")
    DEFERRED = "deferred", _("已搁置")


# Statuses that still need work (the "open" backlog).
OPEN_STATUSES = [
    RequirementStatus.NEW, RequirementStatus.ANALYSING, RequirementStatus.CONFIRMED,
    RequirementStatus.SCHEDULED, RequirementStatus.IN_DEVELOPMENT,
]
# Rejecting or deferring is allowed only before a requirement is scheduled.
UNSCHEDULED_STATUSES = [RequirementStatus.NEW, RequirementStatus.ANALYSING, RequirementStatus.CONFIRMED]


class RequirementTransition(models.TextChoices):
    ANALYSE = "analyse", _("开始分析")
    CONFIRM = "confirm", _("确认")
    SCHEDULE = "schedule", _("排期")
    START_DEVELOPMENT = "start_development", _("开始开发")
    DELIVER = "deliver", _("交付")
    REJECT = "reject", _("拒绝")
    DEFER = "defer", _("搁置")


# Transitions that must state why.
TRANSITIONS_NEEDING_REASON = {RequirementTransition.REJECT, RequirementTransition.DEFER}


class RequirementSource(models.TextChoices):
    SUPERIOR = "superior", _("上级指示")
    MARKET_RESEARCH = "market_research", _("市场调研")
    CUSTOMER_FEEDBACK = "customer_feedback", _("客户反馈")
    REGULATORY = "regulatory", _("监管要求")
    COMPETITOR = "competitor", _("竞品分析")
    INTERNAL = "internal", _("内部提出")
    INCIDENT = "incident", _("事件问题")


class RequirementType(models.TextChoices):
    FEATURE = "feature", _("新功能")
    IMPROVEMENT = "improvement", _("优化")
    COMPLIANCE = "compliance", _("合规")
    DEFECT = "defect", _("缺陷")


class Priority(models.TextChoices):
    P0 = "P0", _("P0 紧急")
    P1 = "P1", _("P1 高")
    P2 = "P2", _("P2 中")
    P3 = "P3", _("P3 低")


# The RICE impact scale (Intercom's): massive 3, high 2, medium 1, low 0.5, minimal 0.25.
IMPACT_CHOICES = [
    (Decimal("3.00"), _("3 极大")),
    (Decimal("2.00"), _("2 高")),
    (Decimal("1.00"), _("1 中")),
    (Decimal("0.50"), _("0.5 低")),
    (Decimal("0.25"), _("0.25 极小")),
]


class VersionStatus(models.TextChoices):
    # Pilot and rollout will be inserted between planned and released.
    PLANNED = "planned", _("规划中")
    RELEASED = "released", _("已发布")


class FeedbackChannel(models.TextChoices):
    HOTLINE = "hotline", _("客服热线")
    ONLINE = "online", _("线上留言")
    BRANCH = "branch", _("网点")
    SURVEY = "survey", _("问卷调查")
    COMPLAINT = "complaint", _("投诉")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("正面")
    NEUTRAL = "neutral", _("中性")
    NEGATIVE = "negative", _("负面")


class BulkAction(models.TextChoices):
    SET_PRIORITY = "set_priority", _("设置优先级")
    ASSIGN = "assign", _("指派负责人")
    SCHEDULE = "schedule", _("排入版本")
    TRANSITION = "transition", _("变更状态")


class UnfinishedScope(models.TextChoices):
    """What releasing a version does with its requirements that are not delivered yet."""

    MOVE = "move", _("移到另一个版本")
    BACKLOG = "backlog", _("退回需求池")


class ErrorCode(models.TextChoices):
    TRANSITION_NOT_ALLOWED = "transition_not_allowed", _("当前状态不允许该操作")
    REASON_REQUIRED = "reason_required", _("需要填写原因")
    VERSION_REQUIRED = "version_required", _("需要目标版本")
    WRONG_PRODUCT = "wrong_product", _("不属于该产品")
    TOO_MANY_ITEMS = "too_many_items", _("条目过多")
    FEEDBACK_CONVERTED = "feedback_converted", _("反馈已转化为需求")
    PRODUCT_FIXED = "product_fixed", _("创建后不能更换产品")
    PRODUCT_CLOSED = "product_closed", _("产品已结束")
    PLANNED_IN_PAST = "planned_in_past", _("计划日期早于今天")
    VERSION_NAME_TAKEN = "version_name_taken", _("该产品已有同名版本。")
    UNFINISHED_SCOPE = "unfinished_scope", _("版本还有未完成的需求")
    WRONG_VERSION = "wrong_version", _("不是同一产品规划中的另一个版本")


class RequirementsAuditAction(models.TextChoices):
    """Audit-trail action codes of the backlog: every write (django-simple-history keeps the admin's row history)."""

    CREATED = "requirement_created", _("新建需求")
    UPDATED = "requirement_updated", _("修改需求")
    DELETED = "requirement_deleted", _("删除需求")
    COMMENTED = "requirement_commented", _("评论需求")
    FEEDBACK_CREATED = "feedback_created", _("新增反馈")
    FEEDBACK_UPDATED = "feedback_updated", _("修改反馈")
    FEEDBACK_DELETED = "feedback_deleted", _("删除反馈")
    STATUS_CHANGED = "requirement_status_changed", _("需求状态变更")
    VERSION_CREATED = "version_created", _("新建版本")
    VERSION_UPDATED = "version_updated", _("修改版本")
    VERSION_RELEASED = "version_released", _("发布版本")
    FEEDBACK_CONVERTED = "feedback_converted", _("反馈转为需求")
