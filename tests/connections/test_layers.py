"""Connections knows nothing above it: no module of connections/ (the driver below it aside)
imports the engine or an app, at module level or inside a function."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ABOVE = ("dataflows", "orders", "catalog", "checkout", "integrationhub")
# demo.py seeds every layer for `make demo` (the ui engineer moves it above the apps).
NOT_CHECKED = {"connections/management/commands/demo.py"}


def modules():
    for path in sorted((ROOT / "connections").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("connections/bigcommerce/") or relative in NOT_CHECKED:
            continue
        yield relative


def imported(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model":
            if node.args and isinstance(node.args[0], ast.Constant):
                names.add(str(node.args[0].value))
    return names


@pytest.mark.parametrize("module", list(modules()))
def test_connections_imports_nothing_above_it(module):
    names = imported((ROOT / module).read_text())
    above = sorted(n for n in names if n.split(".")[0] in ABOVE)
    assert above == [], f"{module} imports {above}"
