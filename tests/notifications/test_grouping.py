"""Notifications are grouped (one line per review, not per department's decision), filterable by kind, read state
and "asks me to act", and what asks the reader to act comes first."""
import pytest
from django.utils.translation import gettext_noop

from notifications.models import Notification
from notifications.services import mark_read, notify
from tests.helpers import assert_constant_queries, login

pytestmark = pytest.mark.django_db

DECISION = gettext_noop("%(product)s %(process)s：%(dept)s %(decision)s")
TO_REVIEW = gettext_noop("待审批：%(product)s %(process)s（%(dept)s）")
STAGE = gettext_noop("%(product)s 已进入「%(stage)s」阶段")


def decisions(user, review_id, departments=("风险管理", "合规", "财务")):
    for dept in departments:
        notify(recipients=[user], title_code=DECISION, url="/products/1/", group=f"review:{review_id}",
               params={"product": "CC-1", "process": "阶段评审", "dept": dept, "decision": "同意"})


def lines(client):
    html = client.get("/notifications/").content.decode()
    return html, html.count('class="list-group-item')


def test_a_message_code_says_its_kind_and_whether_it_asks_to_act(pm):
    notify(recipients=[pm], title_code=TO_REVIEW, params={"product": "CC-1", "process": "阶段评审", "dept": "财务"})
    notify(recipients=[pm], title_code=STAGE, params={"product": "CC-1", "stage": "推广"})
    notify(recipients=[pm], title="无代码的通知")
    rows = {n.title_code: (n.kind, n.action_required) for n in Notification.objects.all()}
    assert rows == {TO_REVIEW: ("review_request", True), STAGE: ("stage", False), "": ("other", False)}


def test_each_departments_decision_on_one_review_is_one_line(client, pm):
    decisions(pm, 1)
    decisions(pm, 2, departments=("法务",))
    html, count = lines(login(client, pm))
    assert count == 2
    assert 'data-count="3"' in html and "共 3 条，3 条未读" in html


def test_a_group_lists_its_notifications_one_by_one(client, pm):
    decisions(pm, 1)
    key = Notification.objects.first().group_key
    html = login(client, pm).get(f"/notifications/?group={key}").content.decode()
    assert html.count('class="list-group-item') == 4  # the way back and the three decisions


def test_what_asks_the_reader_to_act_comes_first(client, pm):
    notify(recipients=[pm], title_code=TO_REVIEW, params={"product": "CC-1", "process": "阶段评审", "dept": "财务"})
    decisions(pm, 1)  # newer, for information
    html, _count = lines(login(client, pm))
    assert html.index('data-action-required="yes"') < html.index('data-action-required="no"')


def test_the_filters_narrow_by_kind_state_and_action(client, pm):
    notify(recipients=[pm], title_code=TO_REVIEW, params={"product": "CC-1", "process": "阶段评审", "dept": "财务"})
    notify(recipients=[pm], title_code=STAGE, params={"product": "CC-2", "stage": "推广"})
    decisions(pm, 1)
    mark_read(user=pm, ids=[Notification.objects.get(title_code=STAGE).pk])
    client = login(client, pm)
    kinds = lambda url: {  # noqa: E731
        n.split('"')[0] for n in client.get(url).content.decode().split('data-kind="')[1:]}
    assert kinds("/notifications/?kind=stage") == {"stage"}
    assert kinds("/notifications/?state=read") == {"stage"}
    assert kinds("/notifications/?state=unread") == {"review_request", "review_result"}
    assert kinds("/notifications/?action=1") == {"review_request"}


def test_marking_a_group_read_marks_every_notification_in_it(client, pm):
    decisions(pm, 1)
    decisions(pm, 2)
    key = Notification.objects.filter(params__dept="风险管理").order_by("id").first().group_key
    login(client, pm).post("/notifications/read/", {"group": key})
    assert Notification.objects.filter(group_key=key, read_at__isnull=True).count() == 0
    assert Notification.objects.exclude(group_key=key).filter(read_at__isnull=True).count() == 3


def test_opening_a_group_marks_it_read_and_goes_to_its_page(client, pm):
    decisions(pm, 1)
    latest = Notification.objects.order_by("-id").first()
    response = login(client, pm).post(f"/notifications/{latest.pk}/open/")
    assert response.url == "/products/1/"
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_grouped_list_does_not_grow_with_groups(client, pm):
    decisions(pm, 0)
    assert_constant_queries(login(client, pm), "/notifications/",
                            lambda: [decisions(pm, i) for i in range(1, 12)])
