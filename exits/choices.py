"""Choices, limits and error codes of the exit runbook."""
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_NOTICE_DAYS = 30
MAX_PROGRESS_ITEMS = 5000
MAX_SEGMENTS = 50
MAX_CUSTOMERS = 2_000_000_000  # fits the database's integer column
EVIDENCE_KINDS = ("snapshots", "alerts", "requirements")


class ExitTaskStatus(models.TextChoices):
    OPEN = "open", _("待完成")
    DONE = "done", _("已完成")
    WAIVED = "waived", _("已豁免")


FINISHED_TASK_STATUSES = (ExitTaskStatus.DONE, ExitTaskStatus.WAIVED)


class DueAnchor(models.TextChoices):
    """Which of the plan's dates a task's due date is counted from."""

    NOTICE_DATE = "notice_date", _("通知日")
    CLOSE_DATE = "close_date", _("关闭日")


class ExitAuditAction(models.TextChoices):
    PLAN_CREATED = "exit_plan_created", _("创建退出计划")
    PLAN_UPDATED = "exit_plan_updated", _("修改退出计划")
    PROGRESS_RECORDED = "exit_progress_recorded", _("导入迁移进度")
    TASKS_CREATED = "exit_tasks_created", _("生成善后任务")
    TASK_DONE = "exit_task_done", _("善后任务完成")
    TASK_WAIVED = "exit_task_waived", _("善后任务豁免")
    SEGMENTS_LOWERED = "exit_segments_lowered", _("调低客群客户数")
    TASK_OVERDUE = "exit_task_overdue", _("善后任务逾期")
    POLICY_CHANGED = "exit_policy_changed", _("退出规则变更")


class ExitError(models.TextChoices):
    """Error codes returned by the API (`code`) and used by the pages."""

    PLAN_NOT_EDITABLE = "exit_plan_not_editable", _("只有运营或退出阶段的产品可以编写退出计划。")
    PLAN_UNDER_REVIEW = "exit_plan_under_review", _("阶段评审进行中，退出计划不能修改。")
    NO_PLAN = "exit_plan_missing", _("该产品还没有退出计划。")
    NOT_IN_RETIREMENT = "exit_not_in_retirement", _("只有退出阶段的产品可以导入迁移进度或处理善后任务。")
    TASK_CLOSED = "exit_task_closed", _("该善后任务已完成或已豁免。")
