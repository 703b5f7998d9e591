"""Policy data (notice periods, task templates): saved and deleted through exits.services, each change audited."""
import pytest

from core.models import AuditEntry
from exits import services
from exits.models import ExitNoticePolicy, ExitTaskTemplate

pytestmark = pytest.mark.django_db


def test_a_new_task_template_is_saved_and_audited_as_added_with_its_text(admin_user):
    template = ExitTaskTemplate(code="notify_regulator", title="报送监管", anchor="close_date", offset_days=5)
    services.exit_policy_save(user=admin_user, obj=template)
    assert ExitTaskTemplate.objects.get(code="notify_regulator").title == "报送监管"
    entry = AuditEntry.objects.get(action="exit_policy_changed")
    assert (entry.actor, entry.from_value, entry.to_value) == (admin_user, "新增", "报送监管")


def test_an_edited_notice_period_is_saved_and_audited_as_changed(admin_user):
    policy = ExitNoticePolicy.objects.get(category="credit_card")
    policy.notice_days = 60
    services.exit_policy_save(user=admin_user, obj=policy)
    assert ExitNoticePolicy.objects.get(category="credit_card").notice_days == 60
    entry = AuditEntry.objects.get(action="exit_policy_changed")
    assert (entry.from_value, entry.to_value) == ("修改", "信用卡: 60")


def test_deleted_policy_rows_are_gone_and_each_is_audited_with_its_text(admin_user):
    policies = list(ExitNoticePolicy.objects.filter(category__in=["loan", "wealth"]).order_by("category"))
    services.exit_policy_delete(user=admin_user, objs=policies)
    assert not ExitNoticePolicy.objects.filter(category__in=["loan", "wealth"]).exists()
    entries = AuditEntry.objects.filter(action="exit_policy_changed").order_by("id")
    assert [(e.actor, e.from_value, e.to_value) for e in entries] == [
        (admin_user, "删除", "贷款: 30"), (admin_user, "删除", "理财: 30")]
