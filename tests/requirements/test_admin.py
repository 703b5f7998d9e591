"""The requirement admin: history can be read, not reverted round the state machine."""
import pytest

from requirements import services
from requirements.models import Requirement
from tests.factories import RequirementFactory

pytestmark = pytest.mark.django_db


def test_reverting_to_an_old_version_in_the_admin_history_is_refused_not_a_500(client, admin_user):
    requirement = RequirementFactory(title="原标题")
    services.requirement_transition(user=admin_user, requirement=requirement, transition="analyse")
    old = requirement.history.order_by("history_id").first()
    client.force_login(admin_user)
    url = f"/admin/requirements/requirement/{requirement.pk}/history/{old.history_id}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "原标题", "product": requirement.product_id}, follow=True)
    assert response.status_code == 200 and "不能在此恢复" in response.content.decode()
    assert Requirement.objects.get().status == "analysing"
