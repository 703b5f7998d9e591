from django import forms
from django.contrib import admin

from core.errors import DomainConflict

from . import services
from .models import Product, SalesChannel


class ProductAdminForm(forms.ModelForm):
    """An owner change the services would refuse (e.g. while a review is open) is a form error here."""

    class Meta:
        model = Product
        fields = [*services.EDITABLE_FIELDS, "sales_channels"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and "owner" in self.changed_data:
            current = Product.objects.get(pk=self.instance.pk)
            try:
                services.product_owner_change_check(product=current, owner=data.get("owner"))
            except DomainConflict as error:
                self.add_error("owner", error.message)
        return data


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

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled or retired through the lifecycle, never deleted (core.retention)

    def save_model(self, request, obj, form, change):
        """Through the services, so that the admin's edits are checked and audited like the page's and the API's."""
        data = {name: form.cleaned_data[name] for name in (*services.EDITABLE_FIELDS, "sales_channels")
                if name in form.cleaned_data}
        if change:
            services.product_update(user=request.user, product=Product.objects.get(pk=obj.pk), data=data)
        else:
            obj.pk = services.product_create(user=request.user, data=data).pk

    def save_related(self, request, form, formsets, change):
        form.instance = Product.objects.get(pk=form.instance.pk)
        super().save_related(request, form, formsets, change)
