"""The approval engine's records: policy rows, reviews of any process with their department steps, delegations
and approval conditions. Their tables keep the names they had in lifecycle (`lifecycle_*`)."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.choices import DepartmentCode
from core.retention import KeptRecord
from lifecycle.choices import STAGE_GATE  # the one upward reference: the policy rows' and reviews' default process
from products.choices import LifecycleStage, ProductCategory, RiskRating

from .choices import ConditionStatus, Decision, GateReviewStatus, StepStatus


class ProtectedFSMFieldsMixin:
    """`full_clean()` would re-assign protected FSM fields; the state machine validates them instead."""

    fsm_fields: tuple[str, ...] = ("status",)

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude={*(exclude or ()), *self.fsm_fields})


class GatePolicy(models.Model):
    """A rule adding one approving department, in an ordered phase, to reviews that match it: the process, its
    target (for stage gates, the stage), the product's category and minimum risk rating, and a named fact.

    Empty fields mean "any". Phases run in order: a phase's steps open when every step of the phases before it
    has approved (senior management deciding last is the seeded rule "senior management, phase 2").
    """

    process = models.CharField(_("流程"), max_length=32, blank=True, default=STAGE_GATE,
                               help_text=_("留空表示所有流程。"))
    department = models.CharField(_("审批部门"), max_length=32, choices=DepartmentCode.choices)
    phase = models.PositiveSmallIntegerField(_("审批轮次"), default=1,
                                             help_text=_("轮次小的先审批；同一轮次的部门同时审批。"))
    fact = models.CharField(_("适用条件"), max_length=32, blank=True,
                            help_text=_("留空表示总是适用；否则仅当评审对象具备该条件时适用"
                                        "（如 expanded：扩大适用范围）。"))
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
        db_table = "lifecycle_gatepolicy"
        ordering = ["process", "phase", "target_stage", "category", "department", "id"]
        verbose_name = _("审批规则")
        verbose_name_plural = _("审批规则")

    def __str__(self):
        stage = self.get_target_stage_display() or _("所有阶段")
        category = self.get_category_display() or _("所有类别")
        return f"{stage} · {category} · {self.get_department_display()}"

    def clean(self):
        if self.department == DepartmentCode.PRODUCT:
            raise ValidationError({"department": _("产品部提交评审，不能作为审批部门。")})

    def matches(self, *, process: str, facts) -> bool:
        """Whether this rule applies to a review of `process` whose subject has these `facts` (engine.Facts)."""
        return (
            self.is_active
            and self.process in ("", process)
            and self.target_stage in ("", facts.target)
            and self.category in ("", facts.category)
            and (not self.min_risk_rating or facts.risk_rating >= self.min_risk_rating)
            and (not self.fact or self.fact in facts.flags)
        )


class GateReview(ProtectedFSMFieldsMixin, ConcurrentTransitionMixin, KeptRecord):
    """One review of the approval engine: a request of some process (a stage gate, a terms change, ...) about a
    product, decided by its department steps. `snapshot` keeps what was submitted, as reviewers saw it."""

    process = models.CharField(_("流程"), max_length=32, default=STAGE_GATE, db_index=True)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="gate_reviews",
                                verbose_name=_("产品"))
    subject_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("评审对象类型"))
    subject_id = models.PositiveBigIntegerField(_("评审对象编号"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # The stage gate's own columns (empty for other processes); `target` is what any process's review leads to
    # (for a stage gate, the same stage as to_stage).
    from_stage = models.CharField(_("当前阶段"), max_length=20, choices=LifecycleStage.choices, blank=True)
    to_stage = models.CharField(_("目标阶段"), max_length=20, choices=LifecycleStage.choices, blank=True)
    target = models.CharField(_("评审目标"), max_length=64, blank=True)
    # The one open review per lock key: "<process lock scope>:<product or subject>" (engine.Process.lock_key).
    lock_key = models.CharField(_("锁定范围"), max_length=100)
    # For a process with its own outcomes: the most cautious outcome its approving steps chose.
    outcome = models.CharField(_("评审结论"), max_length=32, blank=True)
    snapshot = models.JSONField(_("提交内容快照"), default=dict, blank=True)
    status = FSMField(_("状态"), max_length=10, choices=GateReviewStatus.choices, default=GateReviewStatus.PENDING,
                      protected=True, db_index=True)
    # Empty when the system opened the review (a process that `system_submits`): the trail says "system".
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="submitted_gate_reviews", verbose_name=_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    decided_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The submitter's answer to the comments of the review rejected before this one, shown to its reviewers.
    response = models.TextField(_("对上次驳回意见的答复"), blank=True, max_length=4000)
    # Everyone who shaped what the review approves (the process's maker set), recorded at submission and refreshed
    # at each decision, so that the queue leaves their steps out in one query; a decision always recomputes it.
    makers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True,
                                    verbose_name=_("经办人（不得审批）"))

    class Meta:
        db_table = "lifecycle_gatereview"
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("阶段评审")
        verbose_name_plural = _("阶段评审")
        constraints = [
            # At most one open review per lock key (a process's lock scope), even if a writer bypasses the row lock.
            models.UniqueConstraint(fields=["lock_key"], condition=models.Q(status=GateReviewStatus.PENDING),
                                    name="one_open_review_per_lock_key"),
        ]

    def __str__(self):
        if self.to_stage:
            return f"{self.product.code}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"
        return f"{self.product.code}: {self.get_process_display()} #{self.pk}"

    def get_process_display(self) -> str:
        from .engine import _PROCESSES

        process = _PROCESSES.get(self.process)
        return str(process.label) if process else self.process

    @property
    def description(self) -> str:
        """The one line naming the request (the process's `describe`, read from the snapshot): what the queue's card
        says is being asked, e.g. which risk is put up for acceptance."""
        from .engine import _PROCESSES

        process = _PROCESSES.get(self.process)
        return str(process.describe(review=self)) if process else self.get_process_display()

    def save(self, *args, **kwargs):
        # A review written past the engine (fixtures, data repairs) still takes its product's lock: the stage gate
        # and terms scope, so the constraint below refuses a second open one.
        if not self.lock_key:
            from .engine import PRODUCT_TERMS

            self.lock_key = f"{PRODUCT_TERMS}:{self.product_id}"
        if not self.target and self.to_stage:
            self.target = self.to_stage
        super().save(*args, **kwargs)

    @property
    def submitter_display(self) -> str:
        """The submitter, or "system" for a review the system opened."""
        from django.utils.translation import gettext

        return str(self.submitted_by) if self.submitted_by_id else gettext("系统")

    @property
    def outcome_choices(self) -> list[tuple[str, str]]:
        """The process's own approving outcomes, for the decision forms; empty for approve / reject only."""
        from .engine import _PROCESSES

        process = _PROCESSES.get(self.process)
        return [(o.code, str(o.label)) for o in process.outcomes] if process else []

    def get_outcome_display(self) -> str:
        from .engine import _PROCESSES

        found = _PROCESSES.get(self.process) and _PROCESSES[self.process].outcome(self.outcome)
        return str(found.label) if found else self.outcome

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

    @transition(field=status, source=GateReviewStatus.PENDING, target=GateReviewStatus.WITHDRAWN)
    def withdraw(self):
        """What the review asked for no longer stands; no decision is needed any more."""


class ApprovalStep(ProtectedFSMFieldsMixin, ConcurrentTransitionMixin, KeptRecord):
    """One department's decision in a review; `position` is its policy phase (a phase opens when the ones before it
    have approved)."""

    review = models.ForeignKey(GateReview, on_delete=models.PROTECT, related_name="steps", verbose_name=_("阶段评审"))
    department = models.CharField(_("审批部门"), max_length=32, choices=DepartmentCode.choices)
    position = models.PositiveSmallIntegerField(_("审批轮次"), default=1)
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
    # The outcome an approving decision chose, for a process with its own outcomes (engine.Process.outcomes).
    outcome = models.CharField(_("审批结论"), max_length=32, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    overdue = models.BooleanField(_("已逾期"), default=False)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    # Set when a substitute decided under a delegation: the decision reads "decided_by for on_behalf_of".
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="delegated_decisions", verbose_name=_("代为审批（委托人）"))

    class Meta:
        db_table = "lifecycle_approvalstep"
        ordering = ["review", "position", "id"]
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        constraints = [
            models.UniqueConstraint(fields=["review", "department"], name="one_step_per_department"),
        ]

    def __str__(self):
        return f"{self.review} · {self.get_department_display()}"

    def get_outcome_display(self) -> str:
        from .engine import _PROCESSES

        found = _PROCESSES.get(self.review.process) and _PROCESSES[self.review.process].outcome(self.outcome)
        return str(found.label) if found else self.outcome

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


class Delegation(models.Model):
    """A reviewer's substitute for a date range: while it runs, the delegate sees and decides the delegator's steps
    (recorded as "delegate for delegator"); it never passes on further (only the delegator's own departments)."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given",
                                  verbose_name=_("委托人"))
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="delegations_received", verbose_name=_("代理人"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        db_table = "lifecycle_delegation"
        ordering = ["-starts_on", "-id"]
        verbose_name = _("审批委托")
        verbose_name_plural = _("审批委托")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~models.Q(delegator=models.F("delegate")),
                                   name="delegation_not_to_oneself"),
        ]
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"], name="delegation_delegate_idx")]

    def __str__(self):
        return f"{self.delegator} → {self.delegate} ({self.starts_on}–{self.ends_on})"

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("结束日期不能早于开始日期。")
        if self.delegator_id and self.delegator_id == self.delegate_id:
            errors["delegate"] = _("不能委托给自己。")
        if errors:
            raise ValidationError(errors)


class Condition(ProtectedFSMFieldsMixin, ConcurrentTransitionMixin, KeptRecord):
    """An action an approving department attached to its decision ("approve with conditions"): owned by a person,
    due on a date, open until done (with evidence) or waived (by the deciding department, with a reason). Open
    conditions block what the process's policy says (by default the product's next gate and a change's rollout)."""

    review = models.ForeignKey(GateReview, on_delete=models.PROTECT, related_name="conditions",
                               verbose_name=_("评审"))
    step = models.ForeignKey(ApprovalStep, on_delete=models.PROTECT, related_name="conditions",
                             verbose_name=_("审批步骤"))
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="conditions",
                                verbose_name=_("产品"))
    department = models.CharField(_("审批部门"), max_length=32, choices=DepartmentCode.choices)
    action = models.CharField(_("须落实事项"), max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conditions",
                              verbose_name=_("负责人"))
    due = models.DateField(_("截止日期"))
    status = FSMField(_("状态"), max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.OPEN,
                      protected=True, db_index=True)
    evidence = models.TextField(_("落实说明"), blank=True)
    document = models.FileField(_("证明文件"), upload_to="conditions/%Y/%m/", blank=True)
    waiver_reason = models.TextField(_("豁免理由"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("处理人"))
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        db_table = "lifecycle_condition"
        ordering = ["due", "id"]
        verbose_name = _("审批条件")
        verbose_name_plural = _("审批条件")
        indexes = [models.Index(fields=["product", "status"], name="condition_product_status")]

    def __str__(self):
        return f"{self.action} ({self.due})"

    @transition(field=status, source=ConditionStatus.OPEN, target=ConditionStatus.DONE)
    def complete(self):
        """The owner did it; the evidence is kept."""

    @transition(field=status, source=ConditionStatus.OPEN, target=ConditionStatus.WAIVED)
    def waive(self):
        """The deciding department no longer requires it; the reason is kept."""
