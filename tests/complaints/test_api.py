"""The complaints API: bulk registration (all or nothing, per index), edits, transitions, feedback, the Pareto."""
import json

import pytest

from complaints.models import Complaint
from core.audit import AuditEntry
from tests.factories import FeedbackFactory
from tests.helpers import api, assert_constant_queries, assert_unchanged

from .conftest import item

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"


def post(user, body):
    return api(user).post(URL, json.dumps(body), content_type="application/json")


def test_a_bulk_is_registered_with_its_ids(pm, product):
    response = post(pm, [item(), item(category="service", severity="low")])
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 2, "ids": sorted(Complaint.objects.values_list("pk", flat=True))}


def test_a_bad_item_is_reported_by_index_and_nothing_is_registered(pm, product):
    with assert_unchanged(Complaint, AuditEntry):
        response = post(pm, [item(), item(received_on="2999-01-01", colour="red")])
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 1, "errors": {
        "colour": ["未知字段。"], "received_on": ["收到日期不能晚于今天。"]}}]}


def test_an_object_instead_of_a_list_is_refused(pm, product):
    response = post(pm, item())
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_a_transition_and_a_patch_return_the_complaint(pm, product):
    complaint_id = post(pm, [item()]).json()["ids"][0]
    client = api(pm)
    assert client.post(f"{URL}{complaint_id}/transition/", {"transition": "investigate"},
                       format="json").json()["status"] == "investigating"
    body = client.patch(f"{URL}{complaint_id}/", {"root_cause": "pricing", "resolution": "退费"}, format="json").json()
    assert (body["root_cause"], body["resolution"]) == ("pricing", "退费")
    body = client.post(f"{URL}{complaint_id}/transition/", {"transition": "resolve"}, format="json").json()
    assert body["status"] == "resolved"


def test_resolving_without_root_cause_is_400_on_that_field(pm, product):
    complaint_id = post(pm, [item()]).json()["ids"][0]
    client = api(pm)
    client.post(f"{URL}{complaint_id}/transition/", {"transition": "investigate"}, format="json")
    response = client.post(f"{URL}{complaint_id}/transition/", {"transition": "resolve", "resolution": "x"},
                           format="json")
    assert response.status_code == 400
    assert "root_cause" in response.json()


def test_feedback_of_another_channel_is_409(pm, product):
    feedback = FeedbackFactory(product=product, channel="online")
    response = api(pm).post(f"{URL}from-feedback/", {"feedback": feedback.pk, "category": "fees",
                                                     "severity": "low"}, format="json")
    assert response.status_code == 409


def test_the_pareto_counts_root_causes_with_the_cumulative_share(pm, product):
    post(pm, [item(root_cause="pricing"), item(root_cause="pricing"), item(root_cause="system"), item()])
    assert api(pm).get(f"{URL}pareto/?product={product.pk}").json() == [
        {"code": "pricing", "label": "定价与费用规则", "count": 2, "cumulative_pct": 66.7},
        {"code": "system", "label": "系统与技术", "count": 1, "cumulative_pct": 100.0}]


def test_the_list_does_not_grow_with_complaints(pm, product):
    post(pm, [item()])
    assert_constant_queries(api(pm), URL, lambda: post(pm, [item()] * 20))
