from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_verify
from core.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the audit hash chain; report the first broken entry (exit status 1) or confirm it is intact."

    def handle(self, *args, **options):
        broken = audit_verify()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at entry #{broken.pk} ({broken.action}, {broken.created_at:%Y-%m-%d %H:%M:%S})."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {AuditEntry.objects.count()} entries."))
