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
