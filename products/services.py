"""Product catalogue rules: who may create and edit, and how a product is written.

Apps above products add their own refusals of an edit as "edit_guard" hooks (core.hooks; e.g. changes/: terms are frozen
after launch and locked while a review is pending; lifecycle: no owner change while a review is open); every path
that edits a product (page, API, admin) comes through `product_update`, so every guard applies everywhere.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record, diff, field_values
from core.errors import DomainConflict
from core.hooks import hook_functions
from core.roles import can_manage_products, is_administrator, is_portfolio_manager, product_can_edit

from .choices import ProductAuditAction, ProductError
from .models import Product, SalesChannel

EDITABLE_FIELDS = (
    "code", "name", "name_en", "category", "owner", "customer_segment", "risk_rating", "description",
    "interest_rate", "fee", "fee_terms", "expected_yield_min", "expected_yield_max", "features", "target_market",
    "excluded_market", "excluded_segments",
)


__all__ = ["product_can_edit", "product_create", "product_update", "product_edit_check", "product_edit_refusal",
           "sales_channel_set_active"]

# Apps above the catalogue plug into the one hook registry (core.hooks), scope "products":
# - "product_created": `hook(*, product, user)` inside product_create's transaction, after the product is saved and
#   audited (lifecycle: the first checklist);
# - "edit_guard", keyed by its name: `guard(*, product, user, changed: set[str])` raises core.errors.DomainConflict
#   to refuse an edit that would change the named fields (called under the product's row lock).
HOOK_SCOPE = "products"


AUDITED_FIELDS = (*EDITABLE_FIELDS, "sales_channels")


def product_edit_check(*, user, product: Product, changed: set[str]) -> None:
    """Run every registered guard against the fields an edit would change (nothing to check when none change)."""
    if not changed:
        return
    for guard in hook_functions(HOOK_SCOPE, "edit_guard"):
        guard(product=product, user=user, changed=set(changed))


def product_edit_refusal(*, user, product: Product, fields) -> str | None:
    """Why a guard would refuse changing `fields` now (pages grey those fields out), or None."""
    try:
        product_edit_check(user=user, product=product, changed=set(fields))
    except DomainConflict as error:
        return error.message
    return None


def product_changed_fields(*, product: Product, data: dict) -> set[str]:
    """The audited fields whose value `data` would change on `product` (the product itself is not modified)."""
    before = field_values(product, AUDITED_FIELDS)
    changed = {name for name in EDITABLE_FIELDS if name in data
               and diff({name: before[name]}, {name: _audited(product, name, data[name])})}
    if "sales_channels" in data and sorted(c.pk for c in data["sales_channels"]) != before["sales_channels"]:
        changed.add("sales_channels")
    return changed


def _audited(product: Product, name: str, value):
    field = product._meta.get_field(name)
    if field.is_relation:
        return getattr(value, "pk", value)
    try:
        return field.to_python(value)
    except ValidationError:
        return value  # invalid input: counts as a change; full_clean() reports it


def _owner_for(*, user, requested_owner):
    """Product managers always own what they create; heads of product and admins choose the owner."""
    if not is_portfolio_manager(user):
        if requested_owner is not None and requested_owner.pk != user.pk:
            raise ValidationError({"owner": _("产品经理只能创建自己负责的产品。")})
        return user
    if requested_owner is None:
        raise ValidationError({"owner": _("请选择负责该产品的产品经理。")})
    return requested_owner


def _channels_check(*, product: Product | None, data: dict) -> None:
    """A deactivated channel stays on the products that have it but is never added to one."""
    if "sales_channels" not in data:
        return
    had = set(product.sales_channels.values_list("pk", flat=True)) if product is not None else set()
    added = [c.pk for c in data["sales_channels"] if c.pk not in had]
    inactive = [str(c) for c in SalesChannel.objects.filter(pk__in=added, is_active=False)]
    if inactive:
        raise ValidationError({"sales_channels": _("销售渠道已停用：%(names)s。") % {"names": "、".join(inactive)}})


def _apply(product: Product, data: dict) -> None:
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(product, field, data[field])


@transaction.atomic
def product_create(*, user, data: dict) -> Product:
    if not can_manage_products(user):
        raise PermissionDenied(_("只有产品经理、产品负责人和管理员可以创建产品。"))
    if data.get("code"):
        product_code_check(code=data["code"])
    _channels_check(product=None, data=data)
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
    for hook in hook_functions(HOOK_SCOPE, "product_created"):
        hook(product=product, user=user)
    return product


def product_code_check(*, code: str, product: Product | None = None) -> None:
    """The catalogue's rule for codes, on every path: unique, and fixed once the product exists (other bank systems
    reference products by code). Both are conflicts with stored rows (409 `duplicate_code`, `code_fixed`), not bad
    requests: a schema cannot know which codes are taken. `product`: the product being edited."""
    if product is not None:
        if code != product.code:
            raise DomainConflict(ProductError.CODE_FIXED, field="code")
        return
    if Product.objects.filter(code=code).exists():
        raise DomainConflict(ProductError.DUPLICATE_CODE, field="code")


@transaction.atomic
def product_update(*, user, product: Product, data: dict) -> Product:
    if not product_can_edit(user=user, product=product):
        raise PermissionDenied(_("您无权编辑该产品。"))
    if not is_portfolio_manager(user) and "owner" in data and data["owner"].pk != product.owner_id:
        raise ValidationError({"owner": _("产品经理不能转交产品负责人。")})
    if "code" in data:
        product_code_check(code=data["code"], product=product)
    product = Product.objects.select_for_update().get(pk=product.pk)
    changed = product_changed_fields(product=product, data=data)
    product_edit_check(user=user, product=product, changed=changed)
    _channels_check(product=product, data=data)
    if not changed:
        return product  # a form sent back untouched writes nothing, not even `updated_at`
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


@transaction.atomic
def sales_channel_set_active(*, user, channel: SalesChannel, active: bool) -> SalesChannel:
    """Administrators deactivate a channel the bank stops using (never delete it: launched products' frozen terms
    name it) or activate it again; audited."""
    if not is_administrator(user):
        raise PermissionDenied(_("只有管理员可以启用或停用销售渠道。"))
    channel = SalesChannel.objects.select_for_update().get(pk=channel.pk)
    if channel.is_active == active:
        return channel
    channel.is_active = active
    channel.save(update_fields=["is_active"])
    action = ProductAuditAction.CHANNEL_ACTIVATED if active else ProductAuditAction.CHANNEL_DEACTIVATED
    audit_record(action=action, actor=user, obj=channel, from_value=str(not active), to_value=str(active),
                 comment=channel.code)
    return channel
