import pytest
from django.urls import reverse

from core.models import AuditEntry
from lifecycle import services
from lifecycle.models import GatePolicy
from tests.factories import ProductFactory, UserFactory, complete_deliverables

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_owner(db):
    return UserFactory(username="adm_owner", role="administrator", is_superuser=True, is_staff=True,
                       departments=["risk", "compliance"])


def run_action(client, review, comment="材料齐全，同意。", confirm=True):
    url = reverse("admin:lifecycle_gatereview_changelist")
    data = {"action": "approve_my_steps", "_selected_action": [review.pk], "post": "yes", "comment": comment}
    if confirm:
        data["confirm"] = "yes"
    return client.post(url, data, follow=True)


def test_admin_who_owns_the_product_is_refused_by_the_admin_action(client, admin_owner, reviewers):
    product = ProductFactory(owner=admin_owner)
    complete_deliverables(product)
    review = services.gate_review_submit(product=product, user=admin_owner)
    client.force_login(admin_owner)
    response = run_action(client, review)
    assert "四眼" in response.content.decode()
    assert set(review.steps.values_list("status", flat=True)) == {"pending", "waiting"}


def test_admin_action_approves_one_step_of_the_admins_departments_with_the_comment(client, submitted, admin_owner):
    client.force_login(admin_owner)
    response = run_action(client, submitted)
    decided = submitted.steps.filter(status="approved")
    assert decided.count() == 1 and decided.get().comment == "材料齐全，同意。"
    assert "职责分离" in response.content.decode()
    assert dict(submitted.steps.values_list("department", "status"))["finance"] == "pending"


def test_admin_action_first_asks_a_comment_and_a_confirmation(client, submitted, admin_owner):
    client.force_login(admin_owner)
    url = reverse("admin:lifecycle_gatereview_changelist")
    page = client.post(url, {"action": "approve_my_steps", "_selected_action": [submitted.pk]})
    assert page.status_code == 200 and 'name="comment"' in page.content.decode() and 'name="confirm"' in (
        page.content.decode())
    assert not submitted.steps.filter(status="approved").exists()


@pytest.mark.parametrize(("comment", "confirm"), [("", True), ("同意", False)])
def test_admin_action_without_a_comment_or_a_confirmation_decides_nothing(client, submitted, admin_owner, comment,
                                                                          confirm):
    client.force_login(admin_owner)
    response = run_action(client, submitted, comment=comment, confirm=confirm)
    assert "请填写审批意见并确认" in response.content.decode()
    assert not submitted.steps.filter(status="approved").exists()


def test_audit_entries_cannot_be_added_changed_or_deleted_in_the_admin(client, submitted, admin_owner):
    client.force_login(admin_owner)
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code \
        == 403
    client.post(reverse("admin:core_auditentry_change", args=[entry.pk]), {"comment": "篡改"})
    entry_after = AuditEntry.objects.get(pk=entry.pk)
    assert entry_after.comment == entry.comment and entry_after.entry_hash == entry.entry_hash


def test_gate_policy_change_in_the_admin_is_audited(client, admin_owner):
    client.force_login(admin_owner)
    policy = GatePolicy.objects.get(department="legal", category="loan")
    data = {"process": "stage_gate", "phase": 1, "fact": "", "department": "legal", "target_stage": "",
            "category": "loan", "min_risk_rating": "", "due_working_days": 5, "escalation_days": 1, "is_active": "on"}
    response = client.post(reverse("admin:lifecycle_gatepolicy_change", args=[policy.pk]), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="policy_changed")
    assert entry.actor == admin_owner and "法务部" in entry.to_value
    client.post(reverse("admin:lifecycle_gatepolicy_delete", args=[policy.pk]), {"post": "yes"})
    assert AuditEntry.objects.filter(action="policy_changed", from_value="删除").count() == 1
    assert not GatePolicy.objects.filter(pk=policy.pk).exists()


def test_gate_review_cannot_be_deleted_in_the_admin(client, submitted, admin_owner):
    client.force_login(admin_owner)
    url = reverse("admin:lifecycle_gatereview_delete", args=[submitted.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403


def test_bulk_policy_delete_is_all_or_nothing(product, admin_owner):
    from django.db.models import ProtectedError

    from lifecycle.models import DeliverableTemplate

    services.deliverables_ensure(product=product)
    unused = DeliverableTemplate.objects.create(stage="planning", title="临时模板")
    used = DeliverableTemplate.objects.filter(deliverables__product=product).first()
    unused_pk, audits = unused.pk, AuditEntry.objects.count()
    with pytest.raises(ProtectedError):
        services.gate_policy_delete(user=admin_owner, objs=[unused, used])
    assert DeliverableTemplate.objects.filter(pk=unused_pk).exists() and AuditEntry.objects.count() == audits


def test_bulk_policy_delete_in_the_admin_audits_each_row(client, admin_owner):
    client.force_login(admin_owner)
    ids = list(GatePolicy.objects.filter(department="legal").values_list("pk", flat=True))
    url = reverse("admin:lifecycle_gatepolicy_changelist")
    client.post(url, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not GatePolicy.objects.filter(pk__in=ids).exists()
    assert AuditEntry.objects.filter(action="policy_changed", from_value="删除").count() == len(ids) > 0


def test_required_deliverable_cannot_be_made_optional_in_the_admin(client, product, admin_owner):
    from lifecycle.models import Deliverable

    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product, required=True).first()
    client.force_login(admin_owner)
    data = {"title": item.title, "title_en": item.title_en, "owner": item.owner_id, "due_date": "", "link": ""}
    response = client.post(reverse("admin:lifecycle_deliverable_change", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.required and services.missing_deliverables(product=product)


def test_an_admin_edit_of_a_deliverables_details_goes_through_the_service_audited(client, product, admin_owner):
    from lifecycle.models import Deliverable

    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    client.force_login(admin_owner)
    data = {"title": "修订后的名称", "title_en": item.title_en, "owner": item.owner_id, "due_date": "2027-03-01",
            "link": ""}
    assert client.post(reverse("admin:lifecycle_deliverable_change", args=[item.pk]), data).status_code == 302
    entry = AuditEntry.objects.get(action="deliverable_edited", object_id=str(item.pk))
    assert entry.actor == admin_owner
    assert {c["field"]: c["new"] for c in entry.changes} == {"title": "修订后的名称", "due_date": "2027-03-01"}


def test_an_html_attachment_is_refused_in_the_admin(client, product, admin_user, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lifecycle.models import Deliverable

    settings.MEDIA_ROOT = tmp_path
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    client.force_login(admin_user)
    url = reverse("admin:lifecycle_deliverable_change", args=[item.pk])
    response = client.post(url, {"title": item.title, "title_en": item.title_en, "owner": item.owner_id,
                                 "due_date": "", "link": "",
                                 "attachment": SimpleUploadedFile("evil.html", b"<script>alert(1)</script>")})
    item.refresh_from_db()
    assert response.status_code == 200 and "只接受以下文档类型" in response.content.decode()
    assert not item.attachment


def test_a_reviews_steps_are_shown_read_only_in_the_admin(client, submitted, admin_owner):
    client.force_login(admin_owner)
    page = client.get(reverse("admin:lifecycle_gatereview_change", args=[submitted.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="steps-group"' in html and "风险管理部" in html
    assert 'name="steps-0-comment"' not in html
