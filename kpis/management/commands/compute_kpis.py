"""`manage.py compute_kpis --period 2026-10 --granularity month [--through 2026-12]` with a progress bar."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kpis import services

BAR = 30


class Command(BaseCommand):
    help = "Compute KPI snapshots for a period (or a range of periods) in this process."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026-10 (month) or 2026-Q4 (quarter)")
        parser.add_argument("--granularity", default="month", choices=["month", "quarter"])
        parser.add_argument("--through", help="last period of a backfill (inclusive)")

    def handle(self, *args, period, granularity, through, **options):
        try:
            result = services.kpi_snapshots_compute(period=period, granularity=granularity, through=through,
                                                    progress=self._progress)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"{result.periods} period(s), {result.snapshots} snapshots, {result.alerts_opened} alert(s) opened, "
            f"{result.alerts_resolved} resolved"))

    def _progress(self, done, total):
        filled = BAR * done // max(total, 1)
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}", ending="")
        self.stdout.flush()
