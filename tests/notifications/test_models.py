"""Stored notification links accept only http(s) and the app's own paths, on every path in."""
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_script_link_is_refused_by_model_validation(pm):
    note = Notification(recipient=pm, title="t", url="javascript:alert(document.cookie)")
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "url" in error.value.message_dict


def test_a_script_link_is_refused_by_the_database_when_validation_is_skipped(pm):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.bulk_create([Notification(recipient=pm, title="t", url="javascript:alert(1)")])


def test_own_paths_and_web_links_are_stored(pm):
    for url in ("/lifecycle/reviews/", "https://wiki.bank.example/x"):
        Notification(recipient=pm, title="t", url=url).full_clean()
