"""Bad input gets a clear answer, never a 500: found while reviewing the KPI app."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from kpis.models import Alert, Observation
from tests.factories import ProductFactory

from .test_views import live_products, login

pytestmark = pytest.mark.django_db


def test_an_integer_too_large_for_a_float_is_refused_per_index(pm):
    ProductFactory(code="CC-T", owner=pm)
    client = APIClient()
    client.force_authenticate(pm)
    body = '[{"product": "CC-T", "metric": "revenue", "date": "2026-10-01", "value": 1' + "0" * 400 + "}]"
    response = client.post("/api/v1/metrics/observations/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 0, "errors": {"value": ["数值必须是有限的数字。"]}}]}
    assert not Observation.objects.exists()


def test_a_broken_xlsx_file_is_refused_with_a_form_error(client, pm):
    data = {"file": SimpleUploadedFile("data.xlsx", b"not a zip file")}
    response = login(client, pm).post("/kpis/upload/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_alert_action_does_not_redirect_to_another_site(client, pm):
    live_products(1, pm)
    alert = Alert.objects.get()
    response = login(client, pm).post(f"/kpis/alerts/{alert.pk}/resolve/",
                                      {"comment": "已压降", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == "/kpis/alerts/"


def test_unknown_alert_action_is_not_found(client, pm):
    live_products(1, pm)
    alert = Alert.objects.get()
    response = login(client, pm).post(f"/kpis/alerts/{alert.pk}/close/", {"comment": "x"})
    assert response.status_code == 404


def test_csv_export_of_a_product_without_snapshots_has_the_bom_and_the_header(client, pm):
    product = ProductFactory(owner=pm)
    response = login(client, pm).get(f"/kpis/products/{product.pk}/?export=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8").startswith("\ufeff指标,周期,数值")


def test_a_manager_may_not_send_figures_for_another_managers_product(pm, other_pm, head):
    from kpis.choices import IngestError

    ProductFactory(code="CC-O", owner=other_pm)
    item = {"product": "CC-O", "metric": "revenue", "date": "2026-10-01", "value": 1.0}
    as_pm, as_head = APIClient(), APIClient()
    as_pm.force_authenticate(pm)
    as_head.force_authenticate(head)
    refused = as_pm.post("/api/v1/metrics/observations/", [item], format="json")
    assert refused.status_code == 400
    mine_only = str(IngestError.NOT_YOUR_PRODUCT.label)
    assert refused.json() == {"errors": [{"index": 0, "errors": {"product": [mine_only]}}]}
    assert as_head.post("/api/v1/metrics/observations/", [item], format="json").status_code == 200
    assert Observation.objects.count() == 1


@pytest.mark.parametrize(("who", "scorecards", "upload"), [
    ("pm", True, True), ("head", True, True), ("executive", True, False), ("reviewer", False, False),
])
def test_the_menu_offers_scorecards_and_upload_to_those_the_pages_let_in(client, request, who, scorecards, upload):
    user = request.getfixturevalue(who)
    html = login(client, user).get("/kpis/alerts/").content.decode()
    assert ('href="/kpis/scorecards/"' in html) is scorecards
    assert ('href="/kpis/upload/"' in html) is upload
    assert (client.get("/kpis/scorecards/").status_code == 200) is scorecards
    assert (client.get("/kpis/upload/").status_code == 200) is upload


def test_file_errors_of_the_upload_form_are_translated():
    from django.utils import translation

    from kpis.forms import ObservationUploadForm

    form = ObservationUploadForm(data={}, files={"file": SimpleUploadedFile("data.csv", "é".encode("latin-1"))})
    assert not form.is_valid()
    with translation.override("en"):
        assert form.errors["file"] == ["Cannot read the file: a CSV file must be encoded in UTF-8."]


def test_an_over_long_comment_is_refused_by_the_service_whatever_the_caller(client, pm):
    from django.core.exceptions import ValidationError

    from kpis import services

    live_products(1, pm)
    alert = Alert.objects.get()
    with pytest.raises(ValidationError):
        services.alert_resolve(user=pm, alert=alert, comment="x" * 2001)
    response = login(client, pm).post(f"/kpis/alerts/{alert.pk}/resolve/", {"comment": "x" * 2001}, follow=True)
    assert "2000" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"
    services.alert_resolve(user=pm, alert=alert, comment="x" * 2000)
    alert.refresh_from_db()
    assert alert.status == "resolved"


@pytest.mark.parametrize("url", ["/api/v1/alerts/", "/api/v1/kpi-snapshots/?period=2026-10"])
def test_api_lists_query_count_does_not_grow_with_rows(head, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = APIClient()
    api.force_authenticate(head)
    live_products(2, head, "A")
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    live_products(8, head, "B")
    with CaptureQueriesContext(connection) as lots:
        response = api.get(url)
    assert response.json()["count"] >= 10
    assert len(lots) == len(few)


def test_an_upload_over_the_row_limit_is_refused_before_validation(client, pm):
    ProductFactory(code="CC-U", owner=pm)
    lines = [f"CC-U,revenue,{2000 + i // 365:04d}-01-01,{i}" for i in range(10_001)]
    content = ("product,metric,date,value\n" + "\n".join(lines)).encode()
    response = login(client, pm).post("/kpis/upload/", {"file": SimpleUploadedFile("data.csv", content)})
    assert response.context["form"].errors["file"] == [
        "每个文件最多 10,000 行数据（空行也计算在内）；请拆分后分批导入。"]
    assert not Observation.objects.exists()


@pytest.mark.parametrize("quarter", ["0000-Q1", "0001-Q1", "9999-Q4"])
def test_a_quarter_in_an_impossible_year_is_a_clear_400_not_a_500(head, client, quarter):
    api = APIClient()
    api.force_authenticate(head)
    response = api.get(f"/api/v1/scorecards/?quarter={quarter}")
    assert response.status_code == 400
    assert response.json() == {"period": ["年份须在 1900 至 2999 之间。"]}
    page = login(client, head).get(f"/kpis/scorecards/?quarter={quarter}")
    assert page.status_code == 200
    assert "年份须在 1900 至 2999 之间。" in page.content.decode()


def test_computing_a_period_in_an_impossible_year_is_refused(head):
    api = APIClient()
    api.force_authenticate(head)
    response = api.post("/api/v1/kpi-snapshots/compute/", {"period": "0000-01", "granularity": "month"},
                        format="json")
    assert response.status_code == 400
    assert "period" in response.json()


def test_a_malformed_quarter_on_the_scorecard_page_says_what_is_expected(head, client):
    page = login(client, head).get("/kpis/scorecards/?quarter=Q3-2026")
    assert page.status_code == 200
    assert "周期格式应为 YYYY-MM（月度）或 YYYY-Qn（季度）。" in page.content.decode()


def test_chart_series_names_are_translated_and_passed_as_json(client, pm):
    import json as jsonlib
    import re

    [product] = live_products(1, pm)
    from django.conf import settings

    login(client, pm).cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/kpis/products/{product.pk}/").content.decode()
    found = re.search(r'<script id="chart-labels" type="application/json">(.*?)</script>', html)
    assert jsonlib.loads(found[1]) == {"target": "Target", "value": "Actual"}


@pytest.mark.parametrize("bad", ["\x00X", "\ud800"])
@pytest.mark.parametrize("field", ["product", "metric", "date"])
def test_nul_and_lone_surrogate_codes_are_a_400_for_that_item_not_a_500(db, bad, field):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory(username="head_nul", role="head_of_product"))
    item = {"product": "P", "metric": "revenue", "date": "2026-10-01", "value": 1}
    item[field] = bad
    # Escaped as JSON allows ("\\ud800"); the client's own renderer could not encode a lone surrogate.
    body = json.dumps([item], ensure_ascii=True)
    response = client.post("/api/v1/metrics/observations/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"][0]["errors"]
