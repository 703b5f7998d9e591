"""Releasing a version asks what happens to its unfinished requirements."""
import pytest

from requirements.models import ProductVersion, Requirement

pytestmark = pytest.mark.e2e


def test_release_moves_unfinished_scope_to_the_chosen_version(page, demo_data, login, screenshot):
    version = ProductVersion.objects.get(product__code="CC-001", name="v3.3")
    unfinished = list(Requirement.objects.filter(target_version=version).exclude(status="delivered"))
    assert unfinished
    login("pm1")
    page.goto(f"/requirements/versions/{version.pk}/")
    assert page.locator("#release-form").is_visible()
    screenshot("versions-release-asks")
    page.check("#release-form input[value=move]")
    page.select_option("#release-form select[name=move_to]", label=page.locator(
        "#release-form select[name=move_to] option").nth(1).inner_text())
    with page.expect_navigation():
        page.click("#release-version")
    assert page.locator(".alert-success").count() == 1
    version.refresh_from_db()
    assert version.status == "released"
    later = Requirement.objects.get(pk=unfinished[0].pk).target_version
    assert later.name == "v4.0"
    screenshot("versions-released")
