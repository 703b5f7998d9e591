import pytest
from django.core.management import call_command

from requirements.models import Comment, Feedback, ProductVersion, Requirement

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_backlog_and_a_second_run_changes_nothing(demo_data):
    counts = (Requirement.objects.count(), Feedback.objects.count(), Comment.objects.count(),
              ProductVersion.objects.count())
    assert all(counts)
    assert Feedback.objects.filter(requirement__isnull=False).exists()
    assert Requirement.objects.filter(status="delivered", delivered_at__isnull=False).exists()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Requirement.objects.count(), Feedback.objects.count(), Comment.objects.count(),
            ProductVersion.objects.count()) == counts
