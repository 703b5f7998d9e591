"""Import (dry run, all-or-nothing, errors per row and field) and export (respects the filters)."""
import base64
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requirements import tabular
from requirements.models import Feedback, Requirement
from tests.factories import FeedbackFactory, ProductFactory, ProductVersionFactory, RequirementFactory

pytestmark = pytest.mark.django_db
HEADER = ",".join(tabular.REQUIREMENT_COLUMNS)


def csv_file(lines, name="backlog.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode("utf-8"), content_type="text/csv")


def row(code, title, priority="P1", effort="1.0", version=""):
    return (f"{code},{title},描述,customer_feedback,feature,{priority},分行,,2027-01-31,网点;体验,"
            f"500,1.00,80,{effort},{version}")


@pytest.fixture
def product(pm):
    return ProductFactory(owner=pm, code="CC-IMP")


def test_dry_run_reports_every_row_and_imports_nothing(client, pm, product):
    client.force_login(pm)
    response = client.post("/requirements/import/requirements/",
                           {"file": csv_file([row("CC-IMP", "一"), row("CC-IMP", "二")]), "dry_run": "1"})
    result = response.context["result"]
    assert [(r.line, r.ok) for r in result.rows] == [(2, True), (3, True)]
    assert not Requirement.objects.exists()


def test_one_bad_row_imports_nothing_and_names_each_bad_row_and_field(client, pm, product):
    client.force_login(pm)
    lines = [row("CC-IMP", "好行"), row("CC-IMP", "坏优先级", priority="P7"), row("NOPE", "坏产品", effort="0")]
    response = client.post("/requirements/import/requirements/", {"file": csv_file(lines), "confirm": "1"})
    result = response.context["result"]
    assert result.has_errors and result.imported == 0
    assert result.rows[0].ok
    assert list(result.rows[1].errors) == ["priority"]
    assert set(result.rows[2].errors) == {"product", "effort"}
    assert not Requirement.objects.exists()


def test_unknown_version_name_is_reported_on_its_row(client, pm, product):
    client.force_login(pm)
    response = client.post("/requirements/import/requirements/",
                           {"file": csv_file([row("CC-IMP", "x", version="v9.9")]), "dry_run": "1"})
    assert "target_version" in response.context["result"].rows[0].errors


def test_confirmed_import_creates_all_rows_with_version_and_tags(client, pm, product):
    ProductVersionFactory(product=product, name="v1.0")
    client.force_login(pm)
    response = client.post("/requirements/import/requirements/",
                           {"file": csv_file([row("CC-IMP", "甲", version="v1.0"), row("CC-IMP", "乙")]),
                            "confirm": "1"})
    assert response.status_code == 302
    assert Requirement.objects.count() == 2
    first = Requirement.objects.get(title="甲")
    assert first.target_version.name == "v1.0"
    assert sorted(first.tags.values_list("name", flat=True)) == ["体验", "网点"]


def test_confirm_after_dry_run_reuses_the_uploaded_content(client, pm, product):
    client.force_login(pm)
    content = ("\n".join([HEADER, row("CC-IMP", "丙")]) + "\n").encode()
    response = client.post("/requirements/import/requirements/", {
        "content": base64.b64encode(content).decode(), "filename": "x.csv", "confirm": "1"})
    assert response.status_code == 302
    assert Requirement.objects.filter(title="丙").exists()


def test_import_into_someone_elses_product_is_a_row_error(client, other_pm, product):
    client.force_login(other_pm)
    response = client.post("/requirements/import/requirements/",
                           {"file": csv_file([row("CC-IMP", "越权")]), "confirm": "1"})
    assert "product" in response.context["result"].rows[0].errors
    assert not Requirement.objects.exists()


def test_missing_columns_are_named(client, pm, product):
    client.force_login(pm)
    upload = SimpleUploadedFile("x.csv", b"product,title\nCC-IMP,x\n")
    response = client.post("/requirements/import/requirements/", {"file": upload, "dry_run": "1"})
    assert "priority" in str(response.context["form"].errors["file"])


def test_xlsx_import_works_like_csv(client, pm, product):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(tabular.REQUIREMENT_COLUMNS)
    sheet.append(row("CC-IMP", "表格导入").split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(pm)
    upload = SimpleUploadedFile("x.xlsx", buffer.getvalue())
    assert client.post("/requirements/import/requirements/", {"file": upload, "confirm": "1"}).status_code == 302
    assert Requirement.objects.filter(title="表格导入").exists()


def test_feedback_import_with_bad_channel_imports_nothing(client, pm, product):
    client.force_login(pm)
    content = "product,channel,customer_segment,text,sentiment,received_on\n" \
              "CC-IMP,hotline,mass_market,好用,positive,2026-10-01\nCC-IMP,pigeon,mass_market,慢,negative,2026-10-02\n"
    response = client.post("/requirements/import/feedback/",
                           {"file": SimpleUploadedFile("f.csv", content.encode()), "confirm": "1"})
    assert list(response.context["result"].rows[1].errors) == ["channel"]
    assert not Feedback.objects.exists()


def test_reviewer_cannot_import(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/requirements/import/requirements/").status_code == 403


def test_csv_export_respects_the_filters(client, pm, product):
    RequirementFactory(product=product, title="要导出的", priority="P0")
    RequirementFactory(product=product, title="被筛掉的", priority="P3")
    client.force_login(pm)
    response = client.get(f"/requirements/export/?format=csv&product={product.pk}&priority=P0")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "要导出的" in text and "被筛掉的" not in text
    assert text.splitlines()[0].startswith("id,product,title")


def test_xlsx_export_respects_the_filters(client, pm, product):
    RequirementFactory(product=product, title="甲", status="delivered")
    RequirementFactory(product=product, title="乙")
    client.force_login(pm)
    response = client.get("/requirements/export/?format=xlsx&status=delivered")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["甲"]


def test_exported_csv_imports_back(client, pm, product):
    RequirementFactory(product=product, title="往返")
    client.force_login(pm)
    exported = client.get(f"/requirements/export/?format=csv&product={product.pk}").content
    Requirement.objects.all().delete()
    response = client.post("/requirements/import/requirements/",
                           {"file": SimpleUploadedFile("rt.csv", exported), "confirm": "1"})
    assert response.status_code == 302
    assert Requirement.objects.filter(title="往返").exists()


def test_feedback_export_respects_the_filters(client, pm, product):
    FeedbackFactory(product=product, channel="branch", text="网点反馈")
    FeedbackFactory(product=product, channel="online", text="线上反馈")
    client.force_login(pm)
    text = client.get("/requirements/feedback/export/?format=csv&channel=branch").content.decode("utf-8-sig")
    assert "网点反馈" in text and "线上反馈" not in text


def test_xlsx_with_real_date_cells_and_a_numeric_version_name_imports(client, pm, product):
    # given: a workbook typed in Excel, where dates are date cells and "2" is a number
    import datetime

    ProductVersionFactory(product=product, name="2")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(tabular.REQUIREMENT_COLUMNS)
    sheet.append(["CC-IMP", "日期单元格", "", "internal", "feature", "P1", "", "", datetime.datetime(2027, 1, 31),
                  "", 500, 1, 80, 1, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(pm)
    # when
    response = client.post("/requirements/import/requirements/",
                           {"file": SimpleUploadedFile("book.xlsx", buffer.getvalue()), "confirm": "1"})
    # then
    assert response.status_code == 302, response.context["result"].rows[0].errors
    created = Requirement.objects.get()
    assert created.due_date == datetime.date(2027, 1, 31)
    assert created.target_version.name == "2"


@pytest.mark.parametrize("impact", ["1e999999999", "NaN", "abc"])
def test_an_absurd_impact_is_reported_on_its_row(impact):
    form = tabular.RequirementRowForm(data={"impact": impact})
    assert not form.is_valid()
    assert "impact" in form.errors


def test_the_csv_template_has_the_headers_in_the_readers_language(client, pm):
    from django.conf import settings

    client.force_login(pm)
    zh = client.get("/requirements/import/requirements/?template=csv").content.decode("utf-8-sig").splitlines()[0]
    assert zh.startswith("产品代码,标题,描述,来源")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/requirements/import/feedback/?template=csv").content.decode("utf-8-sig").splitlines()[0]
    assert en.startswith("Product code,Channel,")


def test_the_xlsx_template_lists_the_valid_codes_on_a_second_sheet(client, pm):
    client.force_login(pm)
    response = client.get("/requirements/import/feedback/?template=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    codes = [tuple(r) for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert ("渠道", "hotline", "客服热线") in codes


def test_the_import_page_lists_the_valid_codes_of_each_coded_column(client, pm):
    client.force_login(pm)
    html = client.get("/requirements/import/requirements/").content.decode()
    section = html[html.index('id="import-codes"'):]
    assert '<code>customer_feedback</code>' in section and '<code>P1</code>' in section


def test_a_template_filled_in_with_its_chinese_headers_imports(client, pm, product):
    client.force_login(pm)
    header = client.get("/requirements/import/requirements/?template=csv").content.decode("utf-8-sig").splitlines()[0]
    content = ("\n".join([header, row("CC-IMP", "模板行")]) + "\n").encode("utf-8")
    response = client.post("/requirements/import/requirements/",
                           {"file": SimpleUploadedFile("t.csv", content), "confirm": "1"})
    assert response.status_code == 302 and Requirement.objects.get().title == "模板行"


def test_a_file_without_the_optional_columns_imports(client, pm, product):
    client.force_login(pm)
    header = "product,title,source,type,priority,reach,impact,confidence,effort"
    content = f"{header}\nCC-IMP,精简行,customer_feedback,feature,P1,500,1.00,80,1.0\n".encode()
    response = client.post("/requirements/import/requirements/",
                           {"file": SimpleUploadedFile("t.csv", content), "confirm": "1"})
    assert response.status_code == 302 and Requirement.objects.get().title == "精简行"


def chinese_file(client, lines):
    header = client.get("/requirements/import/requirements/?template=csv").content.decode("utf-8-sig").splitlines()[0]
    return SimpleUploadedFile("t.csv", ("\n".join([header, *lines]) + "\n").encode("utf-8"))


def test_a_row_error_names_the_column_header_the_file_typed(client, pm, product):
    client.force_login(pm)
    response = client.post("/requirements/import/requirements/",
                           {"file": chinese_file(client, [row("CC-IMP", "坏优先级", priority="P7")]), "dry_run": "1"})
    assert list(response.context["result"].rows[0].errors) == ["优先级"]
    assert '<strong>优先级</strong>' in response.content.decode()


def test_coded_columns_accept_their_chinese_and_english_labels(client, pm, product):
    client.force_login(pm)
    lines = ["CC-IMP,中文名称,描述,客户反馈,新功能,高,分行,,2027-01-31,,500,2 高,80,1.0,",
             "CC-IMP,English labels,d,Customer feedback,Feature,P0 Urgent,branch,,2027-01-31,,500,1,80,1.0,"]
    response = client.post("/requirements/import/requirements/", {"file": csv_file(lines), "confirm": "1"})
    assert response.status_code == 302, response.context["result"].rows
    rows = {r.title: (r.source, r.type, r.priority, str(r.impact)) for r in Requirement.objects.all()}
    assert rows["中文名称"] == ("customer_feedback", "feature", "P1", "2.00")
    assert rows["English labels"][:2] == ("customer_feedback", "feature")


def test_the_template_has_an_example_row_that_passes_the_dry_run(client, pm, product):
    client.force_login(pm)
    lines = client.get("/requirements/import/requirements/?template=csv").content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("CC-IMP,示例：") and "客户反馈" in lines[1]
    response = client.post("/requirements/import/requirements/", {
        "file": SimpleUploadedFile("t.csv", "\n".join(lines).encode("utf-8")), "dry_run": "1"})
    assert [r.ok for r in response.context["result"].rows] == [True]


def test_the_dry_runs_file_is_kept_and_named_for_the_real_import(client, pm, product):
    client.force_login(pm)
    response = client.post("/requirements/import/requirements/",
                           {"file": csv_file([row("CC-IMP", "一")], name="季度需求.csv"), "dry_run": "1"})
    html = response.content.decode()
    assert 'id="import-kept-file"' in html and "季度需求.csv" in html


def test_missing_columns_are_named_by_their_titles(client, pm, product):
    client.force_login(pm)
    content = "产品代码,标题\nCC-IMP,x\n".encode()
    response = client.post("/requirements/import/requirements/",
                           {"file": SimpleUploadedFile("t.csv", content), "dry_run": "1"})
    assert "来源 (source)" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_confidence_over_100_is_a_row_error_in_the_dry_run(client, pm, product, language):
    client.force_login(pm)
    client.cookies["django_language"] = language
    line = row("CC-IMP", "信心过高").replace(",80,", ",150,")
    response = client.post("/requirements/import/requirements/", {"file": csv_file([line]), "dry_run": "1"})
    assert response.status_code == 200
    (bad,) = response.context["result"].rows
    assert not bad.ok and "100%" in str(bad.errors) and "%%" not in str(bad.errors)
    assert not Requirement.objects.exists()
