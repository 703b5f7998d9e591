"""factory_boy factories shared by every app's tests."""
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from accounts.models import Department
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

def lifecycle_defaults():
    """Departments, channels, templates and gate policy: transactional tests flush the migrations' seed rows.

    Rows are put back with the ids the migrations gave them, since some tests address channels by id.
    """
    from importlib import import_module

    from lifecycle.defaults import seed_defaults
    from lifecycle.models import DeliverableTemplate, GatePolicy

    departments = import_module("accounts.migrations.0002_departments").DEPARTMENTS
    for pk, (code, name, name_en) in enumerate(departments, start=1):
        if not Department.objects.filter(code=code).exists():
            Department.objects.create(pk=pk, code=code, name=name, name_en=name_en)
    for pk, code in enumerate(import_module("products.migrations.0002_sales_channels").CHANNELS, start=1):
        if not SalesChannel.objects.filter(code=code).exists():
            SalesChannel.objects.create(pk=pk, code=code)
    seed_defaults(DeliverableTemplate, GatePolicy)
    from django.apps import apps

    import_module("changes.migrations.0002_seed_change_policy").seed(apps, None)


def reviewer_for(department, username=None, role="reviewer"):
    """A reviewer of one department (senior management for that department)."""
    if department == "senior_management":
        role = "senior_management"
    return UserFactory(username=username or f"{department}_rev", role=role, departments=[department])


def complete_deliverables(product, user=None):
    """Tick every deliverable of the product's current stage through the service."""
    from lifecycle import services
    from lifecycle.models import Deliverable

    services.deliverables_ensure(product=product)
    for item in Deliverable.objects.filter(product=product, stage=product.stage, status="open"):
        services.deliverable_update(user=user or product.owner, deliverable=item, status="done")
# --- requirements ---
import datetime as _dt  # noqa: E402

from requirements.models import Comment, Feedback, ProductVersion, Requirement  # noqa: E402


class ProductVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVersion

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"v{n}.0")
    planned_date = factory.LazyFunction(lambda: _dt.date.today() + _dt.timedelta(days=60))


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
    received_on = factory.LazyFunction(_dt.date.today)
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
