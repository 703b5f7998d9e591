"""The submitter hears of every department's decision on a review as one group on the notification list."""
import pytest

from notifications.models import Notification
from tests.factories import approve_all

pytestmark = pytest.mark.django_db


def test_every_decision_on_one_review_shares_one_group_for_the_submitter(submitted, owner, reviewers):
    before = Notification.objects.order_by("-id").values_list("id", flat=True).first()
    approve_all(submitted, reviewers)
    decisions = Notification.objects.filter(recipient=owner, kind="review_result", id__gt=before)
    assert decisions.count() == submitted.steps.count() > 1
    assert decisions.values("group_key").distinct().count() == 1
    assert not decisions.filter(action_required=True).exists()


def test_reviewers_are_asked_to_act_on_the_review(submitted, reviewers):
    requests = Notification.objects.filter(recipient=reviewers["risk"], kind="review_request")
    assert requests.exists() and not requests.filter(action_required=False).exists()
