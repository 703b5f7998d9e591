"""Product catalogue rules: who may create and edit, and how a product is written."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record, diff, field_values
from core.roles import can_manage_products, product_can_edit

from .choices import ProductAuditAction
from .models import Product

EDITABLE_FIELDS = (
    "code", "name", "name_en", "category", "owner", "customer_segment", "risk_rating", "description",
    "interest_rate", "fee", "fee_terms", "expected_yield_min", "expected_yield_max",
)


__all__ = ["product_can_edit", "product_create", "product_update"]


AUDITED_FIELDS = (*EDITABLE_FIELDS, "sales_channels")


def _owner_for(*, user, requested_owner):
    """Product managers always own what they create; heads of product and admins choose the owner."""
    if user.is_product_manager:
        if requested_owner is not None and requested_owner.pk != user.pk:
            raise ValidationError({"owner": _("产品经理只能创建自己负责的产品。")})
        return user
    if requested_owner is None:
        raise ValidationError({"owner": _("请选择负责该产品的产品经理。")})
    return requested_owner


def _apply(product: Product, data: dict) -> None:
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(product, field, data[field])


@transaction.atomic
def product_create(*, user, data: dict) -> Product:
    if not can_manage_products(user):
        raise PermissionDenied(_("只有产品经理、产品负责人和管理员可以创建产品。"))
    product = Product()
    _apply(product, data)
    product.owner = _owner_for(user=user, requested_owner=data.get("owner"))
    product.full_clean()
    product.save()
    if "sales_channels" in data:
        product.sales_channels.set(data["sales_channels"])
    created = field_values(product, AUDITED_FIELDS)
    audit_record(action=ProductAuditAction.CREATED, actor=user, product=product, obj=product, to_value=product.code,
                 changes=diff({}, created))
    return product


@transaction.atomic
def product_update(*, user, product: Product, data: dict) -> Product:
    if not product_can_edit(user=user, product=product):
        raise PermissionDenied(_("您无权编辑该产品。"))
    if user.is_product_manager and "owner" in data and data["owner"].pk != product.owner_id:
        raise ValidationError({"owner": _("产品经理不能转交产品负责人。")})
    if "code" in data and data["code"] != product.code:
        # Other bank systems reference products by code: it is fixed once the product exists.
        raise ValidationError({"code": _("产品代码创建后不可修改。")})
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = field_values(product, AUDITED_FIELDS)
    _apply(product, data)
    product.full_clean()
    # Only catalogue fields: the stage belongs to the lifecycle and is never overwritten from here.
    product.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    if "sales_channels" in data:
        product.sales_channels.set(data["sales_channels"])
    changes = diff(before, field_values(product, AUDITED_FIELDS))
    if changes:
        audit_record(action=ProductAuditAction.UPDATED, actor=user, product=product, obj=product,
                     from_value=", ".join(c["field"] for c in changes)[:200], changes=changes)
        if any(c["field"] == "owner" for c in changes):
            owner_change = next(c for c in changes if c["field"] == "owner")
            audit_record(action=ProductAuditAction.OWNER_CHANGED, actor=user, product=product, obj=product,
                         from_value=owner_change["old"], to_value=owner_change["new"])
    return product
