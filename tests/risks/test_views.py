"""Register pages: portfolio, product register, form, detail and actions, exports, product section, dashboard."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from risks.models import Risk
from tests.factories import ProductFactory, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def form_post(**overrides):
    data = {"title": "额度被套现", "category": "credit", "source": "product", "method": "qualitative", "likelihood": 3,
            "impact": 4, "response": "mitigate", "residual_likelihood": 2, "residual_impact": 3,
            "controls-TOTAL_FORMS": 3, "controls-INITIAL_FORMS": 0, "controls-0-description": "交易监控",
            "controls-0-type": "detective"}
    return {**data, **overrides}


def test_form_registers_a_risk_with_its_control(loan, client_as):
    response = client_as(loan.owner).post(f"/risks/products/{loan.pk}/new/", form_post())
    risk = Risk.objects.get()
    assert response.status_code == 302 and response.url == f"/risks/{risk.pk}/"
    assert list(risk.controls.values_list("description", flat=True)) == ["交易监控"]


def test_form_shows_the_services_errors_and_saves_nothing(loan, client_as):
    response = client_as(loan.owner).post(f"/risks/products/{loan.pk}/new/",
                                          form_post(**{"controls-0-description": "", "controls-0-type": "",
                                                       "residual_impact": 5}))
    assert response.status_code == 200 and not Risk.objects.exists()
    content = response.content.decode()
    assert "至少需要一项控制措施" in content and 'data-field="residual_impact"' in content


def test_form_is_forbidden_to_another_manager(loan, client_as, other_pm):
    assert client_as(other_pm).get(f"/risks/products/{loan.pk}/new/").status_code == 403


def test_detail_shows_controls_and_history(loan, client_as):
    risk = make_risk(loan)
    content = client_as(loan.owner).get(f"/risks/{risk.pk}/").content.decode()
    assert "放款前双人复核" in content and 'id="risk-trend-data"' in content and "<script>" not in content


def test_review_form_records_an_assessment(loan, client_as):
    risk = make_risk(loan)
    client_as(loan.owner).post(f"/risks/{risk.pk}/review/", {"likelihood": 4, "impact": 4, "residual_likelihood": 2,
                                                             "residual_impact": 2, "comment": "复核"})
    assert risk.assessments.count() == 2


def test_accept_page_action_by_the_owner_is_refused_with_a_message(loan, client_as):
    risk = make_risk(loan, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4)
    response = client_as(loan.owner).post(f"/risks/{risk.pk}/accept/", {"comment": "同意"}, follow=True)
    assert Risk.objects.get(pk=risk.pk).status == "pending_acceptance"
    assert "只有高级管理层" in response.content.decode()


def test_register_page_lists_the_products_risks_and_the_cell_filter(loan, client_as):
    make_risk(loan, title="违约", likelihood=3, impact=4, residual_likelihood=1, residual_impact=1)
    make_risk(loan, title="操作", likelihood=2, impact=2, residual_likelihood=1, residual_impact=1)
    client = client_as(loan.owner)
    response = client.get(f"/risks/products/{loan.pk}/?likelihood=3&impact=4")
    assert [r.title for r in response.context["object_list"]] == ["违约"]


def test_portfolio_page_shows_top_residual_and_overdue(loan, client_as):
    make_risk(loan, title="极高风险", likelihood=5, impact=5, residual_likelihood=4, residual_impact=4)
    late = make_risk(loan, title="逾期风险")
    Risk.objects.filter(pk=late.pk).update(review_due=timezone.localdate() - timedelta(days=3))
    response = client_as(loan.owner).get("/risks/")
    top = [r.title for r in response.context["top_risks"]]
    assert top == ["极高风险"] and [r.title for r in response.context["overdue"]] == ["逾期风险"]


def test_export_csv_has_the_filtered_rows(loan, client_as):
    make_risk(loan, title="违约", category="credit")
    make_risk(loan, title="操作", category="operational")
    response = client_as(loan.owner).get("/risks/?export=csv&category=credit")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv") and "违约" in text and "操作" not in text


def test_export_xlsx(loan, client_as):
    make_risk(loan)
    response = client_as(loan.owner).get(f"/risks/products/{loan.pk}/?export=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_product_page_has_the_register_section_with_its_launch_gaps(loan, client_as):
    from products.models import Product

    Product.objects.filter(pk=loan.pk).update(stage="development")
    content = client_as(loan.owner).get(f"/products/{loan.pk}/").content.decode()
    assert 'id="risk-register-section"' in content and "缺少已评估的信用风险" in content


def test_dashboard_card_links_to_the_portfolio(loan, client_as):
    content = client_as(loan.owner).get("/kpis/").content.decode()
    assert 'id="risk-dashboard-link"' in content and 'href="/risks/"' in content


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_portfolio_page_query_count_does_not_grow_with_the_register(loan, client_as):
    client = client_as(loan.owner)
    make_risk(loan)
    few = page_queries(client, "/risks/")
    for n in range(6):
        make_risk(ProductFactory(owner=loan.owner), title=f"风险{n}", likelihood=5, impact=5, residual_likelihood=4,
                  residual_impact=4)
    assert page_queries(client, "/risks/") == few


def test_the_unfiltered_filter_form_selects_no_cell(loan, client_as):
    make_risk(loan, likelihood=3, impact=3, residual_likelihood=2, residual_impact=2)
    content = client_as(loan.owner).get("/risks/").content.decode()
    assert '<option value="" selected>' in content.split('name="likelihood"')[1].split("</select>")[0]


def test_close_form_closes_with_its_reason(loan, client_as):
    risk = make_risk(loan)
    client_as(loan.owner).post(f"/risks/{risk.pk}/close/", {"reason": "产品停办"})
    closed = Risk.objects.get(pk=risk.pk)
    assert (closed.status, closed.closure_reason) == ("closed", "产品停办")


def test_overdue_filter_offers_any_by_default_not_unknown(client_as, head):
    body = client_as(head).get("/risks/").content.decode()
    overdue = body[body.index('name="overdue"'):]
    overdue = overdue[:overdue.index("</select>")]
    assert '<option value="" selected>全部</option>' in overdue
    assert "未知" not in overdue and "---------" not in body


def test_overdue_filter_still_filters_overdue_reviews(client_as, head):
    product = ProductFactory()
    overdue = make_risk(product, title="逾期的风险")
    # A review date in the past cannot be typed; it is reached by time passing.
    Risk.objects.filter(pk=overdue.pk).update(review_due=timezone.localdate() - timedelta(days=3))
    make_risk(product, title="按期的风险", review_due=timezone.localdate() + timedelta(days=30))
    body = client_as(head).get(f"/risks/products/{product.pk}/?overdue=true").content.decode()
    assert "逾期的风险" in body and "按期的风险" not in body


def test_the_risk_page_shows_its_acceptance_review_and_the_step_waiting_for_senior_management(loan, client_as,
                                                                                              executive):
    risk = make_risk(loan, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4)
    page = client_as(loan.owner).get(f"/risks/{risk.pk}/").content.decode()
    card = page[page.index('id="risk-acceptance-reviews"'):]
    assert "审批中" in card and "高级管理层" in card and "待审批" in card
