"""The delegation page: a reviewer names a colleague as substitute, sees what they gave and received, ends it."""
import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import AuditEntry
from lifecycle.models import Delegation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def risk_pair(db):
    return (UserFactory(username="risk_a", role="reviewer", departments=["risk"]),
            UserFactory(username="risk_b", role="reviewer", departments=["risk"]))


def form(delegate, **overrides):
    data = {"delegate": delegate.pk, "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=7)).isoformat()}
    return {**data, **overrides}


def test_a_reviewer_names_a_colleague_from_the_page_and_it_is_audited(client, risk_pair):
    delegator, delegate = risk_pair
    client.force_login(delegator)
    response = client.post("/lifecycle/delegations/", form(delegate))
    assert response.status_code == 302
    delegation = Delegation.objects.get(delegator=delegator)
    assert delegation.delegate == delegate
    assert AuditEntry.objects.filter(action="delegation_created", object_id=str(delegation.pk)).exists()
    page = client.get("/lifecycle/delegations/").content.decode()
    assert f'data-delegation="{delegation.pk}"' in page and "生效中" in page


def test_the_delegate_sees_what_they_act_for(client, risk_pair):
    delegator, delegate = risk_pair
    Delegation.objects.create(delegator=delegator, delegate=delegate, starts_on=TODAY, ends_on=TODAY)
    client.force_login(delegate)
    page = client.get("/lifecycle/delegations/").content.decode()
    received = page[page.index('id="delegations-received"'):]
    assert str(delegator) in received and "取消委托" not in received


def test_only_colleagues_of_the_reviewers_departments_are_offered(client, risk_pair):
    delegator, delegate = risk_pair
    outsider = UserFactory(username="legal_c", role="reviewer", departments=["legal"])
    client.force_login(delegator)
    choices = client.get("/lifecycle/delegations/").context["form"].fields["delegate"].queryset
    assert delegate in choices and outsider not in choices and delegator not in choices


def test_an_end_before_the_start_is_refused_on_the_field_and_nothing_is_saved(client, risk_pair):
    delegator, delegate = risk_pair
    client.force_login(delegator)
    yesterday = (TODAY - dt.timedelta(days=2)).isoformat()
    response = client.post("/lifecycle/delegations/", form(delegate, ends_on=yesterday))
    assert response.status_code == 400
    assert "结束日期不能早于" in response.content.decode()
    assert not Delegation.objects.exists()


def test_the_delegator_ends_a_delegation_and_the_delegate_may_not(client, risk_pair):
    delegator, delegate = risk_pair
    delegation = Delegation.objects.create(delegator=delegator, delegate=delegate, starts_on=TODAY, ends_on=TODAY)
    client.force_login(delegate)
    assert client.post(f"/lifecycle/delegations/{delegation.pk}/end/").status_code == 403
    assert Delegation.objects.filter(pk=delegation.pk).exists()
    client.force_login(delegator)
    client.post(f"/lifecycle/delegations/{delegation.pk}/end/")
    assert not Delegation.objects.filter(pk=delegation.pk).exists()


def test_a_product_manager_cannot_delegate_and_is_told_why(client, pm):
    client.force_login(pm)
    page = client.get("/lifecycle/delegations/").content.decode()
    assert 'id="delegation-form"' not in page and "只有审批部门的成员可以设置审批委托。" in page
    assert client.post("/lifecycle/delegations/", {"delegate": pm.pk}).status_code == 400
    assert not Delegation.objects.exists()


def test_the_page_reads_in_english(client, risk_pair):
    client.force_login(risk_pair[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/lifecycle/delegations/").content.decode()
    assert "Delegations" in page and "Set a substitute" in page
