"""Browser checks of the hardening: every page runs under the CSP without a violation, and an attachment opens
as a download, never as a page."""
import pytest

from lifecycle.models import Deliverable
from products.models import Product
from requirements.models import ProductVersion

pytestmark = pytest.mark.e2e


def pages():
    product = Product.objects.get(code="CC-001")
    version = ProductVersion.objects.filter(product=product).first()
    return [
        "/kpis/", f"/kpis/products/{product.pk}/", "/kpis/alerts/", "/kpis/scorecards/", "/kpis/upload/",
        "/products/", f"/products/{product.pk}/", f"/products/{product.pk}/edit/", "/products/new/",
        f"/lifecycle/products/{product.pk}/history/", "/lifecycle/reviews/", "/lifecycle/my-products/",
        "/requirements/", f"/requirements/board/?product={product.pk}", "/requirements/new/",
        "/requirements/versions/", f"/requirements/versions/{version.pk}/", "/requirements/feedback/",
        "/requirements/import/requirements/", "/notifications/", "/admin/", "/admin/products/product/",
        f"/admin/products/product/{product.pk}/change/", "/api/docs/",
    ]


def test_every_page_loads_under_the_csp_without_a_violation(page, demo_data, login):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login("admin")
    page.add_init_script("document.addEventListener('securitypolicyviolation',"
                         " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))")
    for url in pages():
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, url
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert response.headers["referrer-policy"] == "same-origin" and "camera=()" in response.headers[
            "permissions-policy"]
        assert problems == [], (url, problems)


def test_charts_and_the_board_still_work_under_the_csp(page, demo_data, login):
    product = Product.objects.get(code="CC-001")
    login("pm1")
    page.goto("/kpis/")
    page.wait_for_selector("#chart-stages canvas")
    page.goto(f"/kpis/products/{product.pk}/")
    page.wait_for_selector(".card canvas")
    page.goto(f"/requirements/board/?product={product.pk}")
    assert page.evaluate("typeof Sortable") == "function"


def test_an_uploaded_attachment_opens_as_a_download_not_a_page(page, demo_data, login, settings, tmp_path,
                                                                screenshot):
    settings.MEDIA_ROOT = tmp_path
    product = Product.objects.get(code="CC-005")
    item = Deliverable.objects.filter(product=product, stage=product.stage).first()
    source = tmp_path / "research.pdf"
    source.write_bytes(b"%PDF-1.4\n<script>alert(document.cookie)</script>\n")
    login("pm1")
    page.goto(f"/products/{product.pk}/")
    row = page.locator(f"#deliverable-{item.pk}")
    row.locator("summary").click()
    row.locator("input[name=attachment]").set_input_files(str(source))
    with page.expect_navigation():
        row.locator(".attach-form button").click()
    link = page.locator(f"#deliverable-{item.pk} a[href$='/attachment/']")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert page.url.endswith(f"/products/{product.pk}/")
    screenshot("attachment-download")
