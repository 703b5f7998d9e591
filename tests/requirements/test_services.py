"""Backlog services: history, comments with mentions, feedback conversion, bulk actions, permissions."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import DomainConflict
from notifications.models import Notification
from requirements import selectors, services
from requirements.models import Feedback, Requirement
from tests.factories import (
    FeedbackFactory,
    ProductFactory,
    ProductVersionFactory,
    RequirementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def data_for(product, **overrides):
    return {"product": product, "title": "手机银行转账限额提升", "source": "customer_feedback", "type": "feature",
            "priority": "P1", "reach": 5000, "confidence": 80, **overrides}


def test_history_records_status_priority_version_and_assignee_changes_with_who(pm):
    product = ProductFactory(owner=pm)
    version = ProductVersionFactory(product=product, name="v2.1")
    requirement = services.requirement_create(user=pm, data=data_for(product))
    assignee = UserFactory(username="dev_lead", first_name="工", last_name="程")
    services.requirement_update(user=pm, requirement=requirement,
                                data={"priority": "P0", "assignee": assignee, "target_version": version})
    services.requirement_transition(user=pm, requirement=requirement, transition="analyse")

    entries = selectors.requirement_history(requirement=requirement)
    changed = {c["field"]: c for e in entries for c in e["changes"] if not e["created"]}
    assert changed["priority"]["old"] == "P1" and changed["priority"]["new"] == "P0"
    assert changed["target_version"]["new"] == "v2.1"
    assert changed["assignee"]["new"] == str(assignee)
    assert changed["status"]["old"] == "新建" and changed["status"]["new"] == "分析中"
    assert all(e["who"] == pm for e in entries)


def test_history_of_an_edit_that_changes_no_tracked_field_shows_no_change(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    services.requirement_update(user=pm, requirement=requirement, data={"requester": "零售银行部"})
    entries = selectors.requirement_history(requirement=requirement)
    assert [e for e in entries if not e["created"]] == []


def test_history_shows_rice_inputs_and_the_score_they_give(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm), reach=0)
    services.requirement_update(user=pm, requirement=requirement, data={"reach": 12000})
    changed = {c["field"]: c for e in selectors.requirement_history(requirement=requirement) for c in e["changes"]
               if not e["created"]}
    assert (changed["reach"]["old"], changed["reach"]["new"]) == ("0", "12,000")
    assert changed["rice"]["old"] == "0" and changed["rice"]["new"] != "0"


def test_history_shows_description_and_due_date_changes(pm):
    import datetime as dt

    requirement = RequirementFactory(product=ProductFactory(owner=pm), description="旧说明")
    services.requirement_update(user=pm, requirement=requirement,
                                data={"description": "新说明", "due_date": dt.date(2027, 1, 15)})
    changed = {c["field"]: c for e in selectors.requirement_history(requirement=requirement) for c in e["changes"]
               if not e["created"]}
    assert (changed["description"]["old"], changed["description"]["new"]) == ("旧说明", "新说明")
    assert changed["due_date"]["new"] == "2027-01-15"


def test_comment_mention_notifies_the_mentioned_user_only(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    colleague = UserFactory(username="risk_li", role="reviewer")
    UserFactory(username="bystander")
    comment = services.comment_create(user=pm, requirement=requirement, body="@risk_li 请评估该需求的风险。")
    notes = Notification.objects.all()
    assert [n.recipient for n in notes] == [colleague]
    assert notes[0].url == f"{requirement.get_absolute_url()}#comment-{comment.pk}"


@pytest.mark.parametrize("body", ["请评估风险 @risk_li.", "@risk_li请评估风险", "@risk_li，请评估风险"])
def test_comment_mention_followed_by_punctuation_or_chinese_text_notifies(pm, body):
    # given
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    colleague = UserFactory(username="risk_li", role="reviewer")
    # when
    services.comment_create(user=pm, requirement=requirement, body=body)
    # then
    assert [n.recipient for n in Notification.objects.all()] == [colleague]


def test_comment_mentioning_unknown_user_notifies_nobody(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    services.comment_create(user=pm, requirement=requirement, body="@nobody_here 看一下")
    assert not Notification.objects.exists()


def test_empty_comment_is_refused(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    with pytest.raises(ValidationError):
        services.comment_create(user=pm, requirement=requirement, body="   ")


def test_reviewer_may_comment_but_not_edit(pm, reviewer):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    services.comment_create(user=reviewer, requirement=requirement, body="风险可控。")
    with pytest.raises(PermissionDenied):
        services.requirement_update(user=reviewer, requirement=requirement, data={"priority": "P0"})


@pytest.mark.parametrize(("who", "allowed"), [
    ("owner", True), ("other_pm", False), ("head", True), ("admin", True), ("reviewer", False), ("executive", False),
])
def test_edit_permission_matrix(who, allowed, pm, other_pm, head, admin_user, reviewer, executive):
    users = {"owner": pm, "other_pm": other_pm, "head": head, "admin": admin_user, "reviewer": reviewer,
             "executive": executive}
    product = ProductFactory(owner=pm)
    assert services.requirement_can_edit(user=users[who], product=product) is allowed


def test_feedback_convert_links_both_ways_and_counts(pm):
    product = ProductFactory(owner=pm)
    items = FeedbackFactory.create_batch(3, product=product)
    requirement = services.feedback_convert(user=pm, feedback_ids=[f.pk for f in items], title="提高转账限额")
    assert requirement.source == "customer_feedback"
    assert set(requirement.feedback_items.values_list("pk", flat=True)) == {f.pk for f in items}
    assert selectors.requirement_list().get(pk=requirement.pk).feedback_count == 3
    assert items[0].text in requirement.description


def test_feedback_convert_refuses_items_of_two_products(pm):
    a = FeedbackFactory(product=ProductFactory(owner=pm))
    b = FeedbackFactory(product=ProductFactory(owner=pm))
    with pytest.raises(DomainConflict) as refused:
        services.feedback_convert(user=pm, feedback_ids=[a.pk, b.pk], title="x")
    assert (refused.value.code, refused.value.field) == ("wrong_product", "feedback")
    assert not Requirement.objects.exists()


def test_feedback_convert_refuses_already_converted_items_as_a_conflict(pm):
    product = ProductFactory(owner=pm)
    item = FeedbackFactory(product=product)
    services.feedback_convert(user=pm, feedback_ids=[item.pk], title="第一次")
    with pytest.raises(DomainConflict) as refused:
        services.feedback_convert(user=pm, feedback_ids=[item.pk], title="第二次")
    assert refused.value.code == "feedback_converted"
    assert Requirement.objects.count() == 1


def test_feedback_convert_by_reviewer_is_denied(pm, reviewer):
    item = FeedbackFactory(product=ProductFactory(owner=pm))
    with pytest.raises(PermissionDenied):
        services.feedback_convert(user=reviewer, feedback_ids=[item.pk], title="x")
    assert Feedback.objects.get(pk=item.pk).requirement is None


def test_bulk_set_priority_changes_every_selected_requirement(pm):
    product = ProductFactory(owner=pm)
    rows = RequirementFactory.create_batch(3, product=product, priority="P3")
    assert services.requirement_bulk_update(user=pm, requirements=rows, action="set_priority", value="P0") == 3
    assert set(Requirement.objects.values_list("priority", flat=True)) == {"P0"}


def test_bulk_transition_with_one_refusal_changes_nothing(pm):
    product = ProductFactory(owner=pm)
    ok = RequirementFactory(product=product, status="new")
    bad = RequirementFactory(product=product, status="delivered")
    with pytest.raises(ValidationError) as error:
        services.requirement_bulk_update(user=pm, requirements=[ok, bad], action="transition", value="analyse")
    assert f"#{bad.pk}" in error.value.messages[0]
    assert Requirement.objects.get(pk=ok.pk).status == "new"


def test_bulk_schedule_into_a_version_of_another_product_is_refused(pm):
    product = ProductFactory(owner=pm)
    row = RequirementFactory(product=product)
    other = ProductVersionFactory()
    with pytest.raises(ValidationError):
        services.requirement_bulk_update(user=pm, requirements=[row], action="schedule", value=str(other.pk))
    assert Requirement.objects.get(pk=row.pk).target_version is None


def test_board_move_to_an_unreachable_column_is_refused_with_both_statuses(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm), status="new")
    with pytest.raises(services.TransitionRefused) as error:
        services.requirement_move(user=pm, requirement=requirement, status="delivered")
    assert "新建" in error.value.message and "已交付" in error.value.message


def test_board_move_to_the_next_column_performs_the_transition(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm), status="new")
    services.requirement_move(user=pm, requirement=requirement, status="analysing")
    assert Requirement.objects.get(pk=requirement.pk).status == "analysing"


def test_transition_notifies_the_assignee(pm):
    assignee = UserFactory(username="dev_wang")
    requirement = RequirementFactory(product=ProductFactory(owner=pm), assignee=assignee)
    services.requirement_transition(user=pm, requirement=requirement, transition="analyse")
    assert Notification.objects.filter(recipient=assignee).count() == 1


def test_version_release_sets_status_and_date(pm):
    version = ProductVersionFactory(product=ProductFactory(owner=pm))
    services.version_release(user=pm, version=version)
    version.refresh_from_db()
    assert version.status == "released" and version.released_on is not None
    with pytest.raises(services.TransitionRefused):
        services.version_release(user=pm, version=version)


def test_version_progress_counts_delivered_over_total(pm):
    version = ProductVersionFactory(product=ProductFactory(owner=pm))
    RequirementFactory(product=version.product, target_version=version, status="delivered")
    RequirementFactory(product=version.product, target_version=version, status="in_development")
    row = selectors.version_list().get(pk=version.pk)
    assert (row.delivered, row.total) == (1, 2)


def test_delete_of_a_scheduled_requirement_is_refused(pm):
    version = ProductVersionFactory(product=ProductFactory(owner=pm))
    requirement = RequirementFactory(product=version.product, target_version=version, status="scheduled")
    with pytest.raises(services.TransitionRefused):
        services.requirement_delete(user=pm, requirement=requirement)
    assert Requirement.objects.filter(pk=requirement.pk).exists()


@pytest.mark.parametrize("role", ["pm", "other_pm", "head", "admin_user", "reviewer", "executive"])
def test_editable_products_are_exactly_those_the_user_may_edit(request, pm, other_pm, role):
    # given
    user = request.getfixturevalue(role)
    products = [ProductFactory(owner=pm), ProductFactory(owner=other_pm)]
    # when
    offered = set(services.requirement_editable_products(user=user))
    # then
    assert offered == {p for p in products if services.requirement_can_edit(user=user, product=p)}


@pytest.mark.parametrize("action", ["assign", "schedule"])
def test_bulk_assign_or_schedule_looks_the_value_up_once_whatever_the_rows(pm, action):
    # given
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    product = ProductFactory(owner=pm)
    value = str(UserFactory().pk if action == "assign" else ProductVersionFactory(product=product).pk)
    table = "accounts_user" if action == "assign" else "requirements_productversion"

    def lookups(n):
        rows = [RequirementFactory(product=product) for _ in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            services.requirement_bulk_update(user=pm, requirements=rows, action=action, value=value)
        return sum(1 for q in ctx.captured_queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"])

    # when / then
    assert lookups(1) == lookups(5) == 1


def _fields(product, **extra):
    return {"product": product, "title": "带标签的需求", "source": "internal", "type": "feature", "priority": "P2",
            "reach": 100, "impact": "1.00", "confidence": 80, "effort": "2.0", **extra}


def test_a_tag_with_a_bidi_control_is_refused_on_its_field_and_nothing_is_created(pm):
    product = ProductFactory(owner=pm)
    with pytest.raises(ValidationError) as refused:
        services.requirement_create(user=pm, data=_fields(product, tags=["手机银行", "evil\u202etxt"]))
    assert list(refused.value.message_dict) == ["tags"]
    assert not Requirement.objects.filter(product=product).exists()
    assert not services.Tag.objects.filter(name__startswith="evil").exists()


def test_a_bulk_item_with_a_control_character_in_a_tag_is_refused_at_its_index(pm):
    from core.errors import BulkValidationError

    product = ProductFactory(owner=pm)
    with pytest.raises(BulkValidationError) as refused:
        services.requirement_bulk_create(user=pm, items=[_fields(product, tags=["好"]),
                                                         _fields(product, tags=["坏\x1b[31m"])])
    assert [(e["index"], list(e["errors"])) for e in refused.value.item_errors] == [(1, ["tags"])]
    assert not Requirement.objects.filter(product=product).exists()


def test_retagging_with_a_control_character_is_refused_and_the_tags_stay(pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    services.requirement_update(user=pm, requirement=requirement, data={"tags": ["原标签"]})
    with pytest.raises(ValidationError):
        services.requirement_update(user=pm, requirement=requirement, data={"tags": ["新\u0007"]})
    assert list(requirement.tags.values_list("name", flat=True)) == ["原标签"]
