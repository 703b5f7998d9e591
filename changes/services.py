"""Terms under change control: the freeze, terms versions, change requests, pilots and rollout.

Pages, the API, the admin and the beat task call these functions; none re-implements a rule. Approval runs in
the engine (lifecycle.services.review_submit with the `change` process, see changes.processes).
Lock order everywhere: product row, then change row, then (in the engine) review and steps, then the audit chain.
"""
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from core.audit import audit_record, audit_value
from core.errors import DomainConflict, FieldValidationError
from core.roles import is_senior_management, product_can_edit
from kpis.models import Metric
from lifecycle.choices import STAGE_GATE, GateReviewStatus
from lifecycle.conditions import conditions_guard
from lifecycle.engine import PRODUCT_TERMS, get_process
from lifecycle.models import GateReview
from lifecycle.selectors import review_pending
from lifecycle.services import review_submit
from products.choices import CustomerSegment, LifecycleStage
from products.models import Product, SalesChannel
from products.terms import TERM_FIELDS, product_terms
from requirements.models import Requirement

from . import selectors
from .choices import CHANGE_PROCESS, ChangeAuditAction, ChangeError, ChangeReason, ChangeStatus, CriterionOp
from .models import Change, PilotCriterion, TermsVersion

S = LifecycleStage
# Stages in which the product is on sale: its terms are frozen and change only through a change request.
FROZEN_STAGES = {S.MARKETING, S.OPERATION, S.RETIREMENT, S.RETIRED}
MAX_CRITERIA = 20
MAX_SCOPE_ITEMS = 50


class CriteriaNotMet(DomainConflict):
    """409 `pilot_criteria_not_met` with the failing criteria (`failing`) in the body."""

    def __init__(self, failing: list[dict]):
        super().__init__(ChangeError.CRITERIA_NOT_MET)
        self.extra = {"failing": failing}


# --- The freeze (guards registered with products.services) ------------------------------------------------------

def terms_frozen(*, product: Product) -> bool:
    """Launched (the launch gate approved): the terms are version-controlled from then on."""
    return product.stage in FROZEN_STAGES or product.terms_versions.exists()


def terms_frozen_guard(*, product: Product, user, changed: set[str]) -> None:
    """After launch no term field changes by a direct edit (409 terms_frozen); other fields still do."""
    if changed & set(TERM_FIELDS) and terms_frozen(product=product):
        raise DomainConflict(ChangeError.TERMS_FROZEN)


def category_frozen_guard(*, product: Product, user, changed: set[str]) -> None:
    """The category picks the product's policies and exit notice period: fixed after launch, like the terms, and
    not a term a change may alter either (409 category_frozen)."""
    if "category" in changed and terms_frozen(product=product):
        raise DomainConflict(ChangeError.CATEGORY_FROZEN, field="category")


def terms_review_pending_guard(*, product: Product, user, changed: set[str]) -> None:
    """While a stage gate or terms change of the product is pending its reviewers are reviewing these terms (409
    review_pending); reviews of other lock scopes do not freeze them."""
    if changed & set(TERM_FIELDS) and review_pending(product=product, scope=PRODUCT_TERMS):
        raise DomainConflict(ChangeError.REVIEW_PENDING)


# --- Terms versions --------------------------------------------------------------------------------------------

def _terms_apply(*, product: Product, terms: dict) -> list[dict]:
    """Write JSON terms onto the product row (bypassing the freeze: this *is* the controlled path); the diff."""
    before = product_terms(product=product)
    scalar = {name: value for name, value in terms.items() if name != "sales_channels" and name in TERM_FIELDS}
    for name, value in scalar.items():
        setattr(product, name, product._meta.get_field(name).to_python(value))
    product.save(update_fields=[*scalar, "updated_at"])
    if "sales_channels" in terms:
        product.sales_channels.set(SalesChannel.objects.filter(code__in=terms["sales_channels"]))
    after = product_terms(product=product)
    return [{"field": name, "old": before[name], "new": after[name]} for name in TERM_FIELDS
            if before[name] != after[name]]


def _version_create(*, product: Product, terms: dict, effective_from: date, review, user) -> TermsVersion:
    """The next version; it closes the previous one the day before and is written onto the product if in force."""
    today = timezone.localdate()
    last = product.terms_versions.order_by("-version").first()
    if last is not None:
        effective_from = max(effective_from, last.effective_from)
        product.terms_versions.filter(version=last.version).update(effective_to=effective_from - timedelta(days=1))
    version = TermsVersion.objects.create(product=product, version=(last.version + 1) if last else 1,
                                          effective_from=effective_from, terms=terms, review=review)
    audit_record(action=ChangeAuditAction.VERSION_CREATED, actor=user, product=product, obj=version,
                 to_value=f"v{version.version} {effective_from.isoformat()}")
    if effective_from <= today:
        _version_activate(version=version, product=product, user=user)
    return version


def _version_activate(*, version: TermsVersion, product: Product, user=None) -> None:
    changes = _terms_apply(product=product, terms=version.terms)
    version.applied_at = timezone.now()
    version.save(update_fields=["applied_at"])
    audit_record(action=ChangeAuditAction.VERSION_ACTIVATED, actor=user, product=product, obj=version,
                 to_value=f"v{version.version}", changes=changes)


@transaction.atomic
def terms_version_on_launch(*, review: GateReview, user) -> None:
    """The launch gate's approval (development -> marketing): the terms it approved become version 1."""
    if review.to_stage != S.MARKETING or review.product.terms_versions.exists():
        return
    terms = (review.snapshot or {}).get("terms") or product_terms(product=review.product)
    version = TermsVersion.objects.create(product=review.product, version=1, effective_from=timezone.localdate(),
                                          terms=terms, review=review, applied_at=timezone.now())
    audit_record(action=ChangeAuditAction.VERSION_CREATED, actor=user, product=review.product, obj=version,
                 to_value=f"v1 {version.effective_from.isoformat()}")


def terms_version_initial_ensure(*, product: Product) -> TermsVersion:
    """Version 1 of a product launched before versions existed: its current terms, from its launch."""
    first = product.terms_versions.order_by("version").first()
    if first is not None:
        return product.terms_versions.order_by("-version").first()
    launch = GateReview.objects.filter(product=product, process=STAGE_GATE, to_stage=S.MARKETING,
                                       status=GateReviewStatus.APPROVED).order_by("-decided_at").first()
    start = timezone.localdate(launch.decided_at) if launch and launch.decided_at else timezone.localdate(
        product.created_at)
    return TermsVersion.objects.create(product=product, version=1, effective_from=start,
                                       terms=product_terms(product=product), review=launch,
                                       applied_at=timezone.now())


@transaction.atomic
def terms_versions_activate(*, today: date | None = None) -> int:
    """Write onto their products the versions whose day has come (safe to re-run: each is applied once)."""
    today = today or timezone.localdate()
    due = TermsVersion.objects.select_for_update().filter(applied_at__isnull=True, effective_from__lte=today)
    count = 0
    for version in due.order_by("product_id", "version"):
        product = Product.objects.select_for_update().get(pk=version.product_id)
        _version_activate(version=version, product=product)
        count += 1
    return count


# --- Proposed terms ----------------------------------------------------------------------------------------------

def _storable(text) -> bool:
    """Text PostgreSQL can store: no NUL character, no lone surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _storable_term(value, *, is_list: bool) -> bool:
    """A term value of the right JSON kind: a list of texts for features, else text, a number or null."""
    if is_list:
        return isinstance(value, list) and all(isinstance(v, str) and _storable(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
        return False
    return not isinstance(value, str) or _storable(value)


def _term_errors(*, product: Product, base: dict, terms) -> tuple[dict, dict]:
    """(the proposed terms normalised like product_terms, errors by term field) under the product's own rules."""
    if not isinstance(terms, dict):
        return {}, {"terms": [_("条款必须是对象。")]}
    errors: dict[str, list[str]] = {name: [_("未知的条款字段。")] for name in terms if name not in TERM_FIELDS}
    candidate = Product(**{f.attname: getattr(product, f.attname) for f in product._meta.concrete_fields})
    merged = {**base, **{k: v for k, v in terms.items() if k in TERM_FIELDS}}
    for name, value in merged.items():
        if name == "sales_channels":
            continue
        field = product._meta.get_field(name)
        if value is None and not field.null and not field.choices and name != "features":
            value = ""  # clearing a text term
        if name in terms and not _storable_term(value, is_list=name == "features"):
            errors.setdefault(name, []).append(_("无效的取值。"))
            continue
        try:
            setattr(candidate, name, field.to_python(value))
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)
    channels = merged.get("sales_channels", [])
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        errors["sales_channels"] = [_("销售渠道必须是渠道代码的列表。")]
    elif set(channels) - set(SalesChannel.objects.values_list("code", flat=True)):
        errors["sales_channels"] = [_("未知的销售渠道代码。")]
    try:
        candidate.full_clean(exclude=[f.name for f in product._meta.concrete_fields
                                      if f.name not in TERM_FIELDS or f.name in errors], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            if name in TERM_FIELDS:
                errors.setdefault(name, []).extend(messages)
    if errors:
        return {}, errors
    normalised = {name: audit_value(getattr(candidate, name)) for name in TERM_FIELDS if name != "sales_channels"}
    normalised["sales_channels"] = sorted(set(channels))
    return normalised, {}


def _change_data_errors(*, product: Product, base: dict, data: dict) -> tuple[dict, dict]:
    """Validate a change's body; returns (clean values, errors keyed by body field; term errors nested)."""
    errors: dict = {}
    clean: dict = {}
    summary = (data.get("summary") or "").strip()
    if not summary or len(summary) > 200:
        errors["summary"] = [_("请填写 1–200 字的变更概述。")]
    clean["summary"] = summary
    if data.get("reason") not in ChangeReason.values:
        errors["reason"] = [_("无效的变更原因。")]
    clean["reason"] = data.get("reason")
    proposed, term_errors = _term_errors(product=product, base=base, terms=data.get("terms", {}))
    if term_errors:
        errors["terms"] = term_errors
    else:
        changed = [name for name in TERM_FIELDS if name in data.get("terms", {}) and proposed[name] != base.get(name)]
        if not changed:
            errors["terms"] = [_("没有任何条款发生变化。")]
        clean["terms"] = {name: proposed[name] for name in changed}
        clean["diff"] = [{"field": name, "old": base.get(name), "new": proposed[name]} for name in changed]
    requirement_ids = data.get("requirements", [])
    found = set(Requirement.objects.filter(product=product, pk__in=requirement_ids).values_list("pk", flat=True))
    if set(requirement_ids) - found:
        errors["requirements"] = [_("需求 %(ids)s 不属于该产品。") % {
            "ids": ", ".join(str(i) for i in sorted(set(requirement_ids) - found))}]
    clean["requirements"] = sorted(found)
    clean["pilot"] = bool(data.get("pilot", False))
    plan = data.get("pilot_plan")
    clean["pilot_plan"] = None
    if plan is not None and not isinstance(plan, dict):
        errors["pilot_plan"] = [_("试点计划必须是对象。")]
    elif plan and clean["pilot"]:
        stored, plan_errors = _plan_clean(plan)
        if plan_errors:
            errors["pilot_plan"] = plan_errors
        clean["pilot_plan"] = stored
    effective_from = data.get("effective_from")
    if effective_from is not None and effective_from < timezone.localdate():
        errors["effective_from"] = [_("生效日不能早于今天。")]
    clean["effective_from"] = effective_from
    return clean, errors


def change_base_terms(*, product: Product) -> dict:
    """What a new change is compared with: the latest version's terms (the product's own before any version)."""
    latest = product.terms_versions.order_by("-version").first()
    return dict(latest.terms) if latest else product_terms(product=product)


# --- Change requests ---------------------------------------------------------------------------------------------

def change_can_edit(*, user, change: Change) -> bool:
    """Those who may edit the product create, edit, submit, pilot, roll out and withdraw its changes."""
    return product_can_edit(user=user, product=change.product)


def change_can_submit(*, user, change: Change) -> bool:
    """Who sends a change to review: the change process decides, as the engine does on submission."""
    return get_process(CHANGE_PROCESS).can_submit(user=user, subject=change)


def _locked(*, change: Change) -> tuple[Product, Change]:
    product = Product.objects.select_for_update().get(pk=change.product_id)
    change = Change.objects.select_for_update().get(pk=change.pk)
    change.product = product
    return product, change


@transaction.atomic
def change_create(*, user, product: Product, data: dict) -> Change:
    """Propose a change of a launched product's terms (a draft); refused before launch and while another runs."""
    if not product_can_edit(user=user, product=product):
        raise PermissionDenied(_("您无权为该产品提出条款变更。"))
    product = Product.objects.select_for_update().get(pk=product.pk)
    if not terms_frozen(product=product):
        raise DomainConflict(ChangeError.TERMS_NOT_FROZEN)
    if selectors.open_change_exists(product=product):
        raise DomainConflict(ChangeError.CHANGE_OPEN)
    terms_version_initial_ensure(product=product)
    base = change_base_terms(product=product)
    clean, errors = _change_data_errors(product=product, base=base, data=data)
    if errors:
        raise FieldValidationError(errors)
    requirements = clean.pop("requirements")
    try:
        with transaction.atomic():
            change = Change.objects.create(product=product, base_terms=base, created_by=user, **clean)
    except IntegrityError as error:  # the partial unique constraint behind the row lock
        raise DomainConflict(ChangeError.CHANGE_OPEN) from error
    change.requirements.set(requirements)
    audit_record(action=ChangeAuditAction.CREATED, actor=user, product=product, obj=change,
                 to_value=change.summary, changes=change.diff)
    return change


@transaction.atomic
def change_update(*, user, change: Change, data: dict) -> Change:
    """Edit a draft (fields not sent keep their values)."""
    product, change = _locked(change=change)
    if not change_can_edit(user=user, change=change):
        raise PermissionDenied(_("您无权修改该条款变更。"))
    if change.status != ChangeStatus.DRAFT:
        raise DomainConflict(ChangeError.NOT_DRAFT)
    current = {"summary": change.summary, "reason": change.reason, "terms": change.terms, "pilot": change.pilot,
               "effective_from": change.effective_from, "pilot_plan": _plan_as_input(change.pilot_plan),
               "requirements": list(change.requirements.values_list("pk", flat=True))}
    base = change_base_terms(product=product)
    clean, errors = _change_data_errors(product=product, base=base, data={**current, **data})
    if errors:
        raise FieldValidationError(errors)
    requirements = clean.pop("requirements")
    for name, value in clean.items():
        setattr(change, name, value)
    change.base_terms = base
    change.save()
    change.requirements.set(requirements)
    audit_record(action=ChangeAuditAction.UPDATED, actor=user, product=product, obj=change, changes=change.diff)
    return change


@transaction.atomic
def change_submit(*, user, change: Change) -> Change:
    """Open the change's review in the engine (risk, compliance, finance, legal if expanded, senior management)."""
    product, change = _locked(change=change)
    if not change_can_edit(user=user, change=change):
        raise PermissionDenied(_("您无权提交该条款变更。"))
    if change.status != ChangeStatus.DRAFT:
        raise DomainConflict(ChangeError.NOT_DRAFT)
    if change.pilot and not change.pilot_plan:
        # The pilot is part of what is approved: its scope, window and criteria go to the reviewers.
        raise FieldValidationError({"pilot_plan": [_("需要试点的变更须在提交前写明试点范围、期间和标准。")]})
    review = review_submit(process=CHANGE_PROCESS, subject=change, user=user)
    change.submit()
    change.review = review
    change.save()
    audit_record(action=ChangeAuditAction.SUBMITTED, actor=user, product=product, obj=change,
                 from_value=ChangeStatus.DRAFT, to_value=ChangeStatus.SUBMITTED, comment=change.summary)
    return change


def proposed_terms(*, change: Change) -> dict:
    """The full terms the change would put in force: the latest version's, with the change's fields."""
    return {**change_base_terms(product=change.product), **change.terms}


@transaction.atomic
def change_on_approved(*, review: GateReview, user) -> None:
    """Every department approved: without a pilot the terms become the next version; with one, it waits."""
    change = Change.objects.select_for_update().get(pk=review.subject_id)
    change.product = review.product
    change.approve()
    change.decided_at = timezone.now()
    if not change.pilot:
        today = timezone.localdate()
        change.version = _version_create(product=review.product, terms=proposed_terms(change=change),
                                         effective_from=max(change.effective_from or today, today), review=review,
                                         user=user)
        change.closed_at = change.decided_at
    change.save()
    audit_record(action=ChangeAuditAction.APPROVED, actor=user, product=review.product, obj=change,
                 from_value=ChangeStatus.SUBMITTED, to_value=ChangeStatus.APPROVED)


@transaction.atomic
def change_on_rejected(*, review: GateReview, user) -> None:
    change = Change.objects.select_for_update().get(pk=review.subject_id)
    change.reject()
    change.decided_at = change.closed_at = timezone.now()
    change.save()
    audit_record(action=ChangeAuditAction.REJECTED, actor=user, product=review.product, obj=change,
                 from_value=ChangeStatus.SUBMITTED, to_value=ChangeStatus.REJECTED)


# --- Pilot and rollout ---------------------------------------------------------------------------------------------

def _codes_errors(value, allowed: set[str] | None, message: str) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_SCOPE_ITEMS or not all(
            isinstance(v, str) and v.strip() and len(v) <= 100 and "\x00" not in v for v in value):
        return [_("必须是不超过 %(n)s 项的文字列表。") % {"n": MAX_SCOPE_ITEMS}]
    if allowed is not None and set(value) - allowed:
        return [message]
    return []


def _pilot_errors(data: dict) -> tuple[dict, list]:
    errors: dict = {}
    for key, allowed, message in (
            ("regions", None, ""),
            ("segments", set(CustomerSegment.values), _("未知的客群代码。")),
            ("channels", set(SalesChannel.objects.values_list("code", flat=True)), _("未知的销售渠道代码。"))):
        problems = _codes_errors(data.get(key, []), allowed, message)
        if problems:
            errors[key] = problems
    start, end = data.get("start"), data.get("end")
    if not isinstance(start, date):
        errors["start"] = [_("请填写试点开始日。")]
    if not isinstance(end, date):
        errors["end"] = [_("请填写试点结束日。")]
    elif isinstance(start, date) and end <= start:
        errors["end"] = [_("试点结束日必须晚于开始日。")]
    criteria = data.get("criteria") or []
    if not criteria:
        errors["criteria"] = [_("至少需要一项试点标准。")]
        return errors, []
    if len(criteria) > MAX_CRITERIA:
        errors["criteria"] = [_("试点标准最多 %(n)s 项。") % {"n": MAX_CRITERIA}]
        return errors, []
    metrics = {m.code: m for m in Metric.objects.filter(code__in=[c.get("metric") for c in criteria
                                                                  if isinstance(c.get("metric"), str)])}
    rows, per_index = [], {}
    for index, item in enumerate(criteria):
        problems = {}
        if item.get("metric") not in metrics:
            problems["metric"] = [_("未知指标代码。")]
        if item.get("op") not in CriterionOp.values:
            problems["op"] = [_("比较必须是 >= 或 <=。")]
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value or abs(value) > 1e15:
            problems["value"] = [_("阈值必须是数字。")]
        if problems:
            per_index[str(index)] = problems
        else:
            rows.append(PilotCriterion(metric=metrics[item["metric"]], op=item["op"], value=float(value),
                                       position=index))
    if per_index:
        errors["criteria"] = per_index
    return errors, rows


def _plan_clean(plan: dict) -> tuple[dict | None, dict]:
    """A stated pilot plan as stored JSON (dates in ISO, criteria by metric code), or its errors by field."""
    errors, criteria = _pilot_errors(plan)
    if errors:
        return None, errors
    return {"regions": sorted(set(plan.get("regions", []))), "segments": sorted(set(plan.get("segments", []))),
            "channels": sorted(set(plan.get("channels", []))), "start": plan["start"].isoformat(),
            "end": plan["end"].isoformat(),
            "criteria": [{"metric": c.metric.code, "op": c.op, "value": c.value} for c in criteria]}, {}


def _plan_as_input(plan: dict | None) -> dict | None:
    """A stored plan in the shape the validation reads (dates as dates)."""
    if not plan:
        return None
    return {**plan, "start": date.fromisoformat(plan["start"]), "end": date.fromisoformat(plan["end"])}


def _stricter_or_equal(op: str, value: float, approved: float) -> bool:
    return value >= approved if op == CriterionOp.GTE else value <= approved


def _outside_plan(*, plan: dict, pilot: dict, approved_on: date) -> dict:
    """What a pilot adds to its approved plan: scope outside it, a window outside it or before the approval, an
    approved criterion dropped or loosened. Errors keyed by field (empty when within the plan)."""
    errors: dict = {}
    for key in ("regions", "segments", "channels"):
        if not plan[key]:  # the plan does not restrict this dimension
            continue
        extra = sorted(set(pilot.get(key) or []) - set(plan[key]))
        if extra:
            errors[key] = [_("超出审批的试点范围：%(items)s。") % {"items": ", ".join(extra)}]
        elif not pilot.get(key):  # an empty list would mean "everywhere"
            errors[key] = [_("须在审批的试点范围内选择：%(items)s。") % {"items": ", ".join(plan[key])}]
    start, end = date.fromisoformat(plan["start"]), date.fromisoformat(plan["end"])
    if pilot["start"] < approved_on:
        errors["start"] = [_("试点不能早于审批通过日 %(day)s 开始。") % {"day": approved_on.isoformat()}]
    elif pilot["start"] < start:
        errors["start"] = [_("试点须在审批的期间 %(start)s – %(end)s 内。") % {"start": start, "end": end}]
    if pilot["end"] > end:
        errors["end"] = [_("试点须在审批的期间 %(start)s – %(end)s 内。") % {"start": start, "end": end}]
    given = pilot.get("criteria") or []
    missing = [c for c in plan["criteria"] if not any(
        g.get("metric") == c["metric"] and g.get("op") == c["op"] and isinstance(g.get("value"), int | float)
        and _stricter_or_equal(c["op"], g["value"], c["value"]) for g in given)]
    if missing:
        errors["criteria"] = [_("不能删除或放宽审批的试点标准：%(items)s。") % {
            "items": "; ".join(f"{c['metric']} {c['op']} {c['value']:g}" for c in missing)}]
    return errors


@transaction.atomic
def change_pilot_start(*, user, change: Change, data: dict) -> Change:
    """Start the pilot of an approved change as approved: its plan's scope (regions, segments, channels), window
    and criteria. What the body gives may narrow the plan (a smaller scope, a shorter window, stricter criteria),
    never widen it; the window starts no earlier than the approval."""
    product, change = _locked(change=change)
    if not change_can_edit(user=user, change=change):
        raise PermissionDenied(_("您无权安排该变更的试点。"))
    if change.status != ChangeStatus.APPROVED or not change.pilot:
        raise DomainConflict(ChangeError.NOT_APPROVED)
    if not change.pilot_plan:
        raise DomainConflict(ChangeError.PILOT_PLAN_MISSING)
    # What the body leaves out is the plan's.
    data = {**_plan_as_input(change.pilot_plan), **{k: v for k, v in data.items() if v is not None}}
    errors, criteria = _pilot_errors(data)
    if not errors:
        errors = _outside_plan(plan=change.pilot_plan, pilot=data, approved_on=timezone.localdate(change.decided_at))
    if errors:
        raise FieldValidationError(errors)
    change.regions, change.segments, change.channels = (sorted(set(data.get(k, []))) for k in
                                                        ("regions", "segments", "channels"))
    change.pilot_start, change.pilot_end = data["start"], data["end"]
    change.start_pilot()
    change.save()
    for row in criteria:
        row.change = change
    PilotCriterion.objects.bulk_create(criteria)
    audit_record(action=ChangeAuditAction.PILOT_STARTED, actor=user, product=product, obj=change,
                 from_value=ChangeStatus.APPROVED, to_value=ChangeStatus.PILOTING,
                 comment=f"{change.pilot_start} – {change.pilot_end}: " + "; ".join(
                     f"{c.metric.name} {CriterionOp(c.op).label} {c.value:g}" for c in criteria))
    return change


@transaction.atomic
def change_rollout(*, user, change: Change, override_reason: str | None = None) -> Change:
    """Roll the piloted terms out as the next version, once every criterion is met; senior management alone may
    override unmet criteria with a reason (audited)."""
    product, change = _locked(change=change)
    if override_reason is not None and not is_senior_management(user):
        raise PermissionDenied(_("只有高层可以越过试点标准全面推广。"))
    if override_reason is None and not change_can_edit(user=user, change=change):
        raise PermissionDenied(_("您无权全面推广该变更。"))
    if override_reason is not None and not override_reason.strip():
        raise ValidationError({"override_reason": _("请填写越过试点标准的理由。")})
    if change.status != ChangeStatus.PILOTING:
        raise DomainConflict(ChangeError.NOT_PILOTING)
    conditions_guard(review=change.review)  # the approval's conditions come before the rollout (409)
    failing = [{"metric": c["metric"], "op": c["op"], "value": c["value"], "actual": c["actual"]}
               for c in selectors.criteria_with_actuals(change=change) if c["met"] is not True]
    if failing and override_reason is None:
        raise CriteriaNotMet(failing)
    change.version = _version_create(product=product, terms=proposed_terms(change=change),
                                     effective_from=timezone.localdate(), review=change.review, user=user)
    change.roll_out()
    change.override_reason = (override_reason or "").strip()
    change.closed_at = timezone.now()
    change.save()
    if override_reason is not None:
        audit_record(action=ChangeAuditAction.OVERRIDDEN, actor=user, product=product, obj=change,
                     comment=change.override_reason, to_value="; ".join(f"{f['metric']} {f['op']} {f['value']:g}"
                                                                         for f in failing))
    audit_record(action=ChangeAuditAction.ROLLED_OUT, actor=user, product=product, obj=change,
                 from_value=ChangeStatus.PILOTING, to_value=f"v{change.version.version}")
    return change


@transaction.atomic
def change_withdraw(*, user, change: Change, reason: str) -> Change:
    """Abandon a draft, an approved change waiting for its pilot, or a pilot; the terms stay unchanged."""
    product, change = _locked(change=change)
    if not change_can_edit(user=user, change=change):
        raise PermissionDenied(_("您无权撤回该条款变更。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("撤回必须填写理由。")})
    if not can_proceed(change.withdraw):
        raise DomainConflict(ChangeError.NOT_WITHDRAWABLE)
    old = change.status
    change.withdraw()
    change.withdraw_reason = reason
    change.closed_at = timezone.now()
    change.save()
    audit_record(action=ChangeAuditAction.WITHDRAWN, actor=user, product=product, obj=change, from_value=old,
                 to_value=ChangeStatus.WITHDRAWN, comment=reason)
    return change

