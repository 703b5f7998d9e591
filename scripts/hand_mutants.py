"""Apply each rule-breaking mutant of issue 15 by hand, one at a time, and name the tests that catch it.

    DATABASE_URL=... CELERY_BROKER_URL=... .venv/bin/python scripts/hand_mutants.py [name ...]

Each mutant is an exact text replacement in one file (refused if the text is not found exactly once, which means
the code moved and the list needs updating). The file is restored afterwards, whatever happens. A mutant is
killed when its tests fail; the script prints the first failing test of each and exits non-zero if one survives.
Migrations are mutated too: the suite builds its test database from them on every run.
"""
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


LC = "tests/lifecycle/"
SQL_TESTS = ("tests/kpis/test_sql.py", "tests/kpis/test_services_compute.py")
MUTANTS = [
    Mutant("four-eyes: owner not among the makers", "lifecycle/engine.py",
           "makers = {review.submitted_by_id, review.product.owner_id}",
           "makers = {review.submitted_by_id}",
           (LC + "test_services_four_eyes.py",)),
    Mutant("senior last: next phase opens after any approval", "lifecycle/services.py",
           "    if review.steps.filter(status=StepStatus.PENDING).exists():\n        return\n", "",
           (LC + "test_services_senior_last.py",)),
    Mutant("senior last: every phase opens at once", "lifecycle/services.py",
           "_open_steps(review=review, steps=waiting.filter(position=first.position))",
           "_open_steps(review=review, steps=waiting)", (LC + "test_services_senior_last.py",)),
    Mutant("senior last: the seeded rule in phase 1", "lifecycle/migrations/0004_review_process_subject_snapshot_"
           "policy_phases.py", 'filter(department="senior_management").update(phase=2',
           'filter(department="senior_management").update(phase=1', (LC + "test_services_senior_last.py",)),
    Mutant("one open review: no service check", "lifecycle/services.py",
           "    if GateReview.objects.filter(lock_key=lock_key, status=GateReviewStatus.PENDING).exists():\n"
           "        raise GateConflict(LifecycleError.REVIEW_ALREADY_OPEN)\n", "",
           (LC + "test_services_one_open_review.py",)),
    Mutant("one open review: no partial unique constraint", "lifecycle/migrations/"
           "0011_review_lock_key_target_outcome_system_submitter.py",
           'constraint=models.UniqueConstraint(condition=models.Q(status="pending"), fields=("lock_key",),',
           'constraint=models.UniqueConstraint(condition=models.Q(status="nothing"), fields=("lock_key",),',
           (LC + "test_services_one_open_review.py",)),
    Mutant("deliverables: optional items block the gate", "lifecycle/services.py",
           "filter(stage=product.stage, required=True, status=DeliverableStatus.OPEN)",
           "filter(stage=product.stage, status=DeliverableStatus.OPEN)", (LC + "test_services_deliverables.py",)),
    Mutant("deliverables: reopening under a pending review", "lifecycle/services.py",
           "if status == DeliverableStatus.OPEN and not deliverable_can_reopen(product=product):",
           "if False:", (LC + "test_services_deliverables.py",)),
    Mutant("deliverables: items of another stage", "lifecycle/services.py",
           "if deliverable.stage != product.stage:", "if False:", (LC + "test_services_deliverables.py",)),
    *[Mutant(f"audit: {key!r} not hashed", "core/models.py", f'"{key}": self.{attr},', "",
             ("tests/core/test_audit_chain.py",))
      for key, attr in [("product", "product_id"), ("actor", "actor_id"), ("action", "action"),
                        ("from", "from_value"), ("comment", "comment")]],
    Mutant("audit: 'at' not hashed", "core/models.py",
           '"at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),', "",
           ("tests/core/test_audit_chain.py",)),
    Mutant("audit: trigger lets DELETE through", "core/migrations/0002_audit_entry_table_and_diffs.py",
           "    BEFORE UPDATE OR DELETE ON core_auditentry\n"
           "    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only",
           "    BEFORE UPDATE ON core_auditentry\n    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only",
           ("tests/core/test_audit_chain.py",)),
    Mutant("audit: no advisory lock", "core/audit.py",
           'cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])\n        last =',
           "pass\n        last =",
           ("tests/core/test_audit_chain.py::test_two_products_appending_at_the_same_moment_keep_one_unbroken_chain",)),
    Mutant("kpi sql: no zero guard on last year's value", "kpis/sql.py",
           "OR y.value IS NULL OR y.value = 0 THEN NULL", "OR y.value IS NULL THEN NULL",
           ("tests/kpis/test_sql.py",)),
    Mutant("kpi sql: no zero guard on the target", "kpis/sql.py",
           "WHEN t.target_value = 0 THEN NULL ELSE c.value", "ELSE c.value", ("tests/kpis/test_sql.py",)),
    Mutant("kpi sql: no zero guard on a lower-is-better value", "kpis/sql.py",
           "CASE WHEN c.value = 0 THEN NULL ELSE t.target_value * 100.0 / c.value END",
           "t.target_value * 100.0 / c.value", ("tests/kpis/test_sql.py",)),
    Mutant("kpi sql: `last` not per product", "kpis/sql.py",
           "JOIN kpis_observation l ON l.product_id = a.product_id AND l.metric_id",
           "JOIN kpis_observation l ON l.metric_id", ("tests/kpis/test_sql.py",)),
    Mutant("kpi sql: `last` not per metric", "kpis/sql.py",
           "AND l.metric_id = a.metric_id AND l.date", "AND l.date", ("tests/kpis/test_sql.py",)),
    # More of the statement: mutmut cannot mutate SQL held in strings, so these stand in for it.
    *[Mutant(f"kpi sql: {name}", path, old, new, SQL_TESTS)
      for name, path, old, new in [
          ("change guard on a zero previous value", "kpis/sql.py", "OR p.value IS NULL OR p.value = 0 THEN NULL",
           "OR p.value IS NULL THEN NULL"),
          ("change without magnitude", "kpis/sql.py", "* 100.0 / ABS(p.value)", "* 100.0 / p.value"),
          ("year over year without magnitude", "kpis/sql.py", "* 100.0 / ABS(y.value)", "* 100.0 / y.value"),
          ("formula division without its zero guard (margin)", "kpis/formulas.py",
           'return f"({left} / NULLIF({right}, 0))"', 'return f"({left} / {right})"'),
          ("profit reversed", "kpis/migrations/0005_metric_formula.py", '"profit": "revenue - cost"',
           '"profit": "cost - revenue"'),
          ("derived values without all their base figures", "kpis/sql.py",
           '+ " AND ".join(f"v{i} IS NOT NULL" for i in d.base_ids)', '+ "TRUE"'),
          ("avg as sum", "kpis/sql.py", '"avg": "a.v_avg"', '"avg": "a.v_sum"'),
          ("max as min", "kpis/sql.py", '"max": "a.v_max"', '"max": "a.v_min"'),
          ("window end included", "kpis/sql.py", '"(o.date >= %s AND o.date < %s)"',
           '"(o.date >= %s AND o.date <= %s)"'),
          ("window start excluded", "kpis/sql.py", '"(o.date >= %s AND o.date < %s)"',
           '"(o.date > %s AND o.date < %s)"'),
          ("risk limit red at the critical value", "kpis/sql.py", "WHEN c.value > t.critical_threshold THEN 'red'",
           "WHEN c.value >= t.critical_threshold THEN 'red'"),
          ("growth amber at the warning value", "kpis/sql.py", "WHEN c.value < t.warning_threshold THEN 'amber'",
           "WHEN c.value <= t.warning_threshold THEN 'amber'"),
          ("target of any granularity", "kpis/sql.py", "AND t.granularity = %s AND t.period_start",
           "AND (t.granularity = %s OR TRUE) AND t.period_start"),
          ("last year is the previous period", "kpis/sql.py", "p.previous().start, p.last_year().start]",
           "p.previous().start, p.previous().start]"),
          ("merged windows leave a gap out", "kpis/sql.py", "if merged and start <= merged[-1][1]:",
           "if merged:"),
      ]],
    Mutant("GatePolicy.clean accepts the product department", "lifecycle/models.py",
           "if self.department == DepartmentCode.PRODUCT:", "if False:",
           (LC + "test_models_gate_policy.py",)),
    Mutant("Target.clean: risk limit thresholds unchecked", "kpis/models.py",
           "(lower and self.critical_threshold < self.warning_threshold)", "False",
           ("tests/kpis/test_models.py",)),
    Mutant("Target.clean: growth thresholds unchecked", "kpis/models.py",
           "not lower and self.critical_threshold > self.warning_threshold", "False",
           ("tests/kpis/test_models.py",)),
    Mutant("products: a manager may hand a product over", "products/services.py",
           'if not is_portfolio_manager(user) and "owner" in data and data["owner"].pk != product.owner_id:',
           "if False:", ("tests/products/test_services.py",)),
]


def run(mutant: Mutant) -> tuple[bool, str]:
    path = ROOT / mutant.path
    original = path.read_text()
    if original.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the text to mutate occurs {original.count(mutant.old)} times in "
                         f"{mutant.path}; update scripts/hand_mutants.py")
    try:
        path.write_text(original.replace(mutant.old, mutant.new))
        # A mutated migration needs a test database built from the migrations; any other mutant reuses the one
        # built from the committed migrations (pytest-django drops the database after a run without --reuse-db).
        reuse = [] if "/migrations/" in mutant.path else ["--reuse-db"]
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-x", "-p", "no:randomly", *reuse,
                                 *mutant.tests], cwd=ROOT, capture_output=True, text=True)
    finally:
        path.write_text(original)
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", result.stdout, re.M)
    return result.returncode != 0, failed[0] if failed else result.stdout.strip().splitlines()[-1]


def main(names: list[str]) -> int:
    survivors = 0
    for mutant in MUTANTS:
        if names and not any(n in mutant.name for n in names):
            continue
        killed, evidence = run(mutant)
        survivors += not killed
        print(f"{'KILLED ' if killed else 'SURVIVED'} {mutant.name:55} {evidence}", flush=True)
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
