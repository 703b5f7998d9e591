"""The exit runbook: a product's exit plan with its customer segments, migration progress and aftercare tasks."""
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from products.choices import ProductCategory

from .choices import DEFAULT_NOTICE_DAYS, DueAnchor, ExitTaskStatus


class ExitNoticePolicy(models.Model):
    """How many days' notice customers of a product category get before it is withdrawn (admin-editable data);
    a category without a row gets the default of 30 days."""

    category = models.CharField(_("产品类别"), max_length=20, choices=ProductCategory.choices, unique=True)
    notice_days = models.PositiveSmallIntegerField(_("通知期（天）"), default=DEFAULT_NOTICE_DAYS)

    class Meta:
        ordering = ["category"]
        verbose_name = _("退出通知期")
        verbose_name_plural = _("退出通知期")

    def __str__(self):
        return f"{self.get_category_display()}: {self.notice_days}"


class ExitPlan(models.Model):
    """Why and how one product leaves the market: the evidence that decided it, the successor its customers
    move to, the notice and close dates, and the customer segments to migrate."""

    product = models.OneToOneField("products.Product", on_delete=models.PROTECT, related_name="exit_plan",
                                   verbose_name=_("产品"))
    reason = models.TextField(_("退出原因"), blank=True)
    successor = models.ForeignKey("products.Product", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="replaced_plans", verbose_name=_("承接产品"))
    notice_date = models.DateField(_("客户通知日"), null=True, blank=True)
    close_date = models.DateField(_("产品关闭日"), null=True, blank=True)
    snapshots = models.ManyToManyField("kpis.Snapshot", blank=True, related_name="+", verbose_name=_("指标快照"))
    alerts = models.ManyToManyField("kpis.Alert", blank=True, related_name="+", verbose_name=_("预警"))
    requirements = models.ManyToManyField("requirements.Requirement", blank=True, related_name="+",
                                          verbose_name=_("需求"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["close_date", "id"]
        verbose_name = _("退出计划")
        verbose_name_plural = _("退出计划")

    def __str__(self):
        return f"{self.product_id} exit"


class ExitSegment(models.Model):
    """A group of the product's customers to migrate or close, with how many hold the product."""

    plan = models.ForeignKey(ExitPlan, on_delete=models.CASCADE, related_name="segments", verbose_name=_("退出计划"))
    name = models.CharField(_("客群"), max_length=100)
    customers = models.PositiveIntegerField(_("客户数"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("迁移客群")
        verbose_name_plural = _("迁移客群")
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="exit_segment_unique_name")]

    def __str__(self):
        return self.name


class ExitProgress(models.Model):
    """Cumulative counts the bank's systems report for a segment on a day: customers migrated to the successor
    and accounts closed. The same segment and day sent again replaces the row."""

    segment = models.ForeignKey(ExitSegment, on_delete=models.CASCADE, related_name="progress",
                                verbose_name=_("客群"))
    date = models.DateField(_("日期"))
    migrated = models.PositiveIntegerField(_("已迁移"))
    closed = models.PositiveIntegerField(_("已销户"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("提交人"))
    recorded_at = models.DateTimeField(_("提交时间"))

    class Meta:
        ordering = ["segment", "date"]
        verbose_name = _("迁移进度")
        verbose_name_plural = _("迁移进度")
        constraints = [models.UniqueConstraint(fields=["segment", "date"], name="exit_progress_unique_day")]

    def __str__(self):
        return f"{self.segment_id}@{self.date}"


class ExitTaskTemplate(models.Model):
    """An aftercare task every exiting product gets, due a number of days after one of its plan's dates
    (admin-editable; seeded by a data migration)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    title = models.CharField(_("名称"), max_length=120)
    title_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    anchor = models.CharField(_("起算日"), max_length=20, choices=DueAnchor.choices)
    offset_days = models.IntegerField(_("相对天数"), default=0, validators=[MinValueValidator(-365)])
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("善后任务模板")
        verbose_name_plural = _("善后任务模板")

    def __str__(self):
        return self.title


class ExitTask(FSMModelMixin, models.Model):
    """One aftercare task of an exiting product: owner, due date, open / done / waived (with a reason)."""

    plan = models.ForeignKey(ExitPlan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("退出计划"))
    template = models.ForeignKey(ExitTaskTemplate, on_delete=models.PROTECT, related_name="tasks",
                                 verbose_name=_("模板"))
    title = models.CharField(_("名称"), max_length=120)
    title_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exit_tasks",
                              verbose_name=_("负责人"))
    due_date = models.DateField(_("截止日期"))
    status = FSMField(_("状态"), max_length=10, choices=ExitTaskStatus.choices, default=ExitTaskStatus.OPEN,
                      protected=True)
    reason = models.TextField(_("说明"), blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("完成人"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "due_date", "template__position", "id"]
        verbose_name = _("善后任务")
        verbose_name_plural = _("善后任务")
        constraints = [models.UniqueConstraint(fields=["plan", "template"], name="exit_task_once_per_template")]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        if (get_language() or "").startswith("en") and self.title_en:
            return self.title_en
        return self.title

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude={*(exclude or ()), "status"})

    @transition(field=status, source=ExitTaskStatus.OPEN, target=ExitTaskStatus.DONE)
    def complete(self):
        """The task is done."""

    @transition(field=status, source=ExitTaskStatus.OPEN, target=ExitTaskStatus.WAIVED)
    def waive(self):
        """The task does not apply to this product; the reason is kept."""
