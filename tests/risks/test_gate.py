"""The launch gate's precondition (development -> marketing) for each product category, and the snapshot."""
import pytest
from django.core.exceptions import ValidationError

from lifecycle import services as lifecycle
from lifecycle.models import GateReview
from risks import services
from tests.factories import ProductFactory, advance_to, complete_risk_register, make_risk

pytestmark = pytest.mark.django_db


def in_development(category, reviewers, **kwargs):
    product = ProductFactory(category=category, risk_rating="R3", **kwargs)
    return advance_to(product, "development", reviewers)


def ready_except_risks(product):
    from lifecycle.models import Deliverable

    lifecycle.deliverables_ensure(product=product)
    for item in Deliverable.objects.filter(product=product, stage=product.stage, status="open"):
        lifecycle.deliverable_update(user=product.owner, deliverable=item, status="done")


def launch_errors(product):
    ready_except_risks(product)
    with pytest.raises(ValidationError) as error:
        lifecycle.gate_review_submit(product=product, user=product.owner)
    return error.value.message_dict


@pytest.mark.parametrize(("category", "required"), [
    ("loan", {"credit", "operational", "compliance"}),
    ("credit_card", {"credit", "operational", "compliance"}),
    ("wealth", {"market", "liquidity", "operational", "compliance"}),
    ("deposit", {"operational", "compliance"}),
    ("payment", {"operational", "compliance"}),
])
def test_launch_is_refused_naming_each_category_the_register_lacks(category, required, reviewers):
    product = in_development(category, reviewers)
    assert set(services.requirements_for(product=product)) == required
    errors = launch_errors(product)
    assert set(errors) == {"risks"} and len(errors["risks"]) == len(required)
    from risks.choices import RiskCategory

    for code in required:
        assert any(str(RiskCategory(code).label) in message for message in errors["risks"])
    assert not GateReview.objects.filter(product=product, to_stage="marketing").exists()


def test_launch_is_submitted_once_every_required_category_is_assessed(reviewers):
    product = in_development("wealth", reviewers)
    ready_except_risks(product)
    complete_risk_register(product)
    review = lifecycle.gate_review_submit(product=product, user=product.owner)
    assert review.to_stage == "marketing"


def test_a_closed_risk_does_not_cover_its_category(reviewers):
    product = in_development("deposit", reviewers)
    complete_risk_register(product)
    services.risk_close(user=product.owner, risk=product.risks.get(category="compliance"), reason="误登记")
    errors = launch_errors(product)
    assert len(errors["risks"]) == 1 and "合规风险" in errors["risks"][0]


def test_a_risk_awaiting_re_assessment_does_not_cover_its_category(reviewers):
    product = in_development("deposit", reviewers)
    complete_risk_register(product)
    risk = product.risks.get(category="compliance")
    risk.flag_for_review()
    risk.save()
    errors = launch_errors(product)
    assert "待重新评估" in errors["risks"][0]


def test_critical_residual_risk_blocks_launch_until_senior_management_accepts_it(reviewers):
    product = in_development("deposit", reviewers)
    complete_risk_register(product)
    critical = make_risk(product, title="集中兑付风险", category="liquidity", likelihood=5, impact=4,
                         residual_likelihood=4, residual_impact=4)
    errors = launch_errors(product)
    assert errors["risks"] == ["风险「集中兑付风险」的剩余风险等级为极高，尚未经高级管理层接受。"]
    services.risk_accept(user=reviewers["senior_management"], risk=critical, comment="同意，限额管理")
    assert lifecycle.gate_review_submit(product=product, user=product.owner).to_stage == "marketing"


def test_high_residual_pending_acceptance_does_not_block_launch(reviewers):
    product = in_development("deposit", reviewers)
    complete_risk_register(product)
    make_risk(product, category="market", likelihood=4, impact=4, residual_likelihood=3, residual_impact=4)
    ready_except_risks(product)
    assert lifecycle.gate_review_submit(product=product, user=product.owner).to_stage == "marketing"


def test_other_gates_do_not_check_the_register(reviewers):
    product = ProductFactory(category="loan")
    ready_except_risks(product)
    assert lifecycle.gate_review_submit(product=product, user=product.owner).to_stage == "development"


def test_reviewers_see_the_register_in_the_snapshot(reviewers):
    product = in_development("loan", reviewers)
    ready_except_risks(product)
    complete_risk_register(product)
    snapshot = lifecycle.gate_review_submit(product=product, user=product.owner).snapshot["risk_register"]
    assert snapshot["required_categories"] == ["compliance", "credit", "operational"]
    assert {r["category"] for r in snapshot["risks"]} == {"compliance", "credit", "operational"}
    assert snapshot["risks"][0]["controls"] == ["放款前双人复核"]
