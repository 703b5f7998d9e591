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
    """Departments, deliverable templates and gate policy (transactional tests flush the migrations' seed rows)."""
    from accounts.choices import DepartmentCode
    from lifecycle.defaults import seed_defaults
    from lifecycle.models import DeliverableTemplate, GatePolicy

    for code in DepartmentCode:
        Department.objects.get_or_create(code=code, defaults={"name": code.label, "name_en": code.value})
    seed_defaults(DeliverableTemplate, GatePolicy)


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
