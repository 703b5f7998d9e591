"""Complaint rules: registration (page, feedback, upload, API — one validation), editing, the lifecycle, deadlines
by severity, overdue reminders and escalation. Every change is audited in its transaction.

Lock order: the complaint row (select_for_update), then the audit chain's advisory lock.
"""
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.choices import DepartmentCode, Role
from core.audit import audit_edit, audit_record, field_values
from core.errors import BulkValidationError, DomainConflict
from core.roles import can_manage_products, in_department, is_administrator, is_portfolio_manager, product_can_edit
from kpis.models import Region
from notifications.services import notify
from products.choices import CustomerSegment, SalesChannelCode
from products.models import Product

from .choices import (
    MAX_COMPLAINTS_PER_REQUEST,
    MAX_TEXT,
    OPEN_STATUSES,
    ComplaintAuditAction,
    ComplaintCategory,
    ComplaintSource,
    ComplaintStatus,
    RootCause,
    Severity,
)
from .kpi import complaints_kpi_sync
from .models import Complaint, ResponsePolicy

FIELDS = ("product", "received_on", "category", "severity", "segment", "channel", "region", "description")
EDITABLE = ("category", "severity", "segment", "channel", "region", "description", "root_cause", "root_cause_text",
            "resolution")
LINKS = ("risks", "requirements", "changes")
AUDITED = (*EDITABLE, "due_on", *LINKS)
DEFAULT_RESPONSE_DAYS = 15  # a severity without a policy row (the policy is data; this is the safety net)


# --- who may ------------------------------------------------------------------------------------------------------

def complaint_can_register(*, user, product: Product) -> bool:
    """The product's manager, heads of product, admins and compliance register complaints."""
    return user.is_authenticated and (product_can_edit(user=user, product=product)
                                      or in_department(user=user, department=DepartmentCode.COMPLIANCE))


def complaint_can_handle(*, user, complaint: Complaint) -> bool:
    """The product's manager, heads of product, admins and compliance investigate, answer and link."""
    return complaint_can_register(user=user, product=complaint.product)


# --- deadlines ----------------------------------------------------------------------------------------------------

def response_due(*, received_on: date, severity: str) -> date:
    """The answer is due `response_days` calendar days after receipt (policy data per severity)."""
    days = ResponsePolicy.objects.filter(severity=severity).values_list("response_days", flat=True).first()
    return received_on + timedelta(days=days or DEFAULT_RESPONSE_DAYS)


# --- validation (one set of rules for every path) -----------------------------------------------------------------

_CREATE_FIELDS = ("product", "received_on", "category", "severity", "description", "segment", "channel", "region",
                  "root_cause", "root_cause_text")


def _choice(errors, data, name, choices, *, required=True):
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors[name] = [_("该字段是必填项。")]
        return ""
    if not isinstance(value, str) or value not in choices:
        errors[name] = [_("不是有效的选项。")]
        return ""
    return value


def _text(errors, data, name, *, required=False) -> str:
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors[name] = [_("该字段是必填项。")]
        return ""
    if not _storable(value) or len(value) > MAX_TEXT:
        errors[name] = [_("必须是不超过 %(n)s 个字符的文字。") % {"n": MAX_TEXT}]
        return ""
    return value.strip()


def _day(errors, data, name) -> date | None:
    value = data.get(name)
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    else:
        day = None
    if day is None:
        errors[name] = [_("日期格式必须是 YYYY-MM-DD。")]
    elif day > timezone.localdate() or day.year < 1970:
        errors[name] = [_("收到日期不能晚于今天。")]
        day = None
    return day


def _fields(data: dict, *, regions: set[str], partial: bool = False) -> tuple[dict, dict]:
    """Cleaned scalar fields and the errors, field by field."""
    errors: dict = {}
    out: dict = {}
    checks = {
        "category": lambda: _choice(errors, data, "category", ComplaintCategory.values),
        "severity": lambda: _choice(errors, data, "severity", Severity.values),
        "segment": lambda: _choice(errors, data, "segment", CustomerSegment.values, required=False),
        "channel": lambda: _choice(errors, data, "channel", SalesChannelCode.values, required=False),
        "region": lambda: _choice(errors, data, "region", regions, required=False),
        "description": lambda: _text(errors, data, "description", required=True),
        "root_cause": lambda: _choice(errors, data, "root_cause", RootCause.values, required=False),
        "root_cause_text": lambda: _text(errors, data, "root_cause_text"),
        "resolution": lambda: _text(errors, data, "resolution"),
    }
    for name, check in checks.items():
        if not partial or name in data:
            out[name] = check()
    return out, errors


def _links(errors: dict, data: dict, product: Product) -> dict:
    """Risks, requirements and changes by id; each must belong to the complaint's product."""
    from changes.models import Change
    from requirements.models import Requirement
    from risks.models import Risk

    models = {"risks": Risk, "requirements": Requirement, "changes": Change}
    out = {}
    for name, model in models.items():
        if name not in data:
            continue
        ids = data[name]
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids) \
                or len(ids) > 100:
            errors[name] = [_("必须是编号的列表。")]
            continue
        found = list(model.objects.filter(pk__in=ids, product=product))
        if len(found) != len(set(ids)):
            errors[name] = [_("编号不存在或不属于该产品。")]
            continue
        out[name] = found
    return out


def _storable(text) -> bool:
    """A string PostgreSQL can be asked about (JSON admits NUL characters and lone surrogates)."""
    if not isinstance(text, str) or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unknown(data: dict, allowed) -> dict:
    return {name: [_("未知字段。")] for name in data if name not in allowed}


# --- registration -------------------------------------------------------------------------------------------------

def _prepare(*, user, data, regions, products: dict) -> tuple[Complaint | None, dict, dict]:
    if not isinstance(data, dict):
        return None, {"non_field_errors": [_("每一项必须是 JSON 对象。")]}, {}
    errors = _unknown(data, (*_CREATE_FIELDS, *LINKS))
    code = data.get("product")
    product = products.get(code) if isinstance(code, str) else None
    if product is None:
        errors["product"] = [_("未知产品代码。")]
    elif not complaint_can_register(user=user, product=product):
        errors["product"] = [_("您无权为该产品登记投诉。")]
    received = _day(errors, data, "received_on")
    fields, field_errors = _fields(data, regions=regions)
    errors.update(field_errors)
    links = _links(errors, data, product) if product is not None and "product" not in errors else {}
    if errors:
        return None, errors, {}
    complaint = Complaint(product=product, received_on=received, created_by=user,
                          due_on=response_due(received_on=received, severity=fields["severity"]),
                          **{k: v for k, v in fields.items() if k != "resolution"})
    return complaint, {}, links


def _save_new(*, user, complaint: Complaint, links: dict, source: str) -> Complaint:
    complaint.source = source
    complaint.full_clean()
    complaint.save()
    for name, objs in links.items():
        getattr(complaint, name).set(objs)
    audit_record(action=ComplaintAuditAction.CREATED, actor=user, product=complaint.product, obj=complaint,
                 to_value=complaint.status,
                 comment=f"{complaint.get_category_display()} · {complaint.get_severity_display()}")
    return complaint


@transaction.atomic
def complaints_register(*, user, items, source: str = ComplaintSource.API) -> list[Complaint]:
    """Register complaints in bulk: every item is checked first, errors per index, and nothing is written unless
    all are valid. The page, the upload and the API all come here."""
    if not (can_manage_products(user) or in_department(user=user, department=DepartmentCode.COMPLIANCE)):
        raise PermissionDenied(_("只有产品经理、产品负责人、管理员和合规部可以登记投诉。"))
    if not isinstance(items, list) or not items:
        raise ValidationError({"non_field_errors": [_("请求体必须是非空的 JSON 数组。")]})
    if len(items) > MAX_COMPLAINTS_PER_REQUEST:
        raise ValidationError({"non_field_errors": [
            _("单次最多登记 %(n)s 条投诉。") % {"n": f"{MAX_COMPLAINTS_PER_REQUEST:,}"}]})
    codes = {i.get("product") for i in items if isinstance(i, dict) and _storable(i.get("product"))}
    products = {p.code: p for p in Product.objects.filter(code__in=codes).select_related("owner")}
    regions = set(Region.objects.filter(is_active=True).values_list("code", flat=True))
    prepared, errors = [], []
    for index, item in enumerate(items):
        complaint, problems, links = _prepare(user=user, data=item, regions=regions, products=products)
        if problems:
            errors.append({"index": index, "errors": problems})
        else:
            prepared.append((complaint, links))
    if errors:
        raise BulkValidationError(errors)
    saved = [_save_new(user=user, complaint=c, links=links, source=source) for c, links in prepared]
    _sync({(c.product_id, c.received_on) for c in saved})
    return saved


def _sync(pairs) -> None:
    by_product: dict[int, set] = {}
    for product_id, day in pairs:
        by_product.setdefault(product_id, set()).add(day)
    for product_id, days in by_product.items():
        complaints_kpi_sync(product_id=product_id, days=days)


@transaction.atomic
def complaint_from_feedback(*, user, feedback, data: dict) -> Complaint:
    """Feedback received through the complaint channel becomes a complaint (once): its product, day, segment and
    text carried over, the category and severity given."""
    from requirements.choices import FeedbackChannel
    from requirements.models import Feedback

    feedback = Feedback.objects.select_for_update().select_related("product").get(pk=feedback.pk)
    if feedback.channel != FeedbackChannel.COMPLAINT:
        raise DomainConflict("not_a_complaint", _("只有投诉渠道的反馈可以转为投诉。"))
    if Complaint.objects.filter(feedback=feedback).exists():
        raise DomainConflict("already_registered", _("该反馈已登记为投诉。"))
    item = {"product": feedback.product.code, "received_on": feedback.received_on,
            "segment": feedback.customer_segment, "description": feedback.text,
            **{k: v for k, v in (data or {}).items() if k in ("category", "severity", "channel", "region")}}
    [complaint] = complaints_register(user=user, items=[item], source=ComplaintSource.FEEDBACK)
    complaint.feedback = feedback
    complaint.save(update_fields=["feedback"])
    return complaint


# --- editing and the lifecycle ------------------------------------------------------------------------------------

def _locked(*, user, complaint: Complaint) -> Complaint:
    locked = Complaint.objects.select_for_update().select_related("product__owner").get(pk=complaint.pk)
    if not complaint_can_handle(user=user, complaint=locked):
        raise PermissionDenied(_("您无权处理该投诉。"))
    return locked


@transaction.atomic
def complaint_update(*, user, complaint: Complaint, data: dict) -> Complaint:
    """Edit the facts (while it is open), the root cause and the links (always: analysis goes on after the
    answer); a new severity moves the deadline. Audited with the field diff."""
    locked = _locked(user=user, complaint=complaint)
    errors = _unknown(data, (*EDITABLE, *LINKS))
    regions = set(Region.objects.filter(is_active=True).values_list("code", flat=True)) | {locked.region}
    fields, field_errors = _fields(data, regions=regions, partial=True)
    errors.update(field_errors)
    if locked.status not in OPEN_STATUSES:
        errors.update({k: [_("投诉已结案，只能修改根本原因和关联。")] for k in fields
                       if k not in ("root_cause", "root_cause_text")})
    links = _links(errors, data, locked.product)
    if errors:
        raise ValidationError(errors)
    before = field_values(locked, AUDITED)
    for name, value in fields.items():
        setattr(locked, name, value)
    if "severity" in fields:
        locked.due_on = response_due(received_on=locked.received_on, severity=locked.severity)
    locked.full_clean()
    locked.save()
    for name, objs in links.items():
        getattr(locked, name).set(objs)
    audit_edit(action=ComplaintAuditAction.UPDATED, actor=user, product=locked.product, obj=locked, before=before,
               fields=AUDITED, comment=f"#{locked.pk}")
    return locked


TRANSITIONS = ("investigate", "resolve", "reject")


@transaction.atomic
def complaint_transition(*, user, complaint: Complaint, transition: str, reason: str = "",
                         resolution: str = "") -> Complaint:
    """investigate (open → investigating), resolve (needs a root cause and the resolution), reject (needs the
    reason); check, change, save, audit, then the KPI follows (a rejected complaint is not counted)."""
    if transition not in TRANSITIONS:
        raise ValidationError({"transition": [_("未知的状态操作。")]})
    locked = _locked(user=user, complaint=complaint)
    previous = locked.status
    if transition == "reject":
        if not (reason or "").strip() or len(reason) > MAX_TEXT:
            raise ValidationError({"reason": [_("请填写不予受理的理由。")]})
        locked.rejection_reason = reason.strip()
    if transition == "resolve":
        if (resolution or "").strip():
            locked.resolution = resolution.strip()[:MAX_TEXT]
        if not locked.root_cause:
            raise ValidationError({"root_cause": [_("解决前请先填写根本原因。")]})
        if not locked.resolution:
            raise ValidationError({"resolution": [_("请填写处理结果。")]})
    method = getattr(locked, transition)
    from django_fsm import can_proceed

    if not can_proceed(method, check_conditions=False):
        raise DomainConflict("invalid_transition", _("当前状态（%(status)s）不能执行该操作。") % {
            "status": locked.get_status_display()})
    method()
    if transition in ("resolve", "reject"):
        locked.resolved_on = timezone.localdate()
    locked.save()
    audit_record(action=ComplaintAuditAction.STATUS, actor=user, product=locked.product, obj=locked,
                 from_value=previous, to_value=locked.status, comment=reason or resolution)
    if transition == "reject":
        _sync({(locked.product_id, locked.received_on)})
    return locked


# --- deadlines: reminders and escalation --------------------------------------------------------------------------

@transaction.atomic
def complaints_remind_overdue(*, today: date | None = None) -> dict:
    """Beat, daily: every unanswered complaint past its deadline reminds the product's manager (once a day); past
    the deadline by the policy's escalation days it escalates (once) to the heads of product and compliance."""
    today = today or timezone.localdate()
    overdue = list(Complaint.objects.select_for_update(of=("self",)).select_related("product__owner")
                   .filter(status__in=OPEN_STATUSES, due_on__lt=today))
    escalate_after = dict(ResponsePolicy.objects.values_list("severity", "escalate_after_days"))
    escalation_team = None
    reminded = escalated = 0
    for complaint in overdue:
        if complaint.reminded_on != today:
            _notify(complaint, [complaint.product.owner], escalation=False)
            complaint.reminded_on = today
            reminded += 1
        late = (today - complaint.due_on).days
        if complaint.escalated_on is None and late > escalate_after.get(complaint.severity, 3):
            if escalation_team is None:
                escalation_team = list(get_user_model().objects.filter(is_active=True).filter(
                    role=Role.HEAD_OF_PRODUCT) | get_user_model().objects.filter(
                    is_active=True, departments__code=DepartmentCode.COMPLIANCE))
            _notify(complaint, escalation_team, escalation=True)
            complaint.escalated_on = today
            audit_record(action=ComplaintAuditAction.ESCALATED, actor=None, product=complaint.product,
                         obj=complaint, comment=_("逾期 %(days)s 天未答复，已升级。") % {"days": late})
            escalated += 1
        complaint.save(update_fields=["reminded_on", "escalated_on"])
    return {"reminded": reminded, "escalated": escalated}


def _notify(complaint: Complaint, recipients, *, escalation: bool) -> None:
    title = gettext_noop("投诉升级：%(product)s #%(id)s 逾期未答复") if escalation else \
        gettext_noop("投诉逾期：%(product)s #%(id)s")
    notify(recipients=recipients, title_code=title,
           body_code=gettext_noop("投诉 #%(id)s 的答复期限是 %(due)s，至今未答复。请尽快处理。"),
           params={"product": complaint.product.code, "id": complaint.pk, "due": complaint.due_on.isoformat()},
           url=reverse("complaints:detail", args=[complaint.pk]))


# --- policy (admin) -----------------------------------------------------------------------------------------------

POLICY_FIELDS = ("severity", "response_days", "escalate_after_days")


@transaction.atomic
def response_policy_save(*, user, policy: ResponsePolicy) -> ResponsePolicy:
    """Admins set the response deadlines; audited with the diff. Existing complaints keep their deadline."""
    if not (is_administrator(user) or is_portfolio_manager(user)):
        raise PermissionDenied(_("只有管理员和产品负责人可以修改投诉答复时限。"))
    saved = ResponsePolicy.objects.select_for_update().filter(pk=policy.pk).first() if policy.pk else None
    before = field_values(saved, POLICY_FIELDS) if saved else {}
    policy.full_clean()
    policy.save()
    audit_edit(action=ComplaintAuditAction.POLICY_SAVED, actor=user, obj=policy, before=before,
               fields=POLICY_FIELDS, comment=policy.severity)
    return policy


__all__ = ["complaints_register", "complaint_from_feedback", "complaint_update", "complaint_transition",
           "complaints_remind_overdue", "response_policy_save", "response_due", "complaint_can_register",
           "complaint_can_handle", "ComplaintStatus"]
