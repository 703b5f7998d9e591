"""Stage gates: deliverable checklists, gate policies, gate reviews with department steps, and the audit chain."""
import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from accounts.choices import DepartmentCode
from bankpm.documents import validate_document
from bankpm.validators import link_constraint, validate_link
from products.choices import LifecycleStage, ProductCategory, RiskRating

from .choices import AuditAction, Decision, DeliverableStatus, GateReviewStatus, StepStatus


class ProtectedFSMFieldsMixin:
    """`full_clean()` would re-assign protected FSM fields; the state machine validates them instead."""

    fsm_fields: tuple[str, ...] = ("status",)

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude={*(exclude or ()), *self.fsm_fields})


class DeliverableTemplate(models.Model):
    """One checklist item every product must deliver in a stage (admin-editable; seeded by a data migration)."""

    stage = models.CharField(_("阶段"), max_length=20, choices=LifecycleStage.choices, db_index=True)
    title = models.CharField(_("名称"), max_length=120)
    title_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    required = models.BooleanField(_("必需"), default=True)
    due_in_days = models.PositiveIntegerField(_("期限（天）"), default=30)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["stage", "position", "id"]
        verbose_name = _("交付物模板")
        verbose_name_plural = _("交付物模板")

    def __str__(self):
        return f"{self.get_stage_display()} · {self.title}"


class Deliverable(ProtectedFSMFieldsMixin, FSMModelMixin, models.Model):
    """A product's deliverable for one stage: owner, due date, open/done/waived (with a reason), attachment or link."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="deliverables",
                                verbose_name=_("产品"))
    stage = models.CharField(_("阶段"), max_length=20, choices=LifecycleStage.choices)
    template = models.ForeignKey(DeliverableTemplate, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="deliverables", verbose_name=_("模板"))
    title = models.CharField(_("名称"), max_length=120)
    title_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    required = models.BooleanField(_("必需"), default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deliverables",
                              verbose_name=_("负责人"))
    due_date = models.DateField(_("截止日期"), null=True, blank=True)
    status = FSMField(_("状态"), max_length=10, choices=DeliverableStatus.choices, default=DeliverableStatus.OPEN,
                      protected=True)
    waiver_reason = models.TextField(_("豁免理由"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="deliverables/%Y/%m/", blank=True)
    link = models.URLField(_("链接"), blank=True, validators=[validate_link])
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("完成人"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["product", "stage", "template__position", "id"]
        verbose_name = _("交付物")
        verbose_name_plural = _("交付物")
        constraints = [
            models.UniqueConstraint(fields=["product", "template"], name="deliverable_once_per_template"),
            link_constraint("link", name="deliverable_link_safe"),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.localized_title(self.title, self.title_en)

    @staticmethod
    def localized_title(title: str, title_en: str) -> str:
        """The English title for English readers when there is one, else the Chinese title."""
        return title_en if (get_language() or "").startswith("en") and title_en else title

    def clean(self):
        if self.status == DeliverableStatus.WAIVED and not self.waiver_reason.strip():
            raise ValidationError({"reason": _("豁免必须填写理由。")})
        if self.attachment and not self.attachment._committed:
            # A new upload (page, admin or code alike): only allow-listed document types, by content.
            validate_document(self.attachment.file)

    @property
    def attachment_url(self) -> str:
        """Where the attachment is downloaded: a view that checks the reader, never the media folder."""
        return reverse("lifecycle:deliverable_attachment", args=[self.pk]) if self.attachment else ""

    @transition(field=status, source=DeliverableStatus.OPEN, target=DeliverableStatus.DONE)
    def complete(self):
        """The owner ticks the item."""

    @transition(field=status, source=DeliverableStatus.OPEN, target=DeliverableStatus.WAIVED)
    def waive(self):
        """Not needed for this product; the reason is kept."""

    @transition(field=status, source=[DeliverableStatus.DONE, DeliverableStatus.WAIVED], target=DeliverableStatus.OPEN)
    def reopen(self):
        """Ticked by mistake or needs rework."""


class GatePolicy(models.Model):
    """A rule adding one approving department to gates that match its target stage, category and minimum risk.

    Empty target stage or category means "any"; every gate also ends with senior management.
    """

    department = models.CharField(_("审批部门"), max_length=32, choices=DepartmentCode.choices)
    target_stage = models.CharField(_("目标阶段"), max_length=20, choices=LifecycleStage.choices, blank=True,
                                    help_text=_("留空表示所有阶段。"))
    category = models.CharField(_("产品类别"), max_length=20, choices=ProductCategory.choices, blank=True,
                                help_text=_("留空表示所有类别。"))
    min_risk_rating = models.CharField(_("最低风险等级"), max_length=2, choices=RiskRating.choices, blank=True,
                                       help_text=_("留空表示所有风险等级。"))
    due_working_days = models.PositiveIntegerField(_("审批期限（工作日）"), default=3)
    escalation_days = models.PositiveIntegerField(_("逾期上报（天）"), default=2)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["target_stage", "category", "department", "id"]
        verbose_name = _("审批规则")
        verbose_name_plural = _("审批规则")

    def __str__(self):
        stage = self.get_target_stage_display() or _("所有阶段")
        category = self.get_category_display() or _("所有类别")
        return f"{stage} · {category} · {self.get_department_display()}"

    def clean(self):
        if self.department == DepartmentCode.PRODUCT:
            raise ValidationError({"department": _("产品部提交评审，不能作为审批部门。")})

    def matches(self, *, to_stage: str, category: str, risk_rating: str) -> bool:
        return (
            self.is_active
            and self.target_stage in ("", to_stage)
            and self.category in ("", category)
            and (not self.min_risk_rating or risk_rating >= self.min_risk_rating)
        )


class GateReview(ProtectedFSMFieldsMixin, ConcurrentTransitionMixin, models.Model):
    """A request to move a product to another stage; its department steps decide it."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="gate_reviews",
                                verbose_name=_("产品"))
    from_stage = models.CharField(_("当前阶段"), max_length=20, choices=LifecycleStage.choices)
    to_stage = models.CharField(_("目标阶段"), max_length=20, choices=LifecycleStage.choices)
    status = FSMField(_("状态"), max_length=10, choices=GateReviewStatus.choices, default=GateReviewStatus.PENDING,
                      protected=True, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="submitted_gate_reviews", verbose_name=_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    decided_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("阶段评审")
        verbose_name_plural = _("阶段评审")
        constraints = [
            # At most one open review per product, even if a writer bypasses the service's row lock.
            models.UniqueConstraint(fields=["product"], condition=models.Q(status=GateReviewStatus.PENDING),
                                    name="one_open_gate_review_per_product"),
        ]

    def __str__(self):
        return f"{self.product.code}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"

    @property
    def progress(self) -> tuple[int, int]:
        """(approved steps, all steps), from prefetched steps when available."""
        steps = list(self.steps.all())
        return sum(step.status == StepStatus.APPROVED for step in steps), len(steps)

    @transition(field=status, source=GateReviewStatus.PENDING, target=GateReviewStatus.APPROVED)
    def approve(self):
        """Every step approved."""

    @transition(field=status, source=GateReviewStatus.PENDING, target=GateReviewStatus.REJECTED)
    def reject(self):
        """One step rejected."""


class ApprovalStep(ProtectedFSMFieldsMixin, ConcurrentTransitionMixin, models.Model):
    """One department's decision in a gate review; senior management's step opens only after all others approve."""

    review = models.ForeignKey(GateReview, on_delete=models.PROTECT, related_name="steps", verbose_name=_("阶段评审"))
    department = models.CharField(_("审批部门"), max_length=32, choices=DepartmentCode.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    status = FSMField(_("状态"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING,
                      protected=True, db_index=True)
    due_working_days = models.PositiveIntegerField(_("审批期限（工作日）"), default=3)
    escalation_days = models.PositiveIntegerField(_("逾期上报（天）"), default=2)
    opened_at = models.DateTimeField(_("开启时间"), null=True, blank=True)
    due_date = models.DateField(_("截止日期"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="approval_decisions", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    overdue = models.BooleanField(_("已逾期"), default=False)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)

    class Meta:
        ordering = ["review", "position", "id"]
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        constraints = [
            models.UniqueConstraint(fields=["review", "department"], name="one_step_per_department"),
        ]

    def __str__(self):
        return f"{self.review} · {self.get_department_display()}"

    @transition(field=status, source=StepStatus.WAITING, target=StepStatus.PENDING)
    def open(self):
        """The department may now decide."""

    @transition(field=status, source=StepStatus.PENDING, target=StepStatus.APPROVED)
    def approve(self):
        """The department agrees."""

    @transition(field=status, source=StepStatus.PENDING, target=StepStatus.REJECTED)
    def reject(self):
        """The department refuses; the whole review is rejected."""

    @transition(field=status, source=[StepStatus.WAITING, StepStatus.PENDING], target=StepStatus.WITHDRAWN)
    def withdraw(self):
        """Another department rejected the review; this step no longer needs a decision."""


class AuditImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    """Audit rows are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise AuditImmutable(_("审计记录只能追加，不能修改。"))

    def delete(self):
        raise AuditImmutable(_("审计记录只能追加，不能删除。"))

    _raw_delete = delete


class AuditEntry(models.Model):
    """One append-only history entry; `entry_hash` covers its content and the previous entry's hash (a chain)."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="audit_entries", verbose_name=_("产品"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    action = models.CharField(_("操作"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=40)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    from_value = models.CharField(_("变更前"), max_length=200, blank=True)
    to_value = models.CharField(_("变更后"), max_length=200, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    entry_hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self):
        return f"#{self.pk} {self.get_action_display()}"

    def canonical(self) -> str:
        """The exact content the hash covers (stable across database round-trips)."""
        return json.dumps({
            "product": self.product_id, "actor": self.actor_id, "action": self.action,
            "object_type": self.object_type, "object_id": self.object_id, "from": self.from_value,
            "to": self.to_value, "comment": self.comment, "prev": self.prev_hash,
            "at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        }, sort_keys=True, ensure_ascii=False)

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AuditImmutable(_("审计记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable(_("审计记录只能追加，不能删除。"))
