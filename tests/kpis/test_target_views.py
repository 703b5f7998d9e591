"""The targets page: a head of product spreads an annual target or imports plans; others are refused."""
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.models import Metric, Target
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def plan_post(**overrides):
    data = {"product": "", "category": "", "metric": Metric.objects.get(code="revenue").pk, "year": 2027,
            "annual_value": "1200", "granularity": "month", "warning_pct": "95", "critical_pct": "85"}
    return {**data, **overrides}


def test_head_of_product_spreads_a_category_target_from_the_page(client, head):
    products = [ProductFactory(category="loan") for _ in range(3)]
    client.force_login(head)
    response = client.post("/kpis/targets/", plan_post(category="loan"))
    assert response.status_code == 302
    assert all(Target.objects.filter(product=p, granularity="month").count() == 12 for p in products)
    page = client.get(response.url).content.decode()
    assert f'data-product="{products[0].code}"' in page


def test_a_plan_without_product_or_category_is_refused_on_the_field_and_keeps_the_input(client, head):
    client.force_login(head)
    response = client.post("/kpis/targets/", plan_post(annual_value="3456"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "请选择一个产品或一个产品类别（二选一）。" in page and 'value="3456"' in page
    assert not Target.objects.filter(period_start__year=2027).exists()


def test_the_page_is_refused_to_a_product_manager(client, pm):
    client.force_login(pm)
    assert client.get("/kpis/targets/").status_code == 403
    assert client.post("/kpis/targets/", plan_post(category="loan")).status_code == 403


def test_import_with_chinese_headers_and_labels_sets_the_targets(client, head):
    product = ProductFactory(code="CC-950", category="credit_card")
    body = "产品代码,产品类别,指标代码,年份,年度目标,分解到,关注阈值%,预警阈值%\nCC-950,,revenue,2027,1200,月度,95,85\n"
    client.force_login(head)
    response = client.post("/kpis/targets/", {"action": "import", "file": SimpleUploadedFile(
        "targets.csv", body.encode("utf-8"), content_type="text/csv")})
    assert response.status_code == 302
    assert Target.objects.filter(product=product).count() == 12


def test_import_errors_are_listed_per_row_and_nothing_is_written(client, head):
    ProductFactory(code="CC-951")
    body = ("product,metric,year,annual_target,granularity,warning_pct,critical_pct\n"
            "CC-951,revenue,2027,1200,month,95,85\nCC-951,nope,2027,1200,month,95,85\n")
    client.force_login(head)
    response = client.post("/kpis/targets/", {"action": "import", "file": SimpleUploadedFile(
        "t.csv", body.encode(), content_type="text/csv")})
    page = response.content.decode()
    assert response.status_code == 400 and 'data-row="3"' in page and "未知指标代码。" in page
    assert not Target.objects.filter(product__code="CC-951").exists()


def test_navigation_offers_the_targets_page_to_a_head_of_product_in_english(client, head):
    client.force_login(head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/kpis/targets/").content.decode()
    assert 'id="nav-targets"' in page and "KPI targets" in page
