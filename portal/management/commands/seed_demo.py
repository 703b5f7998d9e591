from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from changes import demo as changes_demo
from complaints import demo as complaints_demo
from core.models import AuditVerification
from core.verification import audit_verification_run
from exits import demo as exits_demo
from kpis import demo as kpis_demo
from lifecycle import demo as lifecycle_demo
from notifications.models import Notification
from products import demo as products_demo
from requirements import demo as requirements_demo
from reviews import demo as reviews_demo
from risks import demo as risks_demo

# Risks before lifecycle: the lifecycle demo walks products through launch gates that check the register. KPIs
# late: a withdrawn product's customer figures follow its exit plan's reported migration; complaints after the KPIs
# (the register then feeds their complaint counts).
SEEDERS = [accounts_demo, products_demo, risks_demo, lifecycle_demo, requirements_demo, changes_demo, exits_demo,
           kpis_demo, complaints_demo, reviews_demo]


class Command(BaseCommand):
    help = "Load demo accounts and products (idempotent: a second run changes nothing). Refused in production."

    def handle(self, *args, **options):
        if settings.BANKPM_PRODUCTION:
            raise CommandError("seed_demo refuses to run in production mode.")
        with transaction.atomic():
            for seeder in SEEDERS:
                seeder.seed(stdout=self.stdout)
            # The demo's history notifies in the app; nobody is e-mailed about it (before the outbox sends).
            Notification.objects.filter(emailed_at__isnull=True, send_email=True).update(send_email=False)
            # The demo's chain verified once, as the nightly task would have done.
            if not AuditVerification.objects.exists():
                audit_verification_run(notify_on_break=False)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {accounts_demo.DEMO_PASSWORD}):"))
        for username, _first, _last, role, *_ in accounts_demo.DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role.label}")
