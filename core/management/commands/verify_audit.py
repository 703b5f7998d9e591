from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_verify_checkpoints
from core.verification import audit_verification_run


class Command(BaseCommand):
    help = ("Verify the audit hash chain and its checkpoints and record the run; report the first broken entry or "
            "what the checkpoints say is missing (exit status 1, administrators notified of a break), or confirm it "
            "is intact.")

    def handle(self, *args, **options):
        run = audit_verification_run()
        broken = run.first_broken
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at entry #{broken.pk} ({broken.action}, {broken.created_at:%Y-%m-%d %H:%M:%S})."
            )
        missing = audit_verify_checkpoints()
        if missing is not None:
            raise CommandError(f"Audit chain incomplete: {missing}.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {run.entries_checked} entries."))
