"""Browser: create a requirement, drag it across the board, a refused drag snaps back, a bad CSV imports nothing."""
import pytest

from products.models import Product
from requirements.models import Requirement

pytestmark = pytest.mark.e2e


@pytest.fixture
def reference_rows(transactional_db):
    """Re-create the rows of the data migrations (departments, sales channels): an earlier transactional test's
    flush removes them, and the demo accounts need the departments (see the report: foundation issue)."""
    import importlib

    from django.apps import apps

    importlib.import_module("accounts.migrations.0002_departments").create_departments(apps, None)
    importlib.import_module("products.migrations.0002_sales_channels").create_channels(apps, None)


def drag(page, card, column):
    column.scroll_into_view_if_needed()
    card.scroll_into_view_if_needed()
    box, target = card.bounding_box(), column.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + 15, steps=3)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 30, steps=15)
    # SortableJS's fallback mode checks the pointer's list on a timer: let it see the final position.
    page.wait_for_timeout(150)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 40, steps=3)
    page.wait_for_timeout(150)
    page.mouse.up()


def test_requirement_created_dragged_refused_and_bad_import(reference_rows, page, demo_data, login, screenshot):
    product = Product.objects.get(code="CC-001")
    login("pm1")
    page.goto(f"/requirements/new/?product={product.pk}")
    page.fill("input[name=title]", "浏览器测试：信用卡还款提醒")
    page.fill("textarea[name=description]", "到期前三天推送还款提醒。")
    page.select_option("select[name=source]", "customer_feedback")
    page.select_option("select[name=priority]", "P1")
    page.fill("input[name=reach]", "20000")
    page.fill("input[name=effort]", "2")
    page.fill("input[name=tags]", "手机银行, 还款")
    page.click("#requirement-form button[type=submit]")
    page.wait_for_url("**/requirements/*/")
    requirement = Requirement.objects.get(title="浏览器测试：信用卡还款提醒")
    assert "新建" in page.inner_text("#requirement-status")
    screenshot("requirements-detail")

    page.goto(f"/requirements/board/?product={product.pk}")
    card = page.locator(f".board-card[data-id='{requirement.pk}']")
    with page.expect_response(lambda r: "/transition/" in r.url) as moved:
        drag(page, card, page.locator("#column-analysing"))
    assert moved.value.status == 200
    assert page.locator(f"#column-analysing .board-card[data-id='{requirement.pk}']").count() == 1
    assert Requirement.objects.get(pk=requirement.pk).status == "analysing"

    with page.expect_response(lambda r: "/transition/" in r.url) as refused:
        drag(page, page.locator(f".board-card[data-id='{requirement.pk}']"), page.locator("#column-delivered"))
    assert refused.value.status == 409
    alert = page.locator("#board-alert")
    alert.wait_for(state="visible")
    assert "已交付" in alert.inner_text()
    assert page.locator(f"#column-analysing .board-card[data-id='{requirement.pk}']").count() == 1
    assert page.locator(f"#column-delivered .board-card[data-id='{requirement.pk}']").count() == 0
    assert Requirement.objects.get(pk=requirement.pk).status == "analysing"
    screenshot("requirements-board-refused")

    before = Requirement.objects.count()
    header = ("product,title,description,source,type,priority,requester,assignee,due_date,tags,reach,impact,"
              "confidence,effort,target_version")
    csv = "\n".join([header,
                     "CC-001,导入的好需求,说明,market_research,feature,P2,分行,,2027-02-01,导入,100,1.00,80,1.0,",
                     "CC-001,导入的坏需求,说明,market_research,feature,P9,分行,,2027-02-01,导入,100,1.00,80,0,"]) + "\n"
    page.goto("/requirements/import/requirements/")
    page.set_input_files("input[name=file]", files=[{"name": "backlog.csv", "mimeType": "text/csv",
                                                      "buffer": csv.encode("utf-8")}])
    page.click("#dry-run")
    page.wait_for_selector("#import-result")
    assert page.locator("#import-rows tr[data-ok='0']").count() == 1
    bad = page.locator("#import-rows tr[data-line='3']").inner_text()
    assert "priority" in bad and "effort" in bad
    assert page.locator("#confirm-import").count() == 0
    assert "未导入" in page.inner_text("#import-verdict")
    assert Requirement.objects.count() == before
    screenshot("requirements-import-refused")

    page.goto(f"/requirements/?product={product.pk}")
    assert page.locator("#requirement-table tbody tr").count() >= 10
    screenshot("requirements-backlog")
    page.goto("/requirements/feedback/")
    screenshot("requirements-feedback")
    page.goto(product.get_absolute_url())
    page.locator("#product-backlog").scroll_into_view_if_needed()
    screenshot("requirements-product-section")
    from requirements.models import ProductVersion

    page.goto(ProductVersion.objects.get(product=product, name="v3.3").get_absolute_url())
    assert "/" in page.inner_text("#version-progress")
    screenshot("requirements-version")

    page.goto(f"/requirements/board/?product={product.pk}")
    with page.expect_navigation():
        page.select_option("#language-switcher select", "en")
    assert "Analysing" in page.inner_text("#board")
    screenshot("requirements-board-en")
