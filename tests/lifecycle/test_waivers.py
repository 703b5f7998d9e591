"""Waiving a required deliverable is a decision: the manager asks, the head of product or a reviewer of the next gate
approves or refuses it, audited; until approved it does not count as waived for the gate. Refusals change nothing."""
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.urls import reverse

from approvals.exceptions import GateConflict
from core.models import AuditEntry
from lifecycle import services
from lifecycle.choices import LifecycleError
from lifecycle.models import Deliverable
from lifecycle.waivers import deliverable_waiver_decide
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(db):
    return UserFactory(username="head_w", role="head_of_product")


@pytest.fixture
def items(product):
    services.deliverables_ensure(product=product)
    return list(product.deliverables.filter(required=True).order_by("id"))


@pytest.fixture
def requested(items, owner, head):
    return services.deliverable_update(user=owner, deliverable=items[0], status="waived", reason="沿用旧产品调研")


def state(item):
    item = Deliverable.objects.get(pk=item.pk)
    return item.status, item.waiver_decided_by_id, AuditEntry.objects.filter(object_id=str(item.pk)).count()


def test_waiving_a_required_item_asks_for_the_waiver_and_notifies_who_decides(requested, owner, head):
    assert (requested.status, requested.waiver_requested_by, requested.completed_by) == (
        "waiver_requested", owner, None)
    assert AuditEntry.objects.filter(action="deliverable_waiver_requested", object_id=str(requested.pk)).exists()
    assert Notification.objects.filter(recipient=head, url=requested.product.get_absolute_url()).exists()
    assert not Notification.objects.filter(recipient=owner, title__startswith="待批准豁免").exists()


def test_an_optional_item_is_waived_at_once(items, product, owner):
    optional = Deliverable.objects.filter(product=product).exclude(pk__in=[i.pk for i in items]).first() or items[1]
    Deliverable.objects.filter(pk=optional.pk).update(required=False)
    optional.refresh_from_db()
    assert services.deliverable_update(user=owner, deliverable=optional, status="waived", reason="不适用").status == \
        "waived"


def test_a_requested_waiver_still_counts_as_missing_for_the_gate(requested, items, owner, product):
    for item in items[1:]:
        services.deliverable_update(user=owner, deliverable=item, status="done")
    with pytest.raises(ValidationError) as error:
        services.gate_review_submit(product=product, user=owner)
    assert "deliverables" in error.value.message_dict


def test_an_approved_waiver_counts_as_waived_for_the_gate(requested, items, owner, head, product):
    for item in items[1:]:
        services.deliverable_update(user=owner, deliverable=item, status="done")
    item = deliverable_waiver_decide(user=head, deliverable=requested, decision="approve")
    assert (item.status, item.waiver_decided_by) == ("waived", head)
    assert AuditEntry.objects.filter(action="deliverable_waiver_approved", actor=head).exists()
    assert services.gate_review_submit(product=product, user=owner).to_stage == "development"


def test_a_refused_waiver_opens_the_item_again_and_tells_the_manager_why(requested, owner, head):
    item = deliverable_waiver_decide(user=head, deliverable=requested, decision="reject", comment="请补充调研")
    assert item.status == "open"
    entry = AuditEntry.objects.get(action="deliverable_waiver_rejected")
    assert "请补充调研" in entry.comment
    assert Notification.objects.filter(recipient=owner, body="请补充调研").exists()


def test_a_reviewer_of_the_next_gate_may_decide(requested, reviewers):
    item = deliverable_waiver_decide(user=reviewers["risk"], deliverable=requested, decision="approve")
    assert item.status == "waived"


def test_the_manager_who_asked_is_refused_and_nothing_changes(requested, owner):
    before = state(requested)
    with pytest.raises(PermissionDenied):
        deliverable_waiver_decide(user=owner, deliverable=requested, decision="approve")
    assert state(requested) == before


def test_a_head_of_product_who_owns_the_item_is_refused_by_four_eyes(requested, head):
    Deliverable.objects.filter(pk=requested.pk).update(owner=head)
    before = state(requested)
    with pytest.raises(PermissionDenied):
        deliverable_waiver_decide(user=head, deliverable=requested, decision="approve")
    assert state(requested) == before


def test_another_product_manager_is_refused_and_nothing_changes(requested):
    before = state(requested)
    with pytest.raises(PermissionDenied):
        deliverable_waiver_decide(user=UserFactory(role="product_manager"), deliverable=requested, decision="approve")
    assert state(requested) == before


def test_a_refusal_without_a_comment_changes_nothing(requested, head):
    before = state(requested)
    with pytest.raises(ValidationError) as error:
        deliverable_waiver_decide(user=head, deliverable=requested, decision="reject", comment=" ")
    assert "comment" in error.value.message_dict and state(requested) == before


def test_deciding_an_item_without_a_waiver_waiting_is_a_conflict(items, head):
    with pytest.raises(GateConflict) as error:
        deliverable_waiver_decide(user=head, deliverable=items[0], decision="approve")
    assert error.value.code == LifecycleError.WAIVER_NOT_REQUESTED and state(items[0])[0] == "open"


def test_asking_again_for_a_waiver_waiting_changes_nothing(requested, owner):
    count = AuditEntry.objects.count()
    services.deliverable_update(user=owner, deliverable=requested, status="waived", reason="再次申请")
    assert Deliverable.objects.get(pk=requested.pk).waiver_reason == "沿用旧产品调研"
    assert AuditEntry.objects.count() == count


def test_the_page_shows_who_may_decide_the_buttons_and_a_confirmation(client, requested, head, owner):
    client.force_login(head)
    html = client.get(requested.product.get_absolute_url()).content.decode()
    assert 'data-action="approve-waiver"' in html and "data-confirm=" in html
    client.force_login(owner)
    assert 'data-action="approve-waiver"' not in client.get(requested.product.get_absolute_url()).content.decode()


def test_the_page_decides_a_waiver_through_the_service(client, requested, head):
    client.force_login(head)
    response = client.post(reverse("lifecycle:deliverable_waiver", args=[requested.pk]), {"decision": "approve"},
                           HTTP_HX_REQUEST="true")
    assert 'data-status="waived"' in response.content.decode()
    assert state(requested)[0] == "waived"


@pytest.mark.django_db(transaction=True)
def test_two_deciders_at_once_decide_once(product, owner, reviewers):
    services.deliverables_ensure(product=product)
    item = services.deliverable_update(user=owner, deliverable=product.deliverables.filter(required=True).first(),
                                       status="waived", reason="沿用")
    heads = [UserFactory(username=f"head_{n}", role="head_of_product") for n in range(2)]
    outcomes, barrier = [], threading.Barrier(2)

    def decide(user, decision):
        barrier.wait()
        try:
            deliverable_waiver_decide(user=user, deliverable=item, decision=decision, comment="不同意")
            outcomes.append("ok")
        except GateConflict:
            outcomes.append("conflict")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=decide, args=(user, d)) for user, d in zip(heads, ["approve", "reject"],
                                                                                  strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert AuditEntry.objects.filter(action__in=["deliverable_waiver_approved",
                                                 "deliverable_waiver_rejected"]).count() == 1
