"""Page forms; they only shape input, the services decide what is allowed."""
import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.widgets import IsoDateInput

from .choices import UnfinishedScope, VersionStatus
from .models import Feedback, ProductVersion, Requirement
from .services import CLOSED_STAGES, requirement_editable_products


class RequirementForm(forms.ModelForm):
    tags = forms.CharField(label=_("标签"), required=False, help_text=_("多个标签用逗号分隔。"))

    class Meta:
        model = Requirement
        fields = ["product", "title", "description", "source", "type", "priority", "requester", "assignee",
                  "due_date", "target_version", "tags", "reach", "impact", "confidence", "effort"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "due_date": IsoDateInput(),
            "confidence": forms.NumberInput(attrs={"min": 0, "max": 100}),
        }
        help_texts = {
            "reach": _("每季度受影响的客户数。"),
            "effort": _("以人月计；RICE = 覆盖 × 影响 × 信心 ÷ 工作量，自动计算。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = requirement_editable_products(user=user)
        self.fields["assignee"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        versions = ProductVersion.objects.select_related("product").order_by("product__code", "planned_date")
        if self.instance.pk:
            self.fields["product"].disabled = True
            versions = versions.filter(product_id=self.instance.product_id)
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())
        self.fields["target_version"].queryset = versions

    def clean_tags(self):
        return [t.strip() for t in re.split(r"[,，;；、]", self.cleaned_data["tags"] or "") if t.strip()]

    def _post_clean(self):
        # Model validation happens in the service (one place for the rules); skip ModelForm's instance clean.
        pass


class VersionReleaseForm(forms.Form):
    """What to do with the unfinished requirements when a version is released."""

    unfinished = forms.ChoiceField(label=_("未完成的需求"), choices=UnfinishedScope.choices, required=False)
    move_to = forms.ModelChoiceField(label=_("移到版本"), queryset=ProductVersion.objects.none(), required=False)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = ProductVersion.objects.filter(
            product=version.product_id, status=VersionStatus.PLANNED).exclude(pk=version.pk).order_by("planned_date")


class VersionForm(forms.ModelForm):
    class Meta:
        model = ProductVersion
        fields = ["product", "name", "planned_date", "description"]
        widgets = {"planned_date": IsoDateInput(),
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        products = requirement_editable_products(user=user)
        if self.instance.pk:
            self.fields["product"].disabled = True
        else:
            products = products.exclude(stage__in=CLOSED_STAGES)  # retired and cancelled products plan no versions
        self.fields["product"].queryset = products

    def _post_clean(self):
        pass


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["product", "channel", "customer_segment", "sentiment", "received_on", "text"]
        widgets = {"received_on": IsoDateInput(),
                   "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = requirement_editable_products(user=user)

    def _post_clean(self):
        pass


class CommentForm(forms.Form):
    body = forms.CharField(label=_("评论"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("输入评论，用 @用户名 提醒同事")}))


class ConvertForm(forms.Form):
    feedback = forms.ModelMultipleChoiceField(queryset=Feedback.objects.all(), label=_("反馈"))
    title = forms.CharField(label=_("需求标题"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（CSV 或 XLSX）"), required=False)
    content = forms.CharField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False)
