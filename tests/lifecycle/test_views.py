import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import services as approval_services
from approvals.models import GateReview
from lifecycle import services
from lifecycle.models import Deliverable
from products.models import Product
from tests.factories import ProductFactory, UserFactory, complete_deliverables
from tests.helpers import login, queries

pytestmark = pytest.mark.django_db


def decide_url(review, department):
    return reverse("lifecycle:step_decide", args=[review.steps.get(department=department).pk])


def test_product_page_shows_stage_bar_diagram_checklist_and_history(client, product, owner):
    services.deliverables_ensure(product=product)  # the factory bypasses product_create, which starts the checklist
    response = login(client, owner).get(product.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="stage-bar"' in html and "市场调研报告" in html and 'id="history-timeline"' in html
    for transition in ("start_development", "launch", "begin_operation", "begin_retirement", "retire", "cancel"):
        assert f'data-transition="{transition}"' in html
    assert '<g data-stage="planning" class="current">' in html


def test_product_page_shows_open_review_steps(client, submitted, reviewers):
    html = login(client, reviewers["risk"]).get(submitted.product.get_absolute_url()).content.decode()
    assert 'id="review-steps"' in html and 'data-department="technology"' in html


def test_owner_deciding_on_the_page_is_403(client, submitted, owner):
    owner.departments.add(*owner.departments.model.objects.filter(code="risk"))
    response = login(client, owner).post(decide_url(submitted, "risk"), {"decision": "approve"})
    assert response.status_code == 403
    assert submitted.steps.get(department="risk").status == "pending"


def test_wrong_department_on_the_page_is_403(client, submitted, reviewers):
    response = login(client, reviewers["legal"]).post(decide_url(submitted, "risk"), {"decision": "approve"})
    assert response.status_code == 403


def test_reviewer_approves_on_the_page(client, submitted, reviewers):
    response = login(client, reviewers["risk"]).post(decide_url(submitted, "risk"),
                                                         {"decision": "approve", "comment": "可以"})
    assert response.status_code == 302
    step = submitted.steps.get(department="risk")
    assert step.status == "approved" and step.comment == "可以"


def test_rejection_without_comment_on_the_page_changes_nothing(client, submitted, reviewers):
    response = login(client, reviewers["risk"]).post(decide_url(submitted, "risk"), {"decision": "reject"},
                                                         follow=True)
    assert "驳回必须填写意见" in response.content.decode()
    assert submitted.steps.get(department="risk").status == "pending"


def test_submitting_on_the_page_with_missing_deliverables_shows_them(client, product, owner):
    response = login(client, owner).post(reverse("lifecycle:gate_submit", args=[product.pk]), follow=True)
    assert "产品策略与目标" in response.content.decode()
    assert not GateReview.objects.exists()


@pytest.mark.parametrize("who, opened", [("owner", True), ("head", True), ("other_pm", False), ("reviewer", False)])
def test_who_may_submit_on_the_page(client, who, opened, product, owner, head, other_pm, reviewer):
    complete_deliverables(product)
    user = {"owner": owner, "head": head, "other_pm": other_pm, "reviewer": reviewer}[who]
    response = login(client, user).post(reverse("lifecycle:gate_submit", args=[product.pk]))
    assert response.status_code == (302 if opened else 403)
    assert GateReview.objects.filter(product=product).exists() is opened


def test_owner_ticks_a_deliverable_with_htmx(client, product, owner):
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    response = login(client, owner).post(reverse("lifecycle:deliverable_update", args=[item.pk]),
                                             {"status": "done"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-status="done"' in response.content.decode()
    item.refresh_from_db()
    assert item.status == "done"


def test_waiver_without_reason_on_the_page_is_refused(client, product, owner):
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    response = login(client, owner).post(reverse("lifecycle:deliverable_update", args=[item.pk]),
                                             {"status": "waived"}, HTTP_HX_REQUEST="true")
    assert "豁免必须填写理由" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


def test_my_reviews_lists_overdue_first_and_hides_own_products(client, submitted, reviewers, owner):
    other = ProductFactory(owner=UserFactory(username="pm_other2"))
    complete_deliverables(other)
    late = services.gate_review_submit(product=other, user=other.owner)
    late.steps.filter(department="risk").update(due_date="2020-01-01", overdue=True)
    html = login(client, reviewers["risk"]).get(reverse("lifecycle:my_reviews")).content.decode()
    assert html.index(other.code) < html.index(submitted.product.code)
    own = login(client, owner).get(reverse("lifecycle:my_reviews")).content.decode()
    assert "没有待您审批的评审" in own


def test_my_reviews_query_count_is_constant(client, reviewers):
    def submit(n):
        for i in range(n):
            pm = UserFactory(username=f"qpm{n}_{i}")
            p = ProductFactory(owner=pm)
            complete_deliverables(p)
            services.gate_review_submit(product=p, user=pm)
    login(client, reviewers["compliance"])
    submit(1)
    few = queries(client, reverse("lifecycle:my_reviews"))
    submit(5)
    assert queries(client, reverse("lifecycle:my_reviews")) == few


def test_my_products_query_count_is_constant(client, owner):
    login(client, owner)
    few = None
    for _ in range(6):
        p = ProductFactory(owner=owner)
        complete_deliverables(p)
        services.gate_review_submit(product=p, user=owner)
        few = few or queries(client, reverse("lifecycle:my_products"))
    assert queries(client, reverse("lifecycle:my_products")) == few


def test_history_page_filters_and_query_count_is_constant(client, submitted, reviewers, owner):
    url = reverse("lifecycle:product_history", args=[submitted.product_id])
    login(client, owner)
    few = queries(client, url)
    approval_services.approval_step_decide(review=submitted, department="risk", user=reviewers["risk"],
                                           decision="approve")
    assert queries(client, url) == few
    html = client.get(url + "?action=step_approved").content.decode()
    # three from the planning gate, one now
    assert html.count('data-action="step_approved"') == 4 and 'data-action="review_submitted"' not in html


def test_history_csv_export(client, submitted, owner):
    url = reverse("lifecycle:product_history", args=[submitted.product_id]) + "?export=csv&action=review_submitted"
    response = login(client, owner).get(url)
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3 and "提交阶段评审" in lines[1]  # header + the planning and development submissions


def test_dashboard_panel_needs_only_the_request(rf, submitted, reviewers):
    from django.template import Context, Template

    submitted.steps.filter(department="finance").update(due_date="2020-01-01")
    request = rf.get("/")
    request.user = reviewers["risk"]
    html = Template('{% include "lifecycle/_dashboard_panel.html" %}').render(Context({"request": request}))
    assert submitted.product.code in html


def test_nav_shows_queue_to_reviewers_and_products_to_managers(client, reviewer, owner):
    html = login(client, reviewer).get(reverse("lifecycle:my_reviews")).content.decode()
    assert 'id="nav-my-reviews"' in html and 'id="nav-my-products"' not in html
    html = login(client, owner).get(reverse("lifecycle:my_products")).content.decode()
    assert 'id="nav-my-products"' in html and 'id="nav-my-reviews"' not in html


def test_product_stage_cannot_be_assigned_directly(product):
    with pytest.raises(AttributeError):
        product.stage = "operation"
    assert Product.objects.get(pk=product.pk).stage == "planning"


def test_owner_attaches_a_file_and_link_on_the_page(client, product, owner, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    upload = SimpleUploadedFile("research.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    login(client, owner).post(reverse("lifecycle:deliverable_update", args=[item.pk]),
                                  {"status": "open", "link": "https://wiki.bank.example/r", "attachment": upload})
    item.refresh_from_db()
    assert item.link == "https://wiki.bank.example/r" and item.attachment.name.endswith(".pdf")
    assert item.status == "open"


def test_product_page_query_count_does_not_grow_with_history(client, submitted, reviewers, owner):
    login(client, owner)
    few = queries(client, submitted.product.get_absolute_url())
    for department in ("risk", "compliance", "finance"):
        approval_services.approval_step_decide(review=submitted, department=department, user=reviewers[department],
                                      decision="approve")
    assert queries(client, submitted.product.get_absolute_url()) == few


def test_history_xlsx_export_uses_the_shared_export(client, submitted, owner):
    url = reverse("lifecycle:product_history", args=[submitted.product_id]) + "?export=xlsx&action=review_submitted"
    response = login(client, owner).get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('-history.xlsx"') and response.content[:2] == b"PK"


def test_reopen_is_offered_only_while_no_gate_review_is_open(client, product, owner, reviewers):
    complete_deliverables(product)
    html = login(client, owner).get(product.get_absolute_url()).content.decode()
    assert 'data-action="reopen"' in html
    services.gate_review_submit(product=product, user=owner)
    html = client.get(product.get_absolute_url()).content.decode()
    assert 'data-status="done"' in html and 'data-action="reopen"' not in html


def test_owner_clears_a_link_and_ticking_keeps_it(client, product, owner):
    services.deliverables_ensure(product=product)
    item = Deliverable.objects.filter(product=product).first()
    url = reverse("lifecycle:deliverable_update", args=[item.pk])
    login(client, owner).post(url, {"status": "open", "link": "https://wiki.bank.example/r"})
    client.post(url, {"status": "done"})  # the status buttons send no link: it stays
    item.refresh_from_db()
    assert item.status == "done" and item.link == "https://wiki.bank.example/r"
    client.post(url, {"status": "done", "link": ""})  # the attach form sent empty: it is cleared
    item.refresh_from_db()
    assert item.link == ""


# --- attachments ------------------------------------------------------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _first_item(product):
    services.deliverables_ensure(product=product)
    return Deliverable.objects.filter(product=product).first()


def _attach(client, user, item, name, content):
    upload = SimpleUploadedFile(name, content, content_type="text/html")
    return login(client, user).post(reverse("lifecycle:deliverable_update", args=[item.pk]),
                                        {"status": "open", "attachment": upload})


def test_an_html_attachment_is_refused_and_not_stored(client, product, owner, media):
    item = _first_item(product)
    _attach(client, owner, item, "evil.html", b"<script>alert(document.cookie)</script>")
    item.refresh_from_db()
    assert not item.attachment and not list(media.rglob("*"))


def test_script_renamed_to_pdf_is_refused_by_its_content(client, product, owner, media):
    item = _first_item(product)
    _attach(client, owner, item, "evil.pdf", b"<script>alert(document.cookie)</script>")
    item.refresh_from_db()
    assert not item.attachment


@pytest.mark.parametrize("debug", [False, True])
def test_an_attachment_is_served_to_a_reader_only_as_a_download(client, settings, product, owner, reviewers, media,
                                                              debug):
    settings.DEBUG = debug
    item = _first_item(product)
    _attach(client, owner, item, "research.pdf", b"%PDF-1.4 demo")
    item.refresh_from_db()
    response = login(client, reviewers["risk"]).get(item.attachment_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "research" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo"


def test_a_stored_file_is_never_served_from_the_media_folder(client, product, owner, media):
    item = _first_item(product)
    _attach(client, owner, item, "research.pdf", b"%PDF-1.4 demo")
    item.refresh_from_db()
    assert login(client, owner).get(f"/media/{item.attachment.name}").status_code == 404


def test_anonymous_visitors_cannot_download_an_attachment(client, product, owner, media):
    item = _first_item(product)
    _attach(client, owner, item, "research.pdf", b"%PDF-1.4 demo")
    client.logout()
    assert client.get(reverse("lifecycle:deliverable_attachment", args=[item.pk])).status_code == 403


def test_the_checklist_links_to_the_download_view(client, product, owner, media):
    item = _first_item(product)
    _attach(client, owner, item, "research.pdf", b"%PDF-1.4 demo")
    html = login(client, owner).get(product.get_absolute_url()).content.decode()
    assert f'href="/lifecycle/deliverables/{item.pk}/attachment/" download' in html and "/media/" not in html


def test_history_csv_export_is_in_local_time_and_words(client, submitted, owner):
    from django.utils import timezone

    from core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="review_submitted").latest("id")
    url = reverse("lifecycle:product_history", args=[submitted.product_id]) + "?export=csv&action=review_submitted"
    lines = login(client, owner).get(url).content.decode("utf-8-sig").strip().splitlines()
    row = next(line for line in lines if line.startswith(f"{entry.pk},"))
    assert timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S") in row
    assert str(owner) in row and "+00:00" not in row


def test_my_reviews_shows_the_products_key_kpis_on_its_card(client, submitted, reviewers):
    from kpis import services as kpi_services
    from kpis.models import Metric
    from tests.factories import observe

    Metric.objects.filter(code="active_customers").update(is_key=True)
    observe(submitted.product, "active_customers", "2026-09-05", 48248)
    kpi_services.kpi_snapshots_compute(period="2026-09", granularity="month")
    html = login(client, reviewers["risk"]).get(reverse("lifecycle:my_reviews")).content.decode()
    card = html[html.index(f'data-product="{submitted.product.code}"'):]
    assert 'data-metric="active_customers"' in card[:card.index("</form>")]
    assert "48,248" in card and "48,248.00" not in card


@pytest.mark.parametrize("export", ["", "?export=csv"])
def test_history_page_and_export_are_refused_to_who_may_not_read_the_trail(client, submitted, reviewers, export):
    login(client, reviewers["legal"])
    url = reverse("lifecycle:product_history", args=[submitted.product_id]) + export
    assert client.get(url).status_code == 403


def test_product_page_hides_the_timeline_from_who_may_not_read_the_trail(client, submitted, reviewers):
    login(client, reviewers["legal"])
    html = client.get(submitted.product.get_absolute_url()).content.decode()
    assert 'id="history-timeline"' not in html
