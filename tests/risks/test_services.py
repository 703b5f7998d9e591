"""The register's rules, each through risks.services on PostgreSQL."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.errors import DomainConflict
from core.models import AuditEntry
from notifications.models import Notification
from risks import selectors, services
from risks.models import Risk, RiskAssessment, RiskControl, RiskLevelMatrix
from tests.factories import UserFactory, a_control, make_risk, risk_data
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db


def high(product, **overrides):
    """Residual 3 x 4 = 12: high, so it waits for senior management."""
    return make_risk(product, likelihood=4, impact=4, residual_likelihood=3, residual_impact=4, **overrides)


@pytest.mark.parametrize(("likelihood", "impact", "level"), [
    (1, 1, "low"), (2, 2, "low"), (1, 4, "low"), (1, 5, "medium"), (3, 3, "medium"), (2, 5, "high"),
    (3, 4, "high"), (3, 5, "critical"), (4, 4, "critical"), (5, 5, "critical"),
])
def test_inherent_score_is_likelihood_times_impact_and_level_follows_the_default_matrix(loan, likelihood, impact,
                                                                                          level):
    risk = make_risk(loan, likelihood=likelihood, impact=impact, residual_likelihood=1, residual_impact=1)
    assert (risk.inherent_score, risk.inherent_level) == (likelihood * impact, level)
    assert (risk.residual_score, risk.residual_level) == (1, "low")


def test_an_edited_matrix_cell_relevels_existing_risks(loan):
    risk = make_risk(loan, likelihood=3, impact=3, residual_likelihood=3, residual_impact=3)
    cell = RiskLevelMatrix.objects.get(likelihood=3, impact=3)
    cell.level = "high"
    services.risk_policy_save(user=UserFactory(role="administrator"), obj=cell)
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.inherent_level, risk.residual_level) == ("high", "high")
    assert AuditEntry.objects.filter(action="risk_policy_changed").exists()


def test_residual_above_inherent_is_refused_naming_the_field_and_nothing_is_written(loan):
    with pytest.raises(ValidationError) as error:
        make_risk(loan, likelihood=2, impact=3, residual_likelihood=3, residual_impact=3)
    assert set(error.value.message_dict) == {"residual_likelihood"}
    assert not Risk.objects.exists() and not AuditEntry.objects.filter(action="risk_created").exists()


def test_likelihood_outside_one_to_five_is_refused(loan):
    with pytest.raises(ValidationError) as error:
        make_risk(loan, likelihood=6, residual_likelihood=1)
    assert "likelihood" in error.value.message_dict


@pytest.mark.parametrize("response", ["mitigate", "transfer"])
def test_mitigate_and_transfer_need_a_control(loan, response):
    with pytest.raises(ValidationError) as error:
        make_risk(loan, response=response, transfer_instrument="信用保险", controls=[])
    assert set(error.value.message_dict) == {"controls"}


def test_transfer_names_its_instrument(loan):
    with pytest.raises(ValidationError) as error:
        make_risk(loan, response="transfer")
    assert set(error.value.message_dict) == {"transfer_instrument"}
    risk = make_risk(loan, response="transfer", transfer_instrument="信用保证保险")
    assert risk.controls.count() == 1


def test_accept_and_avoid_need_no_control(loan):
    assert make_risk(loan, response="accept", controls=[]).controls.count() == 0


def test_quantitative_assessment_notes_its_model_and_figure(loan):
    with pytest.raises(ValidationError) as error:
        make_risk(loan, method="quantitative")
    assert set(error.value.message_dict) == {"method_note"}


def test_owner_defaults_to_the_product_owner_and_review_to_ninety_days(loan):
    risk = make_risk(loan)
    assert risk.owner == loan.owner
    assert risk.review_due == timezone.localdate() + timedelta(days=90)


def test_residual_defaults_to_inherent(loan):
    data = risk_data()
    del data["residual_likelihood"], data["residual_impact"]
    risk = services.risk_create(user=loan.owner, product=loan, data=data, controls=[a_control()])
    assert (risk.residual_likelihood, risk.residual_impact) == (3, 3)


def test_creation_is_audited_with_every_field_and_the_controls(loan):
    risk = make_risk(loan)
    entry = AuditEntry.objects.get(action="risk_created")
    fields = {c["field"]: c["new"] for c in entry.changes}
    assert (entry.object_id, entry.product_id) == (str(risk.pk), loan.pk)
    assert fields["residual_level"] == "low" and fields["controls"][0]["description"] == "放款前双人复核"


def test_creation_is_audited_with_the_status_the_risk_starts_in(loan):
    make_risk(loan)
    high(loan)
    assert list(AuditEntry.objects.filter(action="risk_created").order_by("id").values_list("to_value", flat=True)) \
        == ["open", "pending_acceptance"]


def test_edit_is_audited_with_the_diff(loan):
    risk = make_risk(loan)
    services.risk_update(user=loan.owner, risk=risk, data={"title": "新标题"})
    entry = AuditEntry.objects.get(action="risk_updated")
    assert entry.changes == [{"field": "title", "old": "操作失误导致放款错误", "new": "新标题"}]


def test_a_product_manager_of_another_product_cannot_register_risks(loan):
    with pytest.raises(PermissionDenied):
        make_risk(loan, user=UserFactory(role="product_manager"))


def test_the_risk_department_registers_risks_on_any_product(loan, risk_officer):
    assert make_risk(loan, user=risk_officer).created_by == risk_officer


def test_low_residual_risk_is_open_and_high_waits_for_senior_management(loan, executive):
    assert make_risk(loan).status == "open"
    risk = high(loan)
    assert risk.status == "pending_acceptance"
    assert Notification.objects.filter(recipient=executive, title_code__startswith="待审批").exists()


def test_senior_management_accepts_high_residual_with_a_comment_audited(loan, executive):
    risk = services.risk_accept(user=executive, risk=high(loan), comment="在风险偏好内")
    assert (risk.status, risk.accepted_by, risk.acceptance_comment) == ("accepted", executive, "在风险偏好内")
    assert AuditEntry.objects.filter(action="risk_accepted", object_id=str(risk.pk), actor=executive).exists()


def test_acceptance_needs_a_comment(loan, executive):
    with pytest.raises(ValidationError) as error:
        services.risk_accept(user=executive, risk=high(loan), comment=" ")
    assert set(error.value.message_dict) == {"comment"}


@pytest.mark.parametrize("who", ["risk_officer", "compliance_officer", "product_owner", "head"])
def test_only_senior_management_accepts(loan, who, request):
    users = {"product_owner": loan.owner, "head": UserFactory(role="head_of_product")}
    user = users.get(who) or request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.risk_accept(user=user, risk=high(loan), comment="同意")


def test_senior_management_never_accepts_a_risk_they_own(loan, executive):
    risk = high(loan, owner=executive)
    with pytest.raises(PermissionDenied):
        services.risk_accept(user=executive, risk=risk, comment="同意")


def test_senior_management_never_accepts_a_risk_of_their_own_product(executive):
    from tests.factories import ProductFactory

    product = ProductFactory(owner=UserFactory(role="head_of_product"), category="loan")
    risk = high(product)
    type(product).objects.filter(pk=product.pk).update(owner=executive)  # e.g. took the product over
    with pytest.raises(PermissionDenied):
        services.risk_accept(user=executive, risk=risk, comment="同意")


def test_accepting_a_risk_that_is_not_pending_is_a_conflict(loan, executive):
    with pytest.raises(DomainConflict) as error:
        services.risk_accept(user=executive, risk=make_risk(loan), comment="同意")
    assert error.value.code == "risk_not_pending_acceptance"


def test_review_keeps_each_assessment_in_the_history_and_moves_the_review_date(loan, risk_officer):
    risk = make_risk(loan)
    services.risk_review(user=risk_officer, risk=risk, likelihood=4, impact=3, residual_likelihood=2,
                         residual_impact=3, comment="季度复核")
    history = list(RiskAssessment.objects.filter(risk=risk).values_list("kind", "inherent_score", "residual_score"))
    assert history == [("initial", 9, 4), ("review", 12, 6)]
    assert AuditEntry.objects.filter(action="risk_reviewed", comment="季度复核").exists()


def test_review_needs_a_comment(loan):
    with pytest.raises(ValidationError) as error:
        services.risk_review(user=loan.owner, risk=make_risk(loan), likelihood=3, impact=3, residual_likelihood=2,
                             residual_impact=2, comment="")
    assert set(error.value.message_dict) == {"comment"}


def test_review_raising_residual_to_high_voids_an_acceptance(loan, executive):
    risk = services.risk_accept(user=executive, risk=high(loan), comment="同意")
    same = services.risk_review(user=loan.owner, risk=risk, likelihood=4, impact=4, residual_likelihood=3,
                                residual_impact=4, comment="无变化")
    assert same.status == "accepted"
    worse = services.risk_review(user=loan.owner, risk=risk, likelihood=4, impact=4, residual_likelihood=4,
                                 residual_impact=4, comment="恶化")
    assert (worse.status, worse.accepted_by) == ("pending_acceptance", None)


def test_review_bringing_residual_down_to_medium_reopens(loan):
    risk = services.risk_review(user=loan.owner, risk=high(loan), likelihood=4, impact=4, residual_likelihood=2,
                                residual_impact=3, comment="新增担保")
    assert risk.status == "open"


def test_closing_needs_a_reason_and_a_closed_risk_is_frozen(loan):
    risk = make_risk(loan)
    with pytest.raises(ValidationError):
        services.risk_close(user=loan.owner, risk=risk, reason="")
    risk = services.risk_close(user=loan.owner, risk=risk, reason="产品条款调整后不再适用")
    assert risk.status == "closed" and AuditEntry.objects.filter(action="risk_closed").exists()
    with pytest.raises(DomainConflict):
        services.risk_update(user=loan.owner, risk=risk, data={"title": "x"})


def test_risk_past_its_review_date_is_overdue_and_the_owner_reminded_once(loan):
    risk = make_risk(loan)
    Risk.objects.filter(pk=risk.pk).update(review_due=timezone.localdate() - timedelta(days=1))
    make_risk(loan, title="未到期")
    assert list(selectors.risk_list().filter(overdue=True).values_list("pk", flat=True)) == [risk.pk]
    assert services.risk_reviews_remind_overdue() == 1
    assert services.risk_reviews_remind_overdue() == 0
    assert Notification.objects.filter(recipient=loan.owner, title_code__startswith="风险评估逾期").count() == 1


def test_the_overdue_review_reminder_reads_in_its_recipients_language(loan):
    risk = make_risk(loan)
    Risk.objects.filter(pk=risk.pk).update(review_due=timezone.localdate() - timedelta(days=1))
    services.risk_reviews_remind_overdue()
    note = Notification.objects.get(recipient=loan.owner, title_code__startswith="风险评估逾期")
    with translation.override("en"):
        assert note.display_title == f'Risk review overdue: {loan.code} "{risk.title}"'


def test_closed_risk_is_never_overdue(loan):
    risk = services.risk_close(user=loan.owner, risk=make_risk(loan), reason="不再适用")
    Risk.objects.filter(pk=risk.pk).update(review_due=timezone.localdate() - timedelta(days=1))
    assert not selectors.risk_list().get(pk=risk.pk).overdue


def test_heatmap_counts_active_risks_per_cell_in_one_query(loan, django_assert_num_queries):
    make_risk(loan, likelihood=3, impact=4, residual_likelihood=1, residual_impact=2)
    make_risk(loan, likelihood=3, impact=4, residual_likelihood=2, residual_impact=2)
    services.risk_close(user=loan.owner, risk=make_risk(loan, likelihood=5, impact=5), reason="不再适用")
    with django_assert_num_queries(1):
        cells = selectors.heatmap(queryset=selectors.risk_base(), basis="inherent")
    assert cells[2][3] == 2 and sum(map(sum, cells)) == 2
    residual = selectors.heatmap(queryset=selectors.risk_base(), basis="residual")
    assert (residual[0][1], residual[1][1]) == (1, 1)


def test_a_saved_matrix_cell_is_audited_with_its_text(loan):
    cell = RiskLevelMatrix.objects.get(likelihood=3, impact=3)
    cell.level = "high"
    services.risk_policy_save(user=UserFactory(role="administrator"), obj=cell)
    entry = AuditEntry.objects.get(action="risk_policy_changed")
    assert (entry.from_value, entry.to_value) == ("修改", str(cell))


def test_a_deleted_matrix_cell_is_audited_and_its_risks_keep_their_stored_levels(loan):
    risk = make_risk(loan, likelihood=3, impact=3, residual_likelihood=2, residual_impact=2)
    cell = RiskLevelMatrix.objects.get(likelihood=3, impact=3)
    text = str(cell)
    services.risk_policy_delete(user=UserFactory(role="administrator"), objs=[cell])
    assert not RiskLevelMatrix.objects.filter(likelihood=3, impact=3).exists()
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.inherent_level, risk.residual_level) == ("medium", "low")
    entry = AuditEntry.objects.get(action="risk_policy_changed")
    assert (entry.from_value, entry.to_value) == ("删除", text)


def test_clearing_the_owner_of_a_risk_gives_it_back_to_the_products_owner(loan, risk_officer):
    risk = make_risk(loan, owner=risk_officer)
    services.risk_update(user=loan.owner, risk=risk, data={"owner": None})
    assert Risk.objects.get(pk=risk.pk).owner == loan.owner


def test_rescoring_only_the_inherent_risk_of_an_accepted_risk_keeps_its_acceptance(loan, executive):
    risk = services.risk_accept(user=executive, risk=high(loan), comment="在风险偏好内")
    services.risk_update(user=loan.owner, risk=risk, data={"likelihood": 5})
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.inherent_score, risk.status, risk.accepted_by) == (20, "accepted", executive)


def test_replacing_the_controls_is_audited_with_the_old_and_the_new_controls(loan):
    risk = make_risk(loan)
    services.risk_update(user=loan.owner, risk=risk, data={},
                         controls=[a_control(description="系统自动校验", type="detective")])
    entry = AuditEntry.objects.get(action="risk_updated")
    assert entry.changes == [{"field": "controls",
                              "old": [{"description": "放款前双人复核", "type": "preventive", "owner": loan.owner.pk}],
                              "new": [{"description": "系统自动校验", "type": "detective", "owner": loan.owner.pk}]}]


def test_an_edit_is_audited_with_the_user_who_made_it(loan, risk_officer):
    services.risk_update(user=risk_officer, risk=make_risk(loan), data={"title": "新标题"})
    assert AuditEntry.objects.get(action="risk_updated").actor == risk_officer


def test_a_review_is_audited_with_the_user_who_reviewed(loan, risk_officer):
    services.risk_review(user=risk_officer, risk=make_risk(loan), likelihood=3, impact=3, residual_likelihood=2,
                         residual_impact=2, comment="季度复核")
    assert AuditEntry.objects.get(action="risk_reviewed").actor == risk_officer


def test_an_acceptance_is_audited_with_its_comment(loan, executive):
    services.risk_accept(user=executive, risk=high(loan), comment="在风险偏好内")
    assert AuditEntry.objects.get(action="risk_accepted").comment == "在风险偏好内"


def test_the_owner_is_told_of_an_acceptance_with_its_comment_and_a_link_to_the_risk(loan, executive):
    risk = services.risk_accept(user=executive, risk=high(loan), comment="在风险偏好内")
    note = Notification.objects.get(recipient=loan.owner, title_code__startswith="剩余风险已获高管接受")
    assert (note.body, note.url) == ("在风险偏好内", risk.get_absolute_url())


def test_a_closure_is_audited_on_the_risk_with_its_reason_and_the_status_it_left(loan):
    risk = services.risk_close(user=loan.owner, risk=make_risk(loan), reason="不再适用")
    entry = AuditEntry.objects.get(action="risk_closed")
    assert (entry.object_id, entry.from_value, entry.to_value, entry.comment) == (
        str(risk.pk), "open", "closed", "不再适用")


def test_a_control_without_a_description_is_refused_naming_the_controls_and_nothing_is_written(loan):
    with assert_unchanged(Risk, RiskControl, AuditEntry), pytest.raises(ValidationError) as error:
        make_risk(loan, controls=[{"type": "preventive"}])
    assert set(error.value.message_dict) == {"controls"}


def test_an_accepted_risk_that_worsens_goes_back_for_acceptance_without_the_old_comment(loan, executive):
    risk = services.risk_accept(user=executive, risk=high(loan), comment="在风险偏好内")
    services.risk_update(user=loan.owner, risk=risk, data={"residual_likelihood": 4})
    risk = Risk.objects.get(pk=risk.pk)
    assert (risk.status, risk.accepted_by, risk.acceptance_comment) == ("pending_acceptance", None, "")


def test_senior_management_is_told_the_residual_level_that_needs_their_acceptance(loan, executive):
    risk = high(loan)
    note = Notification.objects.get(recipient=executive, title_code__startswith="待审批")
    assert note.display_body.startswith(f"{loan.code} 剩余风险接受：「{risk.title}」（剩余风险等级为高）")


def test_each_assessment_records_the_inherent_and_residual_levels(loan):
    risk = high(loan)
    assessment = RiskAssessment.objects.get(risk=risk)
    assert (assessment.inherent_level, assessment.residual_level) == ("critical", "high")


def test_an_invalid_control_is_refused_with_its_number_field_and_message_and_nothing_is_written(loan):
    with assert_unchanged(Risk, RiskControl, AuditEntry), pytest.raises(ValidationError) as error:
        make_risk(loan, controls=[a_control(), a_control(type="psychic")])
    assert error.value.message_dict == {"controls": ["第 2 项控制措施：控制类型 值 'psychic' 不是有效选项。"]}


def test_a_risk_with_an_invalid_response_is_refused_on_the_response_alone_and_nothing_is_written(loan):
    with assert_unchanged(Risk, RiskControl, AuditEntry), pytest.raises(ValidationError) as error:
        make_risk(loan, response="ignore", controls=[{"type": "preventive"}])
    assert set(error.value.message_dict) == {"response"}
