from django.db import models
from django.utils.translation import gettext_lazy as _


class PackKind(models.TextChoices):
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")


class ReportsAuditAction(models.TextChoices):
    SUBSCRIPTION_SAVED = "pack_subscription_saved", _("报告订阅已保存")
    SUBSCRIPTION_DELETED = "pack_subscription_deleted", _("报告订阅已删除")
