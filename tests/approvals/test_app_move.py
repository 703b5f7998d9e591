"""The engine's models moved from lifecycle to approvals with their tables: content types and permissions follow,
and the old admin addresses redirect."""
import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from approvals.models import Condition, GatePolicy, GateReview
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_the_engines_models_keep_their_tables_and_their_content_types_move():
    assert [m._meta.db_table for m in (GatePolicy, GateReview, Condition)] == [
        "lifecycle_gatepolicy", "lifecycle_gatereview", "lifecycle_condition"]
    assert ContentType.objects.get_for_model(GateReview).app_label == "approvals"
    assert not ContentType.objects.filter(app_label="lifecycle", model="gatereview").exists()
    assert Permission.objects.filter(content_type__app_label="approvals", codename="change_gatepolicy").exists()


def test_an_old_admin_address_of_a_moved_model_redirects_to_its_new_one(client, admin_user):
    response = login(client, admin_user).get("/admin/lifecycle/gatepolicy/?department=legal")
    assert (response.status_code, response["Location"]) == (302, "/admin/approvals/gatepolicy/?department=legal")
