"""Role checks shared by pages (mixins) and the API (DRF permission classes)."""
from django.contrib.auth.mixins import UserPassesTestMixin
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import can_manage_products

__all__ = ["can_manage_products", "ProductEditorRequiredMixin", "ReadOrProductEditor"]


class ProductEditorRequiredMixin(UserPassesTestMixin):
    permission_denied_message = _("只有产品经理、产品负责人和管理员可以使用该页面。")

    def test_func(self):
        return can_manage_products(self.request.user)


class ReadOrProductEditor(BasePermission):
    """Every signed-in role reads; only product editors write (object rules live in the services)."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or can_manage_products(request.user)
