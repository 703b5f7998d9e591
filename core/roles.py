"""Role rules written once, each as a predicate and, where lists need it, as a queryset filter.

Every app asks these; none re-tests roles itself. Object-level rules that belong to one app (who may tick a
deliverable, who may handle an alert) build on these in that app's service layer.
"""
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet


def can_manage_products(user) -> bool:
    """Product managers, heads of product and admins create and edit products and their backlogs."""
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_admin or user.is_product_manager or user.is_head_of_product))


def is_portfolio_manager(user) -> bool:
    """Admins and heads of product act on every product."""
    return bool(user and user.is_authenticated and (user.is_admin or user.is_head_of_product))


def is_administrator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_admin)


def is_senior_management(user) -> bool:
    """The one definition: senior management is a *role* (the person's authority: accepting residual risk,
    overriding pilot criteria, receiving escalations). The senior-management *department* only says who decides the
    senior-management approval steps; holders of the role are put in it."""
    return bool(user and user.is_authenticated and user.is_active and user.is_senior_management)


def senior_managers(*, exclude: Iterable[int | None] = ()) -> QuerySet:
    """Active holders of the senior-management role (escalations, acceptance notices), without `exclude`."""
    from accounts.choices import Role

    return get_user_model().objects.filter(role=Role.SENIOR_MANAGEMENT, is_active=True).exclude(
        pk__in=[pk for pk in exclude if pk is not None])


def is_product_manager(user) -> bool:
    return bool(user and user.is_authenticated and user.is_product_manager)


def can_review(user) -> bool:
    """Department reviewers, senior management and admins have a review queue."""
    return bool(user and user.is_authenticated and (user.is_reviewer or user.is_admin))


def can_own_products(user) -> bool:
    return bool(user and user.is_authenticated and user.can_own_products)


def product_can_submit(*, user, product) -> bool:
    """Who submits a product's reviews: its owner (if still allowed to own products) or a head of product.
    Administrators submit only for products they own: a submission is the owner's accountable act."""
    if not (user and user.is_authenticated):
        return False
    return user.is_head_of_product or (product.owner_id == user.pk and user.can_own_products)


def product_can_edit(*, user, product) -> bool:
    """Heads of product and admins edit any product; a product manager only their own. `product=None` asks about a
    product not yet chosen or created: whoever manages products."""
    if not can_manage_products(user):
        return False
    return product is None or is_portfolio_manager(user) or product.owner_id == user.pk


def products_editable_filter(*, user, prefix: str = "") -> Q:
    """`product_can_edit` as a filter on products (or on rows reaching a product through `prefix`)."""
    if not can_manage_products(user):
        return Q(pk__in=[])
    if is_portfolio_manager(user):
        return Q()
    return Q(**{f"{prefix}owner": user})


def can_oversee(user) -> bool:
    """Control functions who read every product's governance records: admins, heads of product, senior
    management, and the risk and compliance departments."""
    from accounts.choices import DepartmentCode

    if not (user and user.is_authenticated):
        return False
    if is_portfolio_manager(user) or user.is_senior_management:
        return True
    return bool({DepartmentCode.RISK, DepartmentCode.COMPLIANCE} & set(user.department_codes))


# --- Four-eyes (maker-checker) and departments --------------------------------------------------------------

def four_eyes_allows(*, user, makers: Iterable[int | None]) -> bool:
    """Whoever prepared or owns the subject never checks it, whatever their role."""
    return user.pk not in {m for m in makers if m is not None}


def in_department(*, user, department: str) -> bool:
    return department in user.department_codes


def department_members(*, department: str, exclude: Iterable[int | None] = ()) -> QuerySet:
    """Active members of a department, without the makers four-eyes excludes."""
    return get_user_model().objects.filter(departments__code=department, is_active=True).exclude(
        pk__in=[pk for pk in exclude if pk is not None]).distinct()


# --- The audit trail ---------------------------------------------------------------------------------------------

def audit_can_read(user) -> bool:
    """Control functions read the whole trail; product managers read their own products' entries."""
    return can_oversee(user) or can_manage_products(user)


def audit_product_can_read(*, user, product) -> bool:
    """One product's trail (its history page, export and API) by the same rule as the whole trail: control
    functions read any product's, product managers their own products'."""
    return can_oversee(user) or (can_manage_products(user) and product.owner_id == user.pk)


def audit_visible_filter(*, user) -> Q:
    """`audit_can_read` as a filter on audit entries."""
    if can_oversee(user):
        return Q()
    if can_manage_products(user):
        return Q(product__owner=user)
    return Q(pk__in=[])
