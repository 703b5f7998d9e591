"""A stage's checklist is written when the product is created, changes stage or a template is saved; never on
a read."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from lifecycle import services
from lifecycle.models import Deliverable, DeliverableTemplate
from products.services import product_create
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_a_product_created_through_the_service_starts_with_its_checklist(pm):
    product = product_create(user=pm, data={"code": "CHK-1", "name": "清单", "category": "deposit",
                                            "customer_segment": "mass_market", "risk_rating": "R1"})
    titles = list(Deliverable.objects.filter(product=product, stage="planning").values_list("title", flat=True))
    assert titles == ["市场调研报告", "产品策略与目标"]


def test_reading_the_deliverables_endpoint_writes_nothing(pm):
    product = ProductFactory(owner=pm)
    client = APIClient()
    client.force_authenticate(pm)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/products/{product.pk}/deliverables/").status_code == 200
    assert writes(queries) == []
    assert not Deliverable.objects.filter(product=product).exists()


def test_reading_the_product_page_writes_nothing(client, pm):
    product = ProductFactory(owner=pm)
    client.force_login(pm)
    client.get(product.get_absolute_url())  # the session and last_login are written on the first request
    with CaptureQueriesContext(connection) as queries:
        assert client.get(product.get_absolute_url()).status_code == 200
    assert writes(queries) == []


def test_saving_a_new_template_adds_its_item_to_products_in_that_stage(admin_user, pm):
    in_stage, elsewhere = ProductFactory(owner=pm), ProductFactory(owner=pm, stage="development")
    services.deliverables_ensure(product=in_stage)
    template = DeliverableTemplate(stage="planning", title="客群访谈纪要", title_en="Interview notes", position=9)
    services.deliverable_template_save(user=admin_user, template=template)
    assert Deliverable.objects.filter(product=in_stage, template=template).count() == 1
    assert not Deliverable.objects.filter(product=elsewhere, template=template).exists()


def test_saving_a_template_again_does_not_duplicate_items(admin_user, pm):
    product = ProductFactory(owner=pm)
    template = DeliverableTemplate.objects.filter(stage="planning").first()
    services.deliverables_ensure(product=product)
    services.deliverable_template_save(user=admin_user, template=template)
    assert Deliverable.objects.filter(product=product, template=template).count() == 1
