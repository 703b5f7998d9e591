"""Every public service function that writes runs in one transaction and writes its audit-trail entry.

The services are found, not listed: every public function of every app's `services.py`, and of every other module
of an app that appends to the trail (lifecycle's delegations, waivers and conditions, the reports' subscriptions…).
A new service is walked as soon as it exists, so one that writes without an entry (or outside a transaction) fails
here until it audits, or until it is added to WITHOUT_ENTRY with the reason its writes are not governed.

The walk reads the code (ast): what a function writes and whether it reaches `audit_record`, `audit_records` or
`audit_edit` is followed through the functions it calls, in its module and across the project's modules. It reads
no database, so it takes a second; the entries' content is each app's own tests' business (test_services_audit…).
"""
import ast
import importlib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
AUDIT_CALLS = {"core.audit.audit_record", "core.audit.audit_records", "core.audit.audit_edit"}
# Method calls that write rows whatever the receiver (forms and models save; querysets and managers delete…).
WRITE_METHODS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create",
                 "bulk_create_with_history"}
# Method calls that write only on a relation or a queryset (`obj.tags.add`, `X.objects.filter().update`), not on a
# local set or dict (`seen.add`, `values.update`).
RELATION_WRITE_METHODS = {"create", "update", "add", "remove", "clear", "set"}
SQL_WRITES = ("INSERT ", "UPDATE ", "DELETE ", "COPY ")

# Predicates and readers: they answer a question and write nothing. The rule is the name; the walk below also
# checks that none of them writes (a `can_` that saves fails as a write without an entry).
READ_PREFIXES = ("can_",)
READ_PARTS = ("_can_",)
READ_SUFFIXES = ("_check", "_refusal", "_readable", "_status", "_label", "_labels", "_choices")

# Public functions that write rows which are not governed records, each with why. Short on purpose: anything a
# person decides, approves, edits or deletes is audited.
WITHOUT_ENTRY = {
    "notifications.services.notify_many": "messages to people, written inside the service that decided (and "
                                          "audited)",
    "notifications.services.send_emails": "the e-mail outbox's delivery bookkeeping (attempts, sent time)",
    "notifications.services.mark_read": "a person's own read marks on their messages",
    "webhooks.services.webhook_events_publish": "the outbox of audited actions or opened alerts, in their "
                                                "transaction",
    "kpis.services.kpi_compute_request": "queues a recomputation; its task-run row records who asked, and when",
    "kpis.services.task_run_heartbeat": "a running task's liveness timestamp",
    "kpis.services.task_runs_sweep": "marks the runs of dead workers failed (the task table's bookkeeping)",
    "kpis.services.snapshots_mark_stale": "marks computed snapshots for recomputation (derived figures)",
    "lifecycle.services.deliverables_ensure": "creates a stage's checklist rows from the templates (idempotent)",
    "lifecycle.services.deliverables_add_template": "an audited template save adds its rows to open checklists",
    "changes.services.terms_version_initial_ensure": "records as version 1 the terms a product launched with",
    "risks.services.risk_reviews_remind_overdue": "the due date a reminder was sent for (reminder bookkeeping)",
}


@dataclass
class Function:
    module: str
    name: str
    node: ast.FunctionDef
    imports: dict  # local name -> dotted target
    calls: set = field(default_factory=set)  # dotted names of project functions it calls
    writes: list = field(default_factory=list)  # what it writes directly (for the failure message)
    atomic: bool = False  # decorated with transaction.atomic or opens one itself
    write_call_sites: int = 0

    @property
    def qualname(self):
        return f"{self.module}.{self.name}"


def project_modules() -> list[str]:
    """Every module of the project's apps (not migrations, tests, management commands or settings)."""
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path)
        if ROOT not in path.parents or path.relative_to(ROOT).parts[0].startswith("."):
            continue  # Django's and the libraries' apps
        for file in sorted(path.rglob("*.py")):
            relative = file.relative_to(ROOT)
            if {"migrations", "management", "settings", "tests"} & set(relative.parts):
                continue
            found.append(".".join(relative.with_suffix("").parts).removesuffix(".__init__"))
    return found


def _imports(tree: ast.AST, module: str) -> dict:
    """Local name -> dotted target of the imports of a module's top level, or anywhere in a function."""
    names = {}
    for node in (tree.body if isinstance(tree, ast.Module) else ast.walk(tree)):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level] if node.level else []
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
    return names


def _dotted(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _is_atomic(expr) -> bool:
    target = expr.func if isinstance(expr, ast.Call) else expr
    return (_dotted(target) or "").endswith("atomic")


QUERYSET_HINTS = (".objects", ".filter(", ".exclude(", ".select_for_update(", ".all()", "_set.")


def _querysets(node: ast.FunctionDef) -> set[str]:
    """Local names assigned a queryset (`due = Risk.objects.filter(...)`), whose `.update()` is a write."""
    return {target.id for assign in ast.walk(node) if isinstance(assign, ast.Assign)
            for target in assign.targets if isinstance(target, ast.Name)
            and any(hint in ast.unparse(assign.value) for hint in QUERYSET_HINTS)}


def _receiver_is_relation_or_queryset(receiver, querysets: set[str]) -> bool:
    """`obj.tags`, `X.objects.filter(...)`, `qs.select_for_update()`, a name holding a queryset: not a local set or
    dict (`seen.add`, `values.update`)."""
    if isinstance(receiver, ast.Name):
        return receiver.id in querysets
    if isinstance(receiver, ast.Call):  # `X.objects.filter(...).update()`, not `shapes.setdefault(...).add()`
        return any(hint in ast.unparse(receiver) for hint in QUERYSET_HINTS)
    return isinstance(receiver, ast.Attribute) and _dotted(receiver.value) not in {"self", "data", "kwargs"}


class _Visitor(ast.NodeVisitor):
    def __init__(self, function: Function, local_names: set):
        self.function, self.local_names = function, local_names
        self.querysets = _querysets(function.node)

    def visit_With(self, node):
        if any(_is_atomic(item.context_expr) for item in node.items):
            self.function.atomic = True
        self.generic_visit(node)

    def visit_Call(self, node):
        function = self.function
        target = _dotted(node.func)
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in WRITE_METHODS or (method in RELATION_WRITE_METHODS
                                           and _receiver_is_relation_or_queryset(node.func.value, self.querysets)):
                function.writes.append(f"{_dotted(node.func.value) or '…'}.{method}() line {node.lineno}")
                function.write_call_sites += 1
            if method in {"execute", "copy"} and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str | bytes) \
                    and str(node.args[0].value).lstrip().upper().startswith(SQL_WRITES):
                function.writes.append(f"SQL line {node.lineno}")
                function.write_call_sites += 1
        if target is None:
            self.generic_visit(node)
            return
        head, _, rest = target.partition(".")
        if head in self.local_names and not rest:
            function.calls.add(f"{function.module}.{head}")
        elif head in function.imports:
            function.calls.add(function.imports[head] + (f".{rest}" if rest else ""))
        if target in WRITE_METHODS:  # a write helper called by name (bulk_create_with_history)
            function.writes.append(f"{target}() line {node.lineno}")
            function.write_call_sites += 1
        self.generic_visit(node)


def index() -> dict[str, Function]:
    functions = {}
    for module in project_modules():
        path = ROOT / Path(*module.split("."))
        file = path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"
        tree = ast.parse(file.read_text(), filename=str(file))
        imports = _imports(tree, module)
        local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            function = Function(module=module, name=node.name, node=node, imports={**imports, **_imports(node, module)})
            function.atomic = any(_is_atomic(d) for d in node.decorator_list)
            _Visitor(function, local).visit(node)
            functions[function.qualname] = function
    return functions


class Walk:
    def __init__(self):
        self.functions = index()
        self._writes, self._audits = {}, {}

    def callees(self, function: Function) -> list[Function]:
        """The project functions it calls; not the exceptions (their writes are not governed ones)."""
        return [self.functions[c] for c in sorted(function.calls)
                if c in self.functions and c != function.qualname and c not in WITHOUT_ENTRY]

    def writes(self, function: Function, seen=frozenset()) -> bool:
        if function.qualname not in self._writes:
            seen = seen | {function.qualname}
            self._writes[function.qualname] = bool(function.writes) or any(
                self.writes(c, seen) for c in self.callees(function) if c.qualname not in seen)
        return self._writes[function.qualname]

    def audits(self, function: Function, seen=frozenset()) -> bool:
        if function.qualname not in self._audits:
            seen = seen | {function.qualname}
            self._audits[function.qualname] = bool(function.calls & AUDIT_CALLS) or any(
                self.audits(c, seen) for c in self.callees(function) if c.qualname not in seen)
        return self._audits[function.qualname]

    def in_one_transaction(self, function: Function) -> bool:
        """Decorated with transaction.atomic, or opening one itself, or writing only through one call of another
        service that is (requirement_move → requirement_transition)."""
        if function.atomic:
            return True
        writing = [c for c in self.callees(function) if self.writes(c)]
        if not writing and function.write_call_sites == 1:
            return True  # a single statement is its own transaction
        return not function.writes and len(writing) == 1 and self.in_one_transaction(writing[0]) \
            and _call_sites(function, writing[0]) == 1


def _call_sites(function: Function, callee: Function) -> int:
    return sum(1 for node in ast.walk(function.node) if isinstance(node, ast.Call)
               and (_dotted(node.func) or "").split(".")[-1] == callee.name)


def service_modules(walk: Walk) -> list[str]:
    """Each app's services.py, and every other module of an app that appends to the trail itself."""
    modules = {f.module for f in walk.functions.values() if f.module.endswith(".services")}
    modules |= {f.module for f in walk.functions.values() if f.calls & AUDIT_CALLS and f.module != "core.audit"}
    return sorted(modules)


def is_reader(name: str) -> bool:
    return name.startswith(READ_PREFIXES) or any(p in name for p in READ_PARTS) or name.endswith(READ_SUFFIXES)


def public_services(walk: Walk) -> list[Function]:
    modules = set(service_modules(walk))
    return [f for f in walk.functions.values() if f.module in modules and not f.name.startswith("_")]


def test_the_walk_finds_the_services_of_every_app():
    walk = Walk()
    apps_walked = {f.module.split(".")[0] for f in public_services(walk)}
    assert {"accounts", "changes", "complaints", "exits", "kpis", "lifecycle", "notifications", "products",
            "reports", "requirements", "risks", "roadmap", "sso", "webhooks"} <= apps_walked
    assert "approvals.delegations" in service_modules(walk)


def test_every_public_service_that_writes_runs_in_one_transaction_and_writes_its_entry():
    walk = Walk()
    problems = []
    for function in public_services(walk):
        if not walk.writes(function):
            continue
        if is_reader(function.name):
            problems.append(f"{function.qualname}: named as a reader but writes ({function.writes[:2]})")
            continue
        if not walk.in_one_transaction(function):
            problems.append(f"{function.qualname}: writes outside one transaction ({function.writes[:2]})")
        if function.qualname not in WITHOUT_ENTRY and not walk.audits(function):
            problems.append(f"{function.qualname}: writes without an audit entry ({function.writes[:2]})")
    assert not problems, "\n".join(problems)


def test_the_exceptions_name_existing_services_that_write():
    walk = Walk()
    for qualname in WITHOUT_ENTRY:
        assert qualname in walk.functions, f"{qualname} is gone: drop it from WITHOUT_ENTRY"
        function = walk.functions[qualname]
        assert walk.writes(function), f"{qualname} writes nothing: drop it from WITHOUT_ENTRY"
        assert not walk.audits(function), f"{qualname} audits: drop it from WITHOUT_ENTRY"


def test_a_service_without_an_entry_would_fail_the_walk(tmp_path):
    source = ("from django.db import transaction\n\n@transaction.atomic\n"
              "def thing_save(*, user, thing):\n    thing.save()\n")
    tree = ast.parse(source)
    function = Function(module="demo.services", name="thing_save", node=tree.body[1], imports=_imports(tree, "x"))
    function.atomic = True
    _Visitor(function, {"thing_save"}).visit(function.node)
    walk = Walk()
    walk.functions[function.qualname] = function
    assert walk.writes(function) and not walk.audits(function)


def test_the_walked_modules_import():
    for module in service_modules(Walk()):
        importlib.import_module(module)
