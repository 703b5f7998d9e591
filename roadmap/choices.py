"""Choices and error codes of the portfolio roadmap."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    STAGE = "stage", _("阶段")
    VERSION = "version", _("条款版本")


class PlanStatus(models.TextChoices):
    """How a target date compares with what happened (or with today, while it has not happened)."""

    PLANNED = "planned", _("按计划")
    OVERDUE = "overdue", _("已逾期")
    ON_TIME = "on_time", _("按期完成")
    LATE = "late", _("延期完成")


class Zoom(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年")


class GroupBy(models.TextChoices):
    CATEGORY = "category", _("按产品类别")
    OWNER = "owner", _("按产品经理")
    STAGE = "stage", _("按生命周期阶段")


class RoadmapAuditAction(models.TextChoices):
    PLAN_SET = "roadmap_plan_set", _("设置计划日期")
    PLAN_CLEARED = "roadmap_plan_cleared", _("取消计划日期")

