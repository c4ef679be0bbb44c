"""The layer rules of docs/architecture.md, checked on the source: imports go down or sideways, never up,
and there are no cycles between apps. Tests are exempt (they set up data across layers)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent

# Bottom to top. An app may import apps in its own layer or below.
LAYERS: list[set[str]] = [
    {"lib"},
    {"audit"},
    {"organisations", "accounts", "people", "consent"},
    {"cases"},
    {"access"},
    {"plans", "activities", "attendance", "collaboration"},
    {"outcomes", "benefits"},
    {"analytics"},
    {"goals", "review"},
    {"web", "api", "demo"},
]
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}
PROJECT_MODULES = {"settings", "urls", "wsgi", "asgi", "test", "tests", "conftest"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "egenmakt":
                names = [f"egenmakt.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "egenmakt" and len(parts) > 1:
                found.add(parts[1])
    return found


def _app_imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).parts
        if len(relative) < 2 or "tests" in relative:
            continue
        app = relative[0]
        graph[app] |= _imports(path) - {app}
    return graph


def test_every_app_has_a_layer() -> None:
    apps = {
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    } - PROJECT_MODULES
    assert apps - LAYER_OF.keys() == set(), "add new apps to LAYERS here and in docs/architecture.md"


def test_imports_go_down_or_sideways_never_up() -> None:
    upward = [
        f"{app} (layer {LAYER_OF[app]}) imports {other} (layer {LAYER_OF.get(other, 'project')})"
        for app, others in _app_imports().items()
        for other in others
        if other in PROJECT_MODULES or LAYER_OF.get(other, 99) > LAYER_OF[app]
    ]
    assert upward == []


def test_there_are_no_cycles_between_apps() -> None:
    graph = _app_imports()

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for other in graph.get(start, set()):
            if other == target or (other not in seen and reaches(other, target, seen | {other})):
                return True
        return False

    cycles = sorted(app for app in graph if reaches(app, app, set()))
    assert cycles == []


def test_lib_is_pure() -> None:
    """lib holds small pure helpers: no models, no other app."""
    for path in (PACKAGE / "lib").glob("*.py"):
        assert _imports(path) <= {"lib"}, path
        assert "django.db.models import Model" not in path.read_text(encoding="utf-8"), path
