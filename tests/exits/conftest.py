import datetime as dt

import pytest
from django.utils import timezone

from exits import services
from tests.factories import (
    ProductFactory,
    RequirementFactory,
    exit_defaults,
)

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _defaults(request):
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames or request.node.get_closest_marker(
            "django_db"):
        exit_defaults()


@pytest.fixture
def product(owner):
    """An operating deposit product (30 days' notice)."""
    return ProductFactory(owner=owner, category="deposit", stage="operation", code="DEP-EXIT")


@pytest.fixture
def successor(owner):
    return ProductFactory(owner=owner, category="deposit", stage="operation", code="DEP-NEXT")


@pytest.fixture
def requirement(product):
    return RequirementFactory(product=product)


def plan_input(requirement=None, **overrides) -> services.PlanInput:
    values = {"reason": "客户持续流失。", "successor": None, "notice_date": TODAY,
              "close_date": TODAY + dt.timedelta(days=30),
              "segments": [{"name": "网点客户", "customers": 100}, {"name": "手机银行客户", "customers": 50}],
              "evidence": {"requirements": [requirement.pk]} if requirement else {}}
    values.update(overrides)
    return services.PlanInput(**values)


def save_plan(product, requirement=None, user=None, **overrides):
    return services.exit_plan_save(user=user or product.owner, product=product,
                                   data=plan_input(requirement, **overrides))


@pytest.fixture
def retiring(product, requirement):
    """The product in retirement with a plan (two segments) and its aftercare tasks."""
    plan = save_plan(product, requirement)
    # The stage is protected: move it in the database, as a fixture of a later stage (the gate has its own tests).
    type(product).objects.filter(pk=product.pk).update(stage="retirement")
    product = type(product).objects.get(pk=product.pk)
    services.exit_tasks_ensure(plan=plan, user=product.owner)
    return product


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()
