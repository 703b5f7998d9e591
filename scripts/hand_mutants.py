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
           "return {review.submitted_by_id, review.product.owner_id}", "return {review.submitted_by_id}",
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
           "    if product.gate_reviews.filter(status=GateReviewStatus.PENDING).exists():\n"
           "        raise GateConflict(LifecycleError.REVIEW_ALREADY_OPEN)\n", "",
           (LC + "test_services_one_open_review.py",)),
    Mutant("one open review: no partial unique constraint", "lifecycle/migrations/0001_initial.py",
           "constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('product',), "
           "name='one_open_gate_review_per_product')",
           "constraint=models.CheckConstraint(condition=models.Q(('status', 'pending')) | ~models.Q(('status', "
           "'pending')), name='one_open_gate_review_per_product')", (LC + "test_services_one_open_review.py",)),
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
           'cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])', "pass",
           ("tests/core/test_audit_chain.py::test_two_products_appending_at_the_same_moment_keep_one_unbroken_chain",)),
    Mutant("kpi sql: no zero guard on last year's value", "kpis/sql.py",
           "pv.cur IS NULL OR pv.ly IS NULL OR pv.ly = 0 THEN NULL", "pv.cur IS NULL OR pv.ly IS NULL THEN NULL",
           ("tests/kpis/test_sql.py",)),
    Mutant("kpi sql: no zero guard on the target", "kpis/sql.py",
           "WHEN t.target_value = 0 THEN NULL ELSE", "ELSE", ("tests/kpis/test_sql.py",)),
    Mutant("kpi sql: no zero guard on a lower-is-better value", "kpis/sql.py",
           "CASE WHEN pv.cur = 0 THEN NULL ELSE t.target_value * 100.0 / pv.cur END",
           "t.target_value * 100.0 / pv.cur", ("tests/kpis/test_sql.py",)),
    Mutant("kpi sql: `last` not per product", "kpis/sql.py",
           "WHERE o2.product_id = a.product_id AND o2.metric_id", "WHERE o2.metric_id",
           ("tests/kpis/test_sql.py",)),
    Mutant("kpi sql: `last` not per metric", "kpis/sql.py",
           "AND o2.metric_id = a.metric_id AND o2.date", "AND o2.date", ("tests/kpis/test_sql.py",)),
    # More of the statement: mutmut cannot mutate SQL held in module-level strings, so these stand in for it.
    *[Mutant(f"kpi sql: {name}", "kpis/sql.py", old, new, SQL_TESTS)
      for name, old, new in [
          ("change guard on a zero previous value", "pv.prev IS NULL OR pv.prev = 0 THEN NULL",
           "pv.prev IS NULL THEN NULL"),
          ("change without magnitude", "* 100.0 / ABS(pv.prev)", "* 100.0 / pv.prev"),
          ("year over year without magnitude", "* 100.0 / ABS(pv.ly)", "* 100.0 / pv.ly"),
          ("margin without its zero guard", "CASE WHEN rev = 0 THEN NULL ELSE (rev - cost) * 100.0 / rev END",
           "(rev - cost) * 100.0 / rev"),
          ("profit reversed", "SELECT product_id, %(profit)s, b, rev - cost",
           "SELECT product_id, %(profit)s, b, cost - rev"),
          ("profit without both figures",
           "%(profit)s, b, rev - cost FROM rc WHERE rev IS NOT NULL AND cost IS NOT NULL",
           "%(profit)s, b, rev - cost FROM rc"),
          ("avg as sum", "WHEN 'avg' THEN a.v_avg", "WHEN 'avg' THEN a.v_sum"),
          ("max as min", "WHEN 'max' THEN a.v_max", "WHEN 'max' THEN a.v_min"),
          ("window end included", "o.date < %(e{b})s", "o.date <= %(e{b})s"),
          ("window start excluded", "o.date >= %(s{b})s", "o.date > %(s{b})s"),
          ("risk limit red at the critical value", "WHEN pv.cur > t.critical_threshold THEN 'red'",
           "WHEN pv.cur >= t.critical_threshold THEN 'red'"),
          ("growth amber at the warning value", "WHEN pv.cur < t.warning_threshold THEN 'amber' ELSE 'green' END END",
           "WHEN pv.cur <= t.warning_threshold THEN 'amber' ELSE 'green' END END"),
          ("target of any granularity", "AND t.granularity = %(granularity)s AND t.period_start", "AND t.period_start"),
          ("products without figures get a row", "WHERE pv.n_cur > 0", "WHERE 1 = 1"),
          ("last year is the previous period", "MAX(CASE WHEN b = 2 THEN value END) AS ly",
           "MAX(CASE WHEN b = 1 THEN value END) AS ly"),
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
           'if user.is_product_manager and "owner" in data and data["owner"].pk != product.owner_id:',
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
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-x", "-p", "no:randomly",
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
