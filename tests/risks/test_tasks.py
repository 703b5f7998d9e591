"""The daily beat reminds owners of overdue reviews through the service."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import Notification
from risks.models import Risk
from risks.tasks import remind_overdue_reviews
from tests.factories import make_risk

pytestmark = pytest.mark.django_db


def test_the_beat_schedules_the_daily_reminder():
    entry = settings.CELERY_BEAT_SCHEDULE["risks-remind-overdue-reviews"]
    assert entry["task"] == "risks.tasks.remind_overdue_reviews"


def test_the_task_reminds_the_owner_of_an_overdue_review_once(loan):
    risk = make_risk(loan)
    Risk.objects.filter(pk=risk.pk).update(review_due=timezone.localdate() - timedelta(days=1))
    assert remind_overdue_reviews() == 1 and remind_overdue_reviews() == 0
    assert Notification.objects.filter(recipient=loan.owner, url=risk.get_absolute_url(),
                                       title__contains="逾期").count() == 1


def test_a_new_review_date_is_reminded_again_once_it_passes(loan):
    risk = make_risk(loan)
    Risk.objects.filter(pk=risk.pk).update(review_due=timezone.localdate() - timedelta(days=5))
    remind_overdue_reviews()
    Risk.objects.filter(pk=risk.pk).update(review_due=timezone.localdate() - timedelta(days=1))
    assert remind_overdue_reviews() == 1
