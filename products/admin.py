"""Admin: every product save goes through products.services (guards, audit with the diff); the stage is read-only."""
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import DomainConflict

from . import services
from .forms import FeaturesField
from .models import Product, SalesChannel


class ProductAdminForm(forms.ModelForm):
    """Runs the edit guards (terms frozen after launch, locked while a review is pending; no owner change while a
    review is open) as form errors."""

    request_user = None
    features = FeaturesField(label=_("产品特色"), required=False, help_text=_("每行一条。"))

    class Meta:
        model = Product
        fields = [*services.EDITABLE_FIELDS, "sales_channels"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        original = Product.objects.get(pk=self.instance.pk)
        data = {k: v for k, v in cleaned.items() if k in (*services.EDITABLE_FIELDS, "sales_channels")}
        changed = services.product_changed_fields(product=original, data=data)
        try:
            services.product_edit_check(user=self.request_user, product=original, changed=changed)
        except DomainConflict as error:
            if changed == {"owner"}:
                self.add_error("owner", error.message)
                return cleaned
            raise ValidationError(error.message) from error
        return cleaned


@admin.register(SalesChannel)
class SalesChannelAdmin(admin.ModelAdmin):
    """Channels are deactivated (audited, through products.services), never deleted: products' terms name them."""

    list_display = ("code", "is_active")
    readonly_fields = ("is_active",)
    actions = ["deactivate", "activate"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("code", "is_active") if obj is not None else ("is_active",)

    @admin.action(description=_("停用所选销售渠道"))
    def deactivate(self, request, queryset):
        for channel in queryset:
            services.sales_channel_set_active(user=request.user, channel=channel, active=False)

    @admin.action(description=_("启用所选销售渠道"))
    def activate(self, request, queryset):
        for channel in queryset:
            services.sales_channel_set_active(user=request.user, channel=channel, active=True)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Catalogue data only, saved by product_create / product_update; the stage changes through gate reviews and
    products are never deleted (they exit through the lifecycle)."""

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

    def get_readonly_fields(self, request, obj=None):
        # Other bank systems reference products by code: fixed once the product exists.
        return (*self.readonly_fields, "code") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: value for name, value in form.cleaned_data.items() if name in services.AUDITED_FIELDS}
        if change:
            saved = services.product_update(user=request.user, product=obj, data=data)
        else:
            saved = services.product_create(user=request.user, data=data)
        obj.pk, obj._state.adding = saved.pk, False

    def save_related(self, request, form, formsets, change):
        """The service already set the sales channels; the form's many-to-many save would bypass it."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
