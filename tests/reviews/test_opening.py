"""Opening: the beat opens a review as the system 30 days before it is due, exactly once however often it runs
(two beats at the same moment included); a head of product opens one at any time with a reason; overdue reviews
escalate to the heads of product and senior management, once."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import DomainConflict
from core.models import AuditEntry
from notifications.models import Notification
from reviews import services
from reviews.models import ProductReview
from tests.factories import ProductFactory, UserFactory
from tests.helpers import race_values

from .conftest import opened, operating

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def due_in(owner, days, rating="R3"):
    """A product whose next review falls due in `days` days (launched 12 months minus `days` ago)."""
    launched = services.add_months(TODAY() + dt.timedelta(days=days), -12)
    return operating(owner, rating=rating, launched_days_ago=(TODAY() - launched).days)


def test_the_beat_opens_a_review_as_the_system_30_days_before_due_and_tells_the_owner(owner):
    product = due_in(owner, 30)
    assert services.reviews_open_due() == 1
    review = ProductReview.objects.get(product=product)
    assert (review.status, review.trigger, review.opened_by, review.due_date) == (
        "preparing", "scheduled", None, TODAY() + dt.timedelta(days=30))
    entry = AuditEntry.objects.get(action="periodic_review_opened")
    assert entry.actor is None and entry.product_id == product.pk
    assert Notification.objects.filter(recipient=owner, url=review.get_absolute_url()).exists()


def test_the_beat_leaves_reviews_due_later_than_the_lead_time(owner):
    due_in(owner, 31)
    assert services.reviews_open_due() == 0
    assert not ProductReview.objects.exists()


def test_the_beat_leaves_products_not_in_operation(owner):
    ProductFactory(owner=owner, stage="marketing", risk_rating="R5")
    assert services.reviews_open_due(today=TODAY() + dt.timedelta(days=3000)) == 0


def test_a_beat_that_runs_twice_opens_the_review_once(owner):
    due_in(owner, 10)
    assert [services.reviews_open_due(), services.reviews_open_due()] == [1, 0]
    assert ProductReview.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_open_each_review_once(owner):
    for _ in range(3):
        due_in(owner, 5)
    opened_counts = race_values(lambda i: services.reviews_open_due(), 4)
    assert sorted(opened_counts) == [0, 0, 0, 3]
    assert ProductReview.objects.count() == 3
    assert AuditEntry.objects.filter(action="periodic_review_opened").count() == 3


def test_the_database_keeps_one_running_review_per_product(product):
    from django.db import IntegrityError, transaction

    opened(product)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductReview.objects.create(product=product, trigger="event", due_date=TODAY(), period_start=TODAY(),
                                     opened_at=timezone.now())


def test_a_head_of_product_opens_a_review_at_any_time_with_a_reason(product, head):
    review = services.review_open(user=head, product=product, reason="红色预警：投诉激增")
    assert (review.trigger, review.opened_by, review.reason) == ("event", head, "红色预警：投诉激增")
    assert review.due_date <= TODAY() + dt.timedelta(days=30)


def test_an_event_review_needs_a_reason(product, head):
    with pytest.raises(ValidationError):
        services.review_open(user=head, product=product, reason="  ")
    assert not ProductReview.objects.exists()


def test_a_product_manager_may_not_open_a_review_at_will(product, owner):
    with pytest.raises(PermissionDenied):
        services.review_open(user=owner, product=product, reason="想评审")


def test_a_second_review_is_refused_while_one_runs(product, head):
    opened(product)
    with pytest.raises(DomainConflict) as refused:
        services.review_open(user=head, product=product, reason="再开一次")
    assert refused.value.code == "periodic_review_open"


def test_an_overdue_review_escalates_to_heads_of_product_and_senior_management_once(product, head):
    executive = UserFactory(username="exec_x", role="senior_management", departments=["senior_management"])
    review = opened(product, due_in=-1)
    assert [services.reviews_escalate_overdue(), services.reviews_escalate_overdue()] == [1, 0]
    review.refresh_from_db()
    assert review.escalated_at is not None
    for user in (head, executive):
        assert Notification.objects.filter(recipient=user, url=review.get_absolute_url()).count() == 1
    assert AuditEntry.objects.filter(action="periodic_review_escalated").count() == 1


def test_a_review_not_yet_due_does_not_escalate(product):
    opened(product, due_in=0)
    assert services.reviews_escalate_overdue() == 0
