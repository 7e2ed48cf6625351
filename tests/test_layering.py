"""Imports point one way: classifier ← hotline ← dispatch ← command ← open311 ← web (docs/architecture.md).

Read from the source, not imported: a module-level or a function-level import of a package to its right is a
break of the layering either way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["classifier", "hotline", "dispatch", "command", "open311", "web"]


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_none_to_its_right(package):
    to_the_right = set(LAYERS[LAYERS.index(package) + 1:])
    broken = {str(path.relative_to(ROOT)): sorted(imported_packages(path) & to_the_right)
              for path in sorted((ROOT / package).rglob("*.py"))}
    assert {path: names for path, names in broken.items() if names} == {}


def test_the_check_sees_a_wrong_way_import(tmp_path):
    module = tmp_path / "wrong.py"
    module.write_text("def f():\n    from web.app import create_app\n    import open311.keys\n", encoding="utf-8")
    assert imported_packages(module) == {"web", "open311"}
