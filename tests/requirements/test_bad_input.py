"""Bad input gets a 4xx or an ignored filter with a clear message, never a 500."""
import pytest
from django.core.exceptions import ValidationError

from requirements import services
from requirements.models import Requirement
from tests.factories import ProductFactory, RequirementFactory
from tests.helpers import api

pytestmark = pytest.mark.django_db

# Characters str.isdigit() accepts but int() refuses.
NOT_AN_ID = "²"


@pytest.mark.parametrize("url", [
    f"/requirements/?product={NOT_AN_ID}",
    f"/requirements/?q={NOT_AN_ID}",
    f"/requirements/?q=%23{NOT_AN_ID}",
    f"/requirements/board/?product={NOT_AN_ID}",
    f"/requirements/new/?product={NOT_AN_ID}",
    f"/requirements/export/?product={NOT_AN_ID}",
])
def test_pages_do_not_fail_on_digit_like_ids(client, pm, url):
    client.force_login(pm)
    assert client.get(url).status_code in (200, 404)


def test_bulk_action_ignores_digit_like_ids(client, pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    client.force_login(pm)
    response = client.post("/requirements/bulk/", {"ids": [NOT_AN_ID, str(requirement.pk)], "action": "set_priority",
                                                    "value_set_priority": "P0"})
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.priority == "P0"


@pytest.mark.parametrize("action", ["assign", "schedule"])
def test_bulk_assign_or_schedule_with_a_digit_like_value_is_a_validation_error(pm, action):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    with pytest.raises(ValidationError):
        services.requirement_bulk_update(user=pm, requirements=[requirement.pk], action=action, value=NOT_AN_ID)


def test_feedback_convert_page_ignores_digit_like_ids(client, pm):
    client.force_login(pm)
    response = client.post("/requirements/feedback/convert/", {"feedback": [NOT_AN_ID], "title": "x"})
    assert response.status_code == 302


def test_api_bulk_create_with_a_digit_like_product_reports_the_item(pm):
    response = api(pm).post("/api/v1/requirements/bulk/", [{"product": NOT_AN_ID, "title": "x", "source": "internal"}],
                           format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 0
    assert not Requirement.objects.exists()


def test_bulk_create_service_reports_an_item_without_product(pm):
    product = ProductFactory(owner=pm)
    items = [{"product": product, "title": "a", "source": "internal"}, {"title": "b", "source": "internal"}]
    with pytest.raises(services.BulkValidationError) as caught:
        services.requirement_bulk_create(user=pm, items=items)
    assert caught.value.errors[0]["index"] == 1
    assert "product" in caught.value.errors[0]["errors"]
    assert not Requirement.objects.exists()


@pytest.mark.parametrize("body", [{"a": 1}, []])
def test_api_bulk_body_errors_are_translated(pm, body, settings):
    client = api(pm)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/api/v1/requirements/bulk/", body, format="json")
    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    assert message.isascii(), message


@pytest.mark.parametrize("url, first_column", [
    ("/requirements/export/?format=pdf&status=bogus", "id"),
    ("/requirements/feedback/export/?format=pdf&channel=bogus", "id"),
])
def test_export_with_an_unknown_format_and_invalid_filters_gives_a_csv_of_headers(client, pm, url, first_column):
    RequirementFactory(product=ProductFactory(owner=pm))
    client.force_login(pm)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff" + first_column)
    assert len(text.strip().splitlines()) == 1
