from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import transaction

from approvals import services as approval_services
from bankpm.celery import app as celery_app
from lifecycle import services
from notifications.models import Notification
from notifications.tasks import flush_notification_outbox
from tests.factories import complete_deliverables


def _reset_pools():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_down():
    """Real publishing (eager off) to a closed port, as when Redis is unreachable."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    _reset_pools()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
        _reset_pools()


@pytest.mark.django_db
def test_emails_are_queued_only_after_commit(product, owner, reviewers, django_capture_on_commit_callbacks):
    complete_deliverables(product)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.gate_review_submit(product=product, user=owner)
    assert Notification.objects.filter(recipient=reviewers["risk"]).exists()
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert {m.to[0] for m in mail.outbox} == {"risk_rev@bank.example", "compliance_rev@bank.example"}


@pytest.mark.django_db
def test_nothing_is_emailed_when_the_submission_rolls_back(product, owner, reviewers):
    complete_deliverables(product)
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.gate_review_submit(product=product, user=owner)
        raise RuntimeError("rolled back")
    assert mail.outbox == [] and not Notification.objects.filter(recipient=reviewers["risk"]).exists()


@pytest.mark.django_db(transaction=True)
def test_broker_outage_loses_nothing_once_the_sweeper_runs(product, owner, reviewers):
    complete_deliverables(product)
    mail.outbox.clear()
    with broker_down():
        review = services.gate_review_submit(product=product, user=owner)
        approval_services.approval_step_decide(review=review, department="risk", user=reviewers["risk"],
                                               decision="approve")
        approval_services.approval_step_decide(review=review, department="compliance", user=reviewers["compliance"],
                                      decision="reject", comment="资料不全")
    review.refresh_from_db()
    assert review.status == "rejected"
    unsent = Notification.objects.filter(send_email=True, emailed_at__isnull=True)
    assert unsent.count() == 4 and mail.outbox == []  # risk, compliance (opened); owner told twice
    flush_notification_outbox.delay().get()
    assert not unsent.exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["risk_rev@bank.example", "compliance_rev@bank.example", "owner_pm@bank.example", "owner_pm@bank.example"])
