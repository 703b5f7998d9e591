"""The import's bounds: files that would take a worker down are refused fast, in little memory."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requirements import tabular
from requirements.views import ImportView
from tests.spreadsheets import HOSTILE_XLSX, measured, xlsx_shared_string_bomb, xlsx_with_rows

pytestmark = pytest.mark.django_db
MEMORY_BOUND = 200 * 1024 * 1024


def post(client, user, content, name):
    client.force_login(user)
    return client.post("/requirements/import/requirements/", {"file": SimpleUploadedFile(name, content)})


def test_a_sheet_of_a_million_rows_is_refused_after_the_row_limit(client, pm):
    content = xlsx_with_rows(tabular.REQUIREMENT_COLUMNS, [], last_row=1_000_000)
    with measured(ImportView) as probe:
        response = post(client, pm, content, "million.xlsx")
    assert "每个文件最多 5,000 行数据" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, pm):
    content = xlsx_shared_string_bomb(tabular.REQUIREMENT_COLUMNS, megabytes=300)
    with measured(ImportView) as probe:
        response = post(client, pm, content, "bomb.xlsx")
    assert "文件解压后过大" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_a_fifty_megabyte_csv_is_refused_unread(client, pm):
    line = "CC-IMP,标题,描述,customer_feedback,feature,P1,分行,,2027-01-31,网点,500,1.00,80,1.0,\n".encode()
    content = (",".join(tabular.REQUIREMENT_COLUMNS) + "\n").encode() + line * (50 * 1024 * 1024 // len(line))
    with measured(ImportView) as probe:
        response = post(client, pm, content, "big.csv")
    assert "文件过大：最多 2 MB" in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND


def test_a_csv_of_more_rows_than_the_limit_is_refused(client, pm):
    line = b"CC-IMP,t,d,customer_feedback,feature,P1,r,,2027-01-31,x,1,1.00,80,1.0,\n"
    content = (",".join(tabular.REQUIREMENT_COLUMNS) + "\n").encode() + line * 5_001
    response = post(client, pm, content, "rows.csv")
    assert "每个文件最多 5,000 行数据" in response.content.decode()


@pytest.mark.parametrize("kind", HOSTILE_XLSX)
def test_a_hostile_xlsx_is_refused_within_two_seconds_and_200_mb(client, pm, kind):
    build, refusal = HOSTILE_XLSX[kind]
    content = build(list(tabular.REQUIREMENT_COLUMNS))
    with measured(ImportView) as probe:
        response = post(client, pm, content, f"{kind}.xlsx")
    assert response.status_code == 200 and refusal in response.content.decode()
    assert probe["seconds"] < 2 and probe["peak"] < MEMORY_BOUND
