from accounts.models import Department


def test_departments_have_fixed_codes_with_chinese_and_english_names(db):
    rows = dict(Department.objects.values_list("code", "name_en"))
    assert set(rows) == {"risk", "compliance", "finance", "legal", "technology", "senior_management", "product"}
    assert Department.objects.get(code="risk").name == "风险管理部"


def test_chinese_full_name_puts_the_family_name_first(make_user):
    assert make_user(username="x", first_name="晓明", last_name="王").get_full_name() == "王晓明"
    assert make_user(username="y", first_name="Ada", last_name="Lovelace").get_full_name() == "Ada Lovelace"


def test_role_properties(make_user):
    assert make_user(username="a", role="product_manager").is_product_manager
    assert make_user(username="b", role="reviewer").is_reviewer
    assert make_user(username="c", role="senior_management").is_senior_management
    assert make_user(username="d", role="head_of_product").is_head_of_product
    assert make_user(username="e", role="reviewer", is_superuser=True).is_admin


def test_department_codes_come_from_membership(make_user):
    user = make_user(username="r", role="reviewer", departments=["risk", "legal"])
    assert user.department_codes == {"risk", "legal"}


def test_only_managers_heads_and_admins_can_own_products(make_user):
    assert make_user(username="p", role="product_manager").can_own_products
    assert make_user(username="h", role="head_of_product").can_own_products
    assert not make_user(username="r", role="reviewer").can_own_products
