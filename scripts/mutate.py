"""`make mutate`: mutation testing of the modules that hold the rules, each against the tests that cover it.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... .venv/bin/python scripts/mutate.py [module ...]

For each module, a copy of the committed tree (`git archive HEAD`, or $MUTATE_REF) is made under
`.mutate/<module>/`, mutmut (pinned in the `test` extras) mutates only that module there and runs, for each mutant,
the tests of the module's selection that execute the mutated function. The score is killed ÷ (mutants − those no
selected test executes); survivors are listed so they can be judged (equivalent ones are explained in MUTATION.md).

The tests run against their own database (`<DATABASE_URL name>_m_<module>`, kept between mutants with
--reuse-db), so a mutation run never collides with `make test` or with the run of another module. One mutant at a
time by default (MUTATE_CHILDREN=n for more): the machine is shared.
"""
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# MUTATE_REF=<commit> scores an older state (e.g. the tests before a change); selections it lacks are skipped.
REF = os.environ.get("MUTATE_REF", "HEAD")
WORK = ROOT / (".mutate" if REF == "HEAD" else f".mutate-{REF}")

# module -> the tests that cover it (the browser tests and the 20-thread races are left out: too slow per mutant;
# scripts/hand_mutants.py covers the locks and races by hand)
MODULES = {
    "lifecycle/services.py": ["tests/lifecycle", "--ignore=tests/lifecycle/test_concurrency.py",
                              "--ignore=tests/lifecycle/test_demo.py"],
    "approvals/services.py": ["tests/approvals", "tests/lifecycle/test_services.py",
                              "--ignore=tests/approvals/test_conditions_concurrency.py"],
    "approvals/engine.py": ["tests/approvals/test_engine.py", "tests/lifecycle/test_services.py",
                            "tests/approvals/test_services_four_eyes.py",
                            "tests/approvals/test_services_senior_last.py"],
    "core/audit.py": ["tests/core", "tests/lifecycle/test_audit.py", "--ignore=tests/core/test_chain_workload.py"],
    "core/models.py": ["tests/core", "tests/lifecycle/test_audit.py"],
    "core/roles.py": ["tests/core/test_roles.py", "tests/products", "tests/approvals/test_services_four_eyes.py",
                      "tests/approvals/test_four_eyes.py"],
    "kpis/sql.py": ["tests/kpis/test_sql.py", "tests/kpis/test_services_compute.py"],
    "kpis/services.py": ["tests/kpis", "--ignore=tests/kpis/test_worker.py",
                         "--ignore=tests/kpis/test_concurrency.py"],
    "products/services.py": ["tests/products", "tests/changes/test_services.py", "tests/approvals/test_four_eyes.py"],
    "changes/services.py": ["tests/changes", "--ignore=tests/changes/test_concurrency.py",
                            "--ignore=tests/changes/test_demo.py"],
    "risks/services.py": ["tests/risks", "--ignore=tests/risks/test_concurrency.py",
                          "--ignore=tests/risks/test_demo.py"],
    "exits/services.py": ["tests/exits", "--ignore=tests/exits/test_concurrency.py",
                          "--ignore=tests/exits/test_demo.py"],
    # rules that live outside the services: progress uploads' row checks, the risk's level and status rules, the
    # admin's frozen fields and reference-data guards
    "exits/progress.py": ["tests/exits", "--ignore=tests/exits/test_concurrency.py",
                          "--ignore=tests/exits/test_demo.py"],
    "risks/models.py": ["tests/risks", "--ignore=tests/risks/test_concurrency.py",
                        "--ignore=tests/risks/test_demo.py"],
    "products/admin.py": ["tests/products/test_admin.py", "tests/bankpm/test_views.py"],
}
# MUTATE_TESTS=services: the service-level tests only (no pages, API or admin), for a run that has to fit in the
# time at hand; a mutant only these miss may still be killed by the full selection.
SERVICE_TESTS = {
    "lifecycle/services.py": [f"tests/lifecycle/{name}.py" for name in (
        "test_services", "test_services_deliverables", "test_checklists", "test_audit", "test_notifications")],
    "approvals/services.py": [f"tests/approvals/{name}.py" for name in (
        "test_services_four_eyes", "test_services_one_open_review", "test_services_senior_last",
        "test_services_notices", "test_services_bulk_decide", "test_delegations", "test_four_eyes", "test_engine",
        "test_tasks")] + ["tests/lifecycle/test_services.py"],
    "kpis/services.py": [f"tests/kpis/{name}.py" for name in (
        "test_services_alerts", "test_services_audit", "test_services_compute", "test_services_stale",
        "test_services_task_runs", "test_sql", "test_scorecards", "test_formulas", "test_sources", "test_models",
        "test_commands_and_tasks", "test_partitions", "test_api_observations")],
}
if os.environ.get("MUTATE_TESTS") == "services":
    MODULES.update(SERVICE_TESTS)
# Everything the suite imports, copied beside the mutated module (mutmut runs the tests inside the copy).
SOURCES = ["accounts", "approvals", "bankpm", "changes", "core", "exits", "kpis", "lifecycle", "notifications",
           "products", "requirements", "risks"]
ALSO_COPY = ["tests", "templates", "static", "locale", "manage.py", "pyproject.toml"]


def mutate_database_url(module: str) -> str:
    """`<name>_mutate_<module>` (and the ref, if not HEAD): runs of different modules may go side by side."""
    url = urlsplit(os.environ["DATABASE_URL"])
    suffix = "_m_" + re.sub(r"\W", "_", module.removesuffix(".py"))
    if REF != "HEAD":
        suffix += "_" + re.sub(r"\W", "_", REF)[:10]
    return urlunsplit(url._replace(path=url.path.rstrip("/") + suffix))


def undecorate_atomic(path: Path) -> None:
    """mutmut leaves decorated functions alone; in the copy, `@transaction.atomic` is applied after definition
    instead (same behaviour), so that the services' main functions are mutated too."""
    text = path.read_text()
    names = re.findall(r"^@transaction\.atomic\ndef (\w+)", text, re.M)
    if names:
        text = re.sub(r"^@transaction\.atomic\n(?=def )", "", text, flags=re.M)
        path.write_text(text + "\n\n" + "".join(f"{name} = transaction.atomic({name})\n" for name in names))


def prepare(module: str) -> Path:
    """A fresh copy of the committed tree, configured to mutate `module` only."""
    work = WORK / module.replace("/", "_").removesuffix(".py")
    subprocess.run(["rm", "-rf", str(work)], check=True)
    work.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", REF], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(work, filter="data")
    undecorate_atomic(work / module)
    write_config(work, module)
    (work / "mutants").mkdir()
    if (ROOT / "node_modules").exists():  # static files: linked, never copied
        (work / "mutants" / "node_modules").symlink_to((ROOT / "node_modules").resolve())
    return work


def write_config(work: Path, module: str) -> None:
    # mutmut reads [tool.mutmut] from pyproject.toml before setup.cfg: the copy's pyproject must not have one.
    (work / "setup.cfg").write_text("\n".join([
        "[mutmut]",
        "source_paths=\n    " + "\n    ".join(f"{s}/" for s in SOURCES),
        f"only_mutate=\n    {module}",
        "also_copy=\n    " + "\n    ".join(ALSO_COPY),
        "pytest_add_cli_args=\n    --reuse-db\n    -p\n    no:xdist\n    -W\n    ignore",
        "pytest_add_cli_args_test_selection=\n    " + "\n    ".join(
            arg for arg in MODULES[module] if arg.startswith("-") or (work / arg).exists()),
        "process_isolation=forkserver",
        # CPU-time limit per mutant = 15 × its tests' CPU time in the stats run + this constant; database-heavy
        # tests use little CPU of their own, so without a generous constant a slow survivor is misread as a timeout.
        "timeout_constant=60",
        "",
    ]))


def score(work: Path, module: str) -> dict:
    meta = json.loads((work / "mutants" / f"{module}.meta").read_text())
    statuses = Counter()
    survivors, untested = [], []
    for name, code in meta["exit_code_by_key"].items():
        status = {0: "survived", 1: "killed", 3: "killed", 33: "no tests", 5: "no tests", 36: "timeout",
                  None: "not checked"}.get(code, "suspicious")
        statuses[status] += 1
        if status == "survived":
            survivors.append(name)
        elif status == "no tests":
            untested.append(name)
    tested = sum(statuses.values()) - statuses["no tests"] - statuses["not checked"]
    killed = statuses["killed"] + statuses["timeout"]
    return {"module": module, "mutants": sum(statuses.values()), "killed": killed, "tested": tested,
            "score": round(100 * killed / tested, 1) if tested else None, "statuses": dict(statuses),
            "survivors": sorted(survivors), "untested": sorted(untested)}


def refresh_tests(work: Path, module: str) -> list[str]:
    """MUTATE_RERUN=1: the committed tests replace the copy's, and only the previous run's survivors and the
    mutants no test executed are checked again (mutmut collects the stats of the new tests only)."""
    archive = subprocess.run(["git", "archive", REF, "tests"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(work, filter="data")
    # The selection (setup.cfg) stays as it was: mutmut drops every cached verdict when it changes.
    previous = score(work, module)
    return previous["survivors"] + previous["untested"]


def run(module: str) -> dict:
    rerun = os.environ.get("MUTATE_RERUN") == "1"
    work = WORK / module.replace("/", "_").removesuffix(".py") if rerun else prepare(module)
    env = {**os.environ, "DATABASE_URL": mutate_database_url(module)}
    children = os.environ.get("MUTATE_CHILDREN", "1")
    # MUTATE_SAMPLE="*[05]" checks only the mutants whose number ends in 0 or 5 (a fifth, spread over every
    # function): an estimate of the score when a full run does not fit in the time at hand.
    sample = [f"{module.removesuffix('.py').replace('/', '.')}.{os.environ['MUTATE_SAMPLE']}"] \
        if os.environ.get("MUTATE_SAMPLE") else []
    if rerun:
        sample = refresh_tests(work, module)
        if not sample:
            return {**score(work, module), "seconds": 0}
    started = time.monotonic()
    with open(work / "mutmut.log", "w") as log:
        subprocess.run([str(ROOT / ".venv/bin/mutmut"), "run", "--max-children", children, *sample], cwd=work,
                       env=env, stdout=log, stderr=subprocess.STDOUT)
    result = {**score(work, module), "seconds": round(time.monotonic() - started)}
    (work / "score.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


def main(modules: list[str]) -> int:
    results = []
    for module in modules or list(MODULES):
        result = run(module)
        results.append(result)
        print(f"{module:24} {result['killed']:4}/{result['tested']:<4} killed = {result['score']}%  "
              f"({result['mutants']} mutants, {result['statuses'].get('no tests', 0)} without covering tests, "
              f"{result['seconds']} s)", flush=True)
        for name in result["survivors"]:
            print(f"    survived: {name}")
    (WORK / "scores.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
