"""The house's one-way rule, checked on every module: a module imports only from its own layer
or the layers below it (module-level and function-level imports alike). See
docs/ARCHITECTURE.md for the picture and the reasons."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module may import its own layer and the layers before it in this list;
# packages on one line are peers and never import each other.
LAYERS = [
    ("connections.bigcommerce",),
    ("connections",),
    ("dataflows",),
    ("catalog",),
    ("listings",),
    ("orders", "checkout"),
    ("dashboard",),
    ("integrationhub",),
]
PACKAGES = [package for layer in LAYERS for package in layer]
# The driver speaks plain HTTP: it knows no models and no apps.
DRIVER_FORBIDDEN = ("django.db", "django.apps", "django.contrib", "rest_framework")


def _package_of(module: str) -> str | None:
    """The most specific first-party package a dotted module name belongs to."""
    best = None
    for package in PACKAGES:
        if module == package or module.startswith(package + "."):
            if best is None or len(package) > len(best):
                best = package
    return best


def _rank(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from package import module` imports the module too.
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            # apps.get_model("orders", ...) is an import by another name.
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


def _source_files() -> list[Path]:
    files = []
    for package in {p.split(".")[0] for p in PACKAGES}:
        files.extend(
            path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts
        )
    return sorted(files)


def _violations() -> list[str]:
    problems = []
    for path in _source_files():
        own = _package_of(_module_name(path))
        if own is None:
            continue
        for line, target in _imports(path):
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if own == "connections.bigcommerce" and target.startswith(DRIVER_FORBIDDEN):
                problems.append(f"{where} (the driver knows no models or apps)")
                continue
            other = _package_of(target)
            if other is None or other == own:
                continue
            if _rank(other) > _rank(own):
                problems.append(f"{where} (an upward import: {own} is below {other})")
            elif _rank(other) == _rank(own) and not own.startswith(other + "."):
                problems.append(f"{where} ({own} and {other} are peers)")
    return problems


def test_every_import_runs_downward():
    assert _violations() == []


def test_the_checker_sees_function_level_and_relative_imports(tmp_path, monkeypatch):
    fake = tmp_path / "connections"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "views.py").write_text(
        "def f():\n    from orders.models import Order\n    return Order\n"
    )
    (fake / "bigcommerce").mkdir()
    (fake / "bigcommerce" / "__init__.py").write_text("")
    (fake / "bigcommerce" / "client.py").write_text("from ..models import Connection\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    problems = [p for p in _violations() if p.startswith("connections")]
    assert any("views.py:2 imports orders.models" in p for p in problems)
    assert any("client.py:1 imports connections.models" in p for p in problems)


@pytest.mark.parametrize("limit", [400])
def test_no_module_is_longer_than_a_newcomer_can_read(limit):
    """About 400 lines at most (migrations and vendored specs aside)."""
    too_long = []
    for path in _source_files() + sorted((ROOT / "tests").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > limit:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert too_long == []
