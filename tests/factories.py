"""factory_boy factories shared by every app's tests."""
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Department
from approvals import services as approval_services
from products.models import Product, SalesChannel

PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@bank.example")
    role = "product_manager"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(Department.objects.filter(code__in=extracted))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"PRD-{n:05d}")
    name = factory.Sequence(lambda n: f"测试产品{n}")
    name_en = factory.Sequence(lambda n: f"Test product {n}")
    category = "deposit"
    owner = factory.SubFactory(UserFactory, role="product_manager")
    customer_segment = "mass_market"
    risk_rating = "R1"
    interest_rate = Decimal("1.5000")

    @factory.post_generation
    def sales_channels(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["branch", "mobile_banking"]
            self.sales_channels.set(SalesChannel.objects.filter(code__in=codes))


# --- lifecycle ---------------------------------------------------------------------------------------------------

REVIEW_DEPARTMENTS = ["risk", "compliance", "finance", "legal", "technology", "senior_management"]


def reviewers_by_department() -> dict:
    """One reviewer per reviewing department, keyed by department code (the `reviewers` fixture)."""
    return {code: reviewer_for(code) for code in REVIEW_DEPARTMENTS}


def reviewer_for(department, username=None, role="reviewer"):
    """A reviewer of one department (senior management for that department)."""
    if department == "senior_management":
        role = "senior_management"
    return UserFactory(username=username or f"{department}_rev", role=role, departments=[department])


def complete_deliverables(product, user=None):
    """Tick every deliverable of the product's current stage through the service; in development also register
    the risks the launch gate requires (the gate's other precondition)."""
    from lifecycle import services
    from lifecycle.models import Deliverable

    if product.stage == "development":
        complete_risk_register(product)

    services.deliverables_ensure(product=product)
    for item in Deliverable.objects.filter(product=product, stage=product.stage, status="open"):
        services.deliverable_update(user=user or product.owner, deliverable=item, status="done")


def approve_all(review, reviewers):
    """Approve every step of the review in policy order (senior management last), through the service."""

    for step in review.steps.order_by("position", "id"):
        approval_services.approval_step_decide(review=review, department=step.department,
                                               user=reviewers[step.department],
                                      decision="approve", comment="同意")


def advance_to(product, stage, reviewers):
    """Walk the product through approved gates until it reaches `stage`."""
    from lifecycle import services

    while product.stage != stage:
        complete_deliverables(product)
        review = services.gate_review_submit(product=product, user=product.owner)
        approve_all(review, reviewers)
        product.refresh_from_db()
    return product


# --- requirements ---
import datetime as _dt  # noqa: E402

from requirements.models import Comment, Feedback, ProductVersion, Requirement  # noqa: E402


class ProductVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVersion

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"v{n}.0")
    planned_date = factory.LazyFunction(lambda: timezone.localdate() + _dt.timedelta(days=60))


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"测试需求{n}")
    description = "客户希望在手机银行中完成操作。"
    source = "customer_feedback"
    type = "feature"
    priority = "P2"
    reach = 1000
    impact = Decimal("1.00")
    confidence = 80
    effort = Decimal("2.0")
    created_by = factory.LazyAttribute(lambda r: r.product.owner)


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    product = factory.SubFactory(ProductFactory)
    channel = "hotline"
    customer_segment = "mass_market"
    text = factory.Sequence(lambda n: f"客户反馈内容{n}：转账限额太低。")
    sentiment = "negative"
    received_on = factory.LazyFunction(timezone.localdate)
    created_by = factory.LazyAttribute(lambda f: f.product.owner)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    requirement = factory.SubFactory(RequirementFactory)
    author = factory.LazyAttribute(lambda c: c.requirement.product.owner)
    body = "请补充业务规则。"


# --- kpis ---------------------------------------------------------------------------------------------------------
class MetricFactory(factory.django.DjangoModelFactory):
    """Extra metric definitions for tests; the bank's own metrics are seeded by a migration."""

    class Meta:
        model = "kpis.Metric"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test_metric_{n}")
    name = factory.Sequence(lambda n: f"测试指标{n}")
    name_en = factory.Sequence(lambda n: f"Test metric {n}")
    direction = "higher"
    family = "growth"
    aggregation = "sum"


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "kpis.Observation"

    product = factory.SubFactory(ProductFactory)
    metric = factory.LazyFunction(lambda: MetricFactory(code="revenue"))
    date = factory.Faker("date_object")
    value = 1.0


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "kpis.Target"

    product = factory.SubFactory(ProductFactory)
    metric = factory.LazyFunction(lambda: MetricFactory(code="revenue"))
    granularity = "month"
    target_value = 100.0
    warning_threshold = 90.0
    critical_threshold = 80.0


# --- risks ------------------------------------------------------------------------------------------------------

def risk_data(**overrides):
    """Valid fields of a low residual, mitigated risk (as the service takes them: owner and metric as objects)."""
    data = {"title": "操作失误导致放款错误", "category": "operational", "source": "product", "method": "qualitative",
            "likelihood": 3, "impact": 3, "response": "mitigate", "residual_likelihood": 2, "residual_impact": 2}
    data.update(overrides)
    return data


def a_control(**overrides):
    return {"description": "放款前双人复核", "type": "preventive", **overrides}


def make_risk(product, user=None, controls=None, **overrides):
    """Register a risk through the service (by the product's owner unless `user` is given)."""
    from risks.services import risk_create

    data = risk_data(**overrides)
    if controls is None:
        controls = [a_control()] if data["response"] in ("mitigate", "transfer") else []
    return risk_create(user=user or product.owner, product=product, data=data, controls=controls)


def complete_risk_register(product):
    """One assessed, low residual risk in each category the launch policy requires for the product."""
    from risks.services import requirements_for

    covered = set(product.risks.values_list("category", flat=True))
    for category in requirements_for(product=product):
        if category not in covered:
            make_risk(product, title=f"{category} 风险", category=category)


def metric(code):
    """A metric the migrations seeded, by code."""
    from kpis.models import Metric

    return Metric.objects.get(code=code)


def observe(product, code, day: str, value: float):
    """One observation of a seeded metric on an ISO date."""
    from kpis.models import Observation

    return Observation.objects.create(product=product, metric=metric(code), date=_dt.date.fromisoformat(day),
                                      value=value)


def target(product, code, period_start: str, value, warning, critical, granularity="month"):
    """A target with its warning and critical thresholds for a seeded metric."""
    from kpis.models import Target

    return Target.objects.create(product=product, metric=metric(code), granularity=granularity,
                                 period_start=_dt.date.fromisoformat(period_start), target_value=value,
                                 warning_threshold=warning, critical_threshold=critical)


def live_products(n, owner, prefix="P"):
    """`n` loans in operation with October 2026 revenue and a red default rate, their snapshots computed."""
    from kpis import services

    products = []
    for i in range(n):
        product = ProductFactory(code=f"{prefix}-{i}", owner=owner, category="loan", stage="operation")
        observe(product, "revenue", "2026-10-05", 10 + i)
        observe(product, "default_rate", "2026-10-05", 2.5)
        target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
        products.append(product)
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    return products


# --- exits --------------------------------------------------------------------------------------------------------
def exit_defaults():
    """Task templates and notice periods (transactional tests flush the migration's seed rows)."""
    from exits.defaults import seed_defaults
    from exits.models import ExitNoticePolicy, ExitTaskTemplate

    seed_defaults(ExitTaskTemplate, ExitNoticePolicy)


def exit_plan_ready(product, user=None, **overrides):
    """A complete exit plan written through the service: a reason, a requirement as evidence, dates a notice
    period apart and one segment of 10 customers (no successor unless given)."""
    import datetime as dt

    from exits import services

    exit_defaults()
    today = timezone.localdate()
    requirement = RequirementFactory(product=product)
    values = {"reason": "客户持续流失，产品退出。", "notice_date": today,
              "close_date": today + dt.timedelta(days=services.notice_days(category=product.category)),
              "segments": [{"name": "全部客户", "customers": 10}], "evidence": {"requirements": [requirement.pk]},
              **overrides}
    return services.exit_plan_save(user=user or product.owner, product=product, data=services.PlanInput(**values))


def exit_finish(product, user=None):
    """Every customer of the plan closed today and every aftercare task done, through the services."""

    from exits import services

    user = user or product.owner
    plan = product.exit_plan
    items = [{"segment": s.name, "date": timezone.localdate().isoformat(), "migrated": 0, "closed": s.customers}
             for s in plan.segments.all()]
    services.exit_progress_record(user=user, product=product, items=items)
    for task in plan.tasks.filter(status="open"):
        services.exit_task_update(user=user, task=task, status="done")


# --- roadmap --------------------------------------------------------------------------------------------------------
def noon(day: str):
    """Noon of an ISO day in the project's time zone."""
    import datetime as dt

    return timezone.make_aware(dt.datetime.fromisoformat(day) + dt.timedelta(hours=12))


def created_on(product, day: str):
    """The product as if created on `day`."""
    Product.objects.filter(pk=product.pk).update(created_at=noon(day))
    return product


def walked_product(owner, reviewers, stage: str, days: list[str], **fields):
    """A product created on days[0] that passed its gates on the following days (each submitted two days before
    it was decided), up to `stage`."""
    import datetime as dt

    from approvals.models import GateReview

    product = created_on(ProductFactory(owner=owner, **fields), days[0])
    advance_to(product, stage, reviewers)
    reviews = GateReview.objects.filter(product=product, process="stage_gate").order_by("submitted_at", "id")
    for review, day in zip(reviews, days[1:], strict=True):
        GateReview.objects.filter(pk=review.pk).update(submitted_at=noon(day) - dt.timedelta(days=2),
                                                       decided_at=noon(day))
    product.refresh_from_db()
    return product


def region(code="east", name="华东", name_en="East China", is_active=True):
    """A region of the reference list (regions are admin data, not seeded)."""
    from kpis.models import Region

    return Region.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                             "is_active": is_active})[0]


def observe_in_pilot(product, code, day, value, region_code="sh", segment="youth", channel="mobile_banking"):
    """A dimensioned figure inside the tests' usual pilot scope (上海, youth, mobile banking)."""
    from kpis.models import DimensionObservation

    region(region_code, "上海", "Shanghai")
    return DimensionObservation.objects.create(product=product, metric=metric(code), date=day, value=value,
                                               region=region_code, segment=segment, channel=channel)


# --- The permission matrices' world (tests/api/test_permission_matrix.py, tests/pages/test_post_matrix.py) ---------

import uuid as _uuid  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402

# The roles of the permission matrices (API and pages): signed out, then each demo role.
ROLES = ["anonymous", "owner_pm", "other_pm", "risk", "finance", "executive", "head", "admin"]


@_dataclass
class World:
    users: dict
    product: object  # owned by owner_pm, a gate review open
    spare: object  # owned by owner_pm, checklist done, no review
    deliverable: object
    review: object
    requirement: object
    version: object
    feedback: object
    snapshot: object
    alert: object
    task_run: object  # a computation the head asked for
    launched: object  # on sale (terms version 1), owned by owner_pm, no open change
    draft: object  # a draft change of another launched product
    approved: object  # an approved change with a pilot, waiting for it
    piloting: object  # a piloting change whose criterion is met
    risk: object  # a low residual risk of `product` (owned by owner_pm)
    pending_risk: object  # a high residual risk waiting for senior management's acceptance
    retiring: object  # in retirement, owned by owner_pm, with an exit plan and its aftercare tasks
    exit_task: object
    delegation: object  # the risk reviewer's substitute (m_risk_sub, also of risk) for the coming days
    condition: object  # an open condition the risk reviewer set on the approved change, owned by owner_pm
    complaint: object  # an open complaint about `product`
    complaint_feedback: object  # feedback of the complaint channel about `product`, not yet registered
    subscription: object  # a webhook subscription of the administrator, to an allow-listed local target
    delivery: object  # one of its deliveries
    waiver: object  # a required item of MX-W (owned by owner_pm) whose waiver owner_pm asked for
    periodic: object = None  # a periodic review of `launched`, opened by the system and being prepared


def permission_world() -> World:
    """One of each thing a role may be allowed or refused to act on, for the API's and the pages' matrices."""
    from approvals import delegations
    from approvals.models import Condition
    from changes import services as change_services
    from complaints import services as complaint_services
    from exits import services as exit_services
    from kpis import services as kpi_services
    from kpis.models import Alert, Snapshot, TaskRun
    from lifecycle import services as lifecycle_services

    users = {
        "owner_pm": UserFactory(username="m_owner", role="product_manager"),
        "other_pm": UserFactory(username="m_other", role="product_manager"),
        "risk": UserFactory(username="m_risk", role="reviewer", departments=["risk"]),
        "finance": UserFactory(username="m_finance", role="reviewer", departments=["finance"]),
        "executive": UserFactory(username="m_exec", role="senior_management", departments=["senior_management"]),
        "head": UserFactory(username="m_head", role="head_of_product"),
        "admin": UserFactory(username="m_admin", role="administrator", is_superuser=True, is_staff=True),
    }
    owner = users["owner_pm"]
    product = ProductFactory(code="MX-1", owner=owner, category="loan", risk_rating="R3")
    complete_deliverables(product)
    review = lifecycle_services.gate_review_submit(product=product, user=owner)
    spare = ProductFactory(code="MX-2", owner=owner, category="loan")
    complete_deliverables(spare)
    observe(product, "default_rate", "2026-10-10", 2.5)
    target(product, "default_rate", "2026-10-01", 1.5, 1.8, 2.0)
    kpi_services.kpi_snapshots_compute(period="2026-10", granularity="month")

    # Terms changes: one launched product per state (a product has at most one open change).
    reviewers = {"risk": users["risk"], "finance": users["finance"], "senior_management": users["executive"],
                 **{code: reviewer_for(code, username=f"m_{code}") for code in ("compliance", "legal", "technology")}}

    def launched_product(code):
        item = ProductFactory(code=code, owner=owner, category="credit_card", stage="operation", interest_rate=None,
                              fee="100.00")
        change_services.terms_version_initial_ensure(product=item)
        return item

    def change_of(item, **overrides):
        data = {"summary": "年费下调", "reason": "competitor", "terms": {"fee": "80"}, "requirements": [],
                "pilot": False, "effective_from": None, **overrides}
        return change_services.change_create(user=owner, product=item, data=data)

    def approved_change(item):
        plan = {"regions": [], "segments": [], "channels": [], "start": timezone.localdate() - _dt.timedelta(days=9),
                "end": timezone.localdate() + _dt.timedelta(days=30),
                "criteria": [{"metric": "csat", "op": ">=", "value": 80}]}
        change = change_services.change_submit(user=owner, change=change_of(item, pilot=True, pilot_plan=plan))
        approve_all(change.review, reviewers)
        # Approved ten days ago: the pilot below runs over figures already stored.
        type(change).objects.filter(pk=change.pk).update(decided_at=timezone.now() - _dt.timedelta(days=10))
        change.refresh_from_db()
        return change

    today = timezone.localdate()
    substitute = UserFactory(username="m_risk_sub", role="reviewer", departments=["risk"])
    approved = approved_change(launched_product("MX-C3"))
    piloting = approved_change(launched_product("MX-C4"))
    piloting = change_services.change_pilot_start(user=owner, change=piloting, data={
        "regions": ["上海"], "segments": ["youth"], "channels": ["mobile_banking"],
        "start": today - _dt.timedelta(days=5), "end": today + _dt.timedelta(days=20),
        "criteria": [{"metric": "csat", "op": ">=", "value": 80}]})
    observe_in_pilot(piloting.product, "csat", today, 85.0)  # criteria count the pilot's own scope

    # Exit runbook: a product in retirement with its plan and aftercare tasks (the stage is moved in the database,
    # as tests/exits does: the gate has its own tests).
    retiring = ProductFactory(code="MX-E", owner=owner, category="deposit", stage="operation")
    plan = exit_plan_ready(retiring)
    type(retiring).objects.filter(pk=retiring.pk).update(stage="retirement")
    retiring = type(retiring).objects.get(pk=retiring.pk)
    exit_services.exit_tasks_ensure(plan=plan, user=owner)
    subscription, delivery = webhook_fixture(users["admin"])
    waiving = ProductFactory(code="MX-W", owner=owner, category="loan")
    lifecycle_services.deliverables_ensure(product=waiving)
    waiver = lifecycle_services.deliverable_update(user=owner, deliverable=waiving.deliverables.filter(
        required=True).first(), status="waived", reason="沿用上一产品的调研")

    from reviews import services as review_services

    launched = launched_product("MX-C1")
    periodic = review_services._open(product=launched, trigger="scheduled", due_date=today + _dt.timedelta(days=20))
    return World(
        users=users, product=product, spare=spare, deliverable=product.deliverables.first(), review=review,
        requirement=RequirementFactory(product=product), version=ProductVersionFactory(product=product),
        feedback=FeedbackFactory(product=product), snapshot=Snapshot.objects.filter(product=product).first(),
        alert=Alert.objects.get(product=product),
        task_run=TaskRun.objects.create(id=_uuid.uuid4(), task=kpi_services.COMPUTE_TASK,
                                        arguments=["2026-10", "month"], started_by=users["head"]),
        launched=launched, periodic=periodic,
        draft=change_of(launched_product("MX-C2")), approved=approved, piloting=piloting,
        risk=make_risk(product), pending_risk=make_risk(product, title="集中度过高", likelihood=5, impact=5,
                                                        residual_likelihood=4, residual_impact=4),
        retiring=retiring, exit_task=plan.tasks.order_by("id").first(),
        delegation=delegations.delegation_create(user=users["risk"], delegate=substitute, starts_on=today,
                                                 ends_on=today + _dt.timedelta(days=3)),
        condition=Condition.objects.create(
            review=approved.review, step=approved.review.steps.get(department="risk"), product=approved.product,
            department="risk", action="补充压力测试", owner=owner, due=today + _dt.timedelta(days=30)),
        subscription=subscription, delivery=delivery,
        waiver=waiver,
        complaint=complaint_services.complaints_register(user=owner, items=[COMPLAINT])[0],
        complaint_feedback=FeedbackFactory(product=product, channel="complaint"),
    )


COMPLAINT = {"product": "MX-1", "received_on": "2026-10-02", "category": "fees", "severity": "medium",
             "description": "提前还款手续费未告知"}


def webhook_fixture(admin):
    from webhooks.models import AllowedNetwork, Delivery, Event, Subscription

    AllowedNetwork.objects.create(network="127.0.0.0/8", reason="matrix")
    subscription = Subscription.objects.create(owner=admin, name="核心系统", target_url="http://127.0.0.1:9/hook",
                                               events=["risk.accepted"])
    event = Event.objects.create(id=_uuid.uuid4(), type="risk.accepted", occurred_at=timezone.now(), data={})
    return subscription, Delivery.objects.create(event=event, subscription=subscription, status="failed")
