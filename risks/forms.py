"""Page forms: they parse input; the rules are risks.services' (whose errors are put back on the form)."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.widgets import IsoDateInput

from .choices import ControlType
from .models import Risk
from .services import EDITABLE_FIELDS


def active_users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = EDITABLE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "cause": forms.Textarea(attrs={"rows": 2}),
                   "review_due": IsoDateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()
        self.fields["owner"].required = False
        self.fields["review_due"].required = False
        self.fields["residual_likelihood"].required = False
        self.fields["residual_impact"].required = False

    def _post_clean(self):
        """Model rules run once, in the service (with the controls), not a second time here."""


class ControlForm(forms.Form):
    description = forms.CharField(label=_("控制措施"), max_length=300, required=False)
    type = forms.ChoiceField(label=_("控制类型"), choices=[("", "—"), *ControlType.choices], required=False)
    owner = forms.ModelChoiceField(label=_("执行人"), queryset=active_users(), required=False)


ControlFormSet = forms.formset_factory(ControlForm, extra=3, max_num=20)


def controls_from(formset) -> list[dict]:
    """Filled rows only (a row with a description or a type); empty rows are ignored."""
    return [{"description": row.get("description", ""), "type": row.get("type", ""), "owner": row.get("owner")}
            for row in (f.cleaned_data for f in formset.forms) if row.get("description") or row.get("type")]


class ReviewForm(forms.Form):
    likelihood = forms.TypedChoiceField(label=_("可能性"), choices=[(n, n) for n in range(1, 6)], coerce=int)
    impact = forms.TypedChoiceField(label=_("影响程度"), choices=[(n, n) for n in range(1, 6)], coerce=int)
    residual_likelihood = forms.TypedChoiceField(label=_("剩余可能性"), choices=[(n, n) for n in range(1, 6)],
                                                 coerce=int)
    residual_impact = forms.TypedChoiceField(label=_("剩余影响程度"), choices=[(n, n) for n in range(1, 6)],
                                             coerce=int)
    comment = forms.CharField(label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    review_due = forms.DateField(label=_("下次评估日期"), required=False,
                                 widget=IsoDateInput())


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("关闭理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
