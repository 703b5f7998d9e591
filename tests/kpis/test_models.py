"""Target.clean: a critical threshold must be worse than the warning one (higher for a risk limit, lower for a
growth metric). The admin is the path that writes targets by hand; it must refuse the same rows."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kpis.models import Target
from tests.factories import ProductFactory, metric
from tests.helpers import assert_unchanged, login

pytestmark = pytest.mark.django_db


def a_target(code, warning, critical, period_start="2026-10-01"):
    return Target(product=ProductFactory(), metric=metric(code), granularity="month", period_start=period_start,
                  target_value=1.5, warning_threshold=warning, critical_threshold=critical)


@pytest.mark.parametrize(("code", "warning", "critical"), [
    ("default_rate", 1.8, 1.7),  # a risk limit whose critical level is below its warning level
    ("revenue", 90, 95),  # a growth metric whose critical level is above its warning level
])
def test_a_critical_threshold_better_than_the_warning_is_refused(code, warning, critical):
    with pytest.raises(ValidationError) as error:
        a_target(code, warning, critical).full_clean()
    assert list(error.value.message_dict) == ["critical_threshold"]


@pytest.mark.parametrize(("code", "warning", "critical"), [
    ("default_rate", 1.8, 2.0), ("default_rate", 1.8, 1.8), ("revenue", 90, 80), ("revenue", 90, 90),
])
def test_a_critical_threshold_worse_than_or_equal_to_the_warning_is_accepted(code, warning, critical):
    a_target(code, warning, critical).full_clean()


def test_a_period_start_that_is_not_the_first_day_is_refused():
    with pytest.raises(ValidationError) as error:
        a_target("revenue", 90, 80, period_start="2026-10-02").full_clean()
    assert "period_start" in error.value.message_dict


def admin_form(product, code, warning, critical):
    return {"product": product.pk, "metric": metric(code).pk, "granularity": "month", "period_start": "2026-10-01",
            "target_value": "1.5", "warning_threshold": str(warning), "critical_threshold": str(critical)}


def test_the_admin_refuses_a_risk_limit_with_its_thresholds_reversed_and_stores_nothing(client, admin_user):
    product = ProductFactory()
    with assert_unchanged(Target):
        response = login(client, admin_user).post(reverse("admin:kpis_target_add"),
                                                  admin_form(product, "default_rate", 2.0, 1.8))
    assert response.status_code == 200
    assert "critical_threshold" in response.context["adminform"].form.errors


def test_the_admin_refuses_reversing_the_thresholds_of_an_existing_target(client, admin_user):
    product = ProductFactory()
    existing = Target.objects.create(product=product, metric=metric("default_rate"), granularity="month",
                                     period_start="2026-10-01", target_value=1.5, warning_threshold=1.8,
                                     critical_threshold=2.0)
    with assert_unchanged(Target):
        response = login(client, admin_user).post(reverse("admin:kpis_target_change", args=[existing.pk]),
                                                  admin_form(product, "default_rate", 2.0, 1.8))
    assert response.status_code == 200


def test_the_admin_stores_a_risk_limit_with_its_thresholds_in_order(client, admin_user):
    product = ProductFactory()
    response = login(client, admin_user).post(reverse("admin:kpis_target_add"),
                                              admin_form(product, "default_rate", 1.8, 2.0))
    assert response.status_code == 302
    stored = Target.objects.get(product=product)
    assert (stored.warning_threshold, stored.critical_threshold) == (1.8, 2.0)
