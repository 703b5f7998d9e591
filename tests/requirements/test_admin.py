"""The backlog admin saves, deletes and acts through requirements.services, like the pages and the API; history
can be read, not reverted round the state machine."""
import re

import pytest
from django.urls import reverse

from core.models import AuditEntry
from requirements import services
from requirements.models import Feedback, ProductVersion, Requirement
from tests.admin_forms import admin_post_data
from tests.factories import FeedbackFactory, ProductFactory, ProductVersionFactory, RequirementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_requirement_edit_in_the_admin_goes_through_the_service_and_keeps_the_status(signed_in, admin_user):
    requirement = RequirementFactory(priority="P2")
    data = admin_post_data(requirement, priority="P0", status="delivered", tags=[])
    response = signed_in.post(reverse("admin:requirements_requirement_change", args=[requirement.pk]), data)
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert (requirement.priority, requirement.status) == ("P0", "new")
    assert requirement.history.first().history_user == admin_user


def test_deleting_a_scheduled_requirement_in_the_admin_is_refused(signed_in):
    requirement = RequirementFactory(status="analysing")
    response = signed_in.post(reverse("admin:requirements_requirement_delete", args=[requirement.pk]),
                              {"post": "yes"})
    assert response.status_code == 403
    assert Requirement.objects.filter(pk=requirement.pk).exists()


def test_reverting_a_requirement_from_its_history_is_disabled(signed_in):
    requirement = RequirementFactory()
    assert signed_in.get(reverse("admin:requirements_requirement_history", args=[requirement.pk])).status_code \
        == 200
    history_id = requirement.history.first().history_id
    url = reverse("admin:requirements_requirement_simple_history", args=[requirement.pk, history_id])
    assert signed_in.post(url, admin_post_data(requirement, title="回滚")).status_code == 403


def test_the_admin_history_names_statuses_and_people_not_their_codes_and_ids(signed_in, admin_user):
    requirement = RequirementFactory(priority="P2")
    services.requirement_transition(user=admin_user, requirement=requirement, transition="analyse")
    services.requirement_update(user=admin_user, requirement=requirement, data={"assignee": admin_user})
    page = signed_in.get(reverse("admin:requirements_requirement_history", args=[requirement.pk])).content.decode()
    changes = [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", page, re.S)]
    arrow = "&nbsp;&rarr;&nbsp;&nbsp;"
    assert f"<strong>状态:</strong> 新建 {arrow}分析中" in changes
    assert f"<strong>负责人:</strong> — {arrow}{admin_user}" in changes
    assert "None" not in page and "analysing" not in page


def test_a_version_edit_in_the_admin_is_audited(signed_in):
    version = ProductVersionFactory(name="v1.0")
    data = admin_post_data(version, name="v1.1")
    assert signed_in.post(reverse("admin:requirements_productversion_change", args=[version.pk]),
                          data).status_code == 302
    assert AuditEntry.objects.get(action="version_updated").changes == [
        {"field": "name", "old": "v1.0", "new": "v1.1"}]


def test_the_admin_release_action_releases_through_the_service(signed_in):
    version = ProductVersionFactory()
    signed_in.post(reverse("admin:requirements_productversion_changelist"),
                   {"action": "release", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert version.status == "released" and version.released_on is not None
    assert AuditEntry.objects.filter(action="version_released").count() == 1


def test_versions_cannot_be_deleted_in_the_admin(signed_in):
    version = ProductVersionFactory()
    response = signed_in.post(reverse("admin:requirements_productversion_delete", args=[version.pk]),
                              {"post": "yes"})
    assert response.status_code == 403
    assert ProductVersion.objects.filter(pk=version.pk).exists()


def test_feedback_cannot_be_linked_to_a_requirement_by_hand_in_the_admin(signed_in):
    feedback = FeedbackFactory()
    other = RequirementFactory(product=feedback.product)
    data = admin_post_data(feedback, requirement=other.pk, text="改过的反馈")
    assert signed_in.post(reverse("admin:requirements_feedback_change", args=[feedback.pk]), data).status_code == 302
    feedback.refresh_from_db()
    assert (feedback.text, feedback.requirement_id) == ("改过的反馈", None)


def test_converted_feedback_is_not_deleted_in_the_admin(signed_in):
    product = ProductFactory()
    feedback = FeedbackFactory(product=product, requirement=RequirementFactory(product=product))
    response = signed_in.post(reverse("admin:requirements_feedback_delete", args=[feedback.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Feedback.objects.filter(pk=feedback.pk).exists()


def test_a_new_requirement_deleted_in_the_admin_goes_through_the_service(signed_in):
    requirement = RequirementFactory()
    signed_in.post(reverse("admin:requirements_requirement_delete", args=[requirement.pk]), {"post": "yes"})
    assert not Requirement.objects.filter(pk=requirement.pk).exists()


def test_reverting_to_an_old_version_in_the_admin_history_is_refused_not_a_500(client, admin_user):
    requirement = RequirementFactory(title="原标题")
    services.requirement_transition(user=admin_user, requirement=requirement, transition="analyse")
    old = requirement.history.order_by("history_id").first()
    client.force_login(admin_user)
    url = f"/admin/requirements/requirement/{requirement.pk}/history/{old.history_id}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "原标题", "product": requirement.product_id})
    assert response.status_code == 403
    assert Requirement.objects.get().status == "analysing"


def test_a_requirement_edit_in_the_admin_is_in_the_audit_trail(signed_in, admin_user):
    requirement = RequirementFactory(priority="P2")
    data = admin_post_data(requirement, priority="P0", tags=[])
    signed_in.post(reverse("admin:requirements_requirement_change", args=[requirement.pk]), data)
    entry = AuditEntry.objects.get(action="requirement_updated")
    assert (entry.actor, entry.changes) == (admin_user, [{"field": "priority", "old": "P2", "new": "P0"}])


def test_comments_cannot_be_deleted_in_the_admin(signed_in):
    comment = services.comment_create(user=RequirementFactory().product.owner, requirement=RequirementFactory(),
                                      body="意见")
    response = signed_in.post(reverse("admin:requirements_comment_delete", args=[comment.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert type(comment).objects.filter(pk=comment.pk).exists()
