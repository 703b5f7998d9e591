"""bankpm/ is the shared plumbing every app may import, and the project's settings and URL confs; what reads across
apps (the search, the demo seed) lives on top, in portal/, which no app imports."""
import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The project's top: its settings and URL confs name every app by nature.
PROJECT_TOP = {"bankpm/urls.py", "bankpm/api/urls.py"}


def project_apps() -> set[str]:
    return {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}


def module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:  # module level only: a function may look upwards on purpose
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def test_the_plumbing_imports_no_app_above_core():
    upward = {}
    for path in sorted((ROOT / "bankpm").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative in PROJECT_TOP or relative.startswith(("bankpm/settings/", "bankpm/migrations/")):
            continue
        found = module_level_imports(path) & (project_apps() - {"bankpm", "core"})
        if found:
            upward[relative] = sorted(found)
    assert upward == {}


def test_no_app_imports_the_composition_on_top():
    importers = sorted(str(path.relative_to(ROOT)) for name in project_apps() - {"portal"}
                       for path in (ROOT / name).rglob("*.py")
                       if "portal" in module_level_imports(path) and str(path.relative_to(ROOT)) not in PROJECT_TOP)
    assert importers == []
