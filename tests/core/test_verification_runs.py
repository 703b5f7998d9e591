"""Verification on request: an administrator starts it from the audit page, a Celery task runs it and reports its
progress, the panel follows it to the recorded result; nobody else may start one."""
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from bankpm.celery import app
from core.audit import audit_record, audit_verify
from core.models import AuditVerification, AuditVerificationRun
from core.verification import audit_verification_complete, audit_verification_request, audit_verification_run
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    product = ProductFactory()
    return [audit_record(action="product_updated", product=product, obj=product) for _ in range(3)]


def test_an_administrators_request_is_run_by_the_task_and_records_who_asked(chain, admin_user,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = audit_verification_request(user=admin_user)
    run.refresh_from_db()
    assert (run.verification.intact, run.verification.entries_checked) == (True, 3)
    assert run.verification.requested_by == admin_user


@pytest.mark.parametrize("role", ["product_manager", "head_of_product", "reviewer"])
def test_anybody_but_an_administrator_is_refused_and_nothing_is_queued(chain, role, django_user_model,
                                                                       django_capture_on_commit_callbacks):
    user = django_user_model.objects.create_user(username=f"u_{role}", role=role)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
        audit_verification_request(user=user)
    assert callbacks == []
    assert not AuditVerificationRun.objects.exists() and not AuditVerification.objects.exists()


def test_a_second_request_while_one_is_under_way_follows_the_same_run(chain, admin_user,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = audit_verification_request(user=admin_user)
        second = audit_verification_request(user=admin_user)
    assert second.pk == first.pk and AuditVerificationRun.objects.count() == 1


def test_completing_a_finished_run_again_records_nothing_more(chain, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = audit_verification_request(user=admin_user)
    assert audit_verification_complete(run_id=str(run.pk)) is None
    assert AuditVerification.objects.count() == 1


def test_the_walk_reports_its_progress(chain):
    calls = []
    assert audit_verify(progress=lambda done, total: calls.append((done, total)), every=2) is None
    assert calls == [(2, 3)]


def test_the_page_shows_the_last_nightly_result_and_offers_administrators_a_run(client, admin_user, chain):
    audit_verification_run()
    client.force_login(admin_user)
    page = client.get(reverse("core:audit")).content.decode()
    assert "系统定时校验" in page and "3 条记录，审计链完整" in page and 'id="audit-verify-now"' in page


def test_the_start_button_swaps_in_a_panel_that_polls_the_run(client, admin_user, chain,
                                                              django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks():  # the task is not run: the panel shows the run queued
        html = client.post(reverse("core:verification-start"), HTTP_HX_REQUEST="true").content.decode()
    run = AuditVerificationRun.objects.get()
    assert f'hx-get="{reverse("core:verification-status", args=[run.pk])}"' in html and "排队" in html


def test_the_polled_panel_shows_the_progress_the_task_reported(client, admin_user, chain):
    run = AuditVerificationRun.objects.create(id=uuid.uuid4(), requested_by=admin_user)
    app.backend.store_result(str(run.pk), {"done": 2000, "total": 12345}, "PROGRESS")
    client.force_login(admin_user)
    html = client.get(reverse("core:verification-status", args=[run.pk])).content.decode()
    assert "已核对 2,000 / 12,345 条记录" in html and 'aria-valuenow="16"' in html


def test_the_polled_panel_shows_the_result_once_the_run_has_finished(client, admin_user, chain,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = audit_verification_request(user=admin_user)
    client.force_login(admin_user)
    html = client.get(reverse("core:verification-status", args=[run.pk])).content.decode()
    assert "hx-get" not in html and "admin_a 发起的校验" in html and "审计链完整" in html


def test_a_run_whose_worker_went_silent_is_shown_as_failed_and_may_be_started_again(client, admin_user, chain):
    run = AuditVerificationRun.objects.create(id=uuid.uuid4(), requested_by=admin_user)
    AuditVerificationRun.objects.filter(pk=run.pk).update(requested_at=timezone.now() - timedelta(hours=1))
    client.force_login(admin_user)
    html = client.get(reverse("core:verification-status", args=[run.pk])).content.decode()
    assert "未能完成" in html and 'id="audit-verify-now"' in html


def test_a_product_manager_may_neither_start_nor_poll_a_run(client, pm, admin_user):
    run = AuditVerificationRun.objects.create(id=uuid.uuid4(), requested_by=admin_user)
    client.force_login(pm)
    assert client.post(reverse("core:verification-start")).status_code == 403
    assert client.get(reverse("core:verification-status", args=[run.pk])).status_code == 403
    assert AuditVerificationRun.objects.count() == 1
