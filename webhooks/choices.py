"""Event types other systems subscribe to, and the delivery states."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    STAGE_CHANGED = "product.stage_changed", _("产品阶段变更")
    REVIEW_SUBMITTED = "review.submitted", _("提交评审")
    REVIEW_DECIDED = "review.decided", _("评审决定")
    CONDITION_OPENED = "condition.opened", _("附条件事项开启")
    CONDITION_OVERDUE = "condition.overdue", _("附条件事项逾期")
    TERMS_VERSION_ACTIVATED = "terms.version_activated", _("条款版本生效")
    CHANGE_ROLLED_OUT = "change.rolled_out", _("条款变更全面推广")
    KPI_ALERT_OPENED = "kpi_alert.opened", _("指标预警开启")
    KPI_ALERT_RESOLVED = "kpi_alert.resolved", _("指标预警解除")
    RISK_ACCEPTED = "risk.accepted", _("剩余风险获接受")
    EXIT_MILESTONE_REACHED = "exit.milestone_reached", _("退出里程碑达成")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SUCCEEDED = "succeeded", _("已送达")
    FAILED = "failed", _("已放弃")


class WebhookAuditAction(models.TextChoices):
    SUBSCRIPTION_CREATED = "webhook_subscription_created", _("新增 Webhook 订阅")
    SUBSCRIPTION_UPDATED = "webhook_subscription_updated", _("修改 Webhook 订阅")
    SECRET_ROTATED = "webhook_secret_rotated", _("轮换 Webhook 密钥")
    SUBSCRIPTION_PAUSED = "webhook_subscription_paused", _("Webhook 订阅因持续失败暂停")
    DELIVERY_RESENT = "webhook_delivery_resent", _("重新发送 Webhook")
    ALLOWLIST_CHANGED = "webhook_allowlist_changed", _("修改 Webhook 内网允许列表")
