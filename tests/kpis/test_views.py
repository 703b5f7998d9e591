"""KPI pages: dashboard, product KPI page and exports, alerts, scorecards, upload, product page section."""
import io
import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localtime

from kpis import services
from kpis.models import Alert, Observation
from tests.factories import ProductFactory, live_products, observe, target
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_home_is_the_portfolio_dashboard(client, pm):
    response = login(client, pm).get("/")
    assert response.status_code == 302 and response.url == "/kpis/"


def test_dashboard_shows_heat_table_and_open_alerts(client, pm):
    live_products(1, pm)
    html = login(client, pm).get("/kpis/").content.decode()
    assert 'class="text-end heat-red"' in html
    assert "P-0" in html and "不良率" in html
    assert 'id="compute-now"' not in html


def test_dashboard_query_count_does_not_grow_with_products(client, head):
    live_products(2, head, "A")
    login(client, head)
    with CaptureQueriesContext(connection) as few:
        client.get("/kpis/")
    live_products(10, head, "B")
    with CaptureQueriesContext(connection) as lots:
        client.get("/kpis/")
    assert len(lots) == len(few)


def test_head_of_product_can_queue_a_computation_from_the_dashboard(client, head, django_capture_on_commit_callbacks):
    login(client, head)
    assert 'id="compute-now"' in client.get("/kpis/").content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/kpis/")
    assert response.status_code == 302 and len(callbacks) == 1


def test_product_manager_cannot_queue_a_computation(client, pm):
    assert login(client, pm).post("/kpis/").status_code == 403


def test_product_kpi_page_has_a_chart_per_metric_and_the_table(client, pm):
    [product] = live_products(1, pm)
    html = login(client, pm).get(f"/kpis/products/{product.pk}/").content.decode()
    assert 'id="chart-revenue"' in html and 'id="chart-default_rate"' in html
    assert 'id="snapshot-table"' in html and "<caption" in html


def test_product_kpi_page_without_data_shows_an_empty_state(client, pm):
    product = ProductFactory(owner=pm)
    assert "尚无指标快照" in login(client, pm).get(f"/kpis/products/{product.pk}/").content.decode()


def test_snapshot_table_exports_as_csv(client, pm):
    [product] = live_products(1, pm)
    response = login(client, pm).get(f"/kpis/products/{product.pk}/?export=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert response["Content-Disposition"] == 'attachment; filename="kpi-P-0.csv"'
    assert lines[0].startswith("指标,周期,数值")
    assert "default_rate,2026-10,2.5,,,,,1.5,60.0,red" in lines


def test_snapshot_table_exports_as_xlsx(client, pm):
    from openpyxl import load_workbook

    [product] = live_products(1, pm)
    response = login(client, pm).get(f"/kpis/products/{product.pk}/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "指标" and len(rows) == 3


def test_alert_page_query_count_does_not_grow_with_alerts(client, head):
    live_products(2, head, "A")
    login(client, head)
    with CaptureQueriesContext(connection) as few:
        client.get("/kpis/alerts/")
    live_products(10, head, "B")
    with CaptureQueriesContext(connection) as lots:
        response = client.get("/kpis/alerts/")
    assert len(response.context["object_list"]) == 12
    assert len(lots) == len(few)


def test_manager_resolves_an_alert_from_the_page(client, pm):
    live_products(1, pm)
    alert = Alert.objects.get()
    response = login(client, pm).post(f"/kpis/alerts/{alert.pk}/resolve/", {"comment": "已压降"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.resolution_comment) == ("resolved", "已压降")


def test_resolving_without_comment_on_the_page_changes_nothing(client, pm):
    live_products(1, pm)
    alert = Alert.objects.get()
    login(client, pm).post(f"/kpis/alerts/{alert.pk}/resolve/", {"comment": ""})
    alert.refresh_from_db()
    assert alert.status == "open"


def test_scorecard_page_for_a_manager_shows_their_own_card(client, pm):
    product = ProductFactory(owner=pm)
    observe(product, "revenue", "2026-10-05", 90)
    target(product, "revenue", "2026-10-01", 100, 90, 80, granularity="quarter")
    services.kpi_snapshots_compute(period="2026-Q4", granularity="quarter")
    html = login(client, pm).get("/kpis/scorecards/?quarter=2026-Q4").content.decode()
    assert "我的考核得分" in html and "90.0" in html


def test_scorecard_page_is_refused_to_reviewers(client, reviewer):
    assert login(client, reviewer).get("/kpis/scorecards/").status_code == 403


def upload(client, content, name="data.csv", dry_run=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/kpis/upload/", data)


def test_upload_dry_run_validates_without_writing(client, pm):
    ProductFactory(code="CC-U", owner=pm)
    response = upload(login(client, pm), b"product,metric,date,value\nCC-U,revenue,2026-10-01,12.5\n", dry_run=True)
    assert "校验通过" in response.content.decode()
    assert not Observation.objects.exists()


def test_upload_writes_all_rows(client, pm):
    ProductFactory(code="CC-U", owner=pm)
    upload(login(client, pm), b"product,metric,date,value\nCC-U,revenue,2026-10-01,12.5\nCC-U,csat,2026-10-01,88\n")
    assert Observation.objects.count() == 2


def test_upload_reports_errors_by_spreadsheet_row_and_writes_nothing(client, pm):
    ProductFactory(code="CC-U", owner=pm)
    response = upload(login(client, pm),
                      b"product,metric,date,value\nCC-U,revenue,2026-10-01,1\nCC-U,revenue,2026-10-02,abc\n")
    html = response.content.decode()
    assert "<td>3</td><td>数值 (value)</td>" in html
    assert not Observation.objects.exists()


def test_upload_of_an_xlsx_file(client, pm):
    from openpyxl import Workbook

    ProductFactory(code="CC-U", owner=pm)
    book = Workbook()
    book.active.append(["product", "metric", "date", "value"])
    book.active.append(["CC-U", "revenue", "2026-10-01", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    upload(login(client, pm), buffer.getvalue(), name="data.xlsx")
    assert Observation.objects.get().value == 3.0


def test_product_page_shows_the_kpi_summary(client, pm):
    [product] = live_products(1, pm)
    html = login(client, pm).get(f"/products/{product.pk}/").content.decode()
    assert 'id="kpi-summary"' in html and f"/kpis/products/{product.pk}/" in html


@pytest.mark.parametrize(("who", "status"), [("pm", 200), ("head", 200), ("admin_user", 200), ("reviewer", 403),
                                             ("executive", 403)])
def test_who_may_open_the_upload_page(client, request, who, status):
    assert login(client, request.getfixturevalue(who)).get("/kpis/upload/").status_code == status


def test_uploaded_rows_are_marked_as_coming_from_a_file(client, pm):
    ProductFactory(code="CC-U", owner=pm)
    upload(login(client, pm), b"product,metric,date,value\nCC-U,revenue,2026-10-01,12.5\n")
    assert Observation.objects.get().source == "upload"


def test_product_kpi_page_query_count_does_not_grow_with_months(client, pm):
    [product] = live_products(1, pm)
    login(client, pm)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/kpis/products/{product.pk}/")
    for month in ("2026-07", "2026-08", "2026-09"):
        observe(product, "revenue", f"{month}-05", 5)
        observe(product, "cost", f"{month}-05", 2)
        services.kpi_snapshots_compute(period=month, granularity="month")
    with CaptureQueriesContext(connection) as lots:
        client.get(f"/kpis/products/{product.pk}/")
    assert len(lots) == len(few)


def test_dashboard_heat_table_escapes_product_names(client, pm):
    [product] = live_products(1, pm)
    product.name = "<script>x</script>"
    product.save()
    html = login(client, pm).get("/kpis/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert f'href="/kpis/products/{product.pk}/"' in html


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


def test_an_upload_over_the_row_limit_is_refused_before_validation(client, pm):
    ProductFactory(code="CC-U", owner=pm)
    lines = [f"CC-U,revenue,{2000 + i // 365:04d}-01-01,{i}" for i in range(10_001)]
    content = ("product,metric,date,value\n" + "\n".join(lines)).encode()
    response = login(client, pm).post("/kpis/upload/", {"file": SimpleUploadedFile("data.csv", content)})
    assert response.context["form"].errors["file"] == [
        "每个文件最多 10,000 行数据（空行也计算在内）；请拆分后分批导入。"]
    assert not Observation.objects.exists()


def test_a_malformed_quarter_on_the_scorecard_page_says_what_is_expected(head, client):
    page = login(client, head).get("/kpis/scorecards/?quarter=Q3-2026")
    assert page.status_code == 200
    assert "周期格式应为 YYYY-MM（月度）或 YYYY-Qn（季度）。" in page.content.decode()


def test_chart_series_names_are_translated_and_passed_as_json(client, pm):
    [product] = live_products(1, pm)
    login(client, pm).cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/kpis/products/{product.pk}/").content.decode()
    found = re.search(r'<script id="chart-labels" type="application/json">(.*?)</script>', html)
    assert json.loads(found[1]) == {"target": "Target", "value": "Actual"}


def test_alert_refusal_is_shown_on_its_own_row_not_as_a_banner(client, pm):
    live_products(2, pm)
    alert = Alert.objects.order_by("pk").first()
    response = login(client, pm).post(f"/kpis/alerts/{alert.pk}/resolve/", {"comment": ""}, follow=True)
    html = response.content.decode()
    row = html[html.index(f'id="alert-{alert.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "card-error" in row
    assert html.count("card-error") == 1
    assert 'class="alert alert-danger' not in html


def test_handled_alert_names_who_acknowledged_it_and_when(client, pm):
    live_products(1, pm)
    alert = Alert.objects.get()
    services.alert_acknowledge(user=pm, alert=alert, comment="跟进中")
    alert.refresh_from_db()
    html = login(client, pm).get("/kpis/alerts/").content.decode()
    assert f"{pm} 于 {localtime(alert.acknowledged_at):%Y-%m-%d %H:%M} 确认" in html


def test_counts_are_shown_as_integers_on_the_dashboard_and_the_kpi_page(client, pm):
    product = ProductFactory(code="CNT-1", owner=pm, category="loan", stage="operation")
    observe(product, "active_customers", "2026-10-05", 48248)
    observe(product, "complaints", "2026-10-05", 74)
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    dashboard = login(client, pm).get("/kpis/").content.decode()
    kpi_page = client.get(f"/kpis/products/{product.pk}/").content.decode()
    assert "48,248" in dashboard and "48,248.00" not in dashboard
    assert ">74<" in kpi_page and "74.00" not in kpi_page


def test_export_writes_counts_as_integers(client, pm):
    product = ProductFactory(code="CNT-2", owner=pm, category="loan", stage="operation")
    observe(product, "complaints", "2026-10-05", 74)
    services.kpi_snapshots_compute(period="2026-10", granularity="month")
    lines = login(client, pm).get(f"/kpis/products/{product.pk}/?export=csv").content.decode("utf-8-sig").splitlines()
    assert any(line.startswith("complaints,2026-10,74,") for line in lines)


def test_heat_table_tells_status_by_a_mark_and_text_not_colour_alone(client, pm):
    live_products(1, pm)
    html = login(client, pm).get("/kpis/").content.decode()
    assert 'data-status="red"' in html
    assert '<span class="heat-mark" aria-hidden="true">✕</span><span class="visually-hidden">预警</span>' in html


def test_upload_accepts_chinese_headers_and_metric_names(client, pm):
    ProductFactory(code="CC-U", owner=pm)
    content = "产品代码,指标,日期,数值\nCC-U,营业收入,2026-10-01,12\nCC-U,Customer satisfaction,2026-10-01,88\n"
    response = upload(login(client, pm), content.encode(), dry_run=True)
    assert response.context["result"].received == 2, response.content.decode()[:300]


def test_the_dry_runs_file_is_kept_and_imported_without_choosing_it_again(client, pm):
    from kpis.models import Observation

    ProductFactory(code="CC-U", owner=pm)
    client = login(client, pm)
    response = upload(client, b"product,metric,date,value\nCC-U,revenue,2026-10-01,12\n", name="十月.csv",
                      dry_run=True)
    kept = response.context["kept"]
    assert kept["filename"] == "十月.csv" and 'id="upload-confirm-button"' in response.content.decode()
    assert not Observation.objects.exists()
    response = client.post("/kpis/upload/", {"content": kept["content"], "filename": kept["filename"]})
    assert response.context["result"].received == 1 and Observation.objects.count() == 1


def test_a_kept_file_larger_than_the_bound_is_refused_before_it_is_decoded(client, pm):
    from bankpm.uploads import MAX_UPLOAD_BYTES

    response = login(client, pm).post("/kpis/upload/", {"content": "A" * ((MAX_UPLOAD_BYTES + 2) // 3 * 4 + 4),
                                                       "filename": "x.csv"})
    assert "文件过大" in str(response.context["form"].errors["file"])
