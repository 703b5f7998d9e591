import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changes import services
from changes.models import Change
from tests.factories import (
    MetricFactory,
    ProductFactory,
    RequirementFactory,
    observe_in_pilot,
)

from .conftest import approved_change, change_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def edit_form(product, **overrides):
    data = {"name": product.name, "name_en": product.name_en, "category": product.category,
            "customer_segment": product.customer_segment, "risk_rating": product.risk_rating,
            "sales_channels": [str(pk) for pk in product.sales_channels.values_list("pk", flat=True)],
            "fee": str(product.fee), "features": "\n".join(product.features)}
    return {**data, **overrides}


def proposal_form(product, **overrides):
    terms = services.change_base_terms(product=product)
    data = {"summary": "年费下调", "reason": "competitor", "risk_rating": terms["risk_rating"],
            "customer_segment": terms["customer_segment"], "sales_channels": terms["sales_channels"],
            "fee": terms["fee"] or "", "interest_rate": terms["interest_rate"] or "",
            "features": "\n".join(terms["features"])}
    return {**data, **overrides}


# --- The freeze on the edit page ------------------------------------------------------------------------------------

def test_edit_page_greys_out_frozen_terms_with_the_reason(client, launched):
    client.force_login(launched.owner)
    response = client.get(f"/products/{launched.pk}/edit/")
    assert "条款已冻结" in response.content.decode()
    assert response.context["form"].fields["fee"].disabled


def test_edit_page_never_changes_a_term_after_launch(client, launched):
    client.force_login(launched.owner)
    client.post(f"/products/{launched.pk}/edit/", edit_form(launched, fee="1", features="新特色"))
    launched.refresh_from_db()
    assert (launched.fee, launched.features) == (Decimal("100.00"), ["积分兑换"])


def test_edit_page_refuses_a_term_change_the_guard_catches_after_the_form_was_opened(client, launched, monkeypatch):
    from products import services as product_services

    monkeypatch.setattr(product_services, "product_edit_refusal", lambda **kwargs: None)  # a form opened earlier
    client.force_login(launched.owner)
    response = client.post(f"/products/{launched.pk}/edit/", edit_form(launched, fee="1"))
    assert response.status_code == 409  # a conflict with the product's state, shown on the form
    assert "条款已冻结" in response.content.decode()
    launched.refresh_from_db()
    assert launched.fee == Decimal("100.00")


def test_edit_page_still_saves_other_fields_after_launch(client, launched):
    client.force_login(launched.owner)
    response = client.post(f"/products/{launched.pk}/edit/", edit_form(launched, name="改名"))
    assert response.status_code == 302
    launched.refresh_from_db()
    assert launched.name == "改名"


# --- Propose a change ---------------------------------------------------------------------------------------------

def test_propose_page_shows_the_current_terms_with_their_base_values(client, launched):
    client.force_login(launched.owner)
    response = client.get(f"/changes/products/{launched.pk}/new/")
    assert response.status_code == 200
    assert 'data-term="fee"' in response.content.decode()
    assert 'data-base="100"' in response.content.decode()


def test_proposing_saves_a_draft_and_shows_its_diff(client, launched):
    requirement = RequirementFactory(product=launched)
    client.force_login(launched.owner)
    response = client.post(f"/changes/products/{launched.pk}/new/",
                           proposal_form(launched, fee="80", requirements=[str(requirement.pk)]), follow=True)
    change = Change.objects.get()
    assert change.diff == [{"field": "fee", "old": "100", "new": "80"}]
    assert list(change.requirements.all()) == [requirement]
    page = response.content.decode()
    assert 'class="diff-old"><del>100</del>' in page and 'class="diff-new"><ins>80</ins>' in page


def test_proposing_a_pilot_states_its_plan_on_the_page(client, launched):
    client.force_login(launched.owner)
    start, end = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=40)
    client.post(f"/changes/products/{launched.pk}/new/", proposal_form(
        launched, fee="80", pilot="on", **{"plan-regions": "上海", "plan-segments": ["youth"],
                                          "plan-start": start.isoformat(), "plan-end": end.isoformat(),
                                          "plan-metric_0": "csat", "plan-op_0": ">=", "plan-value_0": "80"}))
    plan = Change.objects.get().pilot_plan
    assert (plan["regions"], plan["segments"], plan["start"], plan["end"]) == (["上海"], ["youth"], start.isoformat(),
                                                                               end.isoformat())
    assert plan["criteria"] == [{"metric": "csat", "op": ">=", "value": 80.0}]


def test_proposal_without_a_change_shows_the_error_and_saves_nothing(client, launched):
    client.force_login(launched.owner)
    response = client.post(f"/changes/products/{launched.pk}/new/", proposal_form(launched))
    assert response.status_code == 200  # the service's invalid input is shown like the form's own
    assert "没有任何条款发生变化" in response.content.decode()
    assert not Change.objects.exists()


def test_proposal_with_an_invalid_term_marks_the_field(client, launched):
    client.force_login(launched.owner)
    response = client.post(f"/changes/products/{launched.pk}/new/", proposal_form(launched, fee="-3"))
    assert "fee" in response.context["form"].errors


def test_propose_page_is_forbidden_to_those_who_may_not_edit(client, launched, other_pm):
    client.force_login(other_pm)
    assert client.get(f"/changes/products/{launched.pk}/new/").status_code == 403


# --- The change page -------------------------------------------------------------------------------------------------

def test_submit_button_opens_the_review_and_the_page_shows_its_steps(client, launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    client.force_login(launched.owner)
    response = client.post(f"/changes/{change.pk}/submit/", follow=True)
    page = response.content.decode()
    assert 'data-status="submitted"' in page
    assert 'data-department="senior_management"' in page


def test_pilot_form_starts_the_pilot(client, launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    client.force_login(launched.owner)
    client.post(f"/changes/{change.pk}/pilot/", {
        "regions": "上海，深圳", "segments": ["youth"], "channels": ["mobile_banking"],
        "start": TODAY.isoformat(), "end": (TODAY + dt.timedelta(days=30)).isoformat(),
        "metric_0": "csat", "op_0": ">=", "value_0": "80"})
    change.refresh_from_db()
    assert change.status == "piloting"
    assert change.regions == ["上海", "深圳"]


@pytest.fixture
def piloting(launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    return services.change_pilot_start(user=launched.owner, change=change, data={
        "regions": ["上海"], "segments": [], "channels": [], "start": TODAY - dt.timedelta(days=3),
        "end": TODAY + dt.timedelta(days=30), "criteria": [{"metric": "csat", "op": ">=", "value": 80}]})


def test_change_page_shows_criteria_with_actuals_and_the_chart_data(client, piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 70.0)
    client.force_login(piloting.product.owner)
    page = client.get(f"/changes/{piloting.pk}/").content.decode()
    assert 'data-metric="csat" data-met="no"' in page
    assert 'id="pilot-chart-data"' in page
    assert "<script>" not in page  # no inline script: the chart is drawn by static/js/pilot-chart.js


def test_rollout_button_refused_while_criteria_fail_says_so(client, piloting):
    client.force_login(piloting.product.owner)
    response = client.post(f"/changes/{piloting.pk}/rollout/", follow=True)
    assert "试点标准尚未全部达到" in response.content.decode()
    piloting.refresh_from_db()
    assert piloting.status == "piloting"


def test_override_button_is_shown_to_senior_management_only(client, piloting, executive):
    client.force_login(piloting.product.owner)
    assert 'id="override"' not in client.get(f"/changes/{piloting.pk}/").content.decode()
    client.force_login(executive)
    assert 'id="override"' in client.get(f"/changes/{piloting.pk}/").content.decode()
    client.post(f"/changes/{piloting.pk}/override/", {"reason": "高层决定"})
    piloting.refresh_from_db()
    assert (piloting.status, piloting.override_reason) == ("rolled_out", "高层决定")


def test_override_posted_by_a_product_manager_is_403(client, piloting):
    client.force_login(piloting.product.owner)
    assert client.post(f"/changes/{piloting.pk}/override/", {"reason": "x"}).status_code == 403


def test_withdraw_button_withdraws_with_the_reason(client, piloting):
    client.force_login(piloting.product.owner)
    client.post(f"/changes/{piloting.pk}/withdraw/", {"reason": "效果不佳"})
    piloting.refresh_from_db()
    assert (piloting.status, piloting.withdraw_reason) == ("withdrawn", "效果不佳")


# --- The product page ------------------------------------------------------------------------------------------------

def test_product_page_lists_changes_and_the_terms_timeline(client, launched, reviewers):
    approved_change(launched, reviewers)
    client.force_login(launched.owner)
    page = client.get(f"/products/{launched.pk}/").content.decode()
    assert 'data-status="approved"' in page
    assert 'data-version="2" data-status="active"' in page
    assert 'data-version="1" data-status="superseded"' in page


def test_product_page_compares_two_versions_side_by_side(client, launched, reviewers):
    approved_change(launched, reviewers)
    client.force_login(launched.owner)
    response = client.get(f"/products/{launched.pk}/?va=1&vb=2")
    page = response.content.decode()
    assert '<tr data-field="fee" class="table-warning" data-changed="1">' in page
    assert '<tr data-field="risk_rating">' in page


def test_product_page_offers_a_change_only_after_launch(client, launched, owner):
    client.force_login(owner)
    assert 'id="propose-change"' in client.get(f"/products/{launched.pk}/").content.decode()
    before_launch = ProductFactory(owner=owner)
    assert 'id="propose-change"' not in client.get(f"/products/{before_launch.pk}/").content.decode()


def test_product_page_queries_do_not_grow_with_changes_and_versions(client, launched, reviewers):
    client.force_login(launched.owner)
    client.get(f"/products/{launched.pk}/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/products/{launched.pk}/")
    for fee in ("90", "80", "70"):
        approved_change(launched, reviewers, terms={"fee": fee})
    with CaptureQueriesContext(connection) as four:
        client.get(f"/products/{launched.pk}/")
    assert len(four) == len(one)


def test_reviewer_queue_shows_the_diff_of_a_change_review(client, launched, reviewers):
    change = services.change_submit(user=launched.owner, change=services.change_create(
        user=launched.owner, product=launched, data=change_data()))
    client.force_login(reviewers["risk"])
    page = client.get("/lifecycle/reviews/").content.decode()
    assert change.summary in page
    assert '<tr data-field="fee"><td>' in page
    assert "<del>100</del>" in page and "<ins>80</ins>" in page


def test_change_page_renders_in_english_when_chosen(client, launched):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    client.force_login(launched.owner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/changes/{change.pk}/").content.decode()
    assert "Terms diff" in page and "Submit for review" in page


# --- The pilot form and the change page's buttons (issue 19, items 10 and 11) ---------------------------------------

def pilot_post(**overrides):
    data = {"regions": "上海", "segments": ["youth"], "channels": ["mobile_banking"],
            "start": TODAY.isoformat(), "end": (TODAY + dt.timedelta(days=30)).isoformat(),
            "metric_0": "csat", "op_0": ">=", "value_0": "80"}
    return {**data, **overrides}


def test_pilot_form_rows_are_labelled_with_unit_and_aggregation(client, launched, reviewers):
    csat = MetricFactory(code="csat")
    change = approved_change(launched, reviewers, pilot=True)
    client.force_login(launched.owner)
    response = client.get(f"/changes/{change.pk}/")
    page = response.content.decode()
    form = page[page.index('id="pilot-criteria-form"'):page.index('id="start-pilot"')]
    assert "单位 · 汇总方式" in form and 'class="form-select' in form and 'class="form-control' in form
    assert 'for="id_metric_0"' in form
    assert 'id="pilot-metric-info"' in page
    info = response.context["pilot_form"].metric_info["csat"]
    assert info == {"unit": csat.display_unit, "aggregation": csat.get_aggregation_display()}


def test_refused_pilot_plan_keeps_what_was_typed_and_names_the_field_by_its_label(client, launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    client.force_login(launched.owner)
    response = client.post(f"/changes/{change.pk}/pilot/", pilot_post(
        regions="上海，深圳", end=(TODAY - dt.timedelta(days=1)).isoformat()))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="上海，深圳"' in page and 'value="80"' in page
    assert '<option value="csat" selected>' in page
    assert 'data-field="end">试点结束日必须晚于开始日。' in page and "end:" not in page
    change.refresh_from_db()
    assert (change.status, change.pilot_start) == ("approved", None)


def test_refused_pilot_criterion_is_marked_on_its_row(client, launched, reviewers):
    change = approved_change(launched, reviewers, pilot=True)
    client.force_login(launched.owner)
    response = client.post(f"/changes/{change.pk}/pilot/", pilot_post(metric_0="", value_0=""))
    assert "至少需要一项试点标准。" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "approved"


def test_a_flashed_service_error_names_the_field_by_its_label():
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from changes.views import _flash
    from core.errors import FieldValidationError

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    _flash(request, FieldValidationError({"end": ["试点结束日必须晚于开始日。"]}))
    assert [str(m) for m in request._messages] == ["结束日：试点结束日必须晚于开始日。"]


def test_rollout_button_is_disabled_with_the_unmet_criteria_shown(client, piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 70.0)
    client.force_login(piloting.product.owner)
    page = client.get(f"/changes/{piloting.pk}/").content.decode()
    button = page[page.index('id="rollout"'):page.index("</button>", page.index('id="rollout"'))]
    assert "disabled" in button
    blocked = page[page.index('id="rollout-blocked"'):]
    assert "试点标准尚未全部达到" in blocked and "实际 70" in blocked


def test_rollout_button_is_enabled_once_every_criterion_is_met(client, piloting):
    observe_in_pilot(piloting.product, "csat", TODAY, 90.0)
    client.force_login(piloting.product.owner)
    page = client.get(f"/changes/{piloting.pk}/").content.decode()
    button = page[page.index('id="rollout"'):page.index("</button>", page.index('id="rollout"'))]
    assert "disabled" not in button and 'id="rollout-blocked"' not in page


def test_pilot_chart_data_carries_each_metrics_unit(client, piloting):
    client.force_login(piloting.product.owner)
    response = client.get(f"/changes/{piloting.pk}/")
    assert [row["unit"] for row in response.context["chart"]] == [MetricFactory(code="csat").display_unit]


def test_no_actions_card_while_the_change_is_under_review(client, launched, reviewers):
    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    services.change_submit(user=launched.owner, change=change)
    client.force_login(launched.owner)
    page = client.get(f"/changes/{change.pk}/").content.decode()
    assert 'id="change-actions"' not in page


def test_step_badges_are_coloured_by_their_state(client, launched, reviewers):
    from lifecycle import services as lifecycle_services

    change = services.change_create(user=launched.owner, product=launched, data=change_data())
    change = services.change_submit(user=launched.owner, change=change)
    first = change.review.steps.order_by("position", "id").first()
    lifecycle_services.approval_step_decide(review=change.review, department=first.department,
                                            user=reviewers[first.department], decision="approve", comment="同意")
    client.force_login(launched.owner)
    page = client.get(f"/changes/{change.pk}/").content.decode()
    approved = page[page.index(f'data-department="{first.department}"'):]
    assert '<span class="badge bg-green-lt">已同意</span>' in approved[:400]
    assert '<span class="badge bg-yellow-lt">待审批</span>' in page


def test_a_version_superseded_the_day_it_took_effect_says_so(client, launched, reviewers):
    from changes.models import TermsVersion

    version = TermsVersion.objects.get(product=launched, version=1)
    TermsVersion.objects.filter(pk=version.pk).update(effective_from=TODAY, effective_to=TODAY - dt.timedelta(days=1))
    client.force_login(launched.owner)
    page = client.get(f"/products/{launched.pk}/").content.decode()
    timeline = page[page.index('id="terms-timeline"'):]
    assert "当日即被取代" in timeline[:1500]
    assert f"{TODAY.isoformat()} – {(TODAY - dt.timedelta(days=1)).isoformat()}" not in timeline


def test_english_change_page_uses_english_punctuation(client, piloting):
    from django.conf import settings

    services.change_withdraw(user=piloting.product.owner, change=piloting, reason="效果不佳")
    client.force_login(piloting.product.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/changes/{piloting.pk}/").content.decode()
    assert ": 效果不佳" in page and "：效果不佳" not in page
