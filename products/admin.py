from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.errors import DomainConflict

from . import services
from .models import Product, SalesChannel


class ProductAdminForm(forms.ModelForm):
    """Runs the edit guards (terms frozen after launch, locked while a review is pending) as form errors."""

    request_user = None

    class Meta:
        model = Product
        fields = [*services.EDITABLE_FIELDS, "sales_channels"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.request_user is not None:
            original = Product.objects.get(pk=self.instance.pk)
            data = {k: v for k, v in cleaned.items() if k in (*services.EDITABLE_FIELDS, "sales_channels")}
            try:
                services.product_edit_check(user=self.request_user, product=original,
                                            changed=services.product_changed_fields(product=original, data=data))
            except DomainConflict as error:
                raise ValidationError(error.message) from error
        return cleaned


@admin.register(SalesChannel)
class SalesChannelAdmin(admin.ModelAdmin):
    list_display = ("code",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Catalogue data only; the stage is read-only here and changes through gate reviews."""

    list_display = ("code", "name", "category", "stage", "risk_rating", "owner", "updated_at")
    list_filter = ("category", "stage", "risk_rating")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("stage", "created_at", "updated_at")
    filter_horizontal = ("sales_channels",)
    list_select_related = ("owner",)
    form = ProductAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Edits go through the service (guards, audit with the diff); creation keeps the admin's own owner."""
        if not change:
            return super().save_model(request, obj, form, change)
        data = {k: v for k, v in form.cleaned_data.items() if k in (*services.EDITABLE_FIELDS, "sales_channels")}
        original = Product.objects.get(pk=obj.pk)
        services.product_update(user=request.user, product=original, data=data)
