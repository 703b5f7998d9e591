"""Admin pages of webhooks: every save goes through webhooks.services (audited)."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import AuditedPolicyAdmin, ReadOnlyAdmin, ReadOnlyInline

from . import services
from .choices import EventType
from .models import AllowedNetwork, Delivery, DeliveryAttempt, Subscription


class SubscriptionForm(forms.ModelForm):
    target_url = forms.URLField(label=gettext_lazy("目标地址"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=gettext_lazy("事件"), choices=EventType.choices,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Subscription
        fields = ["name", "owner", "target_url", "events", "active"]

    def clean_target_url(self):
        url = self.cleaned_data["target_url"]
        try:
            services.target_check(url)
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["target_url"]) from error
        return url


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "target_url", "owner", "active", "failing_since", "paused_at"]
    list_filter = ["active"]
    readonly_fields = ["secret", "previous_secret_expires_at", "failing_since", "paused_at"]
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("name", "target_url", "events", "active")}
        if change:
            services.subscription_update(user=request.user, subscription=obj, data=data)
        else:
            obj.pk = services.subscription_create(user=request.user,
                                                  data={**data, "owner": form.cleaned_data["owner"]}).pk

    def has_delete_permission(self, request, obj=None):
        return False  # a subscription is switched off, its log kept

    @admin.action(description=gettext_lazy("轮换签名密钥（旧密钥继续有效 24 小时）"))
    def rotate_secret(self, request, queryset):
        for subscription in queryset:
            services.subscription_rotate_secret(user=request.user, subscription=subscription)
        messages.success(request, _("已轮换 %(count)d 个订阅的密钥。") % {"count": queryset.count()})


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["at", "status_code", "error", "duration_ms"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "subscription", "status", "attempts", "last_status_code", "last_attempt_at"]
    list_filter = ["status", "subscription"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    @admin.action(description=gettext_lazy("重新发送"))
    def resend(self, request, queryset):
        for delivery in queryset:
            services.delivery_resend(user=request.user, delivery=delivery)
        messages.success(request, _("已重新排队 %(count)d 个投递。") % {"count": queryset.count()})


@admin.register(AllowedNetwork)
class AllowedNetworkAdmin(AuditedPolicyAdmin):
    list_display = ["network", "reason"]
    save_service, delete_service = services.allowed_network_save, services.allowed_network_delete
    object_arg, objects_arg = "network", "networks"
