"""Page forms; they only shape input, the services and the engine decide."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from approvals.choices import Decision
from core.widgets import IsoDateInput
from products.choices import LifecycleStage
from products.models import Product

from .choices import ReviewOutcome

ACTION_ROWS = 3


class PriceValueForm(forms.Form):
    """The manager's price and value assessment (what customers pay, what they get, comparison, conclusion)."""

    price_paid = forms.CharField(label=_("客户支付"), required=False, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("利率、年费、手续费、提前还款费及其他成本。"))
    value_received = forms.CharField(label=_("客户获得"), required=False, max_length=4000,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("收益、功能、服务和保障。"))
    comparison = forms.CharField(label=_("比较"), required=False, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("与同业同类产品、市场价格和本行其他产品相比。"))
    conclusion = forms.CharField(label=_("结论"), required=False, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("价格与价值是否合理；对哪些客群不合理。"))


class OpenReviewForm(forms.Form):
    """A head of product opens a review now, naming the event."""

    product = forms.ModelChoiceField(label=_("产品"), queryset=Product.objects.filter(
        stage=LifecycleStage.OPERATION).order_by("code"))
    reason = forms.CharField(label=_("开启理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如红色预警、投诉激增、监管关注。"))


class ReviewDecisionForm(forms.Form):
    """One department's decision: approve with an outcome (remediate with its actions), or reject the pack back
    to the manager."""

    decision = forms.ChoiceField(label=_("决定"), choices=Decision.choices)
    outcome = forms.ChoiceField(label=_("评审结论"), choices=[("", "—"), *ReviewOutcome.choices], required=False)
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        for index in range(ACTION_ROWS):
            self.fields[f"action_{index}"] = forms.CharField(label=_("整改事项"), required=False, max_length=500)
            self.fields[f"owner_{index}"] = forms.ModelChoiceField(label=_("负责人"), queryset=users, required=False)
            self.fields[f"due_{index}"] = forms.DateField(label=_("截止日期"), required=False, widget=IsoDateInput())

    def action_rows(self):
        return [(self[f"action_{i}"], self[f"owner_{i}"], self[f"due_{i}"]) for i in range(ACTION_ROWS)]

    def conditions(self) -> list[dict]:
        """The filled action rows as the engine's conditions (a half-filled row goes to the engine's checks)."""
        rows = []
        for index in range(ACTION_ROWS):
            action = self.cleaned_data.get(f"action_{index}") or ""
            owner = self.cleaned_data.get(f"owner_{index}")
            due = self.cleaned_data.get(f"due_{index}")
            if action.strip() or owner or due:
                rows.append({"action": action, "owner": owner.pk if owner else None,
                             "due": due.isoformat() if due else None})
        return rows
