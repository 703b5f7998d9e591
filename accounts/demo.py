"""Demo accounts; all share one password. Existing accounts are left as they are (idempotent)."""
from accounts.choices import Role
from accounts.models import Department, User

DEMO_PASSWORD = "bankpm-demo"

# username, first name, last name, role, departments, superuser
DEMO_USERS = [
    ("pm1", "晓明", "王", Role.PRODUCT_MANAGER, ["product"], False),
    ("pm2", "丽华", "李", Role.PRODUCT_MANAGER, ["product"], False),
    ("risk1", "建国", "张", Role.REVIEWER, ["risk"], False),
    ("compliance1", "敏", "刘", Role.REVIEWER, ["compliance"], False),
    # Second reviewers of risk and compliance: a reviewer away names one of them as substitute (delegation).
    ("risk2", "志远", "孙", Role.REVIEWER, ["risk"], False),
    ("compliance2", "雪梅", "吴", Role.REVIEWER, ["compliance"], False),
    ("finance1", "强", "陈", Role.REVIEWER, ["finance"], False),
    ("legal1", "静", "杨", Role.REVIEWER, ["legal"], False),
    ("tech1", "磊", "赵", Role.REVIEWER, ["technology"], False),
    ("exec1", "伟", "黄", Role.SENIOR_MANAGEMENT, ["senior_management"], False),
    ("head1", "芳", "周", Role.HEAD_OF_PRODUCT, ["product"], False),
    ("admin", "管理员", "", Role.ADMINISTRATOR, [], True),
]


def seed(*, stdout=None):
    departments = {d.code: d for d in Department.objects.all()}
    created = 0
    for username, first, last, role, dept_codes, superuser in DEMO_USERS:
        user, is_new = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first, "last_name": last, "role": role, "email": f"{username}@bank.example",
                "is_superuser": superuser, "is_staff": superuser,
            },
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.departments.set([departments[code] for code in dept_codes])
            created += 1
    return created
