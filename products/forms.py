from django import forms
from django.contrib.auth import get_user_model

from accounts.choices import Role
from core.roles import is_portfolio_manager

from .models import Product


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "code", "name", "name_en", "category", "owner", "customer_segment", "risk_rating", "sales_channels",
            "description", "interest_rate", "fee", "fee_terms", "expected_yield_min", "expected_yield_max",
        ]
        widgets = {
            "sales_channels": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
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
