"""Backlog pages: list, board, detail, versions, feedback inbox; constant query counts; board moves."""
import pytest

from requirements.models import Feedback, Requirement
from tests.factories import (
    CommentFactory,
    FeedbackFactory,
    ProductFactory,
    ProductVersionFactory,
    RequirementFactory,
    UserFactory,
)
from tests.helpers import queries

pytestmark = pytest.mark.django_db


def fill(product, n, version=None):
    assignee = UserFactory()
    for _ in range(n):
        r = RequirementFactory(product=product, target_version=version, assignee=assignee,
                               status="scheduled" if version else "new")
        r.tags.create(name=f"标签{r.pk}")
        FeedbackFactory(product=product, requirement=r)


def test_backlog_list_query_count_is_the_same_for_few_and_many_rows(client, pm):
    product = ProductFactory(owner=pm)
    version = ProductVersionFactory(product=product)
    client.force_login(pm)
    fill(product, 2, version)
    few = queries(client, f"/requirements/?product={product.pk}")
    fill(product, 40, version)
    assert queries(client, f"/requirements/?product={product.pk}") == few


def test_board_query_count_is_the_same_for_few_and_many_cards(client, pm):
    product = ProductFactory(owner=pm)
    version = ProductVersionFactory(product=product)
    client.force_login(pm)
    fill(product, 2, version)
    few = queries(client, f"/requirements/board/?product={product.pk}")
    fill(product, 60, version)
    fill(product, 20)
    assert queries(client, f"/requirements/board/?product={product.pk}") == few


def test_board_shows_every_card_in_its_status_column(client, pm):
    product = ProductFactory(owner=pm)
    RequirementFactory(product=product, title="新建卡片")
    RequirementFactory(product=product, title="已交付卡片", status="delivered")
    client.force_login(pm)
    html = client.get(f"/requirements/board/?product={product.pk}").content.decode()
    new_column = html.split('id="column-new"')[1].split('id="column-analysing"')[0]
    assert "新建卡片" in new_column and "已交付卡片" not in new_column


def test_feedback_inbox_query_count_is_constant(client, pm):
    product = ProductFactory(owner=pm)
    client.force_login(pm)
    FeedbackFactory(product=product, requirement=RequirementFactory(product=product))
    few = queries(client, "/requirements/feedback/")
    for _ in range(30):
        FeedbackFactory(product=product, requirement=RequirementFactory(product=product))
    assert queries(client, "/requirements/feedback/") == few


def test_version_list_query_count_is_constant(client, pm):
    product = ProductFactory(owner=pm)
    client.force_login(pm)
    ProductVersionFactory(product=product)
    few = queries(client, "/requirements/versions/")
    for _ in range(20):
        version = ProductVersionFactory(product=product)
        RequirementFactory(product=product, target_version=version, status="delivered")
    assert queries(client, "/requirements/versions/") == few


def test_board_drop_on_next_column_answers_the_new_status(client, pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    client.force_login(pm)
    response = client.post(f"/requirements/{requirement.pk}/transition/", {"status": "analysing"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["status"] == "analysing"
    assert Requirement.objects.get(pk=requirement.pk).status == "analysing"


def test_board_drop_on_unreachable_column_answers_409_with_reason(client, pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    client.force_login(pm)
    response = client.post(f"/requirements/{requirement.pk}/transition/", {"status": "delivered"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    body = response.json()
    assert "已交付" in body["detail"] and body["code"] == "transition_not_allowed"
    assert Requirement.objects.get(pk=requirement.pk).status == "new"


def test_reviewer_board_drop_is_forbidden(client, pm, reviewer):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    client.force_login(reviewer)
    response = client.post(f"/requirements/{requirement.pk}/transition/", {"status": "analysing"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["pm", "reviewer", "executive"])
def test_detail_page_shows_history_and_comments_to_every_role(client, who, pm, reviewer, executive):
    users = {"pm": pm, "reviewer": reviewer, "executive": executive}
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    CommentFactory(requirement=requirement, body="请补充风险评估。")
    client.force_login(users[who])
    html = client.get(f"/requirements/{requirement.pk}/").content.decode()
    assert "请补充风险评估。" in html and 'id="history"' in html
    assert ('data-transition="analyse"' in html) is (who == "pm")


def test_reviewer_cannot_open_the_create_page(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/requirements/new/").status_code == 403


def test_create_page_creates_requirement_and_redirects_to_it(client, pm):
    product = ProductFactory(owner=pm)
    client.force_login(pm)
    response = client.post("/requirements/new/", {
        "product": product.pk, "title": "网点排队叫号优化", "source": "customer_feedback", "type": "improvement",
        "priority": "P1", "reach": 3000, "impact": "1.00", "confidence": 80, "effort": "1.5", "tags": "网点, 体验",
    })
    requirement = Requirement.objects.get()
    assert response.status_code == 302 and response.url == requirement.get_absolute_url()
    assert sorted(requirement.tags.values_list("name", flat=True)) == ["体验", "网点"]


def test_bulk_action_page_sets_priority(client, pm):
    product = ProductFactory(owner=pm)
    rows = RequirementFactory.create_batch(2, product=product, priority="P3")
    client.force_login(pm)
    client.post("/requirements/bulk/", {"ids": [r.pk for r in rows], "action": "set_priority",
                                        "value_set_priority": "P0"})
    assert set(Requirement.objects.values_list("priority", flat=True)) == {"P0"}


def test_feedback_inbox_converts_selected_items(client, pm):
    product = ProductFactory(owner=pm)
    items = FeedbackFactory.create_batch(2, product=product)
    client.force_login(pm)
    response = client.post("/requirements/feedback/convert/",
                           {"feedback": [f.pk for f in items], "title": "手机银行夜间转账"})
    requirement = Requirement.objects.get()
    assert response.status_code == 302 and response.url == requirement.get_absolute_url()
    assert Feedback.objects.filter(requirement=requirement).count() == 2


def test_version_page_lists_each_requirement_once_and_counts_the_unfinished(client, pm):
    version = ProductVersionFactory(product=ProductFactory(owner=pm), name="v5.0")
    RequirementFactory(product=version.product, target_version=version, status="delivered", title="已完成项")
    RequirementFactory(product=version.product, target_version=version, status="in_development", title="开发中项")
    client.force_login(pm)
    html = client.get(version.get_absolute_url()).content.decode()
    assert "1 / 2" in html
    assert html.count("开发中项") == 1 and html.count("已完成项") == 1
    assert "1 条未完成" in html and 'id="release-form"' in html


def test_version_page_names_each_assignee_and_links_each_requirement(client, pm):
    version = ProductVersionFactory(product=ProductFactory(owner=pm), name="v5.1")
    dev = UserFactory(username="dev_wang", first_name="小明", last_name="王")
    done = RequirementFactory(product=version.product, target_version=version, status="scheduled", assignee=dev)
    RequirementFactory(product=version.product, target_version=version, status="scheduled", title="无人负责")
    client.force_login(pm)
    html = client.get(version.get_absolute_url()).content.decode()
    row = html.split(f'href="/requirements/{done.pk}/"')[1].split("</tr>")[0]
    assert "王小明" in row
    assert "—" in html.split("无人负责")[1].split("</tr>")[0]


def test_product_page_shows_backlog_counts_and_top_items(client, pm):
    product = ProductFactory(owner=pm)
    RequirementFactory(product=product, title="最高分需求", reach=99999)
    RequirementFactory(product=product, status="delivered")
    client.force_login(pm)
    html = client.get(product.get_absolute_url()).content.decode()
    assert 'id="product-backlog"' in html and "最高分需求" in html
    assert "已交付 · 1" in html


def test_backlog_page_speaks_english_when_chosen(client, pm):
    RequirementFactory(product=ProductFactory(owner=pm), status="analysing")
    client.force_login(pm)
    client.cookies["django_language"] = "en"
    html = client.get("/requirements/").content.decode()
    assert "Backlog" in html and "Analysing" in html


def test_admin_lists_requirements_and_versions(client, admin_user):
    RequirementFactory(target_version=None)
    client.force_login(admin_user)
    assert client.get("/admin/requirements/requirement/").status_code == 200
    assert client.get("/admin/requirements/productversion/").status_code == 200


@pytest.mark.parametrize("role, offered", [("pm", True), ("head", True), ("admin_user", True), ("reviewer", False),
                                           ("executive", False)])
def test_version_list_offers_new_version_to_product_editors_only(client, request, role, offered):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/requirements/versions/")
    assert response.status_code == 200
    assert ("/requirements/versions/new/" in response.content.decode()) is offered


def test_board_script_messages_are_translated_and_passed_as_json_data(client, pm, settings):
    product = ProductFactory(owner=pm)
    RequirementFactory(product=product)
    client.force_login(pm)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/requirements/board/?product={product.pk}").content.decode()
    assert '"askReject": "Why is it rejected?"' in html
    assert '"networkError": "Network error, please retry."' in html and 'src="/static/js/board.js"' in html


def test_another_managers_requirement_edit_page_is_a_403(client, pm, other_pm):
    requirement = RequirementFactory(product=ProductFactory(owner=other_pm))
    client.force_login(pm)
    assert client.get(f"/requirements/{requirement.pk}/edit/").status_code == 403


def test_another_managers_version_edit_page_is_a_403(client, pm, other_pm):
    version = ProductVersionFactory(product=ProductFactory(owner=other_pm))
    client.force_login(pm)
    assert client.get(f"/requirements/versions/{version.pk}/edit/").status_code == 403


def test_a_requirement_title_with_a_right_to_left_override_is_refused_on_the_page(client, pm):
    product = ProductFactory(owner=pm)
    client.force_login(pm)
    client.post("/requirements/new/", {"product": product.pk, "title": "fdp.exe\u202e需求", "source": "market_research",
                                        "type": "feature", "priority": "P1", "reach": 1, "impact": "1.00",
                                        "confidence": 80, "effort": "1.0"})
    assert not Requirement.objects.exists()


def test_backlog_row_shows_product_tags_feedback_assignee_and_version(client, pm):
    product = ProductFactory(owner=pm, code="ROW-1")
    version = ProductVersionFactory(product=product, name="v2.1")
    assignee = UserFactory(username="dev_li", first_name="明", last_name="李")
    requirement = RequirementFactory(product=product, target_version=version, status="scheduled", assignee=assignee,
                                     title="<转账> 限额", type="feature", source="internal")
    requirement.tags.create(name="手机银行")
    FeedbackFactory(product=product, requirement=requirement)
    client.force_login(pm)
    html = client.get("/requirements/").content.decode()
    row = html.split(f'<tr data-id="{requirement.pk}">')[1].split("</tr>")[0]
    assert f'href="/requirements/{requirement.pk}/" class="fw-bold">&lt;转账&gt; 限额</a>' in row
    assert ">ROW-1</a>" in row and ">手机银行</span>" in row and "1 条反馈" in row and ">李明</td>" in row
    assert f'href="/requirements/versions/{version.pk}/">v2.1</a>' in row and 'name="ids"' in row


def test_comment_tells_the_writer_who_was_notified_and_which_names_matched_nobody(client, pm):
    from tests.factories import UserFactory

    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    UserFactory(username="risk_li", first_name="丽", last_name="李", role="reviewer")
    client.force_login(pm)
    response = client.post(f"/requirements/{requirement.pk}/comments/", {"body": "@risk_li @nobody 请看"}, follow=True)
    html = response.content.decode()
    assert "已通知：李丽。" in html
    assert "没有找到这些用户，未发送通知：@nobody。" in html


def test_converting_nothing_ticked_says_so_rather_than_not_found(client, pm):
    FeedbackFactory(product=ProductFactory(owner=pm))
    client.force_login(pm)
    response = client.post("/requirements/feedback/convert/", {"title": "新需求"}, follow=True)
    html = response.content.decode()
    assert "请至少勾选一条反馈。" in html and "找不到所选反馈" not in html


def test_a_refused_conversion_keeps_the_ticks_and_the_typed_title(client, pm):
    product = ProductFactory(owner=pm)
    first = FeedbackFactory(product=product)
    second = FeedbackFactory(product=ProductFactory(owner=pm))  # another product: refused
    client.force_login(pm)
    response = client.post("/requirements/feedback/convert/", {"title": "统一限额", "feedback": [first.pk, second.pk]},
                           follow=True)
    html = response.content.decode()
    assert 'value="统一限额"' in html
    assert f'value="{first.pk}" aria-label="#{first.pk}" checked' in html
    assert f'value="{second.pk}" aria-label="#{second.pk}" checked' in html
    assert 'checked' not in client.get("/requirements/feedback/").content.decode()  # shown once


def test_no_tick_box_on_another_managers_feedback(client, pm, other_pm):
    mine = FeedbackFactory(product=ProductFactory(owner=pm))
    theirs = FeedbackFactory(product=ProductFactory(owner=other_pm))
    client.force_login(pm)
    html = client.get("/requirements/feedback/").content.decode()
    assert f'name="feedback" value="{mine.pk}"' in html and f'name="feedback" value="{theirs.pk}"' not in html


def test_the_requirement_links_back_to_each_of_its_feedback_items(client, pm):
    product = ProductFactory(owner=pm)
    requirement = RequirementFactory(product=product)
    item = FeedbackFactory(product=product, requirement=requirement)
    client.force_login(pm)
    html = client.get(f"/requirements/{requirement.pk}/").content.decode()
    assert f"converted=true#feedback-{item.pk}" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_edit_page_refuses_a_confidence_over_100_with_a_field_error(client, pm, language):
    requirement = RequirementFactory(product=ProductFactory(owner=pm), confidence=80)
    client.force_login(pm)
    client.cookies["django_language"] = language
    form = client.get(f"/requirements/{requirement.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "product"}
    response = client.post(f"/requirements/{requirement.pk}/edit/", {**data, "confidence": 150})
    assert response.status_code == 200
    assert "100%" in response.context["form"].errors["confidence"][0]
    requirement.refresh_from_db()
    assert requirement.confidence == 80


def test_edit_page_confidence_input_has_its_bounds(client, pm):
    requirement = RequirementFactory(product=ProductFactory(owner=pm))
    client.force_login(pm)
    html = client.get(f"/requirements/{requirement.pk}/edit/").content.decode()
    assert 'name="confidence"' in html and 'max="100"' in html and 'min="0"' in html
