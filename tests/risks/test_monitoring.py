"""Monitoring: a KPI early warning on a risk's metric puts the risk up for re-assessment."""
import pytest
from django.utils import timezone

from core.models import AuditEntry
from kpis import services as kpis
from kpis.models import Alert, Metric
from notifications.models import Notification
from risks import services
from risks.models import Risk
from tests.factories import make_risk, observe, target

pytestmark = pytest.mark.django_db


def red_default_rate(product, month="2026-10"):
    observe(product, "default_rate", f"{month}-10", 2.5)
    target(product, "default_rate", f"{month}-01", 1.5, 1.8, 2.0)
    return kpis.kpi_snapshots_compute(period=month, granularity="month")


@pytest.fixture
def watched(loan):
    return make_risk(loan, title="借款人违约", category="credit", metric=Metric.objects.get(code="default_rate"))


def test_alert_on_the_risks_metric_turns_it_needs_review_and_notifies_owner_and_risk_department(
        loan, watched, risk_officer):
    assert red_default_rate(loan).alerts_opened == 1
    assert Risk.objects.get(pk=watched.pk).status == "needs_review"
    notified = set(Notification.objects.filter(title__contains="待重新评估").values_list("recipient", flat=True))
    assert notified == {loan.owner.pk, risk_officer.pk}
    assert AuditEntry.objects.filter(action="risk_needs_review", object_id=str(watched.pk)).exists()


def test_alert_on_another_metric_or_product_leaves_the_risk_alone(loan, risk_officer):
    other = make_risk(loan, category="credit", metric=Metric.objects.get(code="complaints"))
    red_default_rate(loan)
    assert Risk.objects.get(pk=other.pk).status == "open"


def test_re_assessment_clears_needs_review(loan, watched):
    red_default_rate(loan)
    risk = services.risk_review(user=loan.owner, risk=Risk.objects.get(pk=watched.pk), likelihood=4, impact=4,
                                residual_likelihood=2, residual_impact=4, comment="收紧准入")
    assert risk.status == "open"


def test_a_closed_risk_is_not_reopened_by_an_alert(loan, watched):
    services.risk_close(user=loan.owner, risk=watched, reason="产品停办")
    red_default_rate(loan)
    assert Risk.objects.get(pk=watched.pk).status == "closed"


def test_an_alert_without_a_value_flags_the_risk_with_a_dash_for_the_value(loan, watched):
    alert = Alert.objects.create(product=loan, metric=watched.metric, granularity="month", period="2026-10",
                                 period_start="2026-10-01", value=None, opened_at=timezone.now())
    assert services.risks_flag_for_alerts(alerts=[alert]) == 1
    assert Risk.objects.get(pk=watched.pk).status == "needs_review"
    assert AuditEntry.objects.get(action="risk_needs_review").comment.endswith("（—）。")


def test_an_alert_on_a_risk_waiting_for_acceptance_withdraws_its_acceptance_review(loan):
    from lifecycle.models import GateReview

    risk = make_risk(loan, title="借款人违约", category="credit", metric=Metric.objects.get(code="default_rate"),
                     likelihood=4, impact=4, residual_likelihood=3, residual_impact=4)
    review = GateReview.objects.get(process="risk_acceptance", subject_id=risk.pk)
    red_default_rate(loan)
    assert Risk.objects.get(pk=risk.pk).status == "needs_review"
    assert GateReview.objects.get(pk=review.pk).status == "withdrawn"
