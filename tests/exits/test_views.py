"""Exit pages: the runbook on the product page, the plan form, the progress upload, task actions, the portfolio."""
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exits import services
from exits.models import ExitPlan, ExitProgress, ExitTask
from exits.views import ProgressUploadView
from tests.factories import ProductFactory, UserFactory
from tests.spreadsheets import HOSTILE_XLSX, measured, xlsx_shared_string_bomb, xlsx_with_rows

from .conftest import TODAY, day, save_plan

MEMORY_BOUND = 200 * 1024 * 1024

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_runbook_offers_the_plan_form_to_the_owner_of_an_operating_product(client, product):
    html = login(client, product.owner).get(product.get_absolute_url()).content.decode()
    assert 'id="exit-no-plan"' in html and f"/exits/products/{product.pk}/plan/" in html


def test_runbook_is_hidden_before_operation(client, owner):
    product = ProductFactory(owner=owner, stage="development")
    assert 'id="exit-runbook"' not in login(client, owner).get(product.get_absolute_url()).content.decode()


def test_runbook_shows_plan_evidence_segments_tasks_blockers_and_chart_data(client, retiring, requirement):
    services.exit_progress_record(user=retiring.owner, product=retiring, items=[
        {"segment": "网点客户", "date": day(0), "migrated": 30, "closed": 10}])
    html = login(client, retiring.owner).get(retiring.get_absolute_url()).content.decode()
    assert requirement.title in html
    assert 'data-segment="网点客户" data-remaining="60"' in html
    assert 'id="exit-totals" data-remaining="110"' in html
    runbook = html.split('id="exit-runbook"')[1]
    assert runbook.split('id="exit-tasks"')[1].split("</table>")[0].count('data-action="waive"') == 6
    assert 'id="exit-blockers"' in runbook and "手机银行客户" in runbook
    assert 'id="exit-burndown-data"' in runbook and "exits/burndown.js" in runbook
    # CSP forbids inline scripts: only the JSON data block and scripts loaded from files.
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", runbook) == []


def test_reviewer_sees_the_runbook_without_actions(client, retiring):
    html = login(client, UserFactory(username="risk_exit", role="reviewer")).get(
        retiring.get_absolute_url()).content.decode()
    assert 'id="exit-runbook"' in html
    assert 'data-action="done"' not in html and 'id="exit-plan-edit"' not in html


def test_plan_form_saves_through_the_service(client, product, requirement):
    response = login(client, product.owner).post(f"/exits/products/{product.pk}/plan/", {
        "reason": "客户流失", "successor": "", "notice_date": TODAY.isoformat(), "close_date": day(30),
        "segments": "网点客户, 100\n手机银行客户，50", "requirements": [requirement.pk]})
    assert response.status_code == 302
    plan = ExitPlan.objects.get(product=product)
    assert list(plan.segments.values_list("name", "customers")) == [("网点客户", 100), ("手机银行客户", 50)]


def test_plan_form_shows_the_services_errors_by_field(client, product):
    response = login(client, product.owner).post(f"/exits/products/{product.pk}/plan/", {
        "reason": "x", "successor": "NOPE-1", "notice_date": TODAY.isoformat(), "close_date": day(3),
        "segments": "A, 1"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"successor", "close_date"}
    assert not ExitPlan.objects.exists()


def test_plan_form_refuses_a_malformed_segment_line(client, product):
    response = login(client, product.owner).post(f"/exits/products/{product.pk}/plan/", {"segments": "A; 1"})
    assert "segments" in response.context["form"].errors


def test_plan_form_is_forbidden_to_another_product_manager(client, product):
    assert login(client, UserFactory(username="pm_other_exit")).get(
        f"/exits/products/{product.pk}/plan/").status_code == 403


def upload(client, product, content, name="progress.csv", dry_run=False):
    data = {"file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(f"/exits/products/{product.pk}/progress/upload/", data)


def test_upload_dry_run_validates_without_writing(client, retiring):
    response = upload(login(client, retiring.owner), retiring,
                      f"segment,date,migrated,closed\n网点客户,{day(0)},10,0\n".encode(), dry_run=True)
    assert response.context["result"].dry_run
    assert not ExitProgress.objects.exists()


def test_upload_writes_every_row(client, retiring):
    content = f"segment,date,migrated,closed\n网点客户,{day(-1)},10,0\n网点客户,{day(0)},20,5\n".encode()
    response = upload(login(client, retiring.owner), retiring, content)
    assert response.context["result"].received == 2
    assert ExitProgress.objects.count() == 2


def test_upload_reports_errors_by_spreadsheet_row_and_writes_nothing(client, retiring):
    content = f"segment,date,migrated,closed\n网点客户,{day(0)},10,0\n无此客群,{day(0)},1,0\n网点客户,x,1,1\n".encode()
    response = upload(login(client, retiring.owner), retiring, content)
    assert [e["row"] for e in response.context["row_errors"]] == [3, 4]
    assert not ExitProgress.objects.exists()


def test_upload_reads_xlsx(client, retiring):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["segment", "date", "migrated", "closed"])
    sheet.append(["手机银行客户", TODAY, 7, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    upload(login(client, retiring.owner), retiring, buffer.getvalue(), name="progress.xlsx")
    assert list(ExitProgress.objects.values_list("migrated", "closed")) == [(7, 1)]


def test_upload_refuses_a_wrong_header(client, retiring):
    response = upload(login(client, retiring.owner), retiring, b"a,b,c,d\n1,2,3,4\n")
    assert "file" in response.context["form"].errors


def test_upload_refuses_a_file_over_the_size_limit_unread(client, retiring):
    content = b"segment,date,migrated,closed\n" + f"网点客户,{day(0)},0,0\n".encode() * 200_000
    with measured(ProgressUploadView) as probe:
        response = upload(login(client, retiring.owner), retiring, content)
    assert "文件过大：最多 2 MB" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_upload_refuses_a_sheet_of_three_million_empty_rows_after_the_row_limit(client, retiring):
    content = xlsx_with_rows(["segment", "date", "migrated", "closed"], [], last_row=3_000_000)
    with measured(ProgressUploadView) as probe:
        response = upload(login(client, retiring.owner), retiring, content, name="empty.xlsx")
    assert "每个文件最多 5,000 行数据" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_upload_refuses_a_zip_bomb_before_it_is_unpacked(client, retiring):
    content = xlsx_shared_string_bomb(["segment", "date", "migrated", "closed"], megabytes=300)
    with measured(ProgressUploadView) as probe:
        response = upload(login(client, retiring.owner), retiring, content, name="bomb.xlsx")
    assert "文件解压后过大" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_upload_refuses_more_rows_than_the_limit(client, retiring, monkeypatch):
    monkeypatch.setattr("exits.forms.MAX_PROGRESS_ITEMS", 2)
    rows = "".join(f"网点客户,{day(-i)},0,0\n" for i in range(5))
    response = upload(login(client, retiring.owner), retiring, f"segment,date,migrated,closed\n{rows}".encode())
    assert "file" in response.context["form"].errors


def test_task_action_marks_done_and_refuses_a_waiver_without_reason(client, retiring):
    task = ExitTask.objects.filter(plan__product=retiring).order_by("id").first()
    login(client, retiring.owner)
    client.post(f"/exits/tasks/{task.pk}/", {"status": "waived", "reason": ""})
    task.refresh_from_db()
    assert task.status == "open"
    response = client.post(f"/exits/tasks/{task.pk}/", {"status": "done"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"


def test_portfolio_lists_products_in_exit_with_remaining_and_days_to_close(client, retiring):
    services.exit_progress_record(user=retiring.owner, product=retiring, items=[
        {"segment": "网点客户", "date": day(0), "migrated": 100, "closed": 0}])
    response = login(client, retiring.owner).get("/exits/")
    row = response.context["products"][0]
    assert (row.code, row.exit_customers, row.exit_remaining, row.exit_days_to_close, row.exit_open_tasks) == (
        retiring.code, 150, 50, 30, 6)


def test_portfolio_shows_a_product_in_retirement_without_a_plan(client, owner):
    ProductFactory(owner=owner, stage="retirement", code="DEP-NOPLAN")
    html = login(client, owner).get("/exits/").content.decode()
    assert 'data-product="DEP-NOPLAN" data-remaining="0"' in html


def test_portfolio_query_count_does_not_grow_with_products(client, owner, retiring):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert login(client, owner).get("/exits/").status_code == 200
        return len(queries)

    count()  # the first request of a session warms caches
    before = count()
    for i in range(3):
        other = ProductFactory(owner=owner, stage="operation", code=f"DEP-MORE{i}")
        save_plan(other, segments=[{"name": "A", "customers": 5}])
        type(other).objects.filter(pk=other.pk).update(stage="retirement")
    assert count() == before


def test_dashboard_links_the_portfolio_of_products_in_exit(client, owner):
    assert 'href="/exits/"' in login(client, owner).get("/kpis/").content.decode()


def test_successors_page_shows_the_customers_arriving(client, product, requirement, successor):
    save_plan(product, requirement, successor=successor.code)
    type(product).objects.filter(pk=product.pk).update(stage="retirement")
    services.exit_progress_record(user=product.owner, product=type(product).objects.get(pk=product.pk), items=[
        {"segment": "网点客户", "date": day(0), "migrated": 42, "closed": 3}])
    html = login(client, successor.owner).get(successor.get_absolute_url()).content.decode()
    assert 'id="exit-arrivals"' in html and f'data-from="{product.code}"' in html
    assert "已迁入 42 名客户" in html


def test_progress_upload_accepts_chinese_headers_and_names_the_column_of_an_error(client, retiring):
    content = f"客群,日期,已迁移,已销户\n网点客户,{day(0)},-3,0\n".encode()
    response = upload(login(client, retiring.owner), retiring, content, dry_run=True)
    assert [e["row"] for e in response.context["row_errors"]] == [2]
    assert "已迁移 (migrated)" in response.content.decode()


def test_progress_dry_runs_file_is_kept_for_the_real_upload(client, retiring):
    client = login(client, retiring.owner)
    response = upload(client, retiring, f"segment,date,migrated,closed\n网点客户,{day(0)},10,0\n".encode(),
                      dry_run=True)
    kept = response.context["kept"]
    response = client.post(f"/exits/products/{retiring.pk}/progress/upload/", kept)
    assert response.context["result"].received == 1 and ExitProgress.objects.count() == 1


@pytest.mark.parametrize("kind", HOSTILE_XLSX)
def test_upload_refuses_a_hostile_xlsx_within_two_seconds_and_200_mb(client, retiring, kind):
    build, refusal = HOSTILE_XLSX[kind]
    content = build(["segment", "date", "migrated", "closed"])
    with measured(ProgressUploadView) as probe:
        response = upload(login(client, retiring.owner), retiring, content, name=f"{kind}.xlsx")
    assert response.status_code == 200 and refusal in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND
