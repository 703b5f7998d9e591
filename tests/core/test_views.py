"""The audit page: same filters as the API, CSV/XLSX in local time and words, the last verification shown."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.audit import audit_record
from core.verification import audit_verification_run
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(pm):
    product = ProductFactory(code="AUD-1", owner=pm, risk_rating="R2")
    audit_record(action="stage_changed", actor=pm, product=product, obj=product, from_value="planning",
                 to_value="development", changes=[{"field": "risk_rating", "old": "R2", "new": "R3"}])
    return product


def test_the_page_lists_entries_in_words_and_shows_the_last_verification(client, admin_user, product):
    audit_verification_run()
    client.force_login(admin_user)
    page = client.get(reverse("core:audit")).content.decode()
    assert "阶段变更" in page and "规划" in page and "开发" in page and "风险等级" in page
    assert "审计链完整" in page


def test_the_nav_links_the_audit_page_for_those_who_may_read_it(client, admin_user, product):
    client.force_login(admin_user)
    assert 'id="nav-audit"' in client.get(reverse("core:audit")).content.decode()


def test_a_finance_reviewer_is_refused_the_page(client):
    client.force_login(UserFactory(role="reviewer", departments=["finance"]))
    assert client.get(reverse("core:audit")).status_code == 403


def test_the_page_filters_by_product_code(client, admin_user, product):
    other = ProductFactory(code="AUD-2")
    audit_record(action="product_updated", product=other, obj=other)
    client.force_login(admin_user)
    page = client.get(reverse("core:audit"), {"product": "AUD-2"}).content.decode()
    assert 'data-action="product_updated"' in page and 'data-action="stage_changed"' not in page


def test_the_csv_export_uses_local_time_and_labels_not_codes(client, admin_user, product, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    client.force_login(admin_user)
    response = client.get(reverse("core:audit"), {"export": "csv"})
    text = response.content.decode("utf-8-sig")
    row = text.splitlines()[1]
    assert "阶段变更" in row and "规划" in row and "开发" in row and "stage_changed" not in row
    assert "风险等级: R2 中低风险 → R3 中风险" in row
    assert "T" not in row.split(",")[1]  # "2026-12-01 17:00:00", not an ISO UTC stamp


def test_the_xlsx_export_is_a_spreadsheet(client, admin_user, product):
    client.force_login(admin_user)
    response = client.get(reverse("core:audit"), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_the_page_costs_the_same_queries_for_more_entries(client, admin_user, product):
    client.force_login(admin_user)
    client.get(reverse("core:audit"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:audit"))
    for _ in range(10):
        audit_record(action="product_updated", actor=UserFactory(), product=ProductFactory(), obj=product)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("core:audit"))
    assert len(many) == len(few)


@pytest.fixture
def governed(pm):
    """A risk with controls and an exit plan: their audited diffs hold reverse relations, ids and dicts."""
    from tests.factories import a_control, exit_plan_ready, make_risk

    loan = ProductFactory(code="AUD-LN", owner=pm, category="loan", stage="operation")
    make_risk(loan, controls=[a_control(), a_control(description="贷后月度监测", type="detective")])
    exit_plan_ready(loan)
    return loan


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_names_a_risks_controls_and_an_exit_plans_fields(client, admin_user, governed, language):
    client.force_login(admin_user)
    client.cookies["django_language"] = language
    response = client.get(reverse("core:audit"))
    assert response.status_code == 200
    from django.utils import translation

    from risks.models import RiskControl

    page = response.content.decode()
    with translation.override(language):
        controls = str(RiskControl._meta.verbose_name_plural)
    assert controls in page and "放款前双人复核" in page
    assert "{&#x27;" not in page and "[&#x27;" not in page


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("scope", [{}, {"product": "AUD-LN"}])
def test_the_exports_of_a_trail_with_controls_and_an_exit_plan_answer_a_file(client, admin_user, governed,
                                                                              file_format, scope):
    client.force_login(admin_user)
    response = client.get(reverse("core:audit"), {**scope, "export": file_format})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_the_csv_export_names_a_risks_owner_and_its_controls_in_words(client, admin_user, governed, pm):
    client.force_login(admin_user)
    text = client.get(reverse("core:audit"), {"product": "AUD-LN", "export": "csv"}).content.decode("utf-8-sig")
    assert "控制措施: — → " in text and "放款前双人复核" in text and "预防" in text
    assert "'description'" not in text and str(pm) in text


def test_every_page_of_the_demo_trail_and_its_exports_answer(client, demo_data):
    from accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    pages = client.get(reverse("core:audit")).context["paginator"].num_pages
    statuses = {n: client.get(reverse("core:audit"), {"page": n}).status_code for n in range(1, pages + 1)}
    assert set(statuses.values()) == {200}
    code = client.get(reverse("core:audit")).context["object_list"][0].product.code
    for scope in ({}, {"product": code}):
        for file_format in ("csv", "xlsx"):
            assert client.get(reverse("core:audit"), {**scope, "export": file_format}).status_code == 200
