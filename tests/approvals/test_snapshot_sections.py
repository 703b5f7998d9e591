"""What reviewers see of a snapshot: each section by its own template, as labelled tables with links."""
import pytest
from django.template.loader import render_to_string
from django.utils import translation

from approvals import snapshot_sections

SNAPSHOT = {
    "product": {"code": "CC-9", "name": "测试卡", "category": "credit_card", "stage": "development"},
    "from_stage": "development", "to_stage": "marketing",
    "change": {"id": 7, "summary": "年费下调", "reason": "competitor", "pilot": True, "effective_from": None,
               "requirements": [3]},
    "diff": [{"field": "customer_segment", "old": "mass_market", "new": "youth"},
             {"field": "sales_channels", "old": ["branch"], "new": ["branch", "mobile_banking"]}],
    "terms": {"customer_segment": "youth", "sales_channels": ["branch", "mobile_banking"], "features": []},
    "deliverables": [{"id": 1, "title": "风险评估", "title_en": "Risk assessment", "required": True,
                      "status": "done", "waiver_reason": "", "link": "", "attachment": ""},
                     {"id": 2, "title": "渠道方案", "title_en": "", "required": False, "status": "waived",
                      "waiver_reason": "沿用", "link": "", "attachment": ""}],
    "risk_register": {"required_categories": ["credit", "compliance"], "risks": [
        {"id": 11, "title": "借款人违约风险", "category": "credit", "status": "open", "response": "mitigate",
         "inherent_score": 12, "inherent_level": "high", "residual_score": 4, "residual_level": "low",
         "owner": "王晓明", "review_due": "2027-03-07", "controls": ["贷前审查"], "accepted_by": None}]},
    "some_new_section": {"closed": 3},
}
CODES = ["mass_market", "mobile_banking", "youth", "credit_card", "done", "waived", "mitigate", "competitor",
         "'status'", "{'", "None"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_section_is_a_labelled_table_without_codes_or_a_code_box(language):
    with translation.override(language):
        html = render_to_string("approvals/_snapshot.html", {"snapshot": SNAPSHOT})
    assert "<pre" not in html and html.count("<table") == 7
    assert [code for code in CODES if code in html.replace('data-field="', "")] == []


def test_the_risk_register_links_each_risk_and_colours_its_levels():
    html = render_to_string("approvals/_snapshot.html", {"snapshot": SNAPSHOT})
    assert 'href="/risks/11/"' in html and "bg-orange-lt" in html and "bg-green-lt" in html


def test_the_change_section_links_the_change_and_its_requirements():
    html = render_to_string("approvals/_snapshot.html", {"snapshot": SNAPSHOT})
    assert 'href="/changes/7/"' in html and 'href="/requirements/3/"' in html


def test_the_diff_shows_the_old_value_red_and_the_new_green():
    html = render_to_string("approvals/snapshot/diff.html", {"value": SNAPSHOT["diff"]})
    assert 'class="diff-old bg-red-lt"' in html and 'class="diff-new bg-green-lt"' in html


def test_sections_follow_the_registry_and_hide_what_the_header_shows():
    keys = [s["key"] for s in snapshot_sections.snapshot_sections(SNAPSHOT)]
    assert keys == ["product", "change", "diff", "terms", "deliverables", "risk_register", "some_new_section"]
    assert snapshot_sections.snapshot_sections(SNAPSHOT)[-1]["template"] == snapshot_sections.GENERIC_TEMPLATE


def test_a_process_registers_the_template_of_its_own_section():
    snapshot_sections.register_section_template("some_new_section", "approvals/snapshot/product.html")
    try:
        assert snapshot_sections.snapshot_sections(SNAPSHOT)[-1]["template"] == "approvals/snapshot/product.html"
    finally:
        del snapshot_sections.SECTION_TEMPLATES["some_new_section"]
