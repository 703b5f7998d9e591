"""Real threads against PostgreSQL: row locks and the partial unique constraint keep gates consistent."""
import threading

import pytest
from django.core.exceptions import PermissionDenied

from approvals.models import ApprovalStep, GateReview
from core.audit import audit_verify
from core.errors import DomainConflict
from core.models import AuditEntry
from lifecycle import services
from products import services as product_services
from products.models import Product
from tests.factories import ProductFactory, UserFactory, complete_deliverables
from tests.helpers import api, race, race_values

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 20


def test_twenty_threads_submitting_for_one_product_open_exactly_one_review(product, owner):
    head = UserFactory(username="head_conc", role="head_of_product")
    complete_deliverables(product)
    url = f"/api/v1/products/{product.pk}/gate-reviews/"
    codes = race_values(lambda i: api(owner if i % 2 else head).post(url, {}, format="json").status_code, THREADS)
    assert sorted(codes) == [201] + [409] * (THREADS - 1)
    assert GateReview.objects.filter(product=product, status="pending").count() == 1
    assert AuditEntry.objects.filter(action="review_submitted").count() == 1
    assert audit_verify() is None


def test_twenty_threads_deciding_one_review_record_each_decision_once_and_move_once(submitted, reviewers):
    departments = ["risk", "compliance", "finance", "technology", "senior_management"]
    url = f"/api/v1/gate-reviews/{submitted.pk}/decisions/"

    others_in = threading.Barrier(THREADS)  # senior management goes once every department thread has decided

    def decide(index):
        department = departments[index % len(departments)]
        client = api(reviewers[department])

        def post():
            return client.post(url, {"department": department, "decision": "approve", "comment": str(index)},
                               format="json").status_code

        if department == "senior_management":
            others_in.wait(30)
            return department, post()
        code = post()
        others_in.wait(30)
        return department, code

    results = race_values(decide, THREADS)
    assert all(code < 500 for _, code in results)
    for department in departments:
        codes = sorted(code for d, code in results if d == department)
        assert codes == [201, 409, 409, 409], department
    assert ApprovalStep.objects.filter(review=submitted, status="approved").count() == 5
    submitted.product.refresh_from_db()
    assert submitted.product.stage == "marketing"
    assert AuditEntry.objects.filter(product=submitted.product, action="stage_changed",
                                     to_value="marketing").count() == 1
    step_ids = [str(pk) for pk in submitted.steps.values_list("pk", flat=True)]
    assert AuditEntry.objects.filter(action="step_approved", object_id__in=step_ids).count() == 5
    assert audit_verify() is None


def test_an_owner_change_racing_a_submission_lets_exactly_one_through(owner):
    """Either the owner changes first (and the former owner may no longer submit) or the review opens first (and
    the owner may not change while it is open): never both, whichever thread the database serves first."""
    head = UserFactory(username="head_race", role="head_of_product")
    successor = UserFactory(username="pm_race", role="product_manager", departments=["product"])
    for attempt in range(5):
        product = ProductFactory(owner=owner, category="credit_card", risk_rating="R3", code=f"CC-RACE{attempt}")
        complete_deliverables(product)
        outcomes = race(
            lambda p=product: product_services.product_update(user=head, product=p, data={"owner": successor}),
            lambda p=product: services.gate_review_submit(product=p, user=owner),
        )
        changed, submitted = outcomes
        assert changed.finished and submitted.finished
        assert (changed.error is None) != (submitted.error is None), (changed.error, submitted.error)
        product.refresh_from_db()
        if submitted.error is None:
            assert isinstance(changed.error, DomainConflict) and changed.error.code == "review_pending"
            assert product.owner == owner
        else:
            assert isinstance(submitted.error, PermissionDenied)
            assert product.owner == successor and not product.gate_reviews.exists()
        Product.objects.filter(pk=product.pk).update(owner=owner)
    assert audit_verify() is None
