"""Backlog rules: who edits, how requirements are written, moved through their states, commented on and imported.

Every page, API view, admin action and command calls these functions; nothing here trusts the caller.
"""
import re
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed
from simple_history.utils import bulk_create_with_history

from accounts.permissions import can_manage_products
from bankpm.validators import validate_single_line
from core.audit import audit_edit, audit_record, audit_records, diff, field_values
from core.errors import BulkValidationError, DomainConflict
from core.roles import products_editable_filter
from notifications.services import localised, notify
from products.choices import LifecycleStage
from products.models import Product
from products.services import product_can_edit

from .choices import (
    OPEN_STATUSES,
    TRANSITIONS_NEEDING_REASON,
    BulkAction,
    ErrorCode,
    RequirementsAuditAction,
    RequirementStatus,
    RequirementTransition,
    UnfinishedScope,
    VersionStatus,
)
from .ids import parse_id
from .models import Comment, Feedback, ProductVersion, Requirement, Tag

MAX_BULK_ITEMS = 1000
REQUIREMENT_FIELDS = (
    "product", "title", "description", "source", "type", "requester", "assignee", "priority", "due_date",
    "target_version", "reach", "impact", "confidence", "effort",
)
# The product of a requirement never changes: its history, versions and KPIs belong to that product.
UPDATABLE_FIELDS = tuple(f for f in REQUIREMENT_FIELDS if f != "product")
# What the audit trail records of a requirement's content (its status moves are audited on their own).
AUDITED_FIELDS = (*REQUIREMENT_FIELDS, "tags")
FEEDBACK_FIELDS = ("product", "channel", "customer_segment", "text", "sentiment", "received_on")
VERSION_FIELDS = ("product", "name", "planned_date", "description")
# Products that are over: no new versions are planned for them.
CLOSED_STAGES = (LifecycleStage.RETIRED, LifecycleStage.CANCELLED)
MENTION = re.compile(r"@([\w.+-]+)")
ASCII_NAME = re.compile(r"[A-Za-z0-9_.+-]+")


class TransitionRefused(DomainConflict):
    """The state machine does not allow this move now: 409 `{"detail", "code"}`."""

    def __init__(self, message, code=ErrorCode.TRANSITION_NOT_ALLOWED):
        super().__init__(code, message)


# --- Permissions ---

def requirement_can_edit(*, user, product) -> bool:
    """Only the product's manager, heads of product and admins edit its backlog; everybody else reads."""
    return product_can_edit(user=user, product=product)


def requirement_editable_products(*, user) -> QuerySet[Product]:
    """The products whose backlog the user may edit, by the same rule as requirement_can_edit (for form choices)."""
    return Product.objects.filter(products_editable_filter(user=user)).order_by("code")


def _check_can_edit(user, product) -> None:
    if not requirement_can_edit(user=user, product=product):
        raise PermissionDenied(_("只有该产品的产品经理、产品负责人和管理员可以修改其需求。"))


# --- Requirements ---

def _check_tags(names) -> None:
    """Tag names are single-line labels, like every name (no control or bidi character): on every path, the page,
    the API, imports and bulk creation, since tags are created here without a model clean."""
    for name in names or []:
        try:
            validate_single_line(str(name))
        except ValidationError as error:
            raise ValidationError({"tags": error.messages}) from error


def _tags_for(names) -> list[Tag]:
    """Tags by name, created on first use (one query when they all exist)."""
    names = sorted({str(n).strip()[:40] for n in names if str(n).strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    if len(existing) < len(names):
        Tag.objects.bulk_create([Tag(name=n) for n in names if n not in existing], ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return [existing[n] for n in names]


# Foreign keys arrive as loaded instances (forms and serializers resolved them), so re-checking that they exist
# would cost a query each; the check constraints repeat the field validators and PostgreSQL enforces them anyway.
_INSTANCE_FIELDS = ["product", "assignee", "target_version", "created_by"]


def _validate(requirement: Requirement, previous_version_id: int | None = None) -> None:
    requirement.full_clean(exclude=_INSTANCE_FIELDS, validate_constraints=False)
    version = requirement.target_version if requirement.target_version_id else None
    # A released version takes no new scope; what it shipped with stays.
    # The version object comes fresh from the form, serializer or bulk lookup: its status is read without a query.
    if version is not None and version.pk != previous_version_id and version.status == VersionStatus.RELEASED:
        raise ValidationError({"target_version": _("版本 %(name)s 已发布，不能再加入需求。") % {"name": version.name}})


def _apply(requirement: Requirement, data: dict, fields) -> None:
    for name in fields:
        if name in data:
            setattr(requirement, name, data[name])


@transaction.atomic
def requirement_create(*, user, data: dict) -> Requirement:
    """Create a requirement in status `new` for a product the user may edit."""
    product = data.get("product")
    if product is None:
        raise ValidationError({"product": _("请选择产品。")})
    _check_can_edit(user, product)
    requirement = Requirement(created_by=user)
    _apply(requirement, data, REQUIREMENT_FIELDS)
    _check_tags(data.get("tags"))
    _validate(requirement)
    requirement._history_user = user
    requirement.save()
    tag_ids = _bulk_set_tags([requirement], [data.get("tags") or []])
    audit_record(**_created_entry(user, requirement, tag_ids[0]))
    return requirement


def _created_entry(user, requirement: Requirement, tag_ids: list[int]) -> dict:
    """The audit entry of a new requirement: its values, tags by id as an edit records them."""
    return dict(action=RequirementsAuditAction.CREATED, actor=user, product=requirement.product, obj=requirement,
                to_value=requirement.title[:200], comment=f"#{requirement.pk} {requirement.title}",
                changes=diff({}, {**field_values(requirement, REQUIREMENT_FIELDS), "tags": tag_ids}))


@transaction.atomic
def requirement_update(*, user, requirement: Requirement, data: dict) -> Requirement:
    """Edit the fields of a requirement; the status only moves through requirement_transition."""
    _check_can_edit(user, requirement.product)
    product_fixed_check(obj=requirement, product=data.get("product"))
    previous_version_id = requirement.target_version_id
    # Compared with the stored row: the admin hands over an instance its form has already changed.
    stored = Requirement.objects.get(pk=requirement.pk)
    before = {name: getattr(stored, name) for name in UPDATABLE_FIELDS}
    audited_before = field_values(stored, AUDITED_FIELDS)
    _apply(requirement, data, UPDATABLE_FIELDS)
    _check_tags(data.get("tags"))
    _validate(requirement, previous_version_id)
    requirement._history_user = user
    # A form sent back untouched writes nothing: no save, no history row, no new `updated_at`.
    if any(getattr(requirement, name) != value for name, value in before.items()):
        requirement.save(update_fields=[*UPDATABLE_FIELDS, "updated_at"])
    if "tags" in data:
        requirement.tags.set(_tags_for(data["tags"] or []))
    audit_edit(action=RequirementsAuditAction.UPDATED, actor=user, product=requirement.product, obj=requirement,
               before=audited_before, fields=AUDITED_FIELDS, comment=f"#{requirement.pk} {requirement.title}")
    return requirement


def requirement_can_delete(*, requirement: Requirement) -> bool:
    """Only new or rejected requirements are deleted; scheduled work is rejected or deferred instead."""
    return requirement.status in (RequirementStatus.NEW, RequirementStatus.REJECTED)


@transaction.atomic
def requirement_delete(*, user, requirement: Requirement) -> None:
    """Delete a requirement that has not been scheduled; later ones are rejected or deferred instead."""
    _check_can_edit(user, requirement.product)
    if not requirement_can_delete(requirement=requirement):
        raise TransitionRefused(_("只能删除新建或已拒绝的需求；其他需求请拒绝或搁置。"))
    audit_record(action=RequirementsAuditAction.DELETED, actor=user, product=requirement.product, obj=requirement,
                 from_value=requirement.title[:200], comment=f"#{requirement.pk} {requirement.title}",
                 changes=diff(field_values(requirement, AUDITED_FIELDS), dict.fromkeys(AUDITED_FIELDS)))
    requirement._history_user = user
    requirement.delete()


def requirement_available_transitions(*, requirement: Requirement) -> list[str]:
    """Names of the transitions people may ask for now (conditions included; unschedule is version_release's)."""
    return [t.name for t in requirement.get_available_status_transitions() if t.name in RequirementTransition.values]


def _refusal(requirement: Requirement, name: str) -> TransitionRefused:
    label = RequirementTransition(name).label
    status = requirement.get_status_display()
    if name in (RequirementTransition.SCHEDULE, RequirementTransition.START_DEVELOPMENT) \
            and requirement.status in (RequirementStatus.CONFIRMED, RequirementStatus.SCHEDULED):
        return TransitionRefused(_("请先为需求设置目标版本，再执行“%(action)s”。") % {"action": label},
                                 ErrorCode.VERSION_REQUIRED)
    return TransitionRefused(
        _("需求当前状态为“%(status)s”，不能执行“%(action)s”。") % {"status": status, "action": label}
    )


@transaction.atomic
def requirement_transition(*, user, requirement: Requirement, transition: str, reason: str = "") -> Requirement:
    """Move a requirement through its state machine: check, change, save (history row), notify the assignee."""
    if transition not in RequirementTransition.values:
        raise ValidationError({"transition": _("未知的状态操作：%(name)s。") % {"name": transition}})
    _check_can_edit(user, requirement.product)
    # Lock the row so that two people moving the same card cannot both win.
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    method = getattr(locked, transition)
    if not can_proceed(method):
        raise _refusal(locked, transition)
    reason = (reason or "").strip()
    if transition in TRANSITIONS_NEEDING_REASON and not reason:
        raise ValidationError({"reason": _("拒绝或搁置需求时必须填写原因。")}, code=ErrorCode.REASON_REQUIRED)
    old_status = locked.status
    method()
    locked.status_reason = reason[:500]
    if transition == RequirementTransition.DELIVER:
        locked.delivered_at = timezone.now()
    locked._history_user = user
    locked.save(update_fields=["status", "status_reason", "delivered_at", "updated_at"])
    audit_record(action=RequirementsAuditAction.STATUS_CHANGED, actor=user, product=locked.product, obj=locked,
                 from_value=old_status, to_value=locked.status, comment=f"#{locked.pk} {locked.title}"
                 + (f": {locked.status_reason}" if locked.status_reason else ""))
    if locked.assignee_id and locked.assignee_id != user.pk:
        notify(
            recipients=[locked.assignee], title_code=gettext_noop("需求 #%(id)s 状态变为“%(status)s”"),
            body_code="%(title)s", url=locked.get_absolute_url(),
            params={"id": locked.pk, "status": localised(RequirementStatus(locked.status).label),
                    "title": locked.title},
        )
    requirement.refresh_from_db()
    return requirement


def requirement_move(*, user, requirement: Requirement, status: str, reason: str = "") -> Requirement:
    """Board drag: find the transition that leads to `status` from the current status and perform it."""
    if status not in RequirementStatus.values:
        raise ValidationError({"status": _("未知的状态。")})
    if status == requirement.status:
        return requirement
    for candidate in requirement.get_all_status_transitions():
        # Only the transitions people may ask for (unschedule belongs to version_release).
        if candidate.name not in RequirementTransition.values:
            continue
        if candidate.target == status and candidate.source in (requirement.status, "*"):
            return requirement_transition(user=user, requirement=requirement, transition=candidate.name,
                                          reason=reason)
    raise TransitionRefused(
        _("不能从“%(source)s”直接变为“%(target)s”。") % {
            "source": requirement.get_status_display(), "target": RequirementStatus(status).label,
        }
    )


@transaction.atomic
def requirement_bulk_create(*, user, items: list[dict]) -> list[Requirement]:
    """Create up to 1,000 requirements at once: all or nothing, errors reported per item index."""
    if not can_manage_products(user):
        raise PermissionDenied(_("只有产品经理、产品负责人和管理员可以创建需求。"))
    if len(items) > MAX_BULK_ITEMS:
        raise ValidationError({"non_field_errors": [_("一次最多创建 %(n)s 条需求。") % {"n": MAX_BULK_ITEMS}]},
                              code=ErrorCode.TOO_MANY_ITEMS)
    errors, objects = [], []
    allowed = {}
    for index, data in enumerate(items):
        product = data.get("product")
        if product is not None and product.pk not in allowed:
            allowed[product.pk] = requirement_can_edit(user=user, product=product)
        requirement = Requirement(created_by=user)
        _apply(requirement, data, REQUIREMENT_FIELDS)
        try:
            if product is None:
                raise ValidationError({"product": _("请选择产品。")})
            if not allowed[product.pk]:
                raise ValidationError({"product": _("您无权修改该产品的需求。")})
            _check_tags(data.get("tags"))
            _validate(requirement)
        except ValidationError as error:
            errors.append({"index": index, "errors": error.message_dict})
        objects.append(requirement)
    if errors:
        raise BulkValidationError(errors)
    created = bulk_create_with_history(objects, Requirement, default_user=user)
    tag_ids = _bulk_set_tags(created, [data.get("tags") or [] for data in items])
    # Each new requirement is its own entry, as one created on the page is (one insert for them all).
    audit_records([_created_entry(user, requirement, ids) for requirement, ids in zip(created, tag_ids, strict=True)])
    return created


def _bulk_set_tags(requirements, tag_lists) -> list[list[int]]:
    """Tag new requirements in two or three queries, whatever their number; each one's tag ids, sorted."""
    if not any(tag_lists):
        return [[] for _requirement in requirements]
    tags = {t.name: t for t in _tags_for([name for names in tag_lists for name in names])}
    ids = [sorted({tags[str(n).strip()[:40]].pk for n in names if str(n).strip()}) for names in tag_lists]
    through = Requirement.tags.through
    through.objects.bulk_create(
        [through(requirement_id=r.pk, tag_id=tag_id) for r, tag_ids in zip(requirements, ids, strict=True)
         for tag_id in tag_ids],
        ignore_conflicts=True,
    )
    return ids


@transaction.atomic
def requirement_bulk_update(*, user, requirements, action: str, value: str = "", reason: str = "") -> int:
    """A backlog bulk action on the selected requirements: all succeed or none is changed."""
    selected = list(Requirement.objects.select_related("product", "target_version").filter(
        pk__in=[r.pk if isinstance(r, Requirement) else r for r in requirements]).order_by("pk"))
    if not selected:
        raise ValidationError({"ids": _("请至少选择一条需求。")})
    for requirement in selected:
        _check_can_edit(user, requirement.product)
    value = _bulk_value(action, value)  # the assignee or version once, not once per row
    errors = []
    for requirement in selected:
        try:
            _bulk_apply_one(user, requirement, action, value, reason)
        except (ValidationError, TransitionRefused) as error:
            message = error.message if isinstance(error, TransitionRefused) else "；".join(error.messages)
            errors.append(f"#{requirement.pk} {requirement.title}：{message}")
    if errors:
        raise ValidationError(errors)
    return len(selected)


def _bulk_value(action, value):
    """The value of a bulk action as the object it names (an active user, a version); refused when there is none."""
    if action == BulkAction.ASSIGN:
        pk = parse_id(value)
        assignee = get_user_model().objects.filter(pk=pk, is_active=True).first() if pk else None
        if assignee is None:
            raise ValidationError({"assignee": _("请选择有效的负责人。")})
        return assignee
    if action == BulkAction.SCHEDULE:
        pk = parse_id(value)
        version = ProductVersion.objects.filter(pk=pk).first() if pk else None
        if version is None:
            raise ValidationError({"target_version": _("请选择有效的版本。")})
        return version
    return value


def _bulk_apply_one(user, requirement, action, value, reason):
    if action == BulkAction.SET_PRIORITY:
        requirement_update(user=user, requirement=requirement, data={"priority": value})
    elif action == BulkAction.ASSIGN:
        requirement_update(user=user, requirement=requirement, data={"assignee": value})
    elif action == BulkAction.SCHEDULE:
        requirement_update(user=user, requirement=requirement, data={"target_version": value})
    elif action == BulkAction.TRANSITION:
        requirement_transition(user=user, requirement=requirement, transition=value, reason=reason)
    else:
        raise ValidationError({"action": _("未知的批量操作。")})


# --- Comments ---

def _mentioned_names(body: str) -> set[str]:
    """Usernames a comment may mention: "@li." ends a sentence and "@li请看" runs into Chinese text, so the
    match without its trailing punctuation and its leading ASCII part are candidates too."""
    names = set()
    for match in MENTION.findall(body):
        ascii_part = ASCII_NAME.match(match)
        names |= {match, match.rstrip(".+-"), *([ascii_part.group().rstrip(".+-")] if ascii_part else [])}
    return names - {""}


@transaction.atomic
def comment_create(*, user, requirement: Requirement, body: str) -> Comment:
    """Everyone who can read a requirement may comment; @username mentions notify the people named."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("评论内容不能为空。")})
    comment = Comment(requirement=requirement, author=user, body=body)
    comment.full_clean()
    comment.save()
    audit_record(action=RequirementsAuditAction.COMMENTED, actor=user, product=requirement.product, obj=comment,
                 comment=f"#{requirement.pk} {body[:500]}")
    names = _mentioned_names(body) - {user.username}
    # The writer is told whom the mentions reached and which names matched nobody (see the page's message).
    comment.mentioned = list(get_user_model().objects.filter(username__in=names, is_active=True)) if names else []
    found = {person.username for person in comment.mentioned}
    comment.unknown_mentions = sorted(name for name in MENTION.findall(body)
                                      if name not in found and not (_mentioned_names("@" + name) & found))
    if comment.mentioned:
        notify(
            recipients=comment.mentioned, title_code=gettext_noop("%(user)s 在需求 #%(id)s 中提到了您"),
            body_code="%(body)s", url=f"{requirement.get_absolute_url()}#comment-{comment.pk}",
            params={"user": str(user), "id": requirement.pk, "body": body[:500]},
        )
    return comment


def product_fixed_check(*, obj: Requirement | ProductVersion | Feedback, product: Product | None) -> None:
    """A requirement's, version's or feedback item's product never changes: 409 `product_fixed` (the row's
    product is what refuses, not the request)."""
    if product is None or product.pk == obj.product_id:
        return
    message = {Requirement: _("需求创建后不能更换产品。"), ProductVersion: _("版本创建后不能更换产品。"),
               Feedback: _("反馈录入后不能更换产品。")}[type(obj)]
    raise DomainConflict(ErrorCode.PRODUCT_FIXED, message, field="product")


# --- Versions ---

@transaction.atomic
def version_create(*, user, data: dict) -> ProductVersion:
    """Plan a new version of a product the user may edit."""
    product = data.get("product")
    if product is None:
        raise ValidationError({"product": _("请选择产品。")})
    _check_can_edit(user, product)
    if product.stage in CLOSED_STAGES:
        raise DomainConflict(ErrorCode.PRODUCT_CLOSED, _("产品“%(product)s”已%(stage)s，不能再规划新版本。") % {
            "product": product.display_name, "stage": product.get_stage_display()}, field="product")
    version = ProductVersion()
    _apply(version, data, VERSION_FIELDS)
    version_name_check(product=product, name=version.name)
    version.full_clean()
    _check_planned_date(version.planned_date)
    version.save()
    audit_record(action=RequirementsAuditAction.VERSION_CREATED, actor=user, product=version.product, obj=version,
                 to_value=version.name, changes=diff({}, field_values(version, VERSION_FIELDS)))
    return version


def version_name_check(*, product: Product, name: str, version: ProductVersion | None = None) -> None:
    """A name the product's other versions already have is a conflict with them (409 `version_name_taken`), not a
    bad request. `version`: the version being renamed."""
    taken = ProductVersion.objects.filter(product=product, name=name)
    if version is not None:
        taken = taken.exclude(pk=version.pk)
    if name and taken.exists():
        raise DomainConflict(ErrorCode.VERSION_NAME_TAKEN, field="name")


def _check_planned_date(planned: date | None) -> None:
    """Today moves, the request does not: a date that was valid yesterday is a conflict today (409), not a 400."""
    if planned is not None and planned < timezone.localdate():
        raise DomainConflict(ErrorCode.PLANNED_IN_PAST, _("计划发布日期不能早于今天。"), field="planned_date")


@transaction.atomic
def version_update(*, user, version: ProductVersion, data: dict) -> ProductVersion:
    """Rename or re-plan a version; its product never changes."""
    _check_can_edit(user, version.product)
    product_fixed_check(obj=version, product=data.get("product"))
    version = ProductVersion.objects.select_for_update().select_related("product").get(pk=version.pk)
    before = field_values(version, VERSION_FIELDS)
    previous_date = version.planned_date
    _apply(version, data, ("name", "planned_date", "description"))
    version_name_check(product=version.product, name=version.name, version=version)
    version.full_clean()
    if version.planned_date != previous_date:
        _check_planned_date(version.planned_date)
    if not diff(before, field_values(version, VERSION_FIELDS)):
        return version  # sent back untouched: nothing to write
    version.save(update_fields=["name", "planned_date", "description"])
    audit_edit(action=RequirementsAuditAction.VERSION_UPDATED, actor=user, product=version.product, obj=version,
               before=before, fields=VERSION_FIELDS, comment=version.name)
    return version


def version_unfinished(*, version: ProductVersion) -> QuerySet[Requirement]:
    """Requirements in a version's scope that still need work."""
    return Requirement.objects.filter(target_version=version, status__in=OPEN_STATUSES).order_by("id")


@transaction.atomic
def version_release(*, user, version: ProductVersion, unfinished: str = "",
                    move_to: ProductVersion | None = None) -> ProductVersion:
    """Mark a planned version as released today; its unfinished requirements move to `move_to` or back to the backlog.

    With unfinished requirements in scope, `unfinished` must say which (UnfinishedScope): releasing never leaves
    open work in a version that takes no new scope. Each moved requirement gets its own history row.
    """
    _check_can_edit(user, version.product)
    version = ProductVersion.objects.select_for_update().select_related("product").get(pk=version.pk)
    if not can_proceed(version.release):
        raise TransitionRefused(_("该版本已发布。"))
    old_status = version.status
    pending = list(version_unfinished(version=version).select_for_update())
    if pending:
        _release_unfinished(user, version, pending, unfinished, move_to)
    version.release()
    version.released_on = timezone.localdate()
    version.save(update_fields=["status", "released_on"])
    audit_record(action=RequirementsAuditAction.VERSION_RELEASED, actor=user, product=version.product, obj=version,
                 from_value=old_status, to_value=version.status, comment=version.name,
                 changes=[{"field": "released_on", "old": None, "new": version.released_on.isoformat()}])
    return version


def _release_unfinished(user, version, pending, unfinished, move_to) -> None:
    # Whether the version has unfinished requirements, and which versions are planned, is state: 409.
    if unfinished not in UnfinishedScope.values:
        raise DomainConflict(ErrorCode.UNFINISHED_SCOPE, _(
            "该版本还有 %(n)s 条未完成的需求：请选择移到另一个版本或退回需求池。") % {"n": len(pending)},
            field="unfinished")
    if unfinished == UnfinishedScope.MOVE:
        if move_to is None:
            raise ValidationError({"move_to": _("请选择同一产品的另一个规划中的版本。")})
        if move_to.pk == version.pk or move_to.product_id != version.product_id \
                or move_to.status != VersionStatus.PLANNED:
            raise DomainConflict(ErrorCode.WRONG_VERSION, _("请选择同一产品的另一个规划中的版本。"), field="move_to")
    for requirement in pending:
        requirement._history_user = user
        old_status, old_version = requirement.status, requirement.target_version_id
        if unfinished == UnfinishedScope.MOVE:
            requirement.target_version = move_to
        else:
            if requirement.status in (RequirementStatus.SCHEDULED, RequirementStatus.IN_DEVELOPMENT):
                requirement.unschedule()
            requirement.target_version = None
            requirement.status_reason = _("版本 %(name)s 发布时退回需求池。") % {"name": version.name}
        requirement.save(update_fields=["status", "status_reason", "target_version", "updated_at"])
        # Each moved requirement is its own governed change, audited in this transaction.
        audit_record(action=RequirementsAuditAction.STATUS_CHANGED, actor=user, product=version.product,
                     obj=requirement, from_value=old_status, to_value=requirement.status,
                     comment=f"#{requirement.pk} {requirement.title}",
                     changes=[{"field": "target_version", "old": old_version, "new": requirement.target_version_id}])


# --- Customer feedback ---

@transaction.atomic
def feedback_create(*, user, data: dict) -> Feedback:
    """Record a customer's feedback for a product the user may edit."""
    product = data.get("product")
    if product is None:
        raise ValidationError({"product": _("请选择产品。")})
    _check_can_edit(user, product)
    feedback = Feedback(created_by=user)
    _apply(feedback, data, FEEDBACK_FIELDS)
    feedback.full_clean(exclude=["created_by"])
    feedback.save()
    audit_record(action=RequirementsAuditAction.FEEDBACK_CREATED, actor=user, product=feedback.product, obj=feedback,
                 comment=feedback.text[:500], changes=diff({}, field_values(feedback, FEEDBACK_FIELDS)))
    return feedback


@transaction.atomic
def feedback_update(*, user, feedback: Feedback, data: dict) -> Feedback:
    """Correct a feedback item; its product never changes."""
    _check_can_edit(user, feedback.product)
    product_fixed_check(obj=feedback, product=data.get("product"))
    stored = Feedback.objects.select_for_update().get(pk=feedback.pk)
    before = field_values(stored, FEEDBACK_FIELDS)
    _apply(feedback, data, FEEDBACK_FIELDS[1:])
    feedback.full_clean(exclude=["created_by"])
    feedback.save()
    audit_edit(action=RequirementsAuditAction.FEEDBACK_UPDATED, actor=user, product=feedback.product, obj=feedback,
               before=before, fields=FEEDBACK_FIELDS, comment=feedback.text[:500])
    return feedback


def feedback_can_delete(*, feedback: Feedback) -> bool:
    """Feedback that became a requirement stays: the requirement cites it."""
    return not feedback.requirement_id


@transaction.atomic
def feedback_delete(*, user, feedback: Feedback) -> None:
    """Delete a feedback item that has not been turned into a requirement."""
    _check_can_edit(user, feedback.product)
    if not feedback_can_delete(feedback=feedback):
        raise TransitionRefused(_("该反馈已转化为需求，不能删除。"))
    audit_record(action=RequirementsAuditAction.FEEDBACK_DELETED, actor=user, product=feedback.product, obj=feedback,
                 comment=feedback.text[:500],
                 changes=diff(field_values(feedback, FEEDBACK_FIELDS), dict.fromkeys(FEEDBACK_FIELDS)))
    feedback.delete()


@transaction.atomic
def feedback_convert(*, user, feedback_ids, title: str, data: dict | None = None) -> Requirement:
    """Turn one or several feedback items of one product into a new requirement; the items point to it."""
    if not feedback_ids:
        raise ValidationError({"feedback": _("请至少勾选一条反馈。")})
    items = list(Feedback.objects.select_for_update().select_related("product").filter(pk__in=list(feedback_ids))
             .order_by("pk"))
    missing = set(feedback_ids) - {f.pk for f in items}
    if not items or missing:
        raise ValidationError({"feedback": _("找不到所选反馈：%(ids)s。") % {
            "ids": ", ".join(str(i) for i in sorted(missing)) or "—"}})
    products = {f.product_id for f in items}
    if len(products) > 1:
        # Which product each item belongs to is the rows' state: 409, as converting converted feedback is.
        raise DomainConflict(ErrorCode.WRONG_PRODUCT, _("所选反馈必须属于同一产品。"), field="feedback")
    converted = [f.pk for f in items if f.requirement_id]
    if converted:
        # The items' state refuses, not the request: 409, as deleting converted feedback is.
        raise DomainConflict(ErrorCode.FEEDBACK_CONVERTED, _("反馈 %(ids)s 已转化为需求。") % {
            "ids": ", ".join(str(i) for i in sorted(converted))})
    product = items[0].product
    description = "\n\n".join(f"[{f.get_channel_display()} {f.received_on}] {f.text}" for f in items)
    payload = {"source": "customer_feedback", "description": description, **(data or {}),
               "product": product, "title": title}
    requirement = requirement_create(user=user, data=payload)
    Feedback.objects.filter(pk__in=[f.pk for f in items]).update(requirement=requirement)
    for item in items:
        audit_record(action=RequirementsAuditAction.FEEDBACK_CONVERTED, actor=user, product=product, obj=item,
                     to_value=f"#{requirement.pk}", comment=title,
                     changes=[{"field": "requirement", "old": None, "new": requirement.pk}])
    return requirement


@dataclass
class RowOutcome:
    """One import row: its line number, what it would create, and its errors by field."""

    line: int
    label: str
    errors: dict = field(default_factory=dict)

    @property
    def ok(self):
        return not self.errors


@dataclass
class ImportResult:
    rows: list[RowOutcome]
    dry_run: bool
    imported: int = 0

    @property
    def has_errors(self):
        return any(not r.ok for r in self.rows)


def run_import(*, user, rows: list[tuple[int, str, dict | None, dict]], create, dry_run: bool) -> ImportResult:
    """Create every valid row with `create(user=..., data=...)` in one transaction; any bad row (or a dry run)
    rolls everything back, and each row's outcome is reported."""
    outcomes = []
    with transaction.atomic():
        for line, label, data, errors in rows:
            outcome = RowOutcome(line=line, label=label, errors=dict(errors))
            if data is not None and not errors:
                try:
                    with transaction.atomic():
                        create(user=user, data=data)
                except ValidationError as error:
                    outcome.errors = error.message_dict if hasattr(error, "error_dict") else {
                        "__all__": error.messages}
                except PermissionDenied as error:
                    outcome.errors = {"product": [str(error)]}
            outcomes.append(outcome)
        result = ImportResult(rows=outcomes, dry_run=dry_run)
        if dry_run or result.has_errors or not outcomes:
            transaction.set_rollback(True)
        else:
            result.imported = len(outcomes)
    return result
