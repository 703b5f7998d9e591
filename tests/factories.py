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
