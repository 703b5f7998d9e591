"""Stage gates: deliverable checklists (the reviews, policies and steps are the approval engine's, in approvals)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from approvals.models import ProtectedFSMFieldsMixin
from bankpm.documents import validate_document
from bankpm.validators import link_constraint, validate_link
from core.retention import KeptRecord
from products.choices import LifecycleStage

from .choices import DeliverableStatus


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


class Deliverable(ProtectedFSMFieldsMixin, FSMModelMixin, KeptRecord):
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
    status = FSMField(_("状态"), max_length=20, choices=DeliverableStatus.choices, default=DeliverableStatus.OPEN,
                      protected=True)
    waiver_reason = models.TextField(_("豁免理由"), blank=True)
    waiver_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+", verbose_name=_("豁免申请人"))
    waiver_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("豁免审批人"))
    waiver_decided_at = models.DateTimeField(_("豁免审批时间"), null=True, blank=True)
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
        if self.status in (DeliverableStatus.WAIVED, DeliverableStatus.WAIVER_REQUESTED) \
                and not self.waiver_reason.strip():
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

    @transition(field=status, source=[DeliverableStatus.DONE, DeliverableStatus.WAIVED,
                                      DeliverableStatus.WAIVER_REQUESTED], target=DeliverableStatus.OPEN)
    def reopen(self):
        """Ticked by mistake or needs rework (or the waiver request is withdrawn)."""

    @transition(field=status, source=DeliverableStatus.OPEN, target=DeliverableStatus.WAIVER_REQUESTED)
    def request_waiver(self):
        """A required item: the manager asks the head of product or the gate's reviewers to waive it."""

    @transition(field=status, source=DeliverableStatus.WAIVER_REQUESTED, target=DeliverableStatus.WAIVED)
    def approve_waiver(self):
        """The waiver is approved: the item counts as settled for the gate."""

    @transition(field=status, source=DeliverableStatus.WAIVER_REQUESTED, target=DeliverableStatus.OPEN)
    def reject_waiver(self):
        """The waiver is refused: the item is open again."""
