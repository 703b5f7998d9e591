import json

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.roles import is_portfolio_manager

from .choices import CustomerSegment
from .models import Product


class FeaturesField(forms.CharField):
    """The product's features, one per line (stored as a list of strings)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = (value or "").strip()
        if text.startswith("["):  # a JSON list, as the admin showed the field before (one item per line otherwise)
            try:
                items = json.loads(text)
            except ValueError:
                items = None
            if isinstance(items, list) and all(isinstance(i, str) for i in items):
                return [i.strip() for i in items if i.strip()]
        return [line.strip() for line in text.splitlines() if line.strip()]


class ProductForm(forms.ModelForm):
    features = FeaturesField(label=_("产品特色"), required=False, help_text=_("每行一条。"))
    excluded_segments = forms.TypedMultipleChoiceField(
        label=_("排除客群"), choices=CustomerSegment.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("不得向其销售的客群；销售数据落入这些客群时触发目标市场预警。"))

    class Meta:
        model = Product
        fields = [
            "code", "name", "name_en", "category", "owner", "customer_segment", "risk_rating", "sales_channels",
            "description", "interest_rate", "fee", "fee_terms", "expected_yield_min", "expected_yield_max",
            "features", "target_market", "excluded_market", "excluded_segments",
        ]
        widgets = {
            "sales_channels": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "target_market": forms.Textarea(attrs={"rows": 2}),
            "excluded_market": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        owners = get_user_model().objects.filter(
            is_active=True, role__in=[Role.PRODUCT_MANAGER, Role.HEAD_OF_PRODUCT]
        )
        self.fields["owner"].queryset = owners.order_by("username")
        if not is_portfolio_manager(user):
            # A product manager always owns what they create and cannot hand a product over.
            self.fields["owner"].disabled = True
            self.fields["owner"].required = False
            self.initial.setdefault("owner", user.pk)
            self.fields["owner"].queryset = get_user_model().objects.filter(pk=user.pk)
        if self.instance.pk:
            self.fields["code"].disabled = True
