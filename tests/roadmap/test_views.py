"""The roadmap page, its XLSX export and the target-date form on the product page."""
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.utils import timezone

from products.models import Product
from roadmap.models import RoadmapPlan
from tests.factories import ProductFactory, UserFactory, created_on
from tests.factories import walked_product as walked
from tests.helpers import login, queries

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('id="roadmap-data">') + len('id="roadmap-data">')
    return json.loads(html[start:html.index("</script>", start)])


def test_the_page_draws_one_row_per_product_under_its_group(client, owner):
    ProductFactory(owner=owner, code="CARD-1", category="credit_card")
    ProductFactory(owner=owner, code="LOAN-1", category="loan")
    response = login(client, owner).get("/roadmap/?from=2026-01-01&to=2026-12-31&group=category")
    data = chart_data(response)
    assert data["rows"][1].startswith("CARD-1") and data["rows"][3].startswith("LOAN-1")
    assert data["headers"] == [0, 2] and data["rows"][0] == "信用卡 (1)"
    assert (data["from"], data["to"]) == ("2026-01-01", "2026-12-31")


def test_the_product_list_filters_apply(client, owner):
    ProductFactory(owner=owner, code="CARD-1", category="credit_card")
    ProductFactory(owner=owner, code="LOAN-1", category="loan")
    data = chart_data(login(client, owner).get("/roadmap/?category=loan"))
    assert [row.split()[0] for i, row in enumerate(data["rows"]) if i not in data["headers"]] == ["LOAN-1"]


def test_zoom_without_dates_shows_the_quarter_of_today(client, owner):
    ProductFactory(owner=owner)
    data = chart_data(login(client, owner).get("/roadmap/?zoom=quarter"))
    today = timezone.localdate()
    first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    assert (data["from"], data["zoom"]) == (first.isoformat(), "quarter")


def test_a_window_ending_before_it_starts_is_refused_with_the_reason(client, owner):
    ProductFactory(owner=owner)
    response = login(client, owner).get("/roadmap/?from=2026-06-01&to=2026-01-01")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="roadmap-errors"' in html and "结束日期不能早于开始日期" in html
    assert 'id="roadmap-data"' not in html


def test_the_page_lists_planned_against_actual_dates(client, owner, reviewers):
    product = walked(owner, reviewers, "development", ["2026-01-05", "2026-03-01"], code="PLAN-1")
    RoadmapPlan.objects.create(product=product, kind="stage", stage="development", target_date=D("2026-02-20"),
                               set_by=owner)
    html = login(client, owner).get("/roadmap/?from=2026-01-01&to=2026-12-31").content.decode()
    table = html[html.index('id="roadmap-plan-table"'):]
    assert "2026-02-20" in table and "2026-03-01" in table and "+9" in table and "延期完成" in table


@pytest.mark.parametrize(("language", "header", "kind"),
                         [("zh-hans", "产品代码", "阶段"), ("en", "Product code", "Stage")])
def test_the_xlsx_export_has_one_row_per_item_in_the_reader_language(client, owner, language, header, kind):
    created_on(ProductFactory(owner=owner, code="XL-1", name="储蓄一号", name_en="Saver One"), "2026-02-01")
    client.cookies["django_language"] = language
    response = login(client, owner).get("/roadmap/?from=2026-01-01&to=2026-12-31&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == header and rows[1][1] == "XL-1" and rows[1][5] == kind
    assert rows[1][2] == ("Saver One" if language == "en" else "储蓄一号")
    assert rows[1][7] == dt.datetime(2026, 2, 1)


def test_the_page_query_count_does_not_grow_with_products(client, owner, conditioned):
    client = login(client, owner)
    ProductFactory(owner=owner)
    conditioned(D("2026-06-01"))
    url = "/roadmap/?from=2026-01-01&to=2026-12-31"
    client.get(url)
    few = queries(client, url)
    for i in range(15):
        ProductFactory(owner=owner) if i % 3 else conditioned(D("2026-06-01") + dt.timedelta(days=i))
    assert queries(client, url) == few
    assert sum(mark[2] == "overdue_condition" for mark in chart_data(client.get(url))["marks"]) == 6


def test_open_conditions_are_marks_on_the_chart_and_rows_of_the_export(client, owner, conditioned):
    conditioned(D("2026-05-10"), action="补充压力测试报告", code="COND-P")
    client = login(client, owner)
    url = "/roadmap/?from=2026-01-01&to=2026-12-31"
    data = chart_data(client.get(url))
    assert [m[1:] for m in data["marks"] if m[2].endswith("condition")] == [
        ["2026-05-10", "overdue_condition", "补充压力测试报告"]]
    assert data["legend"]["condition"] == "审批条件截止"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url + "&export=xlsx").content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row[5] == "审批条件"]
    assert [(r[1], r[6], r[8], r[14]) for r in rows] == [("COND-P", "补充压力测试报告", dt.datetime(2026, 5, 10), "是")]


def test_the_product_page_form_sets_a_target(client, owner):
    product = ProductFactory(owner=owner)
    response = login(client, owner).post(f"/roadmap/products/{product.pk}/plans/",
                                         {"target": "stage:marketing", "target_date": "2027-04-01", "comment": ""})
    assert response.status_code == 302
    assert RoadmapPlan.objects.get(product=product).target_date == D("2027-04-01")
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'id="plan-form"' in page and "2027-04-01" in page


def test_the_product_page_form_shows_the_service_refusal(client, owner):
    product = ProductFactory(owner=owner, stage="operation")
    response = login(client, owner).post(f"/roadmap/products/{product.pk}/plans/",
                                         {"target": "stage:development", "target_date": "2027-04-01"}, follow=True)
    assert "只能为产品尚未进入的后续阶段设置计划日期" in response.content.decode()
    assert not RoadmapPlan.objects.exists()


def test_another_product_manager_gets_no_form_and_is_refused(client, owner):
    product = ProductFactory(owner=owner)
    other = UserFactory(username="rm_other", role="product_manager")
    client = login(client, other)
    assert 'id="plan-form"' not in client.get(product.get_absolute_url()).content.decode()
    response = client.post(f"/roadmap/products/{product.pk}/plans/",
                           {"target": "stage:marketing", "target_date": "2027-04-01"})
    assert response.status_code == 403 and not RoadmapPlan.objects.exists()
    assert Product.objects.filter(pk=product.pk).exists()
