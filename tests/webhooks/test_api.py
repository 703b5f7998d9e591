"""GET|POST /api/v1/webhooks/, rotation, the delivery log and resend over the API; admin pages."""
import pytest

from tests.factories import UserFactory
from tests.helpers import api, login
from webhooks.models import Delivery, Event, Subscription

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/"


def body(receiver, **overrides):
    return {"name": "核心系统", "target_url": receiver.url + "/hook", "events": ["review.submitted"], **overrides}


def test_an_administrator_subscribes_and_sees_the_secret_once(admin, receiver, allow_loopback):
    created = api(admin).post(URL, body(receiver), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["secret"].startswith("whsec_")
    listed = api(admin).get(URL).json()["results"]
    assert [row["name"] for row in listed] == ["核心系统"] and "secret" not in listed[0]


@pytest.mark.parametrize("role", ["product_manager", "head_of_product", "reviewer", "senior_management"])
def test_other_roles_may_not_subscribe(role, receiver, allow_loopback):
    response = api(UserFactory(role=role)).post(URL, body(receiver), format="json")
    assert response.status_code == 403
    assert not Subscription.objects.exists()


def test_an_owner_sees_only_their_subscriptions(admin, receiver, allow_loopback):
    owner = UserFactory(role="product_manager")
    api(admin).post(URL, body(receiver, owner=owner.pk), format="json")
    api(admin).post(URL, body(receiver, name="另一个"), format="json")
    assert [row["name"] for row in api(owner).get(URL).json()["results"]] == ["核心系统"]


def test_a_private_target_is_a_400_naming_the_field(admin):
    response = api(admin).post(URL, {"name": "x", "target_url": "http://10.0.0.1/", "events": ["risk.accepted"]},
                               format="json")
    assert response.status_code == 400 and "target_url" in response.json()


def test_rotation_answers_the_new_secret(admin, receiver, allow_loopback):
    created = api(admin).post(URL, body(receiver), format="json").json()
    rotated = api(admin).post(f"{URL}{created['id']}/rotate-secret/").json()
    assert rotated["secret"] != created["secret"] and rotated["previous_secret_expires_at"]


def test_the_delivery_log_and_resend(admin, receiver, allow_loopback, django_capture_on_commit_callbacks):
    from webhooks import services

    api(admin).post(URL, body(receiver), format="json")
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_publish(type="review.submitted", data={"object_id": "1"})
    log = api(admin).get("/api/v1/webhook-deliveries/").json()["results"]
    assert [(row["status"], row["last_status_code"], row["log"][0]["status_code"]) for row in log] == [
        ("pending", 500, 500)]
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        resent = api(admin).post(f"/api/v1/webhook-deliveries/{log[0]['id']}/resend/")
    assert resent.status_code == 202
    assert Delivery.objects.get().status == "succeeded"
    assert resent.json()["event_id"] == str(Event.objects.get().id)


def test_the_admin_pages_list_subscriptions_and_deliveries(client, admin, receiver, allow_loopback):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    api(admin).post(URL, body(receiver), format="json")
    login(client, admin)
    for url in ("/admin/webhooks/subscription/", "/admin/webhooks/delivery/", "/admin/webhooks/allowednetwork/",
                "/admin/webhooks/subscription/add/"):
        assert client.get(url).status_code == 200, url
