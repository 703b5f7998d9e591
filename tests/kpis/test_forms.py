"""The upload form: file errors in the user's language; files that would take a worker down are refused fast, in
little memory."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.forms import UPLOAD_COLUMNS
from kpis.models import Observation
from kpis.views import ObservationUploadView
from tests.factories import ProductFactory
from tests.spreadsheets import HOSTILE_XLSX, measured, xlsx_shared_string_bomb, xlsx_with_rows

pytestmark = pytest.mark.django_db
MEMORY_BOUND = 200 * 1024 * 1024


def post(client, user, content, name):
    client.force_login(user)
    return client.post("/kpis/upload/", {"file": SimpleUploadedFile(name, content), "dry_run": "on"})


def test_a_sheet_of_three_million_empty_rows_is_refused_after_the_row_limit(client, pm):
    content = xlsx_with_rows(list(UPLOAD_COLUMNS), [], last_row=3_000_000)
    with measured(ObservationUploadView) as probe:
        response = post(client, pm, content, "empty.xlsx")
    assert "每个文件最多 10,000 行数据" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_a_zip_bomb_in_the_shared_strings_is_refused_before_it_is_unpacked(client, pm):
    content = xlsx_shared_string_bomb(list(UPLOAD_COLUMNS), megabytes=300)
    with measured(ObservationUploadView) as probe:
        response = post(client, pm, content, "bomb.xlsx")
    assert len(content) < 2 * 1024 * 1024
    assert "文件解压后过大" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_a_csv_over_the_size_limit_is_refused_unread(client, pm):
    content = b"product,metric,date,value\n" + b"CC-U,revenue,2026-10-01,1\n" * 2_000_000
    with measured(ObservationUploadView) as probe:
        response = post(client, pm, content, "big.csv")
    assert "文件过大：最多 2 MB" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_a_csv_of_more_rows_than_the_limit_is_refused(client, pm):
    content = b"product,metric,date,value\n" + b"C,r,2026-10-01,1\n" * 10_001
    response = post(client, pm, content, "rows.csv")
    assert "每个文件最多 10,000 行数据" in response.content.decode()


def test_an_xlsx_within_the_bounds_is_read(client, pm):
    ProductFactory(code="CC-U", owner=pm)
    content = xlsx_with_rows(list(UPLOAD_COLUMNS), [["CC-U", "revenue", "2026-10-01", "3"]])
    client.force_login(pm)
    client.post("/kpis/upload/", {"file": SimpleUploadedFile("ok.xlsx", content)})
    assert Observation.objects.get().value == 3.0


def test_file_errors_of_the_upload_form_are_translated():
    from django.utils import translation

    from kpis.forms import ObservationUploadForm

    form = ObservationUploadForm(data={}, files={"file": SimpleUploadedFile("data.csv", "é".encode("latin-1"))})
    assert not form.is_valid()
    with translation.override("en"):
        assert form.errors["file"] == ["Cannot read the file: a CSV file must be encoded in UTF-8."]


@pytest.mark.parametrize("kind", HOSTILE_XLSX)
def test_a_hostile_xlsx_is_a_form_error_within_two_seconds_and_200_mb(client, pm, kind):
    build, refusal = HOSTILE_XLSX[kind]
    content = build(list(UPLOAD_COLUMNS))
    with measured(ObservationUploadView) as probe:
        response = post(client, pm, content, f"{kind}.xlsx")
    assert response.status_code == 200 and refusal in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND
