"""Complaint pages: the register with its Pareto, registering from feedback, root cause and links, the upload."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services
from complaints.models import Complaint
from tests.factories import FeedbackFactory, RequirementFactory
from tests.helpers import assert_constant_queries, login

from .conftest import item

pytestmark = pytest.mark.django_db


def test_the_register_shows_the_pareto_and_the_categories(client, pm, product):
    for cause in ("pricing", "pricing", "process"):
        services.complaints_register(user=pm, items=[item(root_cause=cause)])
    page = login(client, pm).get(f"/complaints/?product={product.pk}").content.decode()
    assert 'id="pareto-chart"' in page and 'id="pareto-data"' in page
    assert 'data-category="fees"' in page and "定价与费用规则 2" in page


def test_the_register_does_not_grow_with_complaints(client, pm, product):
    services.complaints_register(user=pm, items=[item()])
    assert_constant_queries(login(client, pm), "/complaints/",
                            lambda: services.complaints_register(user=pm, items=[item()] * 5))


def test_feedback_of_the_complaint_channel_offers_and_makes_a_complaint(client, pm, product):
    feedback = FeedbackFactory(product=product, channel="complaint", text="转账被拒")
    inbox = login(client, pm).get("/requirements/feedback/").content.decode()
    assert f'/complaints/from-feedback/{feedback.pk}/' in inbox
    response = client.post(f"/complaints/from-feedback/{feedback.pk}/", {"category": "service", "severity": "low"})
    complaint = Complaint.objects.get()
    assert response.url == f"/complaints/{complaint.pk}/"
    assert (complaint.feedback_id, complaint.category) == (feedback.pk, "service")


def test_root_cause_and_a_linked_requirement_are_saved_from_the_page(client, pm, product):
    complaint = services.complaints_register(user=pm, items=[item()])[0]
    requirement = RequirementFactory(product=product, title="年费规则说明")
    login(client, pm).post(f"/complaints/{complaint.pk}/", {
        "action": "save", "root_cause": "disclosure_docs", "root_cause_text": "说明不清", "resolution": "",
        "requirements": [requirement.pk]})
    complaint.refresh_from_db()
    assert (complaint.root_cause, list(complaint.requirements.all())) == ("disclosure_docs", [requirement])
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "年费规则说明" in page


def test_a_refused_transition_is_shown_and_changes_nothing(client, pm, product):
    complaint = services.complaints_register(user=pm, items=[item()])[0]
    response = login(client, pm).post(f"/complaints/{complaint.pk}/", {"action": "reject", "reason": ""},
                                      follow=True)
    assert "请填写不予受理的理由。" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "open"


def test_an_upload_with_a_bad_row_registers_nothing_and_names_the_row(client, pm, product):
    csv = ("product,received_on,category,severity,description,segment,channel,region\n"
           f"CC-C,{item()['received_on']},fees,high,重复扣费,,,\n"
           f"CC-C,{item()['received_on']},rude,high,态度差,,,\n").encode()
    response = login(client, pm).post("/complaints/upload/", {"file": SimpleUploadedFile("c.csv", csv)})
    assert 'data-row="3"' in response.content.decode()
    assert not Complaint.objects.exists()
